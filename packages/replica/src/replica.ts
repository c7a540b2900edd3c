/**
 * The replica daemon: follows a primary's stream, applies records to
 * `target` in LSN order, makes them durable, persists its position, and
 * acknowledges. Survives being killed at any moment (it resumes from its
 * durable position and re-applies idempotently) and reconnects with backoff
 * and jitter. Its status is what `GET /v1/status` on the replica reports.
 */
import { constants as fsc } from 'node:fs';
import { lstat, open, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import {
  isJournalError,
  mkdirDurable,
  silentLogger,
  TreeApplier,
  type Logger,
} from '@fsjournal/journal';
import { toEntry } from '@fsjournal/journal/internal';
import {
  isStreamFailure,
  ReplicaError,
  type ReplicaErrorCode,
  type StreamFailure,
} from './errors.js';
import { loadPosition, savePosition, type Position } from './position.js';
import {
  decodeMessage,
  encodeMessage,
  ProtocolError,
  MAX_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  ResyncReason,
  type Batch,
  type SnapshotBegin,
  type StreamMessage,
} from '@fsjournal/journal/wire';
import { emptyDir, SnapshotWriter, type BootstrapProgress } from './snapshot_writer.js';

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

export type ReplicaState = 'connecting' | 'bootstrapping' | 'streaming' | 'resyncing' | 'error';

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
}

/** Default state folder for a target: a sibling, never inside the target. */
export function defaultStateDir(target: string): string {
  const abs = resolve(target);
  return join(dirname(abs), `${basename(abs)}.fsjournal-state`);
}

function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

export class ReplicaDaemon {
  readonly upstream: string;
  readonly target: string;
  readonly stateDir: string;

  private position: Position;
  private readonly token: string | undefined;
  private readonly window: number;
  private readonly heartbeatMs: number;
  private readonly backoffMinMs: number;
  private readonly backoffMaxMs: number;
  private readonly logger: Logger;

  private state: ReplicaState = 'connecting';
  /**
   * What status and Acks call applied: every record up to it has its effect
   * in the target. Only moves forward: a new connection starts again from
   * the durable position and re-applies what lies between, which takes
   * nothing away. A resync (a new history) starts it again from 0.
   */
  private appliedLsn: number;
  /** The current connection's newest LSN received (applied or held). */
  private receivedLsn: number;
  private upstreamLsn = 0;
  private caughtUpAt = Date.now();
  private lastError: ReplicaStatus['lastError'] = null;
  private reconnects = 0;
  private skipped = 0;
  /** The snapshot being written into the target, while bootstrapping. */
  private writer: SnapshotWriter | undefined;
  private bootstraps = 0;
  private stopped = false;
  private fatal = false;
  private socket: WebSocket | undefined;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private readonly appliedWaiters = new Set<() => void>();
  private readonly observers = new Set<ReplicaObserver>();

