/**
 * The replica's end of the stream conversation (docs/PROTOCOL.md, "The
 * conversation", "Flow control", "Durability contract", "Resync",
 * "Bootstrap", "Reconnection") as a pure state machine:
 * `step(state, event, now)` returns the next state and the actions to carry
 * out, in order. Events are what the driver (`replica.ts`) saw: a decoded
 * message from the primary, the socket opening or closing, a heartbeat tick,
 * the end of a connection, and the answers to the actions it carried out (a
 * record applied, a position made durable, a snapshot piece written).
 * Actions are what it must do: send, close, apply, persist, write a piece,
 * log, wait.
 *
 * It touches no socket, timer or disk and reads no clock (`now` comes with
 * each step); `step` never changes the state it is given. What it decides:
 * which message may come when, LSN continuity, the three positions
 * (received, applied, durable) and when each moves, what Hello, Ack and
 * Heartbeat say, when the position is persisted, and the order of the steps
 * of a resync and a bootstrap; what happens between connections (errors
 * reported, backoff, stopping) is in `reconnection.ts`. Not here: decoding
 * and checking one message (`@fsjournal/journal/wire`), applying a record to
 * the tree and holding transactions (`TreeApplier`: the driver reports its
 * oldest open transaction with each event that needs it), writing and
 * checking a snapshot, the order of its pieces included (`snapshot_writer.ts`).
 */
import type { JournalEntry } from '@fsjournal/journal';
import {
  PROTOCOL_VERSION,
  ProtocolError,
  ResyncReason,
  type Ack,
  type Batch,
  type SnapshotBegin,
  type SnapshotEnd,
  type SnapshotPiece,
  type StreamMessage,
  type Welcome,
} from '@fsjournal/journal/wire';
import { ReplicaError, type StreamFailure } from './errors.js';
import { newPosition, type Position } from './position.js';
import { betweenConnections } from './reconnection.js';

/** While behind, a durability point at most this often (ms). */
const PERSIST_EVERY_MS = 20;

/** What the replica's status calls `state`. */

export type ReplicaState = 'connecting' | 'bootstrapping' | 'streaming' | 'resyncing' | 'error';

/** The daemon's options the conversation needs. */
export interface SessionConfig {
  /** Records the primary may send beyond the last Ack (Hello's `window`). */
  window: number;
  heartbeatMs: number;
  backoffMinMs: number;
  backoffMaxMs: number;
}

/** What one connection holds; starts over at each `dial`. */
export interface ConnectionState {
  /** When the primary was last heard from (any message). */
  lastHeard: number;
  /** When the position was last persisted on this connection (0: not yet). */
  lastPersist: number;
  /** Records or snapshot pieces came on this connection (the backoff starts over). */
  flowed: boolean;
  /** The first failure: what the connection ends with. Later messages are ignored. */
  failure: StreamFailure | undefined;
  /** The SnapshotBegin of the bootstrap in progress. */
  snapshot: SnapshotBegin | undefined;
  /** The batch being applied: records up to `through` outside `keepTxns` are in the tree already. */
  skip: { through: number; keepTxns: readonly number[] } | undefined;
  /** The record being applied needs a replay window of its own: persist right after it. */
  reshaping: boolean;
  /**
   * The newest LSN of the batches taken on this connection: the next must
   * start right after it. Ahead of `receivedLsn` while a batch's records
   * are still being applied (the next batch's join them).
   */
  batchedLsn: number;
}

