/**
 * The primary's side of the conversation (packages/api/src/stream/session.ts)
 * as tables written from docs/PROTOCOL.md: "Welcome or Resync", "Ack",
 * "Heartbeat", "The conversation, primary side", "Flow control" and
 * "Bootstrap from a checkpoint". Each case feeds events to the pure state
 * machine and checks the actions it returns and the state it leaves; no
 * socket, clock or disk is involved.
 */
import { describe, expect, it } from 'vitest';
import type { CheckpointHeader } from '@fsjournal/journal';
import { encodeMessage, ResyncReason, type StreamMessage } from '@fsjournal/journal/wire';
import {
  initialSession,
  messageEvent,
  step,
  HELLO_TIMEOUT_MS,
  RETRY_MS,
  SNAPSHOT_WINDOW,
  SOCKET_HIGH_WATER,
  type BatchFrame,
  type JournalView,
  type Now,
  type SessionAction,
  type SessionEvent,
  type SessionState,
} from '@fsjournal/api/internal';

const JID = 'c6f55c1f-d4f3-43b9-9888-bfe2da33a0c4';
const OTHER_JID = '0b7e2c1a-9f3d-4e5b-8a6c-1d2e3f4a5b6c';
const HEARTBEAT_MS = 5000;
const T0 = 1_000_000;

interface World {
  ms?: number;
  firstLsn?: number;
  durableLsn?: number;
  closed?: boolean;
  buffered?: number;
}

function now(w: World = {}): Now {
  const journal: JournalView = {
    journalId: JID,
    firstLsn: w.firstLsn ?? 1,
    durableLsn: w.durableLsn ?? 100,
    isClosed: w.closed ?? false,
  };
  return { ms: w.ms ?? T0 + 1, journal, bufferedBytes: w.buffered ?? 0 };
}

function hello(o: { journalId?: string; lastAppliedLsn?: number; window?: number } = {}) {
  return {
    type: 'hello' as const,
    protocolVersion: 1,
    replicaId: 'standby-1',
    journalId: o.journalId ?? JID,
    lastAppliedLsn: o.lastAppliedLsn ?? 0,
    window: o.window ?? 4096,
  };
}

function ack(receivedLsn: number, o: { applied?: number; durable?: number; seq?: number } = {}) {
  const applied = o.applied ?? receivedLsn;
  return {
    type: 'message' as const,
    message: {
      type: 'ack' as const,
      appliedLsn: applied,
      durableLsn: o.durable ?? applied,
      receivedLsn,
      snapshotSeq: o.seq ?? 0,
    },
  };
}

const msg = (message: StreamMessage, checkpoint?: CheckpointHeader): SessionEvent => ({
  type: 'message',
  message,
  checkpoint,
});

function frames(from: number, to: number): BatchFrame[] {
  const out: BatchFrame[] = [];
  for (let lsn = from; lsn <= to; lsn++)
    out.push({ lsn, timeUs: lsn, payload: Buffer.alloc(0), frame: Buffer.alloc(28) });
  return out;
}

function checkpoint(o: { lsn: number; openTxns?: { txn: number; beginLsn: number }[] }) {
  return {
    format: 'fsjournal-checkpoint',
    version: 1,
    journalId: JID,
    id: `ckpt-${o.lsn}`,
    lsn: o.lsn,
    time: null,
    createdAt: '2024-01-01T00:00:00.000Z',
    timeUs: 0,
    files: 3,
    dirs: 2,
    symlinks: 1,
    hardlinks: 1,
    bytes: 12345,
    blockBytes: 65536,
    root: { mode: 0o755, uid: 1, gid: 2, atime: { sec: 3, nsec: 4 }, mtime: { sec: 5, nsec: 6 } },
    openTxns: o.openTxns ?? [],
  } satisfies CheckpointHeader;
}

