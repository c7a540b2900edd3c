/**
 * The replica daemon: follows a primary's stream, applies records to
 * `target` in LSN order, makes them durable, persists its position, and
 * acknowledges. Survives being killed at any moment (it resumes from its
 * durable position and re-applies idempotently) and reconnects with backoff
 * and jitter. Its status is what `GET /v1/status` on the replica reports.
 *
 * This is the driver of the conversation in `session.ts`: it owns the
 * WebSocket, the timers, the applier, the snapshot writer and the state
 * folder, feeds what happens into `step` and carries out the actions it
 * returns, in order. What to send, when to persist and what each message
 * may do are decided there, not here.
 */
import { closeSync, constants as fsc, openSync } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  mkdirDurable,
  silentLogger,
  syncFileSystem,
  syncfsCovers,
  TreeApplier,
  InlineFs,
  type Beneath,
  type JournalEntry,
  toEntry,
  type Logger,
  REPLICA_STATE_SUFFIX,
  type NotPreserved,
  type PreservePolicy,
} from '@fsjournal/journal';
import {
  decodeMessage,
  encodeMessage,
  ProtocolError,
  MAX_MESSAGE_BYTES,
  type Batch,
  type SnapshotEnd,
  type SnapshotPiece,
  type StreamMessage,
  type Welcome,
} from '@fsjournal/journal/wire';
import { applyFailure, errnoCode, isStreamFailure, ReplicaError } from './errors.js';
import { loadPosition, newPosition, savePosition, type Position } from './position.js';
import {
  newSession,
  step,
  type ReplicaState,
  type SessionAction,
  type SessionEvent,
  type SessionState,
} from './session.js';
import { emptyDir, SnapshotWriter, type BootstrapProgress } from './snapshot_writer.js';

/** TLS material for a `wss://` upstream (PEM). */
export interface UpstreamTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

export interface ReplicaOptions {
  /** `ws://HOST:PORT/v1/stream` */
  upstream: string;
  target: string;
  /** Default: `<target>/../<basename>.fsjournal-state`. */
  stateDir?: string;
  /** Default: kept from the state folder, else `<hostname>-<random>`. */
  id?: string;
  /** Bearer token for the upgrade request. */
  token?: string;
  /**
   * TLS for a `wss://` upstream: `ca` (PEM) the primary's certificate must
   * chain to (default: the system's CAs), and a client certificate
   * (`cert`, `key`) the primary may take instead of a token.
   */
  tls?: UpstreamTls;
  /**
   * What is applied of set-ID bits and `security.`/`trusted.` xattrs
   * (`--preserve`, tree/preserve.ts). Default `safe`: left out, each reported
   * in `problems`.
   */
  preserve?: PreservePolicy;
  /** Records the primary may send beyond the last acknowledgement. Default 4096. */
  window?: number;
  heartbeatMs?: number;
  backoffMinMs?: number;
  backoffMaxMs?: number;
  logger?: Logger;
}

/**
 * Watches the daemon's work, for metrics (the api package turns these into
 * Prometheus series). Callbacks run synchronously; one that throws is ignored.
 */
export interface ReplicaObserver {
  /** A batch was applied (and acknowledged): its records and the seconds it took. */
  onBatchApplied?(b: { records: number; seconds: number }): void;
  /** The stream ended on an error with this code (what `lastError` then shows). */
  onError?(code: string): void;
  /** A bootstrap from a checkpoint is complete (durable, position persisted). */
  onBootstrapped?(b: { seconds: number; files: number; bytes: number }): void;
}

export type { ReplicaState } from './session.js';

export type { BootstrapProgress } from './snapshot_writer.js';

