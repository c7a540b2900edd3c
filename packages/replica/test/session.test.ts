/**
 * The replica's side of the stream conversation (session.ts, reconnection.ts)
 * as tables taken from docs/PROTOCOL.md: each case feeds events to the pure
 * state machine and checks the actions it asks for and the state it leaves.
 * No socket, timer or disk: `now` is given, and every state handed to `step`
 * is deep-frozen, so a step that changed its input would throw.
 */
import { describe, expect, it } from 'vitest';
import { JournalError, RecordKind as K, type JournalEntry } from '@fsjournal/journal';
import { decodeRecord, encodeRecord, type RecordInput } from '@fsjournal/journal/internal';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  ResyncReason,
  type Batch,
  type SnapshotBegin,
  type StreamMessage,
} from '@fsjournal/journal/wire';
import {
  applyFailure,
  bootstrappedPosition,
  newPosition,
  newSession,
  reconnectDelay,
  ReplicaError,
  step,
  type Position,
  type SessionAction,
  type SessionEvent,
  type SessionState,
  type StreamFailure,
} from '@fsjournal/replica/internal';

const T0 = 1_700_000_000_000;
const config = { window: 4096, heartbeatMs: 5000, backoffMinMs: 200, backoffMaxMs: 10_000 };
const J = 'c6f55c1f-d4f3-43b9-9888-bfe2da33a0c4';
const J2 = '0b7e1a52-3f6c-4d0e-9a57-2f7d1c9e8b10';

// ---- building states and events --------------------------------------------

function deepFreeze<T>(v: T): T {
  if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v) || Object.isFrozen(v)) return v;
  Object.freeze(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k]);
  return v;
}

/** Feeds `events` at `now`; returns the state after and the actions of the last one. */
function feed(
  s: SessionState,
  events: SessionEvent[],
  now = T0,
): { state: SessionState; actions: SessionAction[] } {
  let actions: SessionAction[] = [];
  for (const e of events) {
    ({ state: s, actions } = step(deepFreeze(s), e, now));
  }
  return { state: s, actions };
}

/** Runs a transcript: each event, at its time, must ask for exactly these actions. */
function transcript(s: SessionState, lines: [SessionEvent, string[], number?][]): SessionState {
  for (const [e, want, now] of lines) {
    const r = feed(s, [e], now ?? T0);
    expect(r.actions.map(show), `${e.type}`).toEqual(want);
    s = r.state;
  }
  return s;
}

const msg = (message: StreamMessage): SessionEvent => ({ type: 'message', message });
const welcome = (journalId = J, newestLsn = 10): SessionEvent =>
  msg({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, journalId, oldestLsn: 1, newestLsn });
const batch = (firstLsn: number, n: number): SessionEvent => msg(batchOf(firstLsn, n));
function batchOf(firstLsn: number, n: number): Batch {
  const frames = Array.from({ length: n }, (_, i) => ({
    lsn: firstLsn + i,
    timeUs: 0,
    payload: Buffer.alloc(0),
    frame: Buffer.alloc(0),
  }));
  return { type: 'batch', firstLsn, prevLsn: firstLsn - 1, frames };
}
function entry(lsn: number, r: RecordInput): JournalEntry {
  return { lsn, timeUs: 0, record: decodeRecord(encodeRecord(r)) };
}
const create = (lsn: number, txn = 0): JournalEntry =>
  entry(lsn, { kind: K.RECORD_KIND_CREATE, path: `f${lsn}`, mode: 0o644, txn });
const begin = (lsn: number, txn: number): JournalEntry =>
  entry(lsn, { kind: K.RECORD_KIND_TXN_BEGIN, txn });
const commit = (lsn: number, txn: number): JournalEntry =>
  entry(lsn, { kind: K.RECORD_KIND_TXN_COMMIT, txn });
const record = (
  e: JournalEntry,
  openTxn?: number,
  reshapes = false,
  closesWindow = false,
): SessionEvent => ({
  type: 'record',
  entry: e,
  closesWindow,
  reshapes,
  openTxn,
});
const applied = (lsn: number, openTxn?: number): SessionEvent => ({
  type: 'applied',
  lsn,
  openTxn,
});
const batchApplied = (openTxn?: number, skipped = 0, more = false): SessionEvent => ({
  type: 'batch-applied',
  skipped,
  openTxn,
  more,
});
const durable = (position: Position): SessionEvent => ({ type: 'durable', position });
const snapshotBegin = (o: Partial<SnapshotBegin> = {}): SnapshotBegin => ({
  type: 'snapshot-begin',
  protocolVersion: PROTOCOL_VERSION,
  journalId: J,
  checkpointId: 'ck-5',
  lsn: 5,
  replayFromLsn: 6,
  openTxns: [],
  entries: 1,
  files: 1,
  bytes: 6,
  blockBytes: 65536,
  root: null,
  oldestLsn: 3,
  newestLsn: 9,
  ...o,
});
const piece = (seq: number): SessionEvent => msg({ type: 'snapshot-piece', seq, items: [] });
const snapshotEnd = (): SessionEvent =>
  msg({ type: 'snapshot-end', pieces: 1, entries: 1, blocks: 1 });