/** Actions as short strings: what a reader of the tables compares. */
function show(a: SessionAction): string {
  switch (a.type) {
    case 'send': {
      const m = a.message;
      if (m.type === 'error') return `send error ${m.code}: ${m.message}`;
      if (m.type === 'resync') return `send resync ${ResyncReason[m.reason]}: ${m.detail}`;
      if (m.type === 'batch') return `send batch ${m.firstLsn}..${m.frames.at(-1)!.lsn}`;
      if (m.type === 'snapshot-piece') return `send snapshot-piece ${m.seq}`;
      if (m.type === 'snapshot-end')
        return `send snapshot-end pieces=${m.pieces} entries=${m.entries} blocks=${m.blocks}`;
      return `send ${m.type}`;
    }
    case 'close':
      return `close ${a.code} ${a.reason}`;
    case 'registry':
      return `registry ${a.update.op}`;
    case 'count-error':
      return `count-error ${a.code} ${a.side}`;
    case 'log':
      return `log ${a.level} ${a.message}`;
    case 'await-durable':
      return `await-durable ${a.lsn}`;
    case 'read':
      return `read ${a.fromLsn}..${a.toLsn}`;
    case 'retry-later':
      return `retry-later ${a.ms}`;
    case 'start-snapshot':
      return `start-snapshot ${a.base.id}`;
    default:
      return a.type;
  }
}

/** Feeds `events` from a fresh session (upgraded at T0); returns the last step's actions. */
function run(
  events: (SessionEvent | [SessionEvent, World])[],
  from: SessionState = initialSession({
    address: '10.0.0.2:5000',
    heartbeatMs: HEARTBEAT_MS,
    nowMs: T0,
  }),
): { state: SessionState; actions: SessionAction[]; shown: string[] } {
  let state = from;
  let actions: SessionAction[] = [];
  for (const e of events) {
    const [event, world] = Array.isArray(e) ? e : [e, {}];
    ({ state, actions } = step(state, event, now(world)));
  }
  return { state, actions, shown: actions.map(show) };
}

/** The four actions of every StreamError the primary sends (docs/PROTOCOL.md, StreamError and closing). */
const failure = (code: string, message: string): string[] => [
  'log warn stream closed on error',
  `count-error ${code} primary`,
  `send error ${code}: ${message}`,
  `close 1008 ${code}`,
];