/** The conversation's state across connections; the status is read from it. */
export interface SessionState {
  readonly config: SessionConfig;
  phase: ReplicaState;
  /** As in `position.json`: set once the file says so, but see `save-position`. */
  position: Position;
  /** Every record up to it is applied; never goes back but on a resync. */
  appliedLsn: number;
  /** This connection's newest LSN received (applied or held in an open transaction). */
  receivedLsn: number;
  /** The newest LSN the primary announced (Welcome, Heartbeat, Batch). */
  upstreamLsn: number;
  /** When `appliedLsn` last reached `upstreamLsn`. */
  caughtUpAt: number;
  lastError: { code: string; message: string; at: string } | null;
  skipped: number;
  bootstraps: number;
  reconnects: number;
  /** Connections in a row that brought nothing: the backoff's exponent. */
  attempt: number;
  /** A refused record: the replica stops following. */
  fatal: boolean;
  conn: ConnectionState;
}

/**
 * What the driver saw. The answers to actions are fed back right after the
 * action is done, before the next action of the same step.
 */
export type SessionEvent =
  /** Top of the reconnection loop, before a socket is made. */
  | { type: 'connect' }
  /** A socket is being made: the connection starts over from the durable position. */
  | { type: 'dial' }
  /** The WebSocket is open. */
  | { type: 'open' }
  /** A message arrived (counted as a sign of life before it is decoded or handled). */
  | { type: 'heard' }
  /** A decoded message from the primary, fed in order, one at a time. */
  | { type: 'message'; message: StreamMessage }
  /**
   * A record of the batch being applied, decoded; from the applier: whether
   * it closes the replay window (persist before it), whether it needs a
   * window of its own (persist before and after it), the oldest open
   * transaction.
   */
  | {
      type: 'record';
      entry: JournalEntry;
      closesWindow: boolean;
      reshapes: boolean;
      openTxn: number | undefined;
    }
  /** Answer to `apply-record`: applied up to `lsn` (or held, in a transaction). */
  | { type: 'applied'; lsn: number; openTxn: number | undefined }
  /** Answer to `apply-batch`, after its records: records skipped because their path was gone. */
  | {
      type: 'batch-applied';
      skipped: number;
      openTxn: number | undefined;
      /**
       * More batches have arrived and wait their turn: the replica is not
       * caught up whatever the last batch said of the primary's newest LSN.
       */
      more?: boolean;
    }
  /** Answer to `persist`: durable up to `position.appliedLsn`. */
  | { type: 'durable'; position: Position }
  /** Answer to `record-journal`. */
  | { type: 'journal-recorded'; welcome: Welcome }
  /** Answer to `write-piece`. */
  | { type: 'piece-written'; seq: number }
  /** Answer to `finish-snapshot`: the tree and the position are durable; the writer's counts. */
  | { type: 'snapshot-finished'; pieces: number; files: number; bytes: number; startedAt: string }
  /** Answer to `clear-target`. */
  | { type: 'target-cleared' }
  /** Answer to `abandon-snapshot`. */
  | { type: 'abandoned'; position: Position }
  /** The heartbeat interval elapsed. */
  | { type: 'tick' }
  /** Something failed on this connection: a message that does not decode, an action that threw. */
  | { type: 'fault'; error: StreamFailure }
  /** The primary answered the upgrade with this HTTP status instead of 101. */
  | { type: 'refused'; status: number | undefined }
  /** The socket reported an error (it closes next). */
  /** `code`: Node's or OpenSSL's (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, ...). */
  | { type: 'socket-error'; message: string; code?: string | undefined }
  /** The socket closed and every message before was handled. */
  | { type: 'closed'; openTxn: number | undefined }
  /** The connection (or the preparation for it) ended on this failure. */
  | { type: 'ended'; failure: StreamFailure }
  /** Between connections: whether the last one brought records; `random` in [0, 1) for jitter. */
  | { type: 'retry'; streamed: boolean; random: number };