/** A replica with no state yet, its first connection made. */
function newReplica(): SessionState {
  return feed(newSession(config, newPosition('r1'), T0), [{ type: 'dial' }]).state;
}
/** A replica durable at `lsn` of journal J, connected, before the Welcome. */
function known(lsn: number, extra: Partial<Position> = {}): SessionState {
  const p: Position = { replicaId: 'r1', journalId: J, appliedLsn: lsn, ...extra };
  return feed(newSession(config, p, T0), [{ type: 'dial' }]).state;
}
/** `known(lsn)` after a Welcome announcing `newest`. */
function streaming(lsn: number, newest = lsn, extra: Partial<Position> = {}): SessionState {
  return feed(known(lsn, extra), [welcome(J, newest)]).state;
}
/** A new replica in the middle of a bootstrap from `b`. */
function bootstrapping(b = snapshotBegin()): SessionState {
  return feed(newReplica(), [msg(b)]).state;
}

/** One action as a short line, for tables. */
function show(a: SessionAction): string {
  switch (a.type) {
    case 'send': {
      const m = a.message;
      switch (m.type) {
        case 'ack':
          return `send ack applied=${m.appliedLsn} durable=${m.durableLsn} received=${m.receivedLsn}${m.snapshotSeq === undefined ? '' : ` seq=${m.snapshotSeq}`}`;
        case 'error':
          return `send error ${m.code}`;
        case 'heartbeat':
          return `send heartbeat ${m.newestLsn}`;
        case 'hello':
          return `send hello ${m.journalId || '-'} ${m.lastAppliedLsn}`;
        default:
          return `send ${m.type}`;
      }
    }
    case 'close':
      return `close ${a.code} ${a.reason}`;
    case 'persist':
      return `persist ${a.position.appliedLsn}`;
    case 'save-position':
      return `save-position ${a.position.journalId || '-'} ${a.position.appliedLsn}${a.position.bootstrap ? ' +marker' : ''}`;
    case 'record-journal':
      return `record-journal ${a.position.journalId}`;
    case 'apply-batch':
      return `apply-batch ${a.batch.firstLsn}..${a.batch.firstLsn + a.batch.frames.length - 1}`;
    case 'apply-record':
      return `apply-record ${a.entry.lsn}`;
    case 'finish-snapshot':
      return `finish-snapshot at ${a.position.appliedLsn}`;
    case 'abandon-snapshot':
      return `abandon-snapshot`;
    case 'log':
      return `log ${a.level}`;
    case 'report-error':
      return `report-error ${a.code}`;
    case 'wait':
      return `wait ${a.ms}`;
    default:
      return a.type;
  }
}

const failed = (code: string): string[] => [`send error ${code}`, `close 1011 ${code}`];

// ---- the conversation, replica side ----------------------------------------

describe('what the replica refuses (PROTOCOL.md, "The conversation, replica side")', () => {
  const cases: {
    name: string;
    given: () => SessionState;
    when: SessionEvent;
    code: string;
    message: string | RegExp;
  }[] = [
    {
      name: 'batch before welcome is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => known(5),
      when: batch(6, 1),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'batch before welcome',
    },
    {
      name: 'a batch during a bootstrap (before SnapshotEnd) is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => bootstrapping(),
      when: batch(6, 1),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'batch before welcome',
    },
    {
      name: 'a batch whose first LSN is not one past the last received is FSJ_ERR_PROTOCOL_INVALID (a gap)',
      given: () => streaming(5),
      when: batch(7, 1),
      code: 'FSJ_ERR_PROTOCOL_INVALID',
      message: 'batch starts at 7, expected 6',
    },
    {
      name: 'a batch whose first LSN is not one past the last received is FSJ_ERR_PROTOCOL_INVALID (a repeat)',
      given: () => streaming(5),
      when: batch(5, 2),
      code: 'FSJ_ERR_PROTOCOL_INVALID',
      message: 'batch starts at 5, expected 6',
    },
    {
      name: 'welcome for a journal other than the one followed is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => known(5),
      when: welcome(J2),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: `welcome for journal ${J2}`,
    },
    {
      name: 'welcome after SnapshotBegin is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => bootstrapping(),
      when: welcome(),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'welcome while bootstrapping',
    },
    {
      name: 'a second welcome is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => streaming(5),
      when: welcome(),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'welcome while streaming',
    },
    {
      name: 'SnapshotBegin after Welcome is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () =>
        feed(newReplica(), [welcome(), { type: 'journal-recorded', welcome: welcomeOf() }]).state,
      when: msg(snapshotBegin()),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'snapshot begin while streaming',
    },
    {
      name: 'a second SnapshotBegin is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => bootstrapping(),
      when: msg(snapshotBegin()),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'snapshot begin while bootstrapping',
    },
    {
      name: 'SnapshotBegin to a replica with a position is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => known(5),
      when: msg(snapshotBegin()),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: /replica that has a position \(the primary should have sent Resync\)/,
    },
    {
      name: 'SnapshotPiece without a SnapshotBegin before is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => streaming(5),
      when: piece(1),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'snapshot piece before its begin',
    },
    {
      name: 'SnapshotEnd without a SnapshotBegin before is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => streaming(5),
      when: snapshotEnd(),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'snapshot end before its begin',
    },
    {
      name: 'Hello from the primary is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => streaming(5),
      when: msg({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        replicaId: 'p',
        journalId: J,
        lastAppliedLsn: 0,
        window: 1,
      }),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'hello from the primary',
    },
    {
      name: 'Ack from the primary is FSJ_ERR_PROTOCOL_UNEXPECTED',
      given: () => streaming(5),
      when: msg({ type: 'ack', appliedLsn: 1, durableLsn: 1, receivedLsn: 1 }),
      code: 'FSJ_ERR_PROTOCOL_UNEXPECTED',
      message: 'ack from the primary',
    },
    {
      name: 'a StreamError from the primary is FSJ_ERR_REPLICA_UPSTREAM "primary: CODE: message"',
      given: () => streaming(5),
      when: msg({ type: 'error', code: 'FSJ_ERR_JOURNAL_IO', message: 'EIO' }),
      code: 'FSJ_ERR_REPLICA_UPSTREAM',
      message: 'primary: FSJ_ERR_JOURNAL_IO: EIO',
    },
    {
      name: 'Resync to a replica that is already new is FSJ_ERR_REPLICA_RESYNC',
      given: () => newReplica(),
      when: msg({ type: 'resync', reason: ResyncReason.REASON_NEW_REPLICA, detail: 'oldest 40' }),
      code: 'FSJ_ERR_REPLICA_RESYNC',
      message: 'primary asks for a resync (REASON_NEW_REPLICA: oldest 40) it cannot serve',
    },
  ];

  it.each(cases)('$name', ({ given, when, code, message }) => {
    const before = given();
    const { state, actions } = feed(before, [when]);
    expect(actions.map(show)).toEqual(failed(code));
    const f = state.conn.failure as StreamFailure;
    expect(f.code).toBe(code);
    expect(f).toBeInstanceOf(code.startsWith('FSJ_ERR_PROTOCOL_') ? ProtocolError : ReplicaError);
    if (typeof message === 'string') expect(f.message).toBe(message);
    else expect(f.message).toMatch(message);
    // Nothing else moved.
    expect({ ...state, conn: { ...state.conn, failure: undefined } }).toEqual(before);
  });
});