describe('Welcome or Resync (the primary decides, in this order)', () => {
  const cp = checkpoint({ lsn: 50 });
  it.each([
    {
      name: 'hello with another journal id -> Resync REASON_JOURNAL_ID_MISMATCH',
      hello: hello({ journalId: OTHER_JID, lastAppliedLsn: 5 }),
      world: {},
      resync: `REASON_JOURNAL_ID_MISMATCH: primary journal is ${JID}`,
    },
    {
      name: 'hello ahead of the primary durable LSN -> Resync REASON_AHEAD_OF_PRIMARY',
      hello: hello({ lastAppliedLsn: 101 }),
      world: { durableLsn: 100 },
      resync: 'REASON_AHEAD_OF_PRIMARY: replica at 101, primary at 100',
    },
    {
      name: 'another journal id wins over ahead of the primary (row 1 before row 2)',
      hello: hello({ journalId: OTHER_JID, lastAppliedLsn: 500 }),
      world: {},
      resync: `REASON_JOURNAL_ID_MISMATCH: primary journal is ${JID}`,
    },
    {
      name: 'hello from a position older than the oldest retained LSN -> REASON_BEHIND_RETENTION',
      hello: hello({ lastAppliedLsn: 10 }),
      world: { firstLsn: 40 },
      checkpoint: cp,
      resync: 'REASON_BEHIND_RETENTION: oldest retained lsn is 40, the replica needs 11',
    },
    {
      name: 'a new replica, lsn 1 released, no checkpoint -> REASON_NEW_REPLICA',
      hello: hello({ journalId: '' }),
      world: { firstLsn: 40 },
      resync: 'REASON_NEW_REPLICA: oldest retained lsn is 40 and no checkpoint can bridge the gap',
    },
    {
      name: 'a new replica, the checkpoint replays from a released LSN -> REASON_NEW_REPLICA',
      hello: hello({ journalId: '' }),
      world: { firstLsn: 40 },
      checkpoint: checkpoint({ lsn: 100, openTxns: [{ txn: 7, beginLsn: 30 }] }),
      resync: 'REASON_NEW_REPLICA: oldest retained lsn is 40 and no checkpoint can bridge the gap',
    },
  ])('$name', ({ hello: h, world, checkpoint: c, resync }) => {
    const { state, shown } = run([[msg(h, c), world]]);
    expect(shown).toEqual([
      'log info replica told to resync',
      `send resync ${resync}`,
      'close 1000 resync',
    ]);
    expect(state.stopped).toBe(true);
    expect(state.hello).toEqual(h); // kept: its row is marked disconnected when the socket goes
    expect(state.live).toBeUndefined();
  });

  it.each([
    {
      name: 'a known replica within retention -> Welcome, batches from last_applied_lsn + 1',
      hello: hello({ lastAppliedLsn: 60 }),
      world: { firstLsn: 40 },
      read: 'read 61..100',
    },
    {
      name: 'a replica exactly at the oldest retained LSN (last_applied_lsn + 1 = oldest) -> Welcome',
      hello: hello({ lastAppliedLsn: 39 }),
      world: { firstLsn: 40 },
      read: 'read 40..100',
    },
    {
      name: 'a new replica while the journal still starts at LSN 1 -> Welcome and the whole journal',
      hello: hello({ journalId: '' }),
      world: {},
      checkpoint: cp,
      read: 'read 1..100',
    },
    {
      name: 'a replica caught up -> Welcome, then it waits for the journal',
      hello: hello({ lastAppliedLsn: 100 }),
      world: {},
      read: 'await-durable 101',
    },
  ])('$name', ({ hello: h, world, checkpoint: c, read }) => {
    const { state, actions, shown } = run([[msg(h, c), world]]);
    expect(shown).toEqual([
      'registry connected',
      'log info replica connected',
      'send welcome',
      read,
    ]);
    expect(actions[0]).toEqual({
      type: 'registry',
      update: {
        op: 'connected',
        replicaId: 'standby-1',
        address: '10.0.0.2:5000',
        lastAppliedLsn: h.lastAppliedLsn,
        fresh: h.journalId === '',
      },
    });
    expect(actions[2]).toEqual({
      type: 'send',
      message: {
        type: 'welcome',
        protocolVersion: 1,
        journalId: JID,
        oldestLsn: world.firstLsn ?? 1,
        newestLsn: 100,
      },
    });
    expect(state.received).toBe(h.lastAppliedLsn);
    expect(state.sentLsn).toBe(h.lastAppliedLsn);
    expect(state.stopped).toBe(false);
    expect(state.live?.next).toBe(h.lastAppliedLsn + 1);
  });

  it('a new replica, lsn 1 released, a checkpoint bridges the gap -> SnapshotBegin (bootstrap)', () => {
    const base = checkpoint({ lsn: 80, openTxns: [{ txn: 3, beginLsn: 75 }] });
    const { state, actions, shown } = run([
      [msg(hello({ journalId: '' }), base), { firstLsn: 70 }],
    ]);
    expect(shown).toEqual([
      'registry connected',
      'log info new replica connected: bootstrapping it from a checkpoint (lsn 1 is released)',
      'send snapshot-begin',
      'start-snapshot ckpt-80',
    ]);
    expect(actions[2]).toEqual({
      type: 'send',
      message: {
        type: 'snapshot-begin',
        protocolVersion: 1,
        journalId: JID,
        checkpointId: 'ckpt-80',
        lsn: 80,
        replayFromLsn: 75, // the open transaction's TXN_BEGIN, below lsn + 1
        openTxns: [{ txn: 3, beginLsn: 75 }],
        entries: 7,
        files: 3,
        bytes: 12345,
        blockBytes: 65536,
        root: {
          type: 'dir',
          path: '',
          mode: 0o755,
          uid: 1,
          gid: 2,
          atime: { sec: 3, nsec: 4 },
          mtime: { sec: 5, nsec: 6 },
        },
        oldestLsn: 70,
        newestLsn: 100,
      },
    });
    expect(state.snapshot).toMatchObject({ from: 75, wait: 'piece' });
    expect(state.live).toBeUndefined();
    expect(state.sentLsn).toBe(0);
  });
});