/** What the driver must do. Those answered by an event name it. */
export type SessionAction =
  /** Send, if the socket is open (else dropped). */
  | { type: 'send'; message: StreamMessage }
  | { type: 'close'; code: number; reason: string }
  /** Drop the socket at once. */
  | { type: 'terminate' }
  /** Write `position.json` durably (the state already holds it). */
  | { type: 'save-position'; position: Position }
  /** Write `position.json` with the journal id; answered by `journal-recorded`. */
  | { type: 'record-journal'; position: Position; welcome: Welcome }
  /** fsync what was touched, then write `position.json`; answered by `durable`. */
  | { type: 'persist'; position: Position }
  /** Decode each frame and feed it as `record`, then `batch-applied`. */
  | { type: 'apply-batch'; batch: Batch }
  /** Apply (or hold) the record; answered by `applied`. */
  | { type: 'apply-record'; entry: JournalEntry }
  /** Make the snapshot writer (its progress shows in the status from now). */
  | { type: 'open-snapshot'; begin: SnapshotBegin }
  /** Empty the target for the snapshot. */
  | { type: 'start-snapshot' }
  /** Write one piece; answered by `piece-written`. */
  | { type: 'write-piece'; piece: SnapshotPiece }
  /** Check the end, make the tree durable, write `position`; answered by `snapshot-finished`. */
  | { type: 'finish-snapshot'; end: SnapshotEnd; position: Position }
  /** Close what the snapshot writer holds open and drop it. */
  | { type: 'abort-snapshot' }
  /** Empty the target (resync); answered by `target-cleared`. */
  | { type: 'clear-target' }
  /** Fail with FSJ_ERR_REPLICA_STATE unless the target is a directory. */
  | { type: 'check-target' }
  /** Empty the target and write `position` (a bootstrap cut short); answered by `abandoned`. */
  | { type: 'abandon-snapshot'; position: Position }
  /** Wake the callers waiting for a durable LSN. */
  | { type: 'wake-waiters' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; fields: Record<string, unknown>; msg: string }
  /** Tell the observers a bootstrap is complete. */
  | { type: 'report-bootstrap'; seconds: number; files: number; bytes: number }
  /** Tell the observers the stream ended on this code. */
  | { type: 'report-error'; code: string }
  /** Sleep before the next connection (cut short when the daemon stops). */
  | { type: 'wait'; ms: number };

/** The outcome of one step. */
export interface Step {
  state: SessionState;
  actions: SessionAction[];
}

/** The state of a daemon that starts from `position`, before its first connection. */
export function newSession(config: SessionConfig, position: Position, now: number): SessionState {
  return {
    config,
    phase: 'connecting',
    position,
    appliedLsn: position.appliedLsn,
    receivedLsn: position.appliedLsn,
    upstreamLsn: 0,
    caughtUpAt: now,
    lastError: null,
    skipped: 0,
    bootstraps: 0,
    reconnects: 0,
    attempt: 0,
    fatal: false,
    conn: newConnection(now, position.appliedLsn),
  };
}

function newConnection(now: number, batchedLsn: number): ConnectionState {
  return {
    batchedLsn,
    lastHeard: now,
    lastPersist: 0,
    flowed: false,
    failure: undefined,
    snapshot: undefined,
    skip: undefined,
    reshaping: false,
  };
}

/** Feeds one event; `state` is not changed. */
export function step(state: SessionState, event: SessionEvent, now: number): Step {
  const next: SessionState = { ...state, conn: { ...state.conn } };
  const actions = react(next, event, now);
  return { state: next, actions };
}

/** The position after a bootstrap from `begin`: the tree is at `replay_from_lsn - 1`. */
export function bootstrappedPosition(replicaId: string, begin: SnapshotBegin): Position {
  const at = begin.replayFromLsn - 1;
  const p: Position = { replicaId, journalId: begin.journalId, appliedLsn: at };
  if (at < begin.lsn) {
    p.skipThrough = begin.lsn;
    p.keepTxns = begin.openTxns.map((t) => t.txn);
  }
  return p;
}