function welcomeOf(journalId = J, newestLsn = 10): Extract<StreamMessage, { type: 'welcome' }> {
  return { type: 'welcome', protocolVersion: PROTOCOL_VERSION, journalId, oldestLsn: 1, newestLsn };
}

describe('failures end the connection', () => {
  it('a failure sends a StreamError (message cut to 500 characters) and closes 1011 with the code', () => {
    const error = new ProtocolError('FSJ_ERR_PROTOCOL_DECODE', 'x'.repeat(600));
    const { actions } = feed(streaming(5), [{ type: 'fault', error }]);
    expect(actions).toEqual([
      {
        type: 'send',
        message: { type: 'error', code: 'FSJ_ERR_PROTOCOL_DECODE', message: 'x'.repeat(500) },
      },
      { type: 'close', code: 1011, reason: 'FSJ_ERR_PROTOCOL_DECODE' },
    ]);
  });

  it('after a failure, messages still queued are not handled; the first failure is kept', () => {
    const first = new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'text frame');
    const s = feed(streaming(5, 10), [{ type: 'fault', error: first }]).state;
    const { state, actions } = feed(s, [batch(6, 1), { type: 'heard' }]);
    expect(actions).toEqual([]);
    expect(feed(s, [batch(6, 1)]).actions).toEqual([]);
    expect(state.conn.failure).toBe(first);
    expect(state.receivedLsn).toBe(5);
    const again = feed(state, [{ type: 'fault', error: applyFailure(new Error('later')) }]);
    expect(again.state.conn.failure).toBe(first);
  });

  it.each([
    {
      name: 'an upgrade answered 401 is FSJ_ERR_REPLICA_AUTH',
      status: 401,
      code: 'FSJ_ERR_REPLICA_AUTH',
    },
    {
      name: 'an upgrade answered 403 is FSJ_ERR_REPLICA_AUTH',
      status: 403,
      code: 'FSJ_ERR_REPLICA_AUTH',
    },
    {
      name: 'an upgrade answered 503 is FSJ_ERR_REPLICA_UPSTREAM',
      status: 503,
      code: 'FSJ_ERR_REPLICA_UPSTREAM',
    },
  ])('$name, and the socket is dropped', ({ status, code }) => {
    const { state, actions } = feed(known(5), [{ type: 'refused', status }]);
    expect(actions.map(show)).toEqual(['terminate']);
    expect(state.conn.failure).toMatchObject({
      code,
      message: `primary answered the upgrade with HTTP ${status}`,
      retryable: true,
    });
  });

  it('a socket error is FSJ_ERR_REPLICA_UPSTREAM "upstream: ..." unless something failed first', () => {
    const r = feed(known(5), [{ type: 'socket-error', message: 'connect ECONNREFUSED' }]);
    expect(r.actions).toEqual([]);
    expect(r.state.conn.failure).toMatchObject({
      code: 'FSJ_ERR_REPLICA_UPSTREAM',
      message: 'upstream: connect ECONNREFUSED',
    });
    const after = feed(known(5), [
      { type: 'refused', status: 401 },
      { type: 'socket-error', message: 'socket hang up' },
    ]);
    expect(after.state.conn.failure?.code).toBe('FSJ_ERR_REPLICA_AUTH');
  });
});

// ---- Hello, Welcome, Resync -------------------------------------------------