describe('the conversation, primary side', () => {
  const welcomed = (): SessionState => run([msg(hello({ lastAppliedLsn: 10 }))]).state;

  it.each([
    {
      name: 'a second Hello -> FSJ_ERR_PROTOCOL_UNEXPECTED',
      before: [msg(hello())],
      event: msg(hello()),
      fails: ['FSJ_ERR_PROTOCOL_UNEXPECTED', 'second hello'],
    },
    {
      name: 'an Ack before Hello -> FSJ_ERR_PROTOCOL_UNEXPECTED',
      before: [],
      event: ack(0),
      fails: ['FSJ_ERR_PROTOCOL_UNEXPECTED', 'ack before hello'],
    },
    {
      name: 'an Ack beyond what was sent -> FSJ_ERR_PROTOCOL_INVALID (a forged Ack)',
      before: [msg(hello({ lastAppliedLsn: 10 }))],
      event: ack(11),
      fails: ['FSJ_ERR_PROTOCOL_INVALID', 'ack of lsn 11, only 10 was sent'],
    },
    {
      name: 'an Ack of a snapshot piece beyond the last sent -> FSJ_ERR_PROTOCOL_INVALID',
      before: [msg(hello({ lastAppliedLsn: 10 }))],
      event: ack(10, { seq: 1 }),
      fails: ['FSJ_ERR_PROTOCOL_INVALID', 'ack of snapshot piece 1, only 0 were sent'],
    },
    ...(
      ['welcome', 'resync', 'batch', 'snapshot-begin', 'snapshot-piece', 'snapshot-end'] as const
    ).map((type) => ({
      name: `${type} from a replica -> FSJ_ERR_PROTOCOL_UNEXPECTED`,
      before: [msg(hello())],
      event: msg({ type } as StreamMessage),
      fails: ['FSJ_ERR_PROTOCOL_UNEXPECTED', `${type} from a replica`],
    })),
    {
      name: 'a text message -> FSJ_ERR_PROTOCOL_INVALID',
      before: [],
      event: messageEvent(Buffer.from('hello'), false),
      fails: ['FSJ_ERR_PROTOCOL_INVALID', 'text frame'],
    },
    {
      name: 'bytes that are not a StreamMessage -> FSJ_ERR_PROTOCOL_DECODE',
      before: [],
      event: messageEvent(Buffer.from([0xff, 0xff, 0xff]), true),
      fails: ['FSJ_ERR_PROTOCOL_DECODE', undefined],
    },
    {
      name: 'no Hello 10 s after the upgrade (at the next tick) -> FSJ_ERR_PROTOCOL_UNEXPECTED',
      before: [],
      event: [{ type: 'tick' }, { ms: T0 + HELLO_TIMEOUT_MS + 1 }] as [SessionEvent, World],
      fails: ['FSJ_ERR_PROTOCOL_UNEXPECTED', 'no hello'],
    },
  ])('$name', ({ before, event, fails: [code, message] }) => {
    const { state, actions, shown } = run([...before, event]);
    if (message === undefined) {
      expect(shown[1]).toBe(`count-error ${code} primary`);
      expect(shown[3]).toBe(`close 1008 ${code}`);
    } else expect(shown).toEqual(failure(code!, message));
    expect(actions[0]).toMatchObject({ fields: { address: '10.0.0.2:5000', code } });
    expect(state.stopped).toBe(true);
  });

  it('a Hello decoded from the wire is a message event', () => {
    const h = hello();
    expect(messageEvent(Buffer.from(encodeMessage(h)), true)).toEqual({
      type: 'message',
      message: h,
    });
  });

  it('a Heartbeat from the replica: nothing but a sign of life', () => {
    const { state, actions } = run(
      [
        [
          { type: 'message', message: { type: 'heartbeat', timeMs: 1, newestLsn: 3 } },
          { ms: T0 + 7 },
        ],
      ],
      welcomed(),
    );
    expect(actions).toEqual([]);
    expect(state.lastHeardMs).toBe(T0 + 7);
  });

  it('a StreamError from the replica: logged and counted on side=replica, the stream stays', () => {
    const { state, shown } = run(
      [msg({ type: 'error', code: 'FSJ_ERR_REPLICA_APPLY_IO', message: 'ENOSPC' })],
      welcomed(),
    );
    expect(shown).toEqual([
      'log warn replica reported an error',
      'count-error FSJ_ERR_REPLICA_APPLY_IO replica',
    ]);
    expect(state.stopped).toBe(false);
  });

  it.each([
    { name: 'a tick with the replica heard from -> Heartbeat with the durable LSN', silentMs: 0 },
    {
      name: 'a tick after exactly three intervals of silence -> still a Heartbeat',
      silentMs: 15_000,
    },
    {
      name: 'a tick after more than three intervals of silence -> dropped, no StreamError',
      silentMs: 15_001,
    },
  ])('$name', ({ silentMs }) => {
    const s = run([[msg(hello()), { ms: T0 + 100 }]]).state;
    const { state, actions, shown } = run(
      [[{ type: 'tick' }, { ms: T0 + 100 + silentMs, durableLsn: 77 }]],
      s,
    );
    if (silentMs > HEARTBEAT_MS * 3) {
      expect(shown).toEqual(['log warn replica silent: connection dropped', 'terminate']);
      expect(state.stopped).toBe(true);
    } else {
      expect(actions).toEqual([
        {
          type: 'send',
          message: { type: 'heartbeat', timeMs: T0 + 100 + silentMs, newestLsn: 77 },
        },
      ]);
      expect(state.stopped).toBe(false);
    }
  });

  it('before the Hello deadline a tick is a Heartbeat', () => {
    expect(run([[{ type: 'tick' }, { ms: T0 + HELLO_TIMEOUT_MS }]]).shown).toEqual([
      'send heartbeat',
    ]);
  });

  it.each([
    { name: 'the socket closes after a Hello -> the row is marked disconnected', hello: true },
    { name: 'the socket closes before any Hello -> no registry change', hello: false },
  ])('$name', ({ hello: said }) => {
    const { state, actions } = run([...(said ? [msg(hello())] : []), { type: 'socket-closed' }]);
    expect(actions).toEqual(
      said ? [{ type: 'registry', update: { op: 'disconnected', replicaId: 'standby-1' } }] : [],
    );
    expect(state.stopped).toBe(true);
  });

  it('the server closes it (shutdown) -> close with its code, senders stop', () => {
    const { state, shown } = run(
      [{ type: 'close', code: 1001, reason: 'primary stopping' }],
      welcomed(),
    );
    expect(shown).toEqual(['close 1001 primary stopping']);
    expect(state.stopped).toBe(true);
    expect(run([{ type: 'frames', frames: frames(11, 20) }], state).actions).toEqual([]);
  });

  it.each([
    {
      name: 'a journal read fails with a code -> StreamError with that code',
      error: Object.assign(new Error('segment 7: bad checksum'), {
        code: 'FSJ_ERR_JOURNAL_CHECKSUM',
      }),
      fails: ['FSJ_ERR_JOURNAL_CHECKSUM', 'sender: segment 7: bad checksum'],
    },
    {
      name: 'a read fails without a code -> FSJ_ERR_API_UNAVAILABLE',
      error: new Error('EIO'),
      fails: ['FSJ_ERR_API_UNAVAILABLE', 'sender: EIO'],
    },
  ])('$name', ({ error, fails: [code, message] }) => {
    const { state, shown } = run([{ type: 'sender-failed', error }], welcomed());
    expect(shown).toEqual(failure(code!, message!));
    expect(state.stopped).toBe(true);
  });

  it('a read that fails after the session stopped is not reported', () => {
    const s = run([{ type: 'close', code: 1001, reason: 'primary stopping' }], welcomed()).state;
    expect(run([{ type: 'sender-failed', error: new Error('x') }], s).actions).toEqual([]);
  });
});