/** Works on `s` (a copy) and returns the actions. */
function react(s: SessionState, e: SessionEvent, now: number): SessionAction[] {
  switch (e.type) {
    case 'connect':
    case 'abandoned':
    case 'ended':
    case 'retry':
      return betweenConnections(s, e, now);
    case 'dial':
      // This connection starts over from the durable position: what an
      // earlier one held of an open transaction, or applied and could not
      // make durable, comes again.
      s.receivedLsn = s.position.appliedLsn;
      s.conn = newConnection(now, s.receivedLsn);
      return [];
    case 'open':
      return send({
        type: 'hello',
        protocolVersion: PROTOCOL_VERSION,
        replicaId: s.position.replicaId,
        journalId: s.position.journalId,
        lastAppliedLsn: s.position.appliedLsn,
        window: s.config.window,
      });
    case 'heard':
      s.conn.lastHeard = now;
      return [];
    case 'message':
      // Messages after a failure are not handled: the connection is closing.
      if (s.conn.failure) return [];
      return onMessage(s, e.message, now);
    case 'record':
      return onRecord(s, e.entry, e.closesWindow, e.reshapes, e.openTxn);
    case 'applied': {
      s.receivedLsn = e.lsn;
      s.appliedLsn = Math.max(s.appliedLsn, appliedHere(s, e.openTxn));
      const reshaped = s.conn.reshaping;
      s.conn.reshaping = false;
      return reshaped ? persistNow(s, e.openTxn) : [];
    }
    case 'batch-applied':
      return onBatchApplied(s, e.skipped, e.openTxn, now, e.more ?? false);
    case 'durable':
      // Status says durable only once it is: the file first, then memory.
      s.position = e.position;
      s.conn.lastPersist = now;
      return [{ type: 'wake-waiters' }];
    case 'journal-recorded':
      return welcomed(s, e.welcome, now);
    case 'piece-written':
      s.conn.flowed = true;
      return send(ack(0, 0, 0, e.seq));
    case 'snapshot-finished':
      return onSnapshotFinished(s, e, now);
    case 'target-cleared':
      s.position = newPosition(s.position.replicaId);
      s.appliedLsn = 0;
      s.receivedLsn = 0;
      s.upstreamLsn = 0;
      return [
        { type: 'save-position', position: s.position },
        { type: 'check-target' },
        { type: 'close', code: 1000, reason: 'resync' },
      ];
    case 'tick':
      if (now - s.conn.lastHeard > s.config.heartbeatMs * 3) {
        return [
          ...fail(s, upstreamError('no message from the primary for 3 heartbeats')),
          { type: 'terminate' },
        ];
      }
      return send({ type: 'heartbeat', timeMs: now, newestLsn: s.appliedLsn });
    case 'fault':
      return fail(s, e.error);
    case 'refused': {
      const code =
        e.status === 401 || e.status === 403 ? 'FSJ_ERR_REPLICA_AUTH' : 'FSJ_ERR_REPLICA_UPSTREAM';
      s.conn.failure ??= new ReplicaError(
        code,
        `primary answered the upgrade with HTTP ${e.status}`,
        { retryable: true },
      );
      return [{ type: 'terminate' }];
    }
    case 'socket-error':
      s.conn.failure ??= socketFailure(e.message, e.code);
      return [];
    case 'closed': {
      const out: SessionAction[] = [];
      if (s.conn.snapshot) out.push({ type: 'abort-snapshot' });
      s.conn.snapshot = undefined;
      // What was applied is made durable before this connection is over.
      const f = s.conn.failure;
      if (!f || f.code !== 'FSJ_ERR_REPLICA_REFUSED_RECORD') out.push(...persistNow(s, e.openTxn));
      return out;
    }
  }
}