export interface ReplicaStatus {
  role: 'replica';
  id: string;
  upstream: string;
  state: ReplicaState;
  journalId: string;
  /** Every record up to it is applied to the target; never goes back (but on a resync). */
  appliedLsn: number;
  /** The persisted position (`position.json`). */
  durableLsn: number;
  /**
   * Newest LSN received on this connection, applied or held in an open
   * transaction; at least `appliedLsn`. Starts again from the durable
   * position on each connection.
   */
  receivedLsn: number;
  upstreamLsn: number;
  lagRecords: number;
  lagMs: number;
  lastError: { code: string; message: string; at: string } | null;
  reconnects: number;
  skippedRecords: number;
  /** While state is `bootstrapping`: the checkpoint being written and how far; else null. */
  bootstrap: BootstrapProgress | null;
  /** Bootstraps from a checkpoint completed by this process. */
  bootstraps: number;
  /** `--preserve`: what is applied of privileged content. */
  preserve: PreservePolicy;
  /** Paths this replica could not apply exactly, newest last (the last PROBLEMS_KEPT). */
  problems: ReplicaProblem[];
  /** Every problem since start, also those no longer listed. */
  problemCount: number;
}

/** A path this replica could not apply exactly: never dropped in silence. */
export interface ReplicaProblem {
  path: string;
  /** `FSJ_ERR_REPLICA_NOT_PRESERVED`: left out by `--preserve safe`. */
  code: 'FSJ_ERR_REPLICA_NOT_PRESERVED';
  message: string;
  /** The record's LSN; 0 for an entry of a bootstrap's snapshot. */
  lsn: number;
  at: string;
}

/** Problems a replica's status lists (the newest); the count goes on. */
export const PROBLEMS_KEPT = 100;

/** Default state folder for a target: a sibling, never inside the target. */
export function defaultStateDir(target: string): string {
  const abs = resolve(target);
  return join(dirname(abs), `${basename(abs)}${REPLICA_STATE_SUFFIX}`);
}

/** Records in flight at once on the replica (`fs` calls run on libuv's thread pool). */
const APPLY_IN_FLIGHT = 64;

/** Record data in flight past which no further record starts (bounded memory; 1 MiB WRITEs). */
const APPLY_IN_FLIGHT_BYTES = 16 * 1024 * 1024;

/**
 * Bytes of messages received and not yet handled past which the socket is
 * paused (TCP then holds the primary back, which sends only when its socket
 * has room), and below half of which it reads again: the window counts
 * records, and 4096 records of 1 MiB would otherwise all be taken in.
 */
const QUEUED_BYTES = 8 * 1024 * 1024;

/** Files and folders fsynced at once at a durability point. */
const SYNC_IN_FLIGHT = 32;

/**
 * Paths touched since the last durability point from which one syncfs(2)
 * of the target's file system is made instead of an fsync each: measured
 * here, 110 points of 100 new 4 KB files took 1,083 ms fsynced file by file
 * (32 at once) and about 80 ms as one syncfs each. Below it, the fsyncs:
 * a syncfs also waits for whatever else is being written on that file
 * system, which for a point of a few files can cost more than it saves.
 */
const SYNCFS_FROM = 16;

/** A record submitted to the applier, in LSN order. */
interface Applying {
  lsn: number;
  settled: boolean;
  error: unknown;
  /** Settles (never rejects) when the record is done. */
  done: Promise<void> | undefined;
}

/** The current connection: its socket and the applier of its records. */
interface Link {
  ws: WebSocket;
  applier: TreeApplier;
  /**
   * An fsync at a durability point failed: what it covered may be lost
   * while a later fsync says all is well (Linux reports a writeback error
   * once), so nothing more is made durable on this connection; the next
   * one applies those records again from the durable position.
   */
  syncFailed: boolean;
  /**
   * The target folder, open for the whole connection: syncfs reports a
   * writeback error once per descriptor since it was opened, so it is
   * opened before anything it vouches for is written.
   */
  targetFd: number | undefined;
}

export class ReplicaDaemon {
  readonly upstream: string;
  readonly target: string;
  readonly stateDir: string;

  /** The conversation (session.ts); replaced, never changed in place. */
  private s: SessionState;
  private readonly token: string | undefined;
  private tls: UpstreamTls | undefined;
  private readonly preserve: PreservePolicy;
  private readonly problems: ReplicaProblem[] = [];
  private problemCount = 0;
  private readonly logger: Logger;