describe('flow control: records, within the window from the last acknowledged received_lsn', () => {
  /** Welcome at 10 with a window of 4; the journal durable to 100. */
  const start = () => run([msg(hello({ lastAppliedLsn: 10, window: 4 }))]);

  it('the first read stops at received + window', () => {
    expect(start().shown.at(-1)).toBe('read 11..14');
  });

  it.each([
    {
      name: 'a whole window sent -> the sender waits for an Ack',
      events: [{ type: 'frames', frames: frames(11, 14) }] as SessionEvent[],
      shown: ['send batch 11..14', 'registry sent'],
      sent: 14,
      wait: 'window',
    },
    {
      name: 'a batch shorter than the window (the batch cap) -> the next read at once',
      events: [{ type: 'frames', frames: frames(11, 12) }] as SessionEvent[],
      shown: ['send batch 11..12', 'registry sent', 'read 13..14'],
      sent: 12,
      wait: 'read',
    },
    {
      name: 'an Ack moves the window to its received_lsn',
      events: [{ type: 'frames', frames: frames(11, 14) }, ack(12)] as SessionEvent[],
      shown: ['registry acked', 'read 15..16'],
      sent: 14,
      wait: 'read',
    },
    {
      name: 'the window counts received, not applied (a transaction longer than the window)',
      events: [
        { type: 'frames', frames: frames(11, 14) },
        ack(14, { applied: 10 }),
      ] as SessionEvent[],
      shown: ['registry acked', 'read 15..18'],
      sent: 14,
      wait: 'read',
    },
    {
      name: 'an older received_lsn than the last -> ignored',
      events: [
        { type: 'frames', frames: frames(11, 14) },
        ack(13),
        { type: 'frames', frames: frames(15, 17) },
        ack(12),
      ] as SessionEvent[],
      shown: [],
      sent: 17,
      wait: 'window',
    },
    {
      name: 'nothing readable yet -> look again later, without spinning',
      events: [{ type: 'frames', frames: [] }] as SessionEvent[],
      shown: [`retry-later ${RETRY_MS}`],
      sent: 10,
      wait: 'later',
    },
  ])('$name', ({ events, shown, sent, wait }) => {
    const r = run(events, start().state);
    expect(r.shown).toEqual(shown);
    expect(r.state.sentLsn).toBe(sent);
    expect(r.state.live?.wait).toBe(wait);
  });

  it('a batch carries prev_lsn = first_lsn - 1 and the frames as read', () => {
    const f = frames(11, 12);
    const { actions } = run([{ type: 'frames', frames: f }], start().state);
    expect(actions.slice(0, 2)).toEqual([
      { type: 'send', message: { type: 'batch', firstLsn: 11, prevLsn: 10, frames: f } },
      { type: 'registry', update: { op: 'sent', replicaId: 'standby-1', frames: f } },
    ]);
  });

  it('an Ack is recorded in the registry with its applied and durable LSNs', () => {
    const s = run([{ type: 'frames', frames: frames(11, 14) }], start().state).state;
    expect(run([ack(14, { applied: 13, durable: 12 })], s).actions[0]).toEqual({
      type: 'registry',
      update: { op: 'acked', replicaId: 'standby-1', appliedLsn: 13, durableLsn: 12 },
    });
  });

  it('an Ack counts only up to what this connection delivered, whatever the Hello claimed', () => {
    // Hello at 10 (start()): nothing delivered yet, so an Ack of 10 records nothing above 0.
    const s = start().state;
    expect(run([ack(10, { applied: 10, durable: 10 })], s).actions[0]).toEqual({
      type: 'registry',
      update: { op: 'acked', replicaId: 'standby-1', appliedLsn: 0, durableLsn: 0 },
    });
    const sent = run([{ type: 'frames', frames: frames(11, 12) }], s).state;
    expect(run([ack(12, { applied: 12, durable: 12 })], sent).actions[0]).toMatchObject({
      update: { appliedLsn: 12, durableLsn: 12 },
    });
  });

  it('a Hello under another id than the token is bound to is refused', () => {
    const bound = initialSession({
      address: '10.0.0.2:5000',
      heartbeatMs: HEARTBEAT_MS,
      nowMs: T0,
      boundId: 'r2',
    });
    const { shown, state } = run([msg(hello())], bound);
    expect(shown).toContain(
      "send error FSJ_ERR_PROTOCOL_IDENTITY: the token is replica r2's, the hello says standby-1",
    );
    expect(state.hello).toBeUndefined();
    expect(state.stopped).toBe(true);
  });

  it('a Hello for an id another live connection holds is refused, and that one is left alone', () => {
    const { shown, state } = run([
      { type: 'message', message: hello(), idInUseBy: '10.0.0.9:4000' },
    ]);
    expect(shown).toContain(
      'send error FSJ_ERR_PROTOCOL_ID_IN_USE: replica standby-1 is connected from 10.0.0.9:4000: one live session per replica id',
    );
    expect(shown.some((a) => a.startsWith('registry'))).toBe(false);
    expect(state.hello).toBeUndefined();
  });

  it('caught up with the durable LSN -> waits for the journal, then reads what became durable', () => {
    const s = run([[msg(hello({ lastAppliedLsn: 10 })), { durableLsn: 10 }]]);
    expect(s.shown.at(-1)).toBe('await-durable 11');
    const r = run([[{ type: 'durable' }, { durableLsn: 25 }]], s.state);
    expect(r.shown).toEqual(['read 11..25']);
  });

  it('the journal closed with every durable record sent -> nothing more is read', () => {
    const s = run([[msg(hello({ lastAppliedLsn: 10 })), { durableLsn: 10 }]]).state;
    const r = run([[{ type: 'durable' }, { durableLsn: 10, closed: true }]], s);
    expect(r.actions).toEqual([]);
    expect(r.state.live?.wait).toBe('ended');
  });

  it('a full socket -> nothing is read until it drains', () => {
    const s = run([[msg(hello({ lastAppliedLsn: 10 })), { buffered: SOCKET_HIGH_WATER + 1 }]]);
    expect(s.shown.at(-1)).toBe(`retry-later ${RETRY_MS}`);
    const still = run([[{ type: 'retry' }, { buffered: SOCKET_HIGH_WATER + 1 }]], s.state);
    expect(still.shown).toEqual([`retry-later ${RETRY_MS}`]);
    expect(run([{ type: 'retry' }], still.state).shown).toEqual(['read 11..100']);
  });

  it('an Ack while a read is under way asks for nothing more (one read at a time)', () => {
    const s = run([{ type: 'frames', frames: frames(11, 12) }], start().state).state;
    expect(run([ack(12)], s).shown).toEqual(['registry acked']);
  });
});