function onMessage(s: SessionState, m: StreamMessage, now: number): SessionAction[] {
  switch (m.type) {
    case 'welcome':
      if (s.phase !== 'connecting') return fail(s, unexpected(`welcome while ${s.phase}`));
      if (s.position.journalId !== '' && s.position.journalId !== m.journalId)
        return fail(s, unexpected(`welcome for journal ${m.journalId}`));
      if (s.position.journalId === '') {
        // A new replica records the journal id durably before anything else.
        s.position = { ...s.position, journalId: m.journalId };
        return [{ type: 'record-journal', position: s.position, welcome: m }];
      }
      return welcomed(s, m, now);
    case 'resync': {
      const name = ResyncReason[m.reason] ?? String(m.reason);
      if (s.position.journalId === '' && s.position.appliedLsn === 0) {
        return fail(
          s,
          new ReplicaError(
            'FSJ_ERR_REPLICA_RESYNC',
            `primary asks for a resync (${name}: ${m.detail}) it cannot serve`,
            { retryable: true },
          ),
        );
      }
      // Empty the target (it holds nothing but the primary's tree) and come
      // back as a new replica, which the primary replays from LSN 1 or
      // bootstraps from a checkpoint.
      s.phase = 'resyncing';
      return [
        log('warn', 'replica resyncing: emptying the target to replay from the start', {
          reason: name,
          detail: m.detail,
        }),
        { type: 'clear-target' },
      ];
    }
    case 'batch':
      return onBatch(s, m);
    case 'snapshot-begin':
      return onSnapshotBegin(s, m);
    case 'snapshot-piece':
      if (!s.conn.snapshot) return fail(s, unexpected('snapshot piece before its begin'));
      return [{ type: 'write-piece', piece: m }];
    case 'snapshot-end':
      if (!s.conn.snapshot) return fail(s, unexpected('snapshot end before its begin'));
      // The position may say so only once the tree is durable.
      return [
        {
          type: 'finish-snapshot',
          end: m,
          position: bootstrappedPosition(s.position.replicaId, s.conn.snapshot),
        },
      ];
    case 'heartbeat':
      s.upstreamLsn = Math.max(s.upstreamLsn, m.newestLsn);
      return [];
    case 'error':
      return fail(s, upstreamError(`primary: ${m.code}: ${m.message}`));
    default:
      return fail(s, unexpected(`${m.type} from the primary`));
  }
}

function welcomed(s: SessionState, m: Welcome, now: number): SessionAction[] {
  s.upstreamLsn = Math.max(s.upstreamLsn, m.newestLsn);
  s.phase = 'streaming';
  s.lastError = null;
  if (s.appliedLsn >= s.upstreamLsn) s.caughtUpAt = now;
  return [
    log('info', 'replica streaming', {
      journalId: m.journalId,
      from: s.receivedLsn + 1,
      newest: m.newestLsn,
    }),
  ];
}

function onBatch(s: SessionState, b: Batch): SessionAction[] {
  if (s.phase !== 'streaming') return fail(s, unexpected('batch before welcome'));
  if (b.firstLsn !== s.conn.batchedLsn + 1) {
    return fail(
      s,
      new ProtocolError(
        'FSJ_ERR_PROTOCOL_INVALID',
        `batch starts at ${b.firstLsn}, expected ${s.conn.batchedLsn + 1}`,
      ),
    );
  }
  s.conn.batchedLsn = b.firstLsn + b.frames.length - 1;
  s.upstreamLsn = Math.max(s.upstreamLsn, b.firstLsn + b.frames.length - 1);
  s.conn.skip = { through: s.position.skipThrough ?? 0, keepTxns: s.position.keepTxns ?? [] };
  return [{ type: 'apply-batch', batch: b }];
}

