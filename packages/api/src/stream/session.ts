/**
 * The primary's side of one replication conversation as a pure state
 * machine: `step(state, event, now)` returns the next state and the actions
 * that carry the decision out; it reads no clock, socket or disk (`now` is
 * what the driver saw when the event came). It holds the conversation of
 * docs/PROTOCOL.md: the Hello deadline, the Welcome / Resync / bootstrap
 * decision, Ack checks, the window (records counted from the last
 * acknowledged `receivedLsn`, snapshot pieces from the last acknowledged
 * `snapshotSeq`), heartbeats and silence, and when to read the next batch or
 * send the next snapshot piece.
 *
 * Not guaranteed here: that a `send` reaches the replica (the driver drops it
 * once the socket is no longer open), nor how records and pieces are read
 * (`live_sender.ts`, `snapshot_sender.ts`); the driver is `server.ts`.
 */
import { replayStart, type CheckpointHeader } from '@fsjournal/journal';
import {
  decodeMessage,
  PROTOCOL_VERSION,
  ProtocolError,
  ResyncReason,
  type Ack,
  type Batch,
  type Hello,
  type SnapshotItem,
  type StreamMessage,
} from '@fsjournal/journal/wire';
import type { StreamErrorSide } from '../primary_metrics.js';
import { snapshotRoot } from './snapshot_entry.js';

/** Snapshot pieces the primary sends beyond the last one the replica acknowledged. */
export const SNAPSHOT_WINDOW = 8;
/** How long after the upgrade a Hello may come (checked at each heartbeat tick). */
export const HELLO_TIMEOUT_MS = 10_000;
/** Bytes queued on the socket above which nothing more is sent until it drains. */
export const SOCKET_HIGH_WATER = 8 * 1024 * 1024;
/** How long the senders wait before looking again at a full socket or an unreadable record. */
export const RETRY_MS = 10;

/** The journal as the session reads it (the Journal itself satisfies it). */
export interface JournalView {
  readonly journalId: string;
  readonly firstLsn: number;
  readonly durableLsn: number;
  readonly isClosed: boolean;
}

/** What the driver sees at the moment it hands the session an event. */
export interface Now {
  /** Clock, ms since the epoch. */
  ms: number;
  journal: JournalView;
  /** Bytes queued on the socket, not yet sent. */
  bufferedBytes: number;
}

/** One journal frame of a Batch. */
export type BatchFrame = Batch['frames'][number];

/** Where the live sender is: what it waits for before it sends the next batch. */
export type LiveWait =
  | 'none'
  /** the journal's durable LSN to reach `next` (`await-durable` asked) */
  | 'durable'
  /** an Ack that moves the window */
  | 'window'
  /** `retry-later`: a full socket, or a record not readable yet */
  | 'later'
  /** the frames of a `read` */
  | 'read'
  /** the journal closed and every durable record was sent: nothing more comes */
  | 'ended';

/** Where the snapshot sender is: what it waits for before it sends the next piece. */
export type SnapshotWait =
  /** the next piece (`start-snapshot`, `next-piece`) */
  | 'piece'
  /** an Ack of a piece that opens the window */
  | 'window'
  /** `retry-later`: a full socket */
  | 'later';