describe('Hello, Welcome and Resync', () => {
  it('Hello, once the socket is open, says the durable position (not the applied one) and the window', () => {
    const s = { ...known(5), appliedLsn: 9 };
    expect(feed(s, [{ type: 'open' }]).actions).toEqual([
      {
        type: 'send',
        message: {
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          replicaId: 'r1',
          journalId: J,
          lastAppliedLsn: 5,
          window: 4096,
        },
      },
    ]);
    expect(feed(newReplica(), [{ type: 'open' }]).actions.map(show)).toEqual(['send hello - 0']);
  });

  it('Welcome to a new replica records the journal id durably before anything else', () => {
    const s = transcript(newReplica(), [[welcome(J, 10), [`record-journal ${J}`]]]);
    expect(s.phase).toBe('connecting');
    expect(s.position).toEqual({ replicaId: 'r1', journalId: J, appliedLsn: 0 });
    const after = transcript(s, [
      [{ type: 'journal-recorded', welcome: welcomeOf(J, 10) }, ['log info'], T0 + 7],
    ]);
    expect(after).toMatchObject({ phase: 'streaming', upstreamLsn: 10, lastError: null });
  });

  it('Welcome with the same journal id: streaming, lastError cleared, upstreamLsn and caught-up time', () => {
    const s = {
      ...known(10),
      lastError: { code: 'FSJ_ERR_REPLICA_UPSTREAM', message: 'x', at: '' },
    };
    const caughtUp = feed(s, [welcome(J, 10)], T0 + 100);
    expect(caughtUp.actions.map(show)).toEqual(['log info']);
    expect(caughtUp.state).toMatchObject({
      phase: 'streaming',
      lastError: null,
      upstreamLsn: 10,
      caughtUpAt: T0 + 100,
    });
    const behind = feed(s, [welcome(J, 12)], T0 + 100).state;
    expect(behind).toMatchObject({ upstreamLsn: 12, caughtUpAt: T0 });
  });

  it('Resync to a replica with a position: resyncing, the target emptied, the position new, close 1000', () => {
    const resync = msg({
      type: 'resync',
      reason: ResyncReason.REASON_AHEAD_OF_PRIMARY,
      detail: 'x',
    });
    let s = transcript(streaming(5, 8), [[resync, ['log warn', 'clear-target']]]);
    // Nothing is forgotten before the target is empty.
    expect(s).toMatchObject({ phase: 'resyncing', appliedLsn: 5, upstreamLsn: 8 });
    s = transcript(s, [
      [{ type: 'target-cleared' }, ['save-position - 0', 'check-target', 'close 1000 resync']],
    ]);
    expect(s).toMatchObject({
      phase: 'resyncing',
      position: { replicaId: 'r1', journalId: '', appliedLsn: 0 },
      appliedLsn: 0,
      receivedLsn: 0,
      upstreamLsn: 0,
    });
  });

  it('a Heartbeat from the primary raises upstreamLsn and never lowers it', () => {
    const hb = (newestLsn: number): SessionEvent =>
      msg({ type: 'heartbeat', timeMs: 0, newestLsn });
    expect(feed(streaming(5, 8), [hb(12)]).state.upstreamLsn).toBe(12);
    expect(feed(streaming(5, 8), [hb(3)]).state.upstreamLsn).toBe(8);
    expect(feed(streaming(5, 8), [hb(12)]).actions).toEqual([]);
  });
});

// ---- batches, Acks, the durable position -----------------------------------