function onRecord(
  s: SessionState,
  entry: JournalEntry,
  closesWindow: boolean,
  reshapes: boolean,
  openTxn: number | undefined,
): SessionAction[] {
  const skip = s.conn.skip;
  if (skip && entry.lsn <= skip.through && !skip.keepTxns.includes(entry.record.txn)) {
    // In the checkpoint the target was built from; only the transactions
    // open at its LSN are replayed from their TXN_BEGIN.
    s.receivedLsn = entry.lsn;
    s.appliedLsn = Math.max(s.appliedLsn, appliedHere(s, openTxn));
    return [];
  }
  // The records applied since the durable position are applied again after
  // a crash: one that would make that unsafe starts a new replay window
  // (the position persisted right before it), and one that needs a window
  // of its own also has it persisted right after it (PROTOCOL.md, "Replay
  // windows").
  s.conn.reshaping = reshapes;
  const before = reshapes || closesWindow ? persistNow(s, openTxn) : [];
  return [...before, { type: 'apply-record', entry }];
}

function onBatchApplied(
  s: SessionState,
  skipped: number,
  openTxn: number | undefined,
  now: number,
  more: boolean,
): SessionAction[] {
  s.skipped += skipped;
  s.conn.flowed = true;
  s.conn.skip = undefined;
  if (s.appliedLsn >= s.upstreamLsn) s.caughtUpAt = now;
  // A durability point every PERSIST_EVERY_MS while behind, and as soon as
  // caught up: the last batch reached the primary's newest LSN and no other
  // waits (a live tail comes as a batch per record group: without `more`,
  // each would look caught up and cost a persist of its own).
  const caughtUp = s.receivedLsn >= s.upstreamLsn && !more;
  const persist =
    now - s.conn.lastPersist >= PERSIST_EVERY_MS || caughtUp ? persistNow(s, openTxn) : [];
  const durable = (persist[0]?.position ?? s.position).appliedLsn;
  // Applied as this connection knows it (an Ack never names more than was
  // sent on it); the primary keeps the highest it was told.
  return [...persist, ...send(ack(appliedHere(s, openTxn), durable, s.receivedLsn))];
}

/** The primary sends a checkpoint instead of a Welcome: this replica is new and LSN 1 is gone. */
function onSnapshotBegin(s: SessionState, m: SnapshotBegin): SessionAction[] {
  if (s.phase !== 'connecting' || s.conn.snapshot)
    return fail(s, unexpected(`snapshot begin while ${s.phase}`));
  if (s.position.journalId !== '' || s.position.appliedLsn !== 0)
    return fail(
      s,
      unexpected(
        'snapshot begin for a replica that has a position (the primary should have sent Resync)',
      ),
    );
  s.conn.snapshot = m;
  s.phase = 'bootstrapping';
  s.lastError = null;
  s.upstreamLsn = Math.max(s.upstreamLsn, m.newestLsn);
  // The marker first: from here until the position names the checkpoint,
  // a restart empties the target and starts over.
  s.position = {
    ...s.position,
    bootstrap: { journalId: m.journalId, checkpointId: m.checkpointId, lsn: m.lsn },
  };
  return [
    { type: 'open-snapshot', begin: m },
    { type: 'save-position', position: s.position },
    log('info', 'replica bootstrapping from a checkpoint (the primary no longer holds lsn 1)', {
      journalId: m.journalId,
      checkpoint: m.checkpointId,
      lsn: m.lsn,
      files: m.files,
      bytes: m.bytes,
      oldestLsn: m.oldestLsn,
    }),
    { type: 'start-snapshot' },
  ];
}

function onSnapshotFinished(
  s: SessionState,
  e: Extract<SessionEvent, { type: 'snapshot-finished' }>,
  now: number,
): SessionAction[] {
  const b = s.conn.snapshot;
  if (!b) return [];
  const at = b.replayFromLsn - 1;
  s.position = bootstrappedPosition(s.position.replicaId, b);
  s.conn.snapshot = undefined;
  s.appliedLsn = Math.max(s.appliedLsn, at);
  s.receivedLsn = at;
  s.conn.batchedLsn = at;
  s.bootstraps++;
  s.phase = 'streaming';
  if (s.appliedLsn >= s.upstreamLsn) s.caughtUpAt = now;
  const seconds = (now - Date.parse(e.startedAt)) / 1000;
  return [
    { type: 'wake-waiters' },
    log('info', 'replica bootstrapped from a checkpoint; streaming the records after it', {
      checkpoint: b.checkpointId,
      lsn: b.lsn,
      files: e.files,
      bytes: e.bytes,
      seconds,
      from: at + 1,
    }),
    { type: 'report-bootstrap', seconds, files: e.files, bytes: e.bytes },
    ...send(ack(at, at, at, e.pieces)),
  ];
}