  /** The snapshot being written into the target, while bootstrapping. */
  private writer: SnapshotWriter | undefined;
  private stopped = false;
  private link: Link | undefined;
  /** Batch messages received on this connection and not yet taken up (they wait their turn). */
  private batchesQueued = 0;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly appliedWaiters = new Set<() => void>();
  private readonly observers = new Set<ReplicaObserver>();
  /** Records submitted to the applier and not yet fed as `applied`, oldest first. */
  private applying: Applying[] = [];
  /** Bytes of the data of records in flight, not yet settled. */
  private applyingBytes = 0;
  /** Bytes of received messages not yet handled (QUEUED_BYTES). */
  private queuedBytes = 0;
  /** The position a durability point failed to make durable (see `persist`). */
  private persistFloor: { journalId: string; lsn: number } | undefined;
  /** The applier's file-system calls (inline while quick), across connections. */
  private readonly io: InlineFs;
  /** Durability points of many paths may be one syncfs of the target's file system (SYNCFS_FROM). */
  private syncfs = false;

  /** TLS material for the connections made from now on (a reload: SIGHUP). */
  setUpstreamTls(tls: UpstreamTls | undefined): void {
    this.tls = tls;
  }

  private constructor(o: ReplicaOptions, stateDir: string, position: Position) {
    this.upstream = o.upstream;
    this.target = resolve(o.target);
    this.stateDir = stateDir;
    this.token = o.token;
    this.tls = o.tls;
    this.preserve = o.preserve ?? 'safe';
    this.logger = o.logger ?? silentLogger;
    this.io = new InlineFs({
      onSlow: (ms, coolOffMs) =>
        this.logger.warn(
          { ms: Math.round(ms), coolOffMs },
          'a file-system call on the target was slow: calls go through the thread pool for a while',
        ),
    });
    this.s = newSession(
      {
        window: o.window ?? 4096,
        heartbeatMs: o.heartbeatMs ?? 5000,
        backoffMinMs: o.backoffMinMs ?? 200,
        backoffMaxMs: o.backoffMaxMs ?? 10_000,
      },
      position,
      Date.now(),
    );
  }

  /** Loads (or creates) the state, checks the target, and starts following the primary. */
  static async start(o: ReplicaOptions): Promise<ReplicaDaemon> {
    const target = resolve(o.target);
    const stateDir = resolve(o.stateDir ?? defaultStateDir(target));
    if (stateDir === target || stateDir.startsWith(`${target}/`)) {
      throw new ReplicaError(
        'FSJ_ERR_REPLICA_STATE',
        `state folder ${stateDir} is inside the target`,
      );
    }
    await mkdirDurable(target);
    let position = await loadPosition(stateDir);
    if (!position) {
      // A new replica starts from an empty target: it will hold exactly the primary's tree.
      if ((await readdir(target)).length > 0) {
        throw new ReplicaError(
          'FSJ_ERR_REPLICA_STATE',
          `target ${target} is not empty and has no replica state`,
        );
      }
      position = newPosition(
        o.id ??
          `${hostname()
            .replace(/[^A-Za-z0-9._-]/g, '-')
            .slice(0, 40)}-${randomBytes(3).toString('hex')}`,
      );
      await savePosition(stateDir, position);
    } else if (o.id !== undefined && o.id !== position.replicaId) {
      position = { ...position, replicaId: o.id };
      await savePosition(stateDir, position);
    }
    if (position.bootstrap) {
      o.logger?.warn(
        { checkpoint: position.bootstrap.checkpointId },
        'replica was cut in the middle of a bootstrap: emptying the target to start it again',
      );
      position = newPosition(position.replicaId);
      await abandonBootstrap(target, stateDir, position);
    }
    const d = new ReplicaDaemon(o, stateDir, position);
    d.syncfs = await syncfsCovers(target);
    d.loop = d.run();
    return d;
  }

  get id(): string {
    return this.s.position.replicaId;
  }