/** One connection's conversation, as `step` leaves it. */
export interface SessionState {
  /** `host:port` of the replica (logs, registry). */
  readonly address: string;
  readonly heartbeatMs: number;
  /** The Hello must have come by then (ms since the epoch). */
  readonly helloByMs: number;
  /** When the last message came, even a refused one. */
  readonly lastHeardMs: number;
  /** The replica's Hello, once it came (also when it was answered with Resync). */
  readonly hello: Hello | undefined;
  /** Nothing more is read for this connection: it was closed, terminated or its socket went. */
  readonly stopped: boolean;
  /**
   * The replica's last acknowledged `receivedLsn`: the window counts from it,
   * not from the applied LSN, which stays below an open transaction until its
   * commit (a transaction longer than the window would otherwise never end).
   */
  readonly received: number;
  /** Highest LSN sent on this connection (acks beyond it are forged). */
  readonly sentLsn: number;
  /**
   * Highest LSN this connection actually delivered (batches, or a snapshot
   * up to its replay start): what the replica acknowledges counts for the
   * registry only up to it, whatever its Hello claimed (0 until then).
   */
  readonly servedLsn: number;
  /** The replica id the connection's token is bound to (`--tokens-file`), if any. */
  readonly boundId: string | undefined;
  /** Snapshot pieces sent and acknowledged on this connection (bootstrap). */
  readonly piecesSent: number;
  readonly piecesAcked: number;
  /** While a checkpoint is sent (bootstrap). */
  readonly snapshot:
    | {
        readonly base: CheckpointHeader;
        /** The LSN batches continue from once it is sent (its replay start). */
        readonly from: number;
        readonly wait: SnapshotWait;
        /** The piece read and not sent yet. */
        readonly items: SnapshotItem[] | undefined;
      }
    | undefined;
  /** Once records are sent (after Welcome, or after SnapshotEnd). */
  readonly live: { readonly next: number; readonly wait: LiveWait } | undefined;
}

/** A change to the primary's registry of replicas (and its connect counters). */
export type RegistryUpdate =
  | {
      op: 'connected';
      replicaId: string;
      address: string;
      lastAppliedLsn: number;
      /** A new replica (no journal id): its row restarts from Hello. */
      fresh: boolean;
    }
  | { op: 'acked'; replicaId: string; appliedLsn: number; durableLsn: number }
  | { op: 'sent'; replicaId: string; frames: BatchFrame[] }
  /** Unless another connection of the same replica id is open. */
  | { op: 'disconnected'; replicaId: string };

/** What the driver does, in order. */
export type SessionAction =
  | { type: 'send'; message: StreamMessage }
  /** Stops the senders and closes the WebSocket with this code. */
  | { type: 'close'; code: number; reason: string }
  /** Stops the senders and drops the socket without a close handshake. */
  | { type: 'terminate' }
  | { type: 'registry'; update: RegistryUpdate }
  /** `fsjournal_stream_errors_total`. */
  | { type: 'count-error'; code: string; side: StreamErrorSide }
  | { type: 'log'; level: 'info' | 'warn'; fields: Record<string, unknown>; message: string }
  /** Answer with `durable` once the journal's durable LSN reaches `lsn` (or it closes). */
  | { type: 'await-durable'; lsn: number }
  /** Read frames from `fromLsn` on, up to `toLsn` (the window's end) at most; answer with `frames`. */
  | { type: 'read'; fromLsn: number; toLsn: number }
  /** Answer with `retry` after `ms`. */
  | { type: 'retry-later'; ms: number }
  /** Open checkpoint `base` and answer with its first `piece` (or `snapshot-read`). */
  | { type: 'start-snapshot'; base: CheckpointHeader }
  /** Answer with the checkpoint's next `piece` (or `snapshot-read`). */
  | { type: 'next-piece' };

/** What happened, as the driver hands it to `step`. */
export type SessionEvent =
  /**
   * A decoded message from the replica. For a Hello, `checkpoint` is the
   * newest checkpoint at or below the durable LSN that the journal may still
   * replay from (`Checkpoints.baseFor`), if the primary keeps checkpoints.
   */
  | {
      type: 'message';
      message: StreamMessage;
      checkpoint?: CheckpointHeader | undefined;
      /** For a Hello: the address of another live connection under its replica id, if any. */
      idInUseBy?: string | undefined;
      /** For a Hello: its id is new and the registry holds MAX_KNOWN_REPLICAS already. */
      registryFull?: boolean;
    }
  /** A message from the replica that was refused before it was decoded. */
  | { type: 'refused'; code: string; message: string }
  /** The heartbeat timer fired. */
  | { type: 'tick' }
  /** The server closes this connection (shutdown). */
  | { type: 'close'; code: number; reason: string }
  /** The socket closed or failed. */
  | { type: 'socket-closed' }
  /** The journal's durable LSN reached what `await-durable` asked for, or the journal closed. */
  | { type: 'durable' }
  /** The frames a `read` found (none: not readable yet). */
  | { type: 'frames'; frames: BatchFrame[] }
  /** A `retry-later` delay passed. */
  | { type: 'retry' }
  /** The next piece of the checkpoint, at most about a piece's bytes. */
  | { type: 'piece'; items: SnapshotItem[] }
  /** The checkpoint has no more pieces: what was read of it. */
  | { type: 'snapshot-read'; entries: number; blocks: number }
  /** Reading the journal or the checkpoint failed. */
  | { type: 'sender-failed'; error: unknown };