/**
 * The newest LSN this connection has applied with every record before it:
 * up to the last record processed, or to just before the TXN_BEGIN of the
 * oldest transaction still open (its records are held, not applied). What
 * may be persisted, and what an Ack calls applied.
 */
function appliedHere(s: SessionState, openTxn: number | undefined): number {
  return openTxn === undefined ? s.receivedLsn : Math.min(s.receivedLsn, openTxn - 1);
}

type Persist = Extract<SessionAction, { type: 'persist' }>;

/** Persist what is applied here, if it is past the durable position. */
function persistNow(s: SessionState, openTxn: number | undefined): Persist[] {
  const safe = appliedHere(s, openTxn);
  if (safe <= s.position.appliedLsn) return [];
  const position: Position = { ...s.position, appliedLsn: safe };
  if (position.skipThrough !== undefined && safe >= position.skipThrough) {
    delete position.skipThrough;
    delete position.keepTxns;
  }
  return [{ type: 'persist', position }];
}

/** The connection ends on the first failure: a StreamError to the primary, then close. */
function fail(s: SessionState, e: StreamFailure): SessionAction[] {
  s.conn.failure ??= e;
  return [
    ...send({ type: 'error', code: e.code, message: e.message.slice(0, 500) }),
    { type: 'close', code: 1011, reason: e.code },
  ];
}

function send(message: StreamMessage): SessionAction[] {
  return [{ type: 'send', message }];
}

function ack(
  appliedLsn: number,
  durableLsn: number,
  receivedLsn: number,
  snapshotSeq?: number,
): Ack {
  const m: Ack = { type: 'ack', appliedLsn, durableLsn, receivedLsn };
  if (snapshotSeq !== undefined) m.snapshotSeq = snapshotSeq;
  return m;
}

function log(
  level: 'info' | 'warn' | 'error',
  msg: string,
  fields: Record<string, unknown>,
): SessionAction {
  return { type: 'log', level, fields, msg };
}

/** Codes of a TLS failure: the primary's certificate, or TLS spoken to a plain server. */
const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** What a socket error of a connection says, as the failure the status shows. */
function socketFailure(message: string, code: string | undefined): ReplicaError {
  if (code !== undefined && (TLS_CODES.has(code) || code.startsWith('ERR_SSL_'))) {
    const hint =
      code.includes('CERT') || code.includes('SIGN')
        ? " (--tls-ca names the CA that signed the primary's certificate)"
        : '';
    return new ReplicaError('FSJ_ERR_REPLICA_TLS', `upstream TLS: ${code}: ${message}${hint}`, {
      retryable: true,
    });
  }
  if (code === 'EPROTO' && /wrong version number/.test(message)) {
    return new ReplicaError(
      'FSJ_ERR_REPLICA_TLS',
      `upstream TLS: the primary does not speak TLS (${message.slice(0, 120)}): use ws://, or start it with --tls-cert`,
      { retryable: true },
    );
  }
  const plain = code === 'ECONNRESET' && /socket hang up/.test(message);
  const hint = plain ? ' (a primary serving TLS closes plaintext connections: use wss://)' : '';
  return upstreamError(`upstream: ${message}${hint}`);
}

function upstreamError(message: string): ReplicaError {
  return new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', message, { retryable: true });
}

function unexpected(message: string): ProtocolError {
  return new ProtocolError('FSJ_ERR_PROTOCOL_UNEXPECTED', message);
}