describe('batches, Acks and the durable position (PROTOCOL.md, "Batch", "Ack", "Durability")', () => {
  it('records are applied in order; caught up, the position is persisted, then the Ack sent', () => {
    let s = transcript(streaming(5, 8), [
      [batch(6, 3), ['apply-batch 6..8']],
      [record(create(6)), ['apply-record 6']],
      [applied(6), []],
      [record(create(7)), ['apply-record 7']],
      [applied(7), []],
      [record(create(8)), ['apply-record 8']],
      [applied(8), []],
      [batchApplied(), ['persist 8', 'send ack applied=8 durable=8 received=8']],
    ]);
    expect(s).toMatchObject({ appliedLsn: 8, receivedLsn: 8, position: { appliedLsn: 5 } });
    s = transcript(s, [[durable({ ...s.position, appliedLsn: 8 }), ['wake-waiters']]]);
    expect(s.position.appliedLsn).toBe(8);
    expect(s.conn.flowed).toBe(true);
  });

  it('behind the primary, the position is persisted only once 20 ms have passed since the last time', () => {
    let s = streaming(5, 100);
    const one = (lsn: number, now: number, want: string[]): void => {
      s = transcript(s, [
        [batch(lsn, 1), [`apply-batch ${lsn}..${lsn}`], now],
        [record(create(lsn)), [`apply-record ${lsn}`], now],
        [applied(lsn), [], now],
        [batchApplied(), want, now],
      ]);
    };
    one(6, T0, ['persist 6', 'send ack applied=6 durable=6 received=6']);
    s = feed(s, [durable({ ...s.position, appliedLsn: 6 })], T0).state;
    one(7, T0 + 19, ['send ack applied=7 durable=6 received=7']);
    one(8, T0 + 20, ['persist 8', 'send ack applied=8 durable=8 received=8']);
  });

  it('a batch that reaches the newest LSN it was told of, with more batches waiting, is not caught up: no persist until 20 ms', () => {
    // A live tail: each batch reaches the primary's newest LSN as the batch
    // itself says it, while the next batches wait their turn.
    let s = streaming(5, 6);
    const one = (lsn: number, now: number, more: boolean, want: string[]): void => {
      s = transcript(s, [
        [batch(lsn, 1), [`apply-batch ${lsn}..${lsn}`], now],
        [record(create(lsn)), [`apply-record ${lsn}`], now],
        [applied(lsn), [], now],
        [batchApplied(undefined, 0, more), want, now],
      ]);
    };
    one(6, T0, false, ['persist 6', 'send ack applied=6 durable=6 received=6']);
    s = feed(s, [durable({ ...s.position, appliedLsn: 6 })], T0).state;
    one(7, T0 + 1, true, ['send ack applied=7 durable=6 received=7']);
    one(8, T0 + 2, true, ['send ack applied=8 durable=6 received=8']);
    one(9, T0 + 3, false, ['persist 9', 'send ack applied=9 durable=9 received=9']);
    s = feed(s, [durable({ ...s.position, appliedLsn: 9 })], T0 + 3).state;
    one(10, T0 + 23, true, ['persist 10', 'send ack applied=10 durable=10 received=10']);
  });

  it('a batch whose records are still in flight does not hold the next back: it continues the last batch, not the last record applied', () => {
    const s = transcript(streaming(5, 12), [
      [batch(6, 3), ['apply-batch 6..8']],
      [record(create(6)), ['apply-record 6']],
      [record(create(7)), ['apply-record 7']],
      [record(create(8)), ['apply-record 8']],
      [applied(6), []],
      // 7 and 8 still in flight; another batch waits.
      [batchApplied(undefined, 0, true), ['persist 6', 'send ack applied=6 durable=6 received=6']],
      [batch(9, 2), ['apply-batch 9..10']],
      [record(create(9)), ['apply-record 9']],
      [applied(7), []],
    ]);
    expect(s).toMatchObject({ receivedLsn: 7 });
    // A batch that skips or repeats LSNs is still refused.
    const r = feed(s, [batch(12, 1)], T0);
    expect(r.state.conn.failure?.message).toBe('batch starts at 12, expected 11');
  });

  it('an open transaction holds applied back: the Ack says applied before its TXN_BEGIN, received past it', () => {
    let s = transcript(streaming(5, 8), [
      [batch(6, 3), ['apply-batch 6..8']],
      [record(begin(6, 7)), ['apply-record 6']],
      [applied(6, 6), []],
      [record(create(7, 7), 6), ['apply-record 7']],
      [applied(7, 6), []],
      [record(create(8, 7), 6), ['apply-record 8']],
      [applied(8, 6), []],
      // Caught up, but a position never falls inside an open transaction.
      [batchApplied(6), ['send ack applied=5 durable=5 received=8']],
    ]);
    expect(s).toMatchObject({ appliedLsn: 5, receivedLsn: 8 });
    s = transcript(s, [
      [batch(9, 1), ['apply-batch 9..9']],
      [record(commit(9, 7), 6), ['apply-record 9']],
      [applied(9, undefined), []],
      [batchApplied(), ['persist 9', 'send ack applied=9 durable=9 received=9']],
    ]);
    expect(s.appliedLsn).toBe(9);
  });

  it('a record that moves or removes paths gets its own replay window: persisted right before and after it', () => {
    const s = transcript(streaming(5, 100), [
      [batch(6, 3), ['apply-batch 6..8']],
      [record(create(6)), ['apply-record 6']],
      [applied(6), []],
      [record(create(7), undefined, true), ['persist 6', 'apply-record 7']],
      [durable({ replicaId: 'r1', journalId: J, appliedLsn: 6 }), ['wake-waiters'], T0 + 1],
      [applied(7), ['persist 7']],
      [durable({ replicaId: 'r1', journalId: J, appliedLsn: 7 }), ['wake-waiters'], T0 + 2],
      [record(create(8)), ['apply-record 8']],
      [applied(8), []],
      [batchApplied(), ['send ack applied=8 durable=7 received=8'], T0 + 3],
    ]);
    expect(s.position.appliedLsn).toBe(7);
  });

  it('a record that closes the replay window is persisted right before, not after', () => {
    const s = transcript(streaming(5, 100), [
      [batch(6, 3), ['apply-batch 6..8']],
      [record(create(6)), ['apply-record 6']],
      [applied(6), []],
      [record(create(7), undefined, false, true), ['persist 6', 'apply-record 7']],
      [durable({ replicaId: 'r1', journalId: J, appliedLsn: 6 }), ['wake-waiters'], T0 + 1],
      [applied(7), []],
      [record(create(8)), ['apply-record 8']],
      [applied(8), []],
      [batchApplied(), ['send ack applied=8 durable=6 received=8'], T0 + 3],
    ]);
    expect(s.position.appliedLsn).toBe(6);
  });

  it('a reshaping record with nothing new to persist before it is applied at once', () => {
    transcript(streaming(5, 100), [
      [batch(6, 1), ['apply-batch 6..6']],
      [record(create(6), undefined, true), ['apply-record 6']],
      [applied(6), ['persist 6']],
    ]);
  });

  it('records skipped because their path was gone are counted', () => {
    const s = feed(streaming(5, 6), [
      batch(6, 1),
      record(create(6)),
      applied(6),
      batchApplied(undefined, 1),
    ]);
    expect(s.state.skipped).toBe(1);
  });

  it('caught up at the end of a batch sets the caught-up time', () => {
    const s = feed(streaming(5, 6), [batch(6, 1), record(create(6)), applied(6)]).state;
    expect(feed(s, [batchApplied()], T0 + 50).state.caughtUpAt).toBe(T0 + 50);
  });
});