/** The outcome of one event. */
export interface Step {
  state: SessionState;
  actions: SessionAction[];
}

/** The state of a connection just upgraded, at `nowMs`. */
export function initialSession(o: {
  address: string;
  heartbeatMs: number;
  nowMs: number;
  /** The replica id the upgrade's token is bound to. */
  boundId?: string;
}): SessionState {
  return {
    address: o.address,
    heartbeatMs: o.heartbeatMs,
    helloByMs: o.nowMs + HELLO_TIMEOUT_MS,
    lastHeardMs: o.nowMs,
    hello: undefined,
    stopped: false,
    received: 0,
    sentLsn: 0,
    servedLsn: 0,
    boundId: o.boundId,
    piecesSent: 0,
    piecesAcked: 0,
    snapshot: undefined,
    live: undefined,
  };
}

/**
 * A WebSocket message as an event: decoded and checked by `decodeMessage`,
 * or refused (a text frame; bytes that break a rule of docs/PROTOCOL.md,
 * Validation).
 */
export function messageEvent(data: Buffer, isBinary: boolean): SessionEvent {
  try {
    if (!isBinary) throw new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'text frame');
    return { type: 'message', message: decodeMessage(data) };
  } catch (err) {
    const e =
      err instanceof ProtocolError
        ? err
        : new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', String(err));
    return { type: 'refused', code: e.code, message: e.message };
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One step under way: the state being changed, what the driver saw, the actions so far. */
interface Turn {
  s: Mutable<SessionState>;
  now: Now;
  out: SessionAction[];
}

const send = (t: Turn, message: StreamMessage): number => t.out.push({ type: 'send', message });
const log = (
  t: Turn,
  level: 'info' | 'warn',
  message: string,
  fields: Record<string, unknown>,
): number => t.out.push({ type: 'log', level, fields, message });
const registry = (t: Turn, update: RegistryUpdate): number =>
  t.out.push({ type: 'registry', update });

/** The next state of a conversation and what to do, for one event. */
export function step(state: SessionState, event: SessionEvent, now: Now): Step {
  const t: Turn = { s: { ...state }, now, out: [] };
  const s = t.s;
  switch (event.type) {
    case 'message':
      s.lastHeardMs = now.ms;
      onMessage(t, event.message, event.checkpoint, event.idInUseBy, event.registryFull);
      break;
    case 'refused':
      s.lastHeardMs = now.ms;
      fail(t, event.code, event.message);
      break;
    case 'tick':
      onTick(t);
      break;
    case 'close':
      close(t, event.code, event.reason);
      break;
    case 'socket-closed':
      s.stopped = true;
      if (s.hello) registry(t, { op: 'disconnected', replicaId: s.hello.replicaId });
      break;
    case 'durable':
      if (!s.stopped && s.live?.wait === 'durable') pump(t);
      break;
    case 'frames':
      if (!s.stopped && s.live?.wait === 'read') onFrames(t, event.frames);
      break;
    case 'retry':
      if (s.stopped) break;
      if (s.snapshot?.wait === 'later') shipPiece(t);
      else if (s.live?.wait === 'later') pump(t);
      break;
    case 'piece':
      if (!s.stopped && s.snapshot?.wait === 'piece') {
        s.snapshot = { ...s.snapshot, items: event.items };
        shipPiece(t);
      }
      break;
    case 'snapshot-read':
      if (!s.stopped && s.snapshot?.wait === 'piece') snapshotSent(t, event);
      break;
    case 'sender-failed': {
      if (s.stopped) break;
      // Usually a journal error (a released or damaged segment): say which.
      const code = (event.error as { code?: unknown }).code;
      const message = `sender: ${(event.error as Error).message}`;
      fail(t, typeof code === 'string' ? code : 'FSJ_ERR_API_UNAVAILABLE', message);
      break;
    }
  }
  return { state: s, actions: t.out };
}

function close(t: Turn, code: number, reason: string): void {
  t.s.stopped = true;
  t.out.push({ type: 'close', code, reason });
}

/** StreamError with `code`, then close 1008 with the code as the reason. */
function fail(t: Turn, code: string, message: string): void {
  const fields = { replica: t.s.hello?.replicaId, address: t.s.address, code, message };
  log(t, 'warn', 'stream closed on error', fields);
  t.out.push({ type: 'count-error', code, side: 'primary' });
  send(t, { type: 'error', code, message });
  close(t, 1008, code);
}

function onTick(t: Turn): void {
  const { s, now } = t;
  if (!s.hello && now.ms > s.helloByMs) return fail(t, 'FSJ_ERR_PROTOCOL_UNEXPECTED', 'no hello');
  // A silent link cannot carry a close handshake either: drop it at once
  // rather than hold the session for ws's 30 s closing timeout.
  if (now.ms - s.lastHeardMs > s.heartbeatMs * 3) {
    log(t, 'warn', 'replica silent: connection dropped', { replica: s.hello?.replicaId });
    s.stopped = true;
    t.out.push({ type: 'terminate' });
    return;
  }
  send(t, { type: 'heartbeat', timeMs: now.ms, newestLsn: now.journal.durableLsn });
}

function onMessage(
  t: Turn,
  m: StreamMessage,
  checkpoint: CheckpointHeader | undefined,
  idInUseBy: string | undefined,
  registryFull = false,
): void {
  const s = t.s;
  switch (m.type) {
    case 'hello':
      if (s.hello) return fail(t, 'FSJ_ERR_PROTOCOL_UNEXPECTED', 'second hello');
      if (s.boundId !== undefined && m.replicaId !== s.boundId) {
        const why = `the token is replica ${s.boundId}'s, the hello says ${m.replicaId}`;
        return fail(t, 'FSJ_ERR_PROTOCOL_IDENTITY', why);
      }
      if (idInUseBy !== undefined) {
        const why = `replica ${m.replicaId} is connected from ${idInUseBy}: one live session per replica id`;
        return fail(t, 'FSJ_ERR_PROTOCOL_ID_IN_USE', why);
      }
      if (registryFull) {
        const why = `replica ${m.replicaId} is new and the primary knows as many replicas as it keeps; forget one (fsjournal replicas forget ID)`;
        return fail(t, 'FSJ_ERR_PROTOCOL_REPLICA_LIMIT', why);
      }
      return onHello(t, m, checkpoint);
    case 'ack':
      if (!s.hello) return fail(t, 'FSJ_ERR_PROTOCOL_UNEXPECTED', 'ack before hello');
      return onAck(t, s.hello, m);
    case 'heartbeat':
      return;
    case 'error': {
      const fields = { replica: s.hello?.replicaId, code: m.code, message: m.message };
      log(t, 'warn', 'replica reported an error', fields);
      t.out.push({ type: 'count-error', code: m.code, side: 'replica' });
      return;
    }
    default:
      return fail(t, 'FSJ_ERR_PROTOCOL_UNEXPECTED', `${m.type} from a replica`);
  }
}

/** The Welcome / Resync / bootstrap decision (docs/PROTOCOL.md, Welcome or Resync). */
function onHello(t: Turn, h: Hello, checkpoint: CheckpointHeader | undefined): void {
  const { s } = t;
  const j = t.now.journal;
  s.hello = h;
  const resync = (reason: ResyncReason, detail: string): void => {
    const fields = { replica: h.replicaId, reason: ResyncReason[reason], detail };
    log(t, 'info', 'replica told to resync', fields);
    send(t, { type: 'resync', reason, detail });
    close(t, 1000, 'resync');
  };
  if (h.journalId !== '' && h.journalId !== j.journalId) {
    return resync(ResyncReason.REASON_JOURNAL_ID_MISMATCH, `primary journal is ${j.journalId}`);
  }
  if (h.lastAppliedLsn > j.durableLsn) {
    return resync(
      ResyncReason.REASON_AHEAD_OF_PRIMARY,
      `replica at ${h.lastAppliedLsn}, primary at ${j.durableLsn}`,
    );
  }
  let base: CheckpointHeader | undefined;
  if (h.lastAppliedLsn + 1 < j.firstLsn) {
    if (h.journalId !== '') {
      // It empties its target and comes back new: then it is sent a checkpoint.
      return resync(
        ResyncReason.REASON_BEHIND_RETENTION,
        `oldest retained lsn is ${j.firstLsn}, the replica needs ${h.lastAppliedLsn + 1}`,
      );
    }
    // The newest checkpoint whose replay start the journal still holds.
    base = checkpoint && replayStart(checkpoint) >= j.firstLsn ? checkpoint : undefined;
    if (!base) {
      return resync(
        ResyncReason.REASON_NEW_REPLICA,
        `oldest retained lsn is ${j.firstLsn} and no checkpoint can bridge the gap`,
      );
    }
  }
  const id = h.replicaId;
  registry(t, {
    op: 'connected',
    replicaId: id,
    address: s.address,
    lastAppliedLsn: h.lastAppliedLsn,
    fresh: h.journalId === '',
  });
  if (base) return startSnapshot(t, h, base);
  s.received = h.lastAppliedLsn;
  s.sentLsn = h.lastAppliedLsn;
  log(t, 'info', 'replica connected', {
    replica: id,
    address: s.address,
    from: h.lastAppliedLsn + 1,
  });
  send(t, {
    type: 'welcome',
    protocolVersion: PROTOCOL_VERSION,
    journalId: j.journalId,
    oldestLsn: j.firstLsn,
    newestLsn: j.durableLsn,
  });
  s.live = { next: h.lastAppliedLsn + 1, wait: 'none' };
  pump(t);
}

/**
 * Ack checks and accounting (docs/PROTOCOL.md, Ack): forged positions are
 * refused, stale ones ignored; a piece or a position acknowledged may open
 * the window of a sender waiting for it.
 */
function onAck(t: Turn, h: Hello, m: Ack): void {
  const s = t.s;
  // decodeMessage checked durable <= applied <= received.
  if (m.receivedLsn > s.sentLsn) {
    const why = `ack of lsn ${m.receivedLsn}, only ${s.sentLsn} was sent`;
    return fail(t, 'FSJ_ERR_PROTOCOL_INVALID', why);
  }
  const pieces = m.snapshotSeq ?? 0;
  if (pieces > s.piecesSent) {
    const why = `ack of snapshot piece ${pieces}, only ${s.piecesSent} were sent`;
    return fail(t, 'FSJ_ERR_PROTOCOL_INVALID', why);
  }
  let moved = false;
  if (pieces > s.piecesAcked) {
    s.piecesAcked = pieces;
    moved = true;
  }
  // A stale one (received below the last) is ignored: positions only move forward.
  if (m.receivedLsn >= s.received) {
    s.received = m.receivedLsn;
    // What it says it holds counts up to what this connection delivered:
    // positions claimed in a Hello are never recorded on their word alone.
    const appliedLsn = Math.min(m.appliedLsn, s.servedLsn);
    const durableLsn = Math.min(m.durableLsn, s.servedLsn);
    registry(t, { op: 'acked', replicaId: h.replicaId, appliedLsn, durableLsn });
    moved = true;
  }
  if (!moved || s.stopped) return;
  if (s.snapshot?.wait === 'window') shipPiece(t);
  else if (s.live?.wait === 'window') pump(t);
}

/**
 * Bootstrap (docs/PROTOCOL.md, Bootstrap from a checkpoint): SnapshotBegin
 * now, the pieces as they are read. While it runs the replica's row is at 0,
 * which holds retention: the checkpoint and the records after it stay.
 */
function startSnapshot(t: Turn, h: Hello, base: CheckpointHeader): void {
  const j = t.now.journal;
  const from = replayStart(base);
  log(t, 'info', 'new replica connected: bootstrapping it from a checkpoint (lsn 1 is released)', {
    replica: h.replicaId,
    address: t.s.address,
    checkpoint: base.id,
    lsn: base.lsn,
    files: base.files,
    bytes: base.bytes,
    firstLsn: j.firstLsn,
  });
  send(t, {
    type: 'snapshot-begin',
    protocolVersion: PROTOCOL_VERSION,
    journalId: j.journalId,
    checkpointId: base.id,
    lsn: base.lsn,
    replayFromLsn: from,
    openTxns: base.openTxns,
    entries: base.files + base.dirs + base.symlinks + base.hardlinks,
    files: base.files,
    bytes: base.bytes,
    blockBytes: base.blockBytes,
    root: snapshotRoot(base.root),
    oldestLsn: j.firstLsn,
    newestLsn: j.durableLsn,
  });
  t.out.push({ type: 'start-snapshot', base });
  t.s.snapshot = { base, from, wait: 'piece', items: undefined };
}

/** Sends the piece read, within SNAPSHOT_WINDOW pieces of the last acknowledged one. */
function shipPiece(t: Turn): void {
  const s = t.s;
  const snap = s.snapshot!;
  const seq = s.piecesSent + 1;
  if (seq > s.piecesAcked + SNAPSHOT_WINDOW) {
    s.snapshot = { ...snap, wait: 'window' };
  } else if (t.now.bufferedBytes > SOCKET_HIGH_WATER) {
    s.snapshot = { ...snap, wait: 'later' };
    t.out.push({ type: 'retry-later', ms: RETRY_MS });
  } else {
    send(t, { type: 'snapshot-piece', seq, items: snap.items ?? [] });
    t.out.push({ type: 'next-piece' });
    s.piecesSent = seq;
    s.snapshot = { ...snap, wait: 'piece', items: undefined };
  }
}

/** SnapshotEnd; batches continue from the replay start, and Acks name LSNs again. */
function snapshotSent(t: Turn, read: { entries: number; blocks: number }): void {
  const s = t.s;
  const { base, from } = s.snapshot!;
  const { entries, blocks } = read;
  const pieces = s.piecesSent;
  s.received = from - 1;
  s.sentLsn = from - 1;
  s.servedLsn = from - 1;
  send(t, { type: 'snapshot-end', pieces, entries, blocks });
  log(t, 'info', 'snapshot sent; streaming the records after it', {
    replica: s.hello!.replicaId,
    checkpoint: base.id,
    pieces,
    entries,
    blocks,
    from,
  });
  s.snapshot = undefined;
  s.live = { next: from, wait: 'none' };
  pump(t);
}

/**
 * The live sender's next move: durable records from `next` on, up to
 * `min(durable LSN, received + window)`, once the socket has room.
 */
function pump(t: Turn): void {
  const s = t.s;
  const { next } = s.live!;
  const j = t.now.journal;
  let wait: LiveWait;
  if (next > j.durableLsn) {
    wait = j.isClosed ? 'ended' : 'durable';
    if (wait === 'durable') t.out.push({ type: 'await-durable', lsn: next });
  } else {
    const limit = Math.min(j.durableLsn, s.received + s.hello!.window);
    if (next > limit) wait = 'window';
    else if (t.now.bufferedBytes > SOCKET_HIGH_WATER) {
      wait = 'later';
      t.out.push({ type: 'retry-later', ms: RETRY_MS });
    } else {
      wait = 'read';
      t.out.push({ type: 'read', fromLsn: next, toLsn: limit });
    }
  }
  s.live = { next, wait };
}

function onFrames(t: Turn, frames: BatchFrame[]): void {
  const s = t.s;
  const next = s.live!.next;
  if (frames.length === 0) {
    // Not readable yet: do not spin.
    s.live = { next, wait: 'later' };
    t.out.push({ type: 'retry-later', ms: RETRY_MS });
    return;
  }
  send(t, { type: 'batch', firstLsn: next, prevLsn: next - 1, frames });
  registry(t, { op: 'sent', replicaId: s.hello!.replicaId, frames });
  const last = frames[frames.length - 1]!.lsn;
  s.sentLsn = last;
  s.servedLsn = last;
  s.live = { next: last + 1, wait: 'none' };
  pump(t);
}