  status(): ReplicaStatus {
    const s = this.s;
    const lagRecords = Math.max(0, s.upstreamLsn - s.appliedLsn);
    return {
      role: 'replica',
      id: s.position.replicaId,
      upstream: this.upstream,
      state: s.phase,
      journalId: s.position.journalId,
      appliedLsn: s.appliedLsn,
      durableLsn: s.position.appliedLsn,
      receivedLsn: Math.max(s.receivedLsn, s.appliedLsn),
      upstreamLsn: s.upstreamLsn,
      lagRecords,
      lagMs: lagRecords > 0 ? Date.now() - s.caughtUpAt : 0,
      lastError: s.lastError,
      reconnects: s.reconnects,
      skippedRecords: s.skipped,
      bootstrap: this.writer ? { ...this.writer.progress } : null,
      bootstraps: s.bootstraps,
      preserve: this.preserve,
      problems: [...this.problems],
      problemCount: this.problemCount,
    };
  }

  /** Notes what `--preserve safe` left out: in `problems`, and once in the log. */
  private notPreserved = (n: NotPreserved): void => {
    const p: ReplicaProblem = {
      path: n.path,
      code: 'FSJ_ERR_REPLICA_NOT_PRESERVED',
      message: `${n.what} not applied (--preserve safe)`,
      lsn: n.lsn,
      at: new Date().toISOString(),
    };
    this.problemCount++;
    this.problems.push(p);
    if (this.problems.length > PROBLEMS_KEPT) this.problems.shift();
    this.logger.warn({ path: p.path, lsn: p.lsn, code: p.code }, p.message);
  };

  /** Adds an observer of applied batches and errors; returns the function that removes it. */
  observe(observer: ReplicaObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  private notify(call: (o: ReplicaObserver) => void): void {
    for (const o of this.observers) {
      try {
        call(o);
      } catch {
        // metrics never stop the stream
      }
    }
  }

  /** Resolves true once `lsn` is applied and durable, false after `timeoutMs`. */
  async waitForDurable(lsn: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.s.position.appliedLsn < lsn) {
      const left = deadline - Date.now();
      if (left <= 0 || this.stopped) return false;
      await new Promise<void>((res) => {
        const t = setTimeout(done, left);
        function done(): void {
          clearTimeout(t);
          res();
        }
        this.appliedWaiters.add(done);
      });
    }
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.link?.ws.close(1001, 'replica stopping');
    this.wake?.();
    await this.loop;
    for (const w of this.appliedWaiters) w();
  }

  /** Connects, streams until the connection ends, and reconnects with backoff and jitter. */
  private async run(): Promise<void> {
    while (!this.stopped && !this.s.fatal) {
      let streamed = false;
      try {
        await this.feed({ type: 'connect' });
        streamed = await this.connection();
      } catch (err) {
        const failure = isStreamFailure(err)
          ? err
          : new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', String(err));
        await this.feed({ type: 'ended', failure });
      }
      if (this.stopped) break;
      await this.feed({ type: 'retry', streamed, random: Math.random() });
    }
  }

  /**
   * Feeds one event to the conversation and carries out its actions in
   * order. Actions that touch nothing asynchronous run synchronously, so an
   * event with only those is handled before this returns.
   */
  private async feed(e: SessionEvent): Promise<void> {
    const { state, actions } = step(this.s, e, Date.now());
    this.s = state;
    for (const a of actions) {
      const pending = this.carry(a);
      if (pending) await pending;
    }
  }