describe('after a bootstrap: skipThrough and keepTxns (PROTOCOL.md, "What the replica does")', () => {
  it('records up to the checkpoint LSN outside keepTxns are skipped (received, not applied); keepTxns are applied from their TXN_BEGIN', () => {
    // Checkpoint at 5, transaction 7 open at it since LSN 3: position 2.
    const s = transcript(streaming(2, 8, { skipThrough: 5, keepTxns: [7] }), [
      [batch(3, 4), ['apply-batch 3..6']],
      [record(begin(3, 7)), ['apply-record 3']],
      [applied(3, 3), []],
      [record(create(4), 3), []],
      [record(create(5, 7), 3), ['apply-record 5']],
      [applied(5, 3), []],
      [record(commit(6, 7), 3), ['apply-record 6']],
      [applied(6, undefined), []],
      [batchApplied(), ['persist 6', 'send ack applied=6 durable=6 received=6']],
    ]);
    expect(s).toMatchObject({ appliedLsn: 6, receivedLsn: 6 });
  });

  it('the position keeps skipThrough and keepTxns until it reaches the checkpoint LSN, then drops them', () => {
    // Checkpoint at 5; transactions 7 (since 3) and 8 (since 4) open at it.
    const s = feed(streaming(2, 9, { skipThrough: 5, keepTxns: [7, 8] }), [
      batch(3, 3),
      record(begin(3, 7)),
      applied(3, 3),
      record(begin(4, 8), 3),
      applied(4, 3),
      record(commit(5, 7), 3),
      applied(5, 4),
    ]).state;
    const below = feed(s, [batchApplied(4)]).actions[0];
    expect(below).toEqual({
      type: 'persist',
      position: { replicaId: 'r1', journalId: J, appliedLsn: 3, skipThrough: 5, keepTxns: [7, 8] },
    });
    const reached = feed(s, [batchApplied(undefined)]).actions[0];
    expect(reached).toEqual({
      type: 'persist',
      position: { replicaId: 'r1', journalId: J, appliedLsn: 5 },
    });
  });
});

// ---- bootstrap ---------------------------------------------------------------

describe('bootstrap from a checkpoint (PROTOCOL.md, "Bootstrap from a checkpoint")', () => {
  it('SnapshotBegin, pieces, SnapshotEnd, then batches from replay_from_lsn', () => {
    let s = transcript(newReplica(), [
      [
        msg(snapshotBegin()),
        // The marker is durable before the target is emptied.
        ['open-snapshot', 'save-position - 0 +marker', 'log info', 'start-snapshot'],
      ],
    ]);
    expect(s).toMatchObject({
      phase: 'bootstrapping',
      lastError: null,
      upstreamLsn: 9,
      position: {
        journalId: '',
        appliedLsn: 0,
        bootstrap: { journalId: J, checkpointId: 'ck-5', lsn: 5 },
      },
    });
    s = transcript(s, [
      [piece(1), ['write-piece']],
      [{ type: 'piece-written', seq: 1 }, ['send ack applied=0 durable=0 received=0 seq=1']],
      [snapshotEnd(), ['finish-snapshot at 5']],
    ]);
    // Durable only once the tree is: nothing moved yet.
    expect(s).toMatchObject({ phase: 'bootstrapping', appliedLsn: 0, bootstraps: 0 });
    const finished: SessionEvent = {
      type: 'snapshot-finished',
      pieces: 1,
      files: 1,
      bytes: 6,
      startedAt: new Date(T0).toISOString(),
    };
    const r = feed(s, [finished], T0 + 2500);
    expect(r.actions.map(show)).toEqual([
      'wake-waiters',
      'log info',
      'report-bootstrap',
      'send ack applied=5 durable=5 received=5 seq=1',
    ]);
    expect(r.actions).toContainEqual({
      type: 'report-bootstrap',
      seconds: 2.5,
      files: 1,
      bytes: 6,
    });
    expect(r.state).toMatchObject({
      phase: 'streaming',
      position: { replicaId: 'r1', journalId: J, appliedLsn: 5 },
      appliedLsn: 5,
      receivedLsn: 5,
      bootstraps: 1,
    });
    expect(r.state.position.bootstrap).toBeUndefined();
    expect(r.state.conn.flowed).toBe(true);
    expect(feed(r.state, [batch(6, 1)]).actions.map(show)).toEqual(['apply-batch 6..6']);
  });

  it.each([
    {
      name: 'no transaction open at the checkpoint: the tree is at its LSN',
      begin: snapshotBegin({ lsn: 5, replayFromLsn: 6 }),
      want: { replicaId: 'r1', journalId: J, appliedLsn: 5 },
    },
    {
      name: 'transactions open at it: at the oldest TXN_BEGIN − 1, skipping through its LSN but theirs',
      begin: snapshotBegin({
        lsn: 5,
        replayFromLsn: 3,
        openTxns: [
          { txn: 7, beginLsn: 3 },
          { txn: 8, beginLsn: 4 },
        ],
      }),
      want: { replicaId: 'r1', journalId: J, appliedLsn: 2, skipThrough: 5, keepTxns: [7, 8] },
    },
  ])('the position after a bootstrap: $name', ({ begin, want }) => {
    expect(bootstrappedPosition('r1', begin)).toEqual(want);
  });

  it('a connection cut in the middle of a bootstrap aborts it; the next connection begins by emptying the target', () => {
    let s = transcript(bootstrapping(), [
      [{ type: 'closed', openTxn: undefined }, ['abort-snapshot']],
    ]);
    expect(s.conn.snapshot).toBeUndefined();
    s = feed(s, [{ type: 'retry', streamed: false, random: 0 }]).state;
    s = transcript(s, [[{ type: 'connect' }, ['abandon-snapshot']]]);
    expect(s.phase).toBe('connecting');
    s = transcript(s, [[{ type: 'abandoned', position: newPosition('r1') }, []]]);
    expect(s.position).toEqual({ replicaId: 'r1', journalId: '', appliedLsn: 0 });
    expect(transcript(s, [[{ type: 'connect' }, []]]).phase).toBe('connecting');
  });
});