describe('bootstrap: snapshot pieces within SNAPSHOT_WINDOW of the last acknowledged one', () => {
  const base = checkpoint({ lsn: 80 });
  const piece: SessionEvent = {
    type: 'piece',
    items: [{ kind: 'entry', entry: { type: 'hardlink', path: 'a', linkTo: 'b' } }],
  };
  const begun = () =>
    run([[msg(hello({ journalId: '', window: 4 }), base), { firstLsn: 60 }]]).state;
  /** `n` pieces read and sent, no Ack. */
  const sent = (n: number) => run(Array<SessionEvent>(n).fill(piece), begun());

  it('a piece read is sent at once, and the next one is asked for', () => {
    const { state, shown } = sent(1);
    expect(shown).toEqual(['send snapshot-piece 1', 'next-piece']);
    expect(state.piecesSent).toBe(1);
  });

  it(`${SNAPSHOT_WINDOW} pieces go without an Ack; the next waits for one`, () => {
    const r = sent(SNAPSHOT_WINDOW + 1);
    expect(r.shown).toEqual([]);
    expect(r.state.piecesSent).toBe(SNAPSHOT_WINDOW);
    expect(r.state.snapshot?.wait).toBe('window');
    const acked = run([ack(0, { seq: 1 })], r.state);
    expect(acked.shown).toEqual([
      'registry acked', // the three LSNs are 0 during a bootstrap
      `send snapshot-piece ${SNAPSHOT_WINDOW + 1}`,
      'next-piece',
    ]);
    expect(acked.state.piecesAcked).toBe(1);
  });

  it.each([
    {
      name: 'an Ack of a piece not sent yet -> FSJ_ERR_PROTOCOL_INVALID',
      event: ack(0, { seq: 3 }),
      fails: ['FSJ_ERR_PROTOCOL_INVALID', 'ack of snapshot piece 3, only 2 were sent'],
    },
    {
      name: 'an Ack of an LSN during the bootstrap (none was sent) -> FSJ_ERR_PROTOCOL_INVALID',
      event: ack(1),
      fails: ['FSJ_ERR_PROTOCOL_INVALID', 'ack of lsn 1, only 0 was sent'],
    },
  ])('$name', ({ event, fails: [code, message] }) => {
    expect(run([event], sent(2).state).shown).toEqual(failure(code!, message!));
  });

  it('a full socket holds the piece until it drains', () => {
    const r = run([[piece, { buffered: SOCKET_HIGH_WATER + 1 }]], begun());
    expect(r.shown).toEqual([`retry-later ${RETRY_MS}`]);
    expect(run([{ type: 'retry' }], r.state).shown).toEqual([
      'send snapshot-piece 1',
      'next-piece',
    ]);
  });

  it('the checkpoint read through -> SnapshotEnd, then batches from its replay start', () => {
    const r = run([{ type: 'snapshot-read', entries: 7, blocks: 4 }], sent(2).state);
    expect(r.shown).toEqual([
      'send snapshot-end pieces=2 entries=7 blocks=4',
      'log info snapshot sent; streaming the records after it',
      'read 81..84', // from lsn + 1, within the window counted from it
    ]);
    expect(r.state.received).toBe(80);
    expect(r.state.sentLsn).toBe(80);
    expect(r.state.snapshot).toBeUndefined();
    expect(r.state.live).toEqual({ next: 81, wait: 'read' });
  });

  it('pieces read after the session stopped are not sent', () => {
    const s = run([{ type: 'socket-closed' }], begun()).state;
    expect(run([piece], s).actions).toEqual([]);
    expect(run([{ type: 'snapshot-read', entries: 0, blocks: 0 }], s).actions).toEqual([]);
  });
});

describe('step is pure', () => {
  it('leaves the state it was given as it was', () => {
    const s = run([msg(hello({ lastAppliedLsn: 10, window: 4 }))]).state;
    const copy = structuredClone(s);
    step(s, { type: 'frames', frames: frames(11, 14) }, now());
    step(s, ack(10), now());
    expect(s).toEqual(copy);
  });
});