  /**
   * One connection: Hello, then Welcome (or Resync, or a snapshot), then
   * batches applied in order. Resolves when the connection closes; true when
   * records flowed.
   */
  private connection(): Promise<boolean> {
    void this.feed({ type: 'dial' });
    return new Promise<boolean>((resolveConnection, rejectConnection) => {
      const headers: Record<string, string> = {};
      if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
      const ws = new WebSocket(this.upstream, {
        headers,
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 10_000,
        ...this.tls,
      });
      // A new file's content past a few MiB waits for its commit on disk, not in memory.
      const applier = new TreeApplier(this.target, {
        atomicCreate: true,
        spoolDir: this.stateDir,
        fs: this.io,
        preserve: this.preserve,
        onNotPreserved: this.notPreserved,
      });
      const targetFd = this.syncfs
        ? openSync(this.target, fsc.O_RDONLY | fsc.O_DIRECTORY)
        : undefined;
      this.link = { ws, applier, syncFailed: false, targetFd };
      this.batchesQueued = 0;
      this.queuedBytes = 0;
      let chain = Promise.resolve();
      const beat = setInterval(() => void this.feed({ type: 'tick' }), this.s.config.heartbeatMs);

      ws.on('unexpected-response', (_req, res) => {
        res.resume();
        void this.feed({ type: 'refused', status: res.statusCode });
      });
      ws.on('open', () => void this.feed({ type: 'open' }));
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        void this.feed({ type: 'heard' });
        let message: StreamMessage;
        try {
          if (!isBinary) throw new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'text frame');
          message = decodeMessage(data);
        } catch (err) {
          const error = isStreamFailure(err)
            ? err
            : new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', String(err));
          void this.feed({ type: 'fault', error });
          return;
        }
        // Messages are handled one at a time, in order.
        const isBatch = message.type === 'batch';
        if (isBatch) this.batchesQueued++;
        this.queuedBytes += data.length;
        if (this.queuedBytes > QUEUED_BYTES && !ws.isPaused) ws.pause();
        chain = chain.then(async () => {
          if (isBatch) this.batchesQueued--;
          try {
            await this.feed({ type: 'message', message });
          } catch (err) {
            void this.feed({ type: 'fault', error: applyFailure(err) });
          } finally {
            this.queuedBytes -= data.length;
            if (this.queuedBytes <= QUEUED_BYTES / 2 && ws.isPaused) ws.resume();
          }
        });
      });
      ws.on('close', () => {
        clearInterval(beat);
        void chain.then(async () => {
          // Records still in flight after a failure end before anything is persisted.
          await this.settleAll().catch(() => undefined);
          // A failed persist here leaves the position where it was.
          await this.feed({ type: 'closed', openTxn: applier.oldestOpenTxn }).catch(
            () => undefined,
          );
          this.link = undefined;
          await applier.close().catch(() => undefined);
          if (targetFd !== undefined) closeSync(targetFd);
          const { failure, flowed } = this.s.conn;
          if (failure && !this.stopped) rejectConnection(failure);
          else resolveConnection(flowed);
        });
      });
      ws.on('error', (err) => {
        const code = (err as NodeJS.ErrnoException).code;
        void this.feed({ type: 'socket-error', message: err.message, code });
      });
    });
  }

  /** Carries out one action; returns a promise when it has to wait for I/O. */
  private carry(a: SessionAction): Promise<void> | undefined {
    switch (a.type) {
      case 'send': {
        const ws = this.link?.ws;
        if (ws?.readyState === WebSocket.OPEN) ws.send(encodeMessage(a.message));
        return;
      }
      case 'close':
        this.link?.ws.close(a.code, a.reason);
        return;
      case 'terminate':
        this.link?.ws.terminate();
        return;
      case 'save-position':
        return savePosition(this.stateDir, a.position);
      case 'record-journal':
        return this.recordJournal(a.position, a.welcome);
      case 'persist':
        return this.persist(a.position);
      case 'apply-batch':
        return this.applyBatch(a.batch);
      case 'apply-record':
        return this.applyRecord(a.entry);
      case 'open-snapshot':
        this.writer = new SnapshotWriter(this.target, a.begin, {
          policy: this.preserve,
          onNotPreserved: this.notPreserved,
        });
        return;
      case 'start-snapshot':
        return this.snapshotWriter().start();
      case 'write-piece':
        return this.writePiece(a.piece);
      case 'finish-snapshot':
        return this.finishSnapshot(a.end, a.position);
      case 'abort-snapshot':
        return this.abortSnapshot();
      case 'clear-target':
        return this.clearTarget();
      case 'check-target':
        return this.checkTarget();
      case 'abandon-snapshot':
        return this.abandon(a.position);
      case 'wake-waiters':
        for (const w of this.appliedWaiters) w();
        this.appliedWaiters.clear();
        return;
      case 'log':
        this.logger[a.level](a.fields, a.msg);
        return;
      case 'report-bootstrap': {
        const { seconds, files, bytes } = a;
        this.notify((o) => o.onBootstrapped?.({ seconds, files, bytes }));
        return;
      }
      case 'report-error':
        this.notify((o) => o.onError?.(a.code));
        return;
      case 'wait':
        return this.sleep(a.ms);
    }
  }

  private currentLink(): Link {
    if (!this.link) throw new Error('no connection');
    return this.link;
  }

  private snapshotWriter(): SnapshotWriter {
    if (!this.writer) throw new Error('no snapshot in progress');
    return this.writer;
  }

  private async recordJournal(position: Position, welcome: Welcome): Promise<void> {
    await savePosition(this.stateDir, position);
    await this.feed({ type: 'journal-recorded', welcome });
  }

  private async persist(position: Position): Promise<void> {
    const link = this.currentLink();
    const { applier } = link;
    // Nothing may still be writing when what it touched is fsynced.
    await this.drain(false);
    if (link.syncFailed) {
      throw new ReplicaError(
        'FSJ_ERR_REPLICA_APPLY_IO',
        'an fsync failed on this connection: nothing more is made durable before its records are applied again',
        { retryable: true },
      );
    }
    // After a failed durability point, the next covers at least as much:
    // the records after the durable position are applied and fsynced again
    // as a whole, as the failed one would have, never a part of them.
    const floor = this.persistFloor;
    if (floor && floor.journalId === position.journalId && position.appliedLsn < floor.lsn) return;
    const { first, last } = applier.takeTouched();
    try {
      if (link.targetFd !== undefined && first.length + last.length >= SYNCFS_FROM) {
        // One call for the group; the file system's own journal keeps each
        // rename whole, so the order `last` asks of fsyncs holds within it.
        await syncFileSystem(link.targetFd, `syncfs ${this.target}`);
      } else {
        await syncTouched(applier.beneath, first);
        await syncTouched(applier.beneath, last);
      }
    } catch (err) {
      link.syncFailed = true;
      this.persistFloor = { journalId: position.journalId, lsn: position.appliedLsn };
      throw err;
    }
    this.persistFloor = undefined;
    await savePosition(this.stateDir, position);
    applier.durableThrough(position.appliedLsn);
    await this.feed({ type: 'durable', position });
  }

  private async applyBatch(b: Batch): Promise<void> {
    const { applier } = this.currentLink();
    const started = performance.now();
    for (const f of b.frames) {
      const entry = toEntry(f);
      const skip = this.s.conn.skip;
      const closesWindow = applier.closesWindow(entry);
      const reshapes = applier.reshapes(entry);
      // A committed transaction that moves nothing goes in flight like a
      // record (a tar -x is a transaction per file).
      const alone = closesWindow || reshapes || (skip !== undefined && entry.lsn <= skip.through);
      // The session sees records applied in LSN order, and a persist only
      // when nothing is in flight: drain before a record that persists or
      // stands alone, and keep at most APPLY_IN_FLIGHT records going.
      if (alone) await this.drain(false);
      else {
        while (
          this.applying.length >= APPLY_IN_FLIGHT ||
          (this.applyingBytes >= APPLY_IN_FLIGHT_BYTES && this.applying.length > 0)
        )
          await this.drain(true);
      }
      await this.feed({
        type: 'record',
        entry,
        closesWindow,
        reshapes,
        openTxn: applier.oldestOpenTxn,
      });
      if (alone) await this.drain(false);
    }
    // With another batch waiting, its records join those still in flight
    // (a persist drains them first); caught up, everything is done before
    // the session hears of it, so it can persist at once.
    if (this.batchesQueued === 0) await this.drain(false);
    const skipped = applier.skipped;
    applier.skipped = 0;
    await this.feed({
      type: 'batch-applied',
      skipped,
      openTxn: applier.oldestOpenTxn,
      more: this.batchesQueued > 0,
    });
    const seconds = (performance.now() - started) / 1000;
    this.notify((o) => o.onBatchApplied?.({ records: b.frames.length, seconds }));
  }

  /** Starts applying a record; `applied` is fed once it and every record before it are done. */
  private async applyRecord(entry: JournalEntry): Promise<void> {
    const { applier } = this.currentLink();
    const bytes = entry.record.data.length;
    const a: Applying = { lsn: entry.lsn, settled: false, error: undefined, done: undefined };
    this.applyingBytes += bytes;
    a.done = applier.submit(entry).then(
      () => {
        a.settled = true;
        this.applyingBytes -= bytes;
      },
      (err: unknown) => {
        a.settled = true;
        this.applyingBytes -= bytes;
        a.error = err ?? new Error('apply failed');
      },
    );
    this.applying.push(a);
    await this.feedApplied();
  }

  /** Feeds `applied` for the done prefix of the records in flight; throws the first failure. */
  private async feedApplied(): Promise<void> {
    const { applier } = this.currentLink();
    while (this.applying.length > 0 && this.applying[0]!.settled) {
      const a = this.applying.shift()!;
      if (a.error !== undefined) {
        // Nothing may still be running when the connection persists and closes.
        await this.settleAll();
        throw a.error;
      }
      await this.feed({ type: 'applied', lsn: a.lsn, openTxn: applier.oldestOpenTxn });
    }
  }

  /**
   * Waits for records in flight and feeds `applied` for them in order: all
   * of them, or with `one` just until the oldest is done.
   */
  private async drain(one: boolean): Promise<void> {
    while (this.applying.length > 0) {
      const before = this.applying.length;
      await this.applying[0]!.done;
      await this.feedApplied();
      if (one && this.applying.length < before) return;
    }
  }

  /** Waits for every record in flight, failed or not, and forgets them. */
  private async settleAll(): Promise<void> {
    if (this.applying.length === 0) return;
    await Promise.all(this.applying.map((a) => a.done));
    this.applying = [];
  }

  private async writePiece(p: SnapshotPiece): Promise<void> {
    await this.snapshotWriter().piece(p);
    await this.feed({ type: 'piece-written', seq: p.seq });
  }

  private async finishSnapshot(end: SnapshotEnd, position: Position): Promise<void> {
    const w = this.snapshotWriter();
    await w.finish(end);
    // The tree is durable: now the position may say so.
    await savePosition(this.stateDir, position);
    this.writer = undefined;
    await this.feed({
      type: 'snapshot-finished',
      pieces: w.pieces,
      files: w.progress.filesDone,
      bytes: w.progress.bytesDone,
      startedAt: w.progress.startedAt,
    });
  }

  /** Closes what is open (a connection that ended mid-snapshot). */
  private async abortSnapshot(): Promise<void> {
    await this.writer?.abort();
    this.writer = undefined;
  }

  private async clearTarget(): Promise<void> {
    await emptyDir(this.target);
    await this.feed({ type: 'target-cleared' });
  }

  private async checkTarget(): Promise<void> {
    const st = await lstat(this.target);
    if (!st.isDirectory())
      throw new ReplicaError('FSJ_ERR_REPLICA_STATE', 'target is not a directory');
  }

  private async abandon(position: Position): Promise<void> {
    await abandonBootstrap(this.target, this.stateDir, position);
    await this.feed({ type: 'abandoned', position });
  }

  /** Waits `ms` before the next connection; `stop()` cuts it short. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((res) => {
      const t = setTimeout(res, ms);
      this.wake = () => {
        clearTimeout(t);
        res();
      };
    });
  }
}

/**
 * fsyncs files written and directories changed, so a position covering them
 * can be persisted: many at once (they wait on the disk, not on this
 * thread). The caller syncs folders that only lost entries last.
 */
async function syncTouched(beneath: Beneath, paths: string[]): Promise<void> {
  let next = 0;
  let failure: unknown;
  async function worker(): Promise<void> {
    while (next < paths.length && failure === undefined) {
      const p = paths[next++]!;
      try {
        await syncOne(beneath, p);
      } catch (err) {
        failure ??= err;
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(SYNC_IN_FLIGHT, paths.length) }, worker));
  if (failure !== undefined) throw failure;
}

async function syncOne(beneath: Beneath, rel: string): Promise<void> {
  try {
    await beneath.fsync(rel);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') return; // gone since
    throw err;
  }
}

/**
 * A bootstrap that did not finish: the target holds part of a checkpoint,
 * the tree of no LSN. Empty it, then write `fresh` (a new replica's
 * position, without the marker): the primary sends the snapshot again (no
 * resume).
 */
async function abandonBootstrap(target: string, stateDir: string, fresh: Position): Promise<void> {
  await emptyDir(target);
  await savePosition(stateDir, fresh);
}