// ---- heartbeats and the end of a connection --------------------------------

describe('heartbeats (PROTOCOL.md, "Heartbeat")', () => {
  it('each tick sends a Heartbeat carrying the applied LSN', () => {
    const s = { ...streaming(5), appliedLsn: 7 };
    expect(feed(s, [{ type: 'tick' }], T0 + 5000).actions).toEqual([
      { type: 'send', message: { type: 'heartbeat', timeMs: T0 + 5000, newestLsn: 7 } },
    ]);
  });

  it.each([
    {
      name: 'three intervals of silence are not yet silence',
      after: 15_000,
      want: ['send heartbeat 5'],
    },
    {
      name: 'more than three intervals of silence is FSJ_ERR_REPLICA_UPSTREAM and the socket is dropped',
      after: 15_001,
      want: [...failed('FSJ_ERR_REPLICA_UPSTREAM'), 'terminate'],
    },
  ])('$name', ({ after, want }) => {
    const { state, actions } = feed(streaming(5), [{ type: 'tick' }], T0 + after);
    expect(actions.map(show)).toEqual(want);
    if (want.length > 1)
      expect(state.conn.failure?.message).toBe('no message from the primary for 3 heartbeats');
  });

  it('any message counts as a sign of life', () => {
    const s = feed(streaming(5), [{ type: 'heard' }], T0 + 14_000).state;
    expect(feed(s, [{ type: 'tick' }], T0 + 15_001).actions.map(show)).toEqual([
      'send heartbeat 5',
    ]);
  });
});

describe('the end of a connection', () => {
  it.each([
    {
      name: 'what was applied is made durable',
      given: () => ({ ...streaming(5, 100), receivedLsn: 8, appliedLsn: 8 }),
      openTxn: undefined,
      want: ['persist 8'],
    },
    {
      name: 'with a transaction open, up to just before its TXN_BEGIN',
      given: () => ({ ...streaming(5, 100), receivedLsn: 9, appliedLsn: 6 }),
      openTxn: 7,
      want: ['persist 6'],
    },
    {
      name: 'nothing new: nothing to persist',
      given: () => streaming(5),
      openTxn: undefined,
      want: [],
    },
    {
      name: 'after a refused record, nothing is persisted',
      given: () => ({
        ...feed(streaming(5, 100), [
          {
            type: 'fault',
            error: applyFailure(new JournalError('FSJ_ERR_JOURNAL_RECORD', 'lsn 9')),
          },
        ]).state,
        receivedLsn: 8,
        appliedLsn: 8,
      }),
      openTxn: undefined,
      want: [],
    },
    {
      name: 'after another failure, what was applied is still made durable',
      given: () => ({
        ...feed(streaming(5, 100), [
          {
            type: 'fault',
            error: applyFailure(Object.assign(new Error('no space'), { code: 'ENOSPC' })),
          },
        ]).state,
        receivedLsn: 8,
        appliedLsn: 8,
      }),
      openTxn: undefined,
      want: ['persist 8'],
    },
  ])('$name', ({ given, openTxn, want }) => {
    expect(feed(given(), [{ type: 'closed', openTxn }]).actions.map(show)).toEqual(want);
  });

  it('a new connection starts over from the durable position: received restarts there, applied keeps its value', () => {
    const s = { ...streaming(5, 100), receivedLsn: 9, appliedLsn: 8 };
    const failed = feed(s, [{ type: 'fault', error: applyFailure(new Error('x')) }]).state;
    const { state } = feed(failed, [{ type: 'dial' }], T0 + 1000);
    expect(state).toMatchObject({ receivedLsn: 5, appliedLsn: 8, position: { appliedLsn: 5 } });
    expect(state.conn).toEqual({
      batchedLsn: 5,
      lastHeard: T0 + 1000,
      lastPersist: 0,
      flowed: false,
      failure: undefined,
      snapshot: undefined,
      skip: undefined,
      reshaping: false,
    });
  });
});

// ---- reconnection --------------------------------------------------------------