  private constructor(o: ReplicaOptions, stateDir: string, position: Position) {
    this.upstream = o.upstream;
    this.target = resolve(o.target);
    this.stateDir = stateDir;
    this.position = position;
    this.appliedLsn = position.appliedLsn;
    this.receivedLsn = position.appliedLsn;
    this.token = o.token;
    this.window = o.window ?? 4096;
    this.heartbeatMs = o.heartbeatMs ?? 5000;
    this.backoffMinMs = o.backoffMinMs ?? 200;
    this.backoffMaxMs = o.backoffMaxMs ?? 10_000;
    this.logger = o.logger ?? silentLogger;
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
      position = {
        replicaId:
          o.id ??
          `${hostname()
            .replace(/[^A-Za-z0-9._-]/g, '-')
            .slice(0, 40)}-${randomBytes(3).toString('hex')}`,
        journalId: '',
        appliedLsn: 0,
      };
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
      position = await abandonBootstrap(target, stateDir, position);
    }
    const d = new ReplicaDaemon(o, stateDir, position);
    d.loop = d.run();
    return d;
  }

  get id(): string {
    return this.position.replicaId;
  }

  status(): ReplicaStatus {
    const lagRecords = Math.max(0, this.upstreamLsn - this.appliedLsn);
    return {
      role: 'replica',
      id: this.position.replicaId,
      upstream: this.upstream,
      state: this.state,
      journalId: this.position.journalId,
      appliedLsn: this.appliedLsn,
      durableLsn: this.position.appliedLsn,
      receivedLsn: Math.max(this.receivedLsn, this.appliedLsn),
      upstreamLsn: this.upstreamLsn,
      lagRecords,
      lagMs: lagRecords > 0 ? Date.now() - this.caughtUpAt : 0,
      lastError: this.lastError,
      reconnects: this.reconnects,
      skippedRecords: this.skipped,
      bootstrap: this.writer ? { ...this.writer.progress } : null,
      bootstraps: this.bootstraps,
    };
  }

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
    while (this.position.appliedLsn < lsn) {
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
    this.socket?.close(1001, 'replica stopping');
    this.wake?.();
    await this.loop;
    for (const w of this.appliedWaiters) w();
  }

  private setError(code: ReplicaErrorCode | string, message: string): void {
    this.lastError = { code, message, at: new Date().toISOString() };
    this.notify((o) => o.onError?.(code));
  }

  /** Connects, streams until the connection ends, and reconnects with backoff and jitter. */
  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped && !this.fatal) {
      this.state = 'connecting';
      let streamed = false;
      try {
        // A bootstrap cut short (the connection ended) leaves no LSN's tree.
        if (this.position.bootstrap)
          this.position = await abandonBootstrap(this.target, this.stateDir, this.position);
        streamed = await this.session();
      } catch (err) {
        const e = isStreamFailure(err)
          ? err
          : new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', String(err));
        this.setError(e.code, e.message);
        this.logger.warn({ code: e.code, err: e.message }, 'replica stream ended');
        if (e.code === 'FSJ_ERR_REPLICA_REFUSED_RECORD') this.fatal = true;
      }
      if (this.stopped) break;
      if (this.fatal) {
        this.state = 'error';
        this.logger.error(
          { lastError: this.lastError },
          'replica stopped applying; fix the cause and restart it',
        );
        break;
      }
      // session() may have moved the state on (TypeScript cannot see that).
      const resyncing = (this.state as ReplicaState) === 'resyncing';
      if (!resyncing) this.state = this.lastError ? 'error' : 'connecting';
      attempt = streamed ? 0 : attempt + 1;
      this.reconnects++;
      const base = Math.min(this.backoffMaxMs, this.backoffMinMs * 2 ** Math.min(attempt, 16));
      const delay = resyncing ? 0 : Math.round(base * (0.5 + Math.random() / 2));
      await new Promise<void>((res) => {
        const t = setTimeout(res, delay);
        this.wake = () => {
          clearTimeout(t);
          res();
        };
      });
    }
  }

  /**
   * One connection: Hello, then Welcome (or Resync), then batches applied in
   * order. Resolves when the connection closes; true when records flowed.
   */
  private session(): Promise<boolean> {
    // This connection starts over from the durable position: what an earlier
    // one held of an open transaction, or applied and could not make durable,
    // comes again.
    this.receivedLsn = this.position.appliedLsn;
    return new Promise<boolean>((resolveSession, rejectSession) => {
      const headers: Record<string, string> = {};
      if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
      const ws = new WebSocket(this.upstream, {
        headers,
        maxPayload: MAX_MESSAGE_BYTES,
        handshakeTimeout: 10_000,
      });
      this.socket = ws;
      const applier = new TreeApplier(this.target, { atomicCreate: true });
      let flowed = false;
      let failure: StreamFailure | undefined;
      let chain = Promise.resolve();
      let lastHeard = Date.now();
      let lastPersist = 0;

      const fail = (e: StreamFailure): void => {
        failure ??= e;
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(encodeMessage({ type: 'error', code: e.code, message: e.message.slice(0, 500) }));
        }
        ws.close(1011, e.code);
      };
      const send = (m: StreamMessage): void => {
        if (ws.readyState === WebSocket.OPEN) ws.send(encodeMessage(m));
      };
      const beat = setInterval(() => {
        if (Date.now() - lastHeard > this.heartbeatMs * 3) {
          fail(
            new ReplicaError(
              'FSJ_ERR_REPLICA_UPSTREAM',
              'no message from the primary for 3 heartbeats',
              { retryable: true },
            ),
          );
          ws.terminate();
          return;
        }
        send({ type: 'heartbeat', timeMs: Date.now(), newestLsn: this.appliedLsn });
      }, this.heartbeatMs);

      ws.on('unexpected-response', (_req, res) => {
        const code =
          res.statusCode === 401 || res.statusCode === 403
            ? 'FSJ_ERR_REPLICA_AUTH'
            : 'FSJ_ERR_REPLICA_UPSTREAM';
        failure ??= new ReplicaError(
          code,
          `primary answered the upgrade with HTTP ${res.statusCode}`,
          { retryable: true },
        );
        res.resume();
        ws.terminate();
      });
      ws.on('open', () => {
        send({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          replicaId: this.position.replicaId,
          journalId: this.position.journalId,
          lastAppliedLsn: this.position.appliedLsn,
          window: this.window,
        });
      });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        lastHeard = Date.now();
        let m: StreamMessage;
        try {
          if (!isBinary) throw new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'text frame');
          m = decodeMessage(data);
        } catch (err) {
          fail(
            isStreamFailure(err) ? err : new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', String(err)),
          );
          return;
        }
        // Messages are handled one at a time, in order.
        chain = chain.then(async () => {
          if (failure) return;
          try {
            await handle(m);
          } catch (err) {
            fail(this.classify(err));
          }
        });
      });
      ws.on('close', () => {
        clearInterval(beat);
        void chain.then(async () => {
          await this.writer?.abort();
          this.writer = undefined;
          // What was applied is made durable before this session is over.
          if (!failure || failure.code !== 'FSJ_ERR_REPLICA_REFUSED_RECORD')
            await persist().catch(() => undefined);
          this.socket = undefined;
          if (failure && !this.stopped) rejectSession(failure);
          else resolveSession(flowed);
        });
      });
      ws.on('error', (err) => {
        failure ??= new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', `upstream: ${err.message}`, {
          retryable: true,
        });
      });

      /**
       * The newest LSN this connection has applied with every record before
       * it: up to the last record processed, or to just before the TXN_BEGIN
       * of the oldest transaction still open (its records are held, not
       * applied). What may be persisted, and what an Ack calls applied.
       */
      const appliedHere = (): number => {
        const open = applier.oldestOpenTxn;
        return open === undefined ? this.receivedLsn : Math.min(this.receivedLsn, open - 1);
      };

      const persist = async (): Promise<void> => {
        const safe = appliedHere();
        if (safe <= this.position.appliedLsn) return;
        await this.syncTouched(applier.takeTouched());
        // Status says durable only once it is: the file first, then memory.
        const next = { ...this.position, appliedLsn: safe };
        if (next.skipThrough !== undefined && safe >= next.skipThrough) {
          delete next.skipThrough;
          delete next.keepTxns;
        }
        await savePosition(this.stateDir, next);
        this.position = next;
        lastPersist = Date.now();
        for (const w of this.appliedWaiters) w();
        this.appliedWaiters.clear();
      };

      const handle = async (m: StreamMessage): Promise<void> => {
        switch (m.type) {
          case 'welcome':
            if (this.state !== 'connecting')
              throw new ProtocolError('FSJ_ERR_PROTOCOL_UNEXPECTED', `welcome while ${this.state}`);
            if (this.position.journalId !== '' && this.position.journalId !== m.journalId) {
              throw new ProtocolError(
                'FSJ_ERR_PROTOCOL_UNEXPECTED',
                `welcome for journal ${m.journalId}`,
              );
            }
            if (this.position.journalId === '') {
              this.position = { ...this.position, journalId: m.journalId };
              await savePosition(this.stateDir, this.position);
            }
            this.upstreamLsn = Math.max(this.upstreamLsn, m.newestLsn);
            this.state = 'streaming';
            this.lastError = null;
            if (this.appliedLsn >= this.upstreamLsn) this.caughtUpAt = Date.now();
            this.logger.info(
              { journalId: m.journalId, from: this.receivedLsn + 1, newest: m.newestLsn },
              'replica streaming',
            );
            return;
          case 'resync':
            await this.resync(m.reason, m.detail);
            ws.close(1000, 'resync');
            return;
          case 'batch':
            await applyBatch(m);
            return;
          case 'snapshot-begin':
            await beginSnapshot(m);
            return;
          case 'snapshot-piece': {
            if (!this.writer)
              throw new ProtocolError(
                'FSJ_ERR_PROTOCOL_UNEXPECTED',
                'snapshot piece before its begin',
              );
            await this.writer.piece(m);
            flowed = true;
            send({ type: 'ack', appliedLsn: 0, durableLsn: 0, receivedLsn: 0, snapshotSeq: m.seq });
            return;
          }
          case 'snapshot-end': {
            const w = this.writer;
            if (!w)
              throw new ProtocolError(
                'FSJ_ERR_PROTOCOL_UNEXPECTED',
                'snapshot end before its begin',
              );
            await w.finish(m);
            // The tree is durable: now the position may say so.
            const b = w.begin;
            const at = b.replayFromLsn - 1;
            const next: Position = {
              replicaId: this.position.replicaId,
              journalId: b.journalId,
              appliedLsn: at,
            };
            if (at < b.lsn) {
              next.skipThrough = b.lsn;
              next.keepTxns = b.openTxns.map((t) => t.txn);
            }
            await savePosition(this.stateDir, next);
            this.position = next;
            this.writer = undefined;
            this.appliedLsn = Math.max(this.appliedLsn, at);
            this.receivedLsn = at;
            this.bootstraps++;
            this.state = 'streaming';
            if (this.appliedLsn >= this.upstreamLsn) this.caughtUpAt = Date.now();
            for (const wake of this.appliedWaiters) wake();
            this.appliedWaiters.clear();
            const seconds = (Date.now() - Date.parse(w.progress.startedAt)) / 1000;
            this.logger.info(
              {
                checkpoint: b.checkpointId,
                lsn: b.lsn,
                files: w.progress.filesDone,
                bytes: w.progress.bytesDone,
                seconds,
                from: at + 1,
              },
              'replica bootstrapped from a checkpoint; streaming the records after it',
            );
            this.notify((o) =>
              o.onBootstrapped?.({
                seconds,
                files: w.progress.filesDone,
                bytes: w.progress.bytesDone,
              }),
            );
            send({
              type: 'ack',
              appliedLsn: at,
              durableLsn: at,
              receivedLsn: at,
              snapshotSeq: w.pieces,
            });
            return;
          }
          case 'heartbeat':
            this.upstreamLsn = Math.max(this.upstreamLsn, m.newestLsn);
            return;
          case 'error':
            throw new ReplicaError('FSJ_ERR_REPLICA_UPSTREAM', `primary: ${m.code}: ${m.message}`, {
              retryable: true,
            });
          default:
            throw new ProtocolError('FSJ_ERR_PROTOCOL_UNEXPECTED', `${m.type} from the primary`);
        }
      };

      /** The primary sends a checkpoint instead of a Welcome: this replica is new and LSN 1 is gone. */
      const beginSnapshot = async (m: SnapshotBegin): Promise<void> => {
        if (this.state !== 'connecting' || this.writer)
          throw new ProtocolError(
            'FSJ_ERR_PROTOCOL_UNEXPECTED',
            `snapshot begin while ${this.state}`,
          );
        if (this.position.journalId !== '' || this.position.appliedLsn !== 0)
          throw new ProtocolError(
            'FSJ_ERR_PROTOCOL_UNEXPECTED',
            'snapshot begin for a replica that has a position (the primary should have sent Resync)',
          );
        const w = new SnapshotWriter(this.target, m);
        this.writer = w;
        this.state = 'bootstrapping';
        this.lastError = null;
        this.upstreamLsn = Math.max(this.upstreamLsn, m.newestLsn);
        // The marker first: from here until the position names the
        // checkpoint, a restart empties the target and starts over.
        this.position = {
          ...this.position,
          bootstrap: { journalId: m.journalId, checkpointId: m.checkpointId, lsn: m.lsn },
        };
        await savePosition(this.stateDir, this.position);
        this.logger.info(
          {
            journalId: m.journalId,
            checkpoint: m.checkpointId,
            lsn: m.lsn,
            files: m.files,
            bytes: m.bytes,
            oldestLsn: m.oldestLsn,
          },
          'replica bootstrapping from a checkpoint (the primary no longer holds lsn 1)',
        );
        await w.start();
      };

      const applyBatch = async (b: Batch): Promise<void> => {
        if (this.state !== 'streaming')
          throw new ProtocolError('FSJ_ERR_PROTOCOL_UNEXPECTED', 'batch before welcome');
        if (b.firstLsn !== this.receivedLsn + 1) {
          throw new ProtocolError(
            'FSJ_ERR_PROTOCOL_INVALID',
            `batch starts at ${b.firstLsn}, expected ${this.receivedLsn + 1}`,
          );
        }
        const started = performance.now();
        const last = b.firstLsn + b.frames.length - 1;
        this.upstreamLsn = Math.max(this.upstreamLsn, last);
        const skipThrough = this.position.skipThrough ?? 0;
        const keep = new Set(this.position.keepTxns);
        for (const f of b.frames) {
          const entry = toEntry(f);
          if (f.lsn <= skipThrough && !keep.has(entry.record.txn)) {
            // In the checkpoint the target was built from; only the
            // transactions open at its LSN are replayed from their TXN_BEGIN.
            this.receivedLsn = f.lsn;
            this.appliedLsn = Math.max(this.appliedLsn, appliedHere());
            continue;
          }
          // A record that moves or removes paths cannot be applied again over
          // what the records after it did: it gets a replay window of its
          // own, the position persisted right before and right after it.
          const reshapes = applier.reshapes(entry);
          if (reshapes) await persist();
          await applier.apply(entry);
          this.receivedLsn = f.lsn;
          this.appliedLsn = Math.max(this.appliedLsn, appliedHere());
          if (reshapes) await persist();
        }
        this.skipped += applier.skipped;
        applier.skipped = 0;
        flowed = true;
        if (this.appliedLsn >= this.upstreamLsn) this.caughtUpAt = Date.now();
        if (Date.now() - lastPersist >= 20 || this.receivedLsn >= this.upstreamLsn) await persist();
        // Applied as this connection knows it (an Ack never names more than
        // was sent on it); the primary keeps the highest it was told.
        send({
          type: 'ack',
          appliedLsn: appliedHere(),
          durableLsn: this.position.appliedLsn,
          receivedLsn: this.receivedLsn,
        });
        const seconds = (performance.now() - started) / 1000;
        this.notify((o) => o.onBatchApplied?.({ records: b.frames.length, seconds }));
      };
    });
  }

  /** Turns an apply failure into the error the status reports. */
  private classify(err: unknown): StreamFailure {
    if (isStreamFailure(err)) return err;
    if (isJournalError(err)) {
      return new ReplicaError('FSJ_ERR_REPLICA_REFUSED_RECORD', err.message, { cause: err });
    }
    const code = errnoCode(err);
    if (code) {
      return new ReplicaError(
        'FSJ_ERR_REPLICA_APPLY_IO',
        `apply: ${code}: ${(err as Error).message}`,
        {
          cause: err,
          retryable: true,
        },
      );
    }
    return new ReplicaError('FSJ_ERR_REPLICA_APPLY_IO', `apply: ${String(err)}`, {
      cause: err,
      retryable: true,
    });
  }

  /** fsyncs files written and directories changed, so a position covering them can be persisted. */
  private async syncTouched(paths: string[]): Promise<void> {
    for (const p of paths) {
      let fh;
      try {
        fh = await open(p, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      } catch (err) {
        const code = errnoCode(err);
        if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR') continue; // gone since
        throw err;
      }
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
    }
  }

  /**
   * The primary cannot continue from our position: empty the target (it
   * holds nothing but the primary's tree) and start over as a new replica,
   * which the primary replays from LSN 1 or bootstraps from a checkpoint. A
   * replica that is already new and still told to resync cannot be served
   * (no LSN 1, no checkpoint): error.
   */
  private async resync(reason: ResyncReason, detail: string): Promise<void> {
    const name = ResyncReason[reason] ?? String(reason);
    if (this.position.journalId === '' && this.position.appliedLsn === 0) {
      throw new ReplicaError(
        'FSJ_ERR_REPLICA_RESYNC',
        `primary asks for a resync (${name}: ${detail}) it cannot serve`,
        {
          retryable: true,
        },
      );
    }
    this.state = 'resyncing';
    this.logger.warn(
      { reason: name, detail },
      'replica resyncing: emptying the target to replay from the start',
    );
    await emptyDir(this.target);
    this.position = { replicaId: this.position.replicaId, journalId: '', appliedLsn: 0 };
    this.appliedLsn = 0;
    this.receivedLsn = 0;
    this.upstreamLsn = 0;
    await savePosition(this.stateDir, this.position);
    const st = await lstat(this.target);
    if (!st.isDirectory())
      throw new ReplicaError('FSJ_ERR_REPLICA_STATE', 'target is not a directory');
  }
}

/**
 * A bootstrap that did not finish: the target holds part of a checkpoint,
 * the tree of no LSN. Empty it, then drop the marker: the replica is new
 * again and the primary sends the snapshot again (no resume).
 */
async function abandonBootstrap(
  target: string,
  stateDir: string,
  position: Position,
): Promise<Position> {
  await emptyDir(target);
  const next: Position = { replicaId: position.replicaId, journalId: '', appliedLsn: 0 };
  await savePosition(stateDir, next);
  return next;
}