describe('reconnection (PROTOCOL.md, "Reconnection")', () => {
  const upstream = new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', 'upstream: ECONNREFUSED', {
    retryable: true,
  });
  const refusedRecord = applyFailure(new JournalError('FSJ_ERR_JOURNAL_RECORD', 'lsn 9 CREATE'));

  it('a connection that ended on an error is reported: lastError, the observers, a warning', () => {
    const { state, actions } = feed(streaming(5), [{ type: 'ended', failure: upstream }], T0 + 1);
    expect(actions.map(show)).toEqual(['report-error FSJ_ERR_REPLICA_UPSTREAM', 'log warn']);
    expect(state.lastError).toEqual({
      code: 'FSJ_ERR_REPLICA_UPSTREAM',
      message: 'upstream: ECONNREFUSED',
      at: new Date(T0 + 1).toISOString(),
    });
    expect(state.fatal).toBe(false);
  });

  it.each([
    {
      name: 'a refused record stops the replica: state error, no reconnect',
      given: () => feed(streaming(5), [{ type: 'ended', failure: refusedRecord }]).state,
      streamed: false,
      want: ['log error'],
      phase: 'error',
      reconnects: 0,
    },
    {
      name: 'after a Resync it reconnects at once, still resyncing',
      given: () => ({ ...streaming(5), phase: 'resyncing' as const }),
      streamed: true,
      want: ['wait 0'],
      phase: 'resyncing',
      reconnects: 1,
    },
    {
      name: 'after an error: state error, and backoff (attempt 1: 400 ms, 50 % to 100 %)',
      given: () => feed(streaming(5), [{ type: 'ended', failure: upstream }]).state,
      streamed: false,
      want: ['wait 200'],
      phase: 'error',
      reconnects: 1,
    },
    {
      name: 'a connection on which records flowed and that closed cleanly starts the backoff over',
      given: () => ({ ...streaming(5), attempt: 6 }),
      streamed: true,
      want: ['wait 100'],
      phase: 'connecting',
      reconnects: 1,
    },
  ])('$name', ({ given, streamed, want, phase, reconnects }) => {
    const { state, actions } = feed(given(), [{ type: 'retry', streamed, random: 0 }]);
    expect(actions.map(show)).toEqual(want);
    expect(state.phase).toBe(phase);
    expect(state.reconnects).toBe(reconnects);
  });

  it('connections in a row that brought nothing back off exponentially', () => {
    let s = streaming(5);
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      const r = feed(s, [{ type: 'retry', streamed: false, random: 0.999_999 }]);
      s = r.state;
      waits.push((r.actions[0] as { ms: number }).ms);
    }
    expect(waits).toEqual([400, 800, 1600, 3200, 6400, 10_000, 10_000, 10_000]);
    expect(s.attempt).toBe(8);
  });

  it.each([
    { attempt: 0, random: 0, ms: 100 },
    { attempt: 0, random: 0.5, ms: 150 },
    { attempt: 3, random: 0, ms: 800 },
    { attempt: 6, random: 0, ms: 5000 },
    { attempt: 40, random: 0, ms: 5000 },
  ])('reconnectDelay: attempt $attempt, random $random: $ms ms', ({ attempt, random, ms }) => {
    expect(reconnectDelay(config, attempt, random)).toBe(ms);
  });

  it('the exponent stops at 16', () => {
    const wide = { ...config, backoffMinMs: 1, backoffMaxMs: 1e12 };
    expect(reconnectDelay(wide, 16, 0)).toBe(2 ** 15);
    expect(reconnectDelay(wide, 30, 0)).toBe(2 ** 15);
  });
});

// ---- what an apply failure becomes --------------------------------------------

describe('applyFailure: what the status reports for an error while handling a message', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
  });
  const protocol = new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'snapshot piece 3, expected 2');
  const snapshot = new ReplicaError('FSJ_ERR_REPLICA_REFUSED_SNAPSHOT', 'SHA-256 does not match');
  it.each([
    {
      name: 'a refused record (JournalError) is FSJ_ERR_REPLICA_REFUSED_RECORD',
      err: new JournalError('FSJ_ERR_JOURNAL_RECORD', 'lsn 9 CREATE: path: ".." component'),
      code: 'FSJ_ERR_REPLICA_REFUSED_RECORD',
      message: 'lsn 9 CREATE: path: ".." component',
      retryable: false,
    },
    {
      name: 'an OS error is FSJ_ERR_REPLICA_APPLY_IO naming its code',
      err: enospc,
      code: 'FSJ_ERR_REPLICA_APPLY_IO',
      message: 'apply: ENOSPC: ENOSPC: no space left on device, write',
      retryable: true,
    },
    {
      name: 'a code that is not an errno is not named',
      err: Object.assign(new Error('boom'), { code: 'ERR_SOMETHING' }),
      code: 'FSJ_ERR_REPLICA_APPLY_IO',
      message: 'apply: Error: boom',
      retryable: true,
    },
    {
      name: 'anything else is FSJ_ERR_REPLICA_APPLY_IO',
      err: 'a string',
      code: 'FSJ_ERR_REPLICA_APPLY_IO',
      message: 'apply: a string',
      retryable: true,
    },
  ])('$name', ({ err, code, message, retryable }) => {
    const f = applyFailure(err);
    expect(f).toBeInstanceOf(ReplicaError);
    expect(f).toMatchObject({ code, message, retryable });
    expect(f.cause).toBe(err);
  });

  it.each([
    { name: 'a ProtocolError is reported as is', err: protocol },
    { name: 'a ReplicaError is reported as is', err: snapshot },
  ])('$name', ({ err }) => {
    expect(applyFailure(err)).toBe(err);
  });
});
