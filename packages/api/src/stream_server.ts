/**
 * The primary's end of the replication stream: WebSocket upgrades on
 * `/v1/stream` (bearer token checked before anything is sent), the Hello /
 * Welcome / Resync handshake, and one sender per replica that ships durable
 * records from the journal (backlog, then the live tail) within the window
 * the replica asked for. A slow replica only fills its own socket: the
 * sender waits for the socket to drain and for acknowledgements, and reads
 * from disk rather than holding records in memory.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  replayStart,
  withBlockCount,
  type CheckpointEntry,
  type CheckpointHeader,
  type Checkpoints,
  type Journal,
  type Logger,
} from '@fsjournal/journal';
import {
  decodeMessage,
  encodeMessage,
  MAX_BATCH_FRAMES,
  MAX_MESSAGE_BYTES,
  MAX_PIECE_ITEMS,
  PROTOCOL_VERSION,
  ProtocolError,
  ResyncReason,
  STREAM_PATH,
  type Hello,
  type SnapshotEntry,
  type SnapshotItem,
  type StreamMessage,
} from '@fsjournal/journal/wire';
import type { PrimaryMetrics } from './primary_metrics.js';
import type { ReplicaRegistry } from './replica_registry.js';

export interface StreamServerOptions {
  journal: Journal;
  registry: ReplicaRegistry;
  /** When set, upgrades must carry `Authorization: Bearer <token>`. */
  token?: string;
  logger?: Logger;
  heartbeatMs?: number;
  /** Bytes of a batch before it is sent. Default 1 MiB. */
  batchBytes?: number;
  /** Counts connects, reconnects and stream errors. */
  metrics?: PrimaryMetrics;
  /**
   * The journal's checkpoints: a new replica that the journal can no longer
   * serve from LSN 1 is sent the newest one (bootstrap). Without them it is
   * told to resync, which it cannot.
   */
  checkpoints?: Checkpoints;
  /** Bytes of a snapshot piece before it is sent. Default 1 MiB. */
  pieceBytes?: number;
}

/** Snapshot pieces the primary sends beyond the last one the replica acknowledged. */
export const SNAPSHOT_WINDOW = 8;

const HELLO_TIMEOUT_MS = 10_000;
/** Bytes an entry costs in a piece besides its paths (protobuf fields, times). */
const ENTRY_OVERHEAD = 64;
const SOCKET_HIGH_WATER = 8 * 1024 * 1024;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? ''); // the scheme is case-insensitive (RFC 7235)
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}

/** Serves the stream on `server`; returns a function that closes every stream. */
export function attachStreamServer(server: Server, o: StreamServerOptions): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const sessions = new Set<StreamSession>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = (req.url ?? '').split('?')[0];
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (path !== STREAM_PATH) return refuse(404, 'Not Found');
    if (o.token !== undefined && !tokenMatches(req.headers.authorization, o.token)) {
      o.logger?.warn(
        { address: req.socket.remoteAddress },
        'stream upgrade refused: bad or missing token',
      );
      return refuse(401, 'Unauthorized');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new StreamSession(
        ws,
        `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        o,
        sessions,
      );
      sessions.add(s);
    });
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    for (const s of sessions) s.close(1001, 'primary stopping');
    await new Promise<void>((res) => wss.close(() => res()));
  };
}

/** One replica connection. */
class StreamSession {
  private hello: Hello | undefined;
  private readonly abort = new AbortController();
  /**
   * The replica's last acknowledged `receivedLsn`: the window counts from it,
   * not from the applied LSN, which stays below an open transaction until its
   * commit (a transaction longer than the window would otherwise never end).
   */
  private received = 0;
  /** Highest LSN sent on this connection (acks beyond it are forged). */
  private sentLsn = 0;
  /** Snapshot pieces sent and acknowledged on this connection (bootstrap). */
  private piecesSent = 0;
  private piecesAcked = 0;
  private ackWaiter: (() => void) | undefined;
  private lastHeard = Date.now();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly address: string,
    private readonly o: StreamServerOptions,
    private readonly sessions: Set<StreamSession>,
  ) {
    const heartbeatMs = o.heartbeatMs ?? 5000;
    const helloBy = Date.now() + HELLO_TIMEOUT_MS;
    this.timer = setInterval(() => {
      if (!this.hello && Date.now() > helloBy)
        return this.fail('FSJ_ERR_PROTOCOL_UNEXPECTED', 'no hello');
      // A silent link cannot carry a close handshake either: drop it at once
      // rather than hold the session for ws's 30 s closing timeout.
      if (Date.now() - this.lastHeard > heartbeatMs * 3) return this.terminate();
      this.send({ type: 'heartbeat', timeMs: Date.now(), newestLsn: o.journal.durableLsn });
    }, heartbeatMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', () => this.closed());
    ws.on('error', () => this.closed());
  }

  get replicaId(): string | undefined {
    return this.hello?.replicaId;
  }

  private send(m: StreamMessage): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(m));
  }

  private fail(code: string, message: string): void {
    this.o.logger?.warn(
      { replica: this.replicaId, address: this.address, code, message },
      'stream closed on error',
    );
    this.o.metrics?.streamError(code, 'primary');
    this.send({ type: 'error', code, message });
    this.close(1008, code);
  }

  close(code: number, reason: string): void {
    this.abort.abort();
    this.ws.close(code, reason);
  }

  private terminate(): void {
    this.o.logger?.warn({ replica: this.hello?.replicaId }, 'replica silent: connection dropped');
    this.abort.abort();
    this.ws.terminate();
  }

  private closed(): void {
    clearInterval(this.timer);
    this.abort.abort();
    this.ackWaiter?.();
    this.sessions.delete(this);
    if (this.hello && ![...this.sessions].some((s) => s.replicaId === this.hello!.replicaId)) {
      this.o.registry.disconnected(this.hello.replicaId);
    }
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    this.lastHeard = Date.now();
    let m: StreamMessage;
    try {
      if (!isBinary) throw new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', 'text frame');
      m = decodeMessage(data);
    } catch (err) {
      const e =
        err instanceof ProtocolError
          ? err
          : new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', String(err));
      return this.fail(e.code, e.message);
    }
    switch (m.type) {
      case 'hello':
        if (this.hello) return this.fail('FSJ_ERR_PROTOCOL_UNEXPECTED', 'second hello');
        return this.onHello(m);
      case 'ack': {
        if (!this.hello) return this.fail('FSJ_ERR_PROTOCOL_UNEXPECTED', 'ack before hello');
        // decodeMessage checked durable <= applied <= received.
        if (m.receivedLsn > this.sentLsn) {
          return this.fail(
            'FSJ_ERR_PROTOCOL_INVALID',
            `ack of lsn ${m.receivedLsn}, only ${this.sentLsn} was sent`,
          );
        }
        const pieces = m.snapshotSeq ?? 0;
        if (pieces > this.piecesSent) {
          return this.fail(
            'FSJ_ERR_PROTOCOL_INVALID',
            `ack of snapshot piece ${pieces}, only ${this.piecesSent} were sent`,
          );
        }
        if (pieces > this.piecesAcked) {
          this.piecesAcked = pieces;
          this.ackWaiter?.();
        }
        if (m.receivedLsn < this.received) return; // stale, positions only move forward
        this.received = m.receivedLsn;
        this.o.registry.acked(this.hello.replicaId, m.appliedLsn, m.durableLsn);
        this.ackWaiter?.();
        return;
      }
      case 'heartbeat':
        return;
      case 'error':
        this.o.logger?.warn(
          { replica: this.replicaId, code: m.code, message: m.message },
          'replica reported an error',
        );
        this.o.metrics?.streamError(m.code, 'replica');
        return;
      default:
        return this.fail('FSJ_ERR_PROTOCOL_UNEXPECTED', `${m.type} from a replica`);
    }
  }

  private onHello(h: Hello): void {
    const j = this.o.journal;
    this.hello = h;
    const resync = (reason: ResyncReason, detail: string): void => {
      this.o.logger?.info(
        { replica: h.replicaId, reason: ResyncReason[reason], detail },
        'replica told to resync',
      );
      this.send({ type: 'resync', reason, detail });
      this.close(1000, 'resync');
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
    let snapshot: CheckpointHeader | undefined;
    if (h.lastAppliedLsn + 1 < j.firstLsn) {
      if (h.journalId !== '') {
        // It empties its target and comes back new: then it is sent a checkpoint.
        return resync(
          ResyncReason.REASON_BEHIND_RETENTION,
          `oldest retained lsn is ${j.firstLsn}, the replica needs ${h.lastAppliedLsn + 1}`,
        );
      }
      snapshot = this.bootstrapBase();
      if (!snapshot) {
        return resync(
          ResyncReason.REASON_NEW_REPLICA,
          `oldest retained lsn is ${j.firstLsn} and no checkpoint can bridge the gap`,
        );
      }
    }
    for (const other of this.sessions) {
      if (other !== this && other.replicaId === h.replicaId)
        other.close(1008, 'replaced by a newer connection');
    }
    this.o.metrics?.replicaConnected(h.replicaId, this.o.registry.row(h.replicaId) !== undefined);
    this.o.registry.connected(h.replicaId, this.address, h.lastAppliedLsn, h.journalId === '');
    const failed = (err: unknown): void => {
      if (this.abort.signal.aborted) return;
      // Usually a journal error (a released or damaged segment): say which.
      const code = (err as { code?: unknown }).code;
      this.fail(
        typeof code === 'string' ? code : 'FSJ_ERR_API_UNAVAILABLE',
        `sender: ${(err as Error).message}`,
      );
    };
    if (snapshot) {
      const base = snapshot;
      this.o.logger?.info(
        {
          replica: h.replicaId,
          address: this.address,
          checkpoint: base.id,
          lsn: base.lsn,
          files: base.files,
          bytes: base.bytes,
          firstLsn: j.firstLsn,
        },
        'new replica connected: bootstrapping it from a checkpoint (lsn 1 is released)',
      );
      void this.sendSnapshot(h, base)
        .then((from) => this.sendLoop(h, from))
        .catch(failed);
      return;
    }
    this.received = h.lastAppliedLsn;
    this.sentLsn = h.lastAppliedLsn;
    this.o.logger?.info(
      { replica: h.replicaId, address: this.address, from: h.lastAppliedLsn + 1 },
      'replica connected',
    );
    this.send({
      type: 'welcome',
      protocolVersion: PROTOCOL_VERSION,
      journalId: j.journalId,
      oldestLsn: j.firstLsn,
      newestLsn: j.durableLsn,
    });
    void this.sendLoop(h, h.lastAppliedLsn + 1).catch(failed);
  }

  /**
   * The checkpoint a new replica starts from: the newest whose replay start
   * the journal still holds.
   */
  private bootstrapBase(): CheckpointHeader | undefined {
    const j = this.o.journal;
    const base = this.o.checkpoints?.baseFor(j.durableLsn, j.firstLsn);
    return base && replayStart(base) >= j.firstLsn ? base : undefined;
  }

  /**
   * Sends checkpoint `base` as SnapshotBegin, pieces of at most about
   * `pieceBytes` (entries, and each file's stored blocks read one at a time
   * from the content store), and SnapshotEnd, within SNAPSHOT_WINDOW pieces
   * of the replica's acknowledgement. Resolves with the LSN the batches
   * continue from. While it runs the replica's row is at 0, which holds
   * retention: the checkpoint and the records after it stay.
   */
  private async sendSnapshot(h: Hello, base: CheckpointHeader): Promise<number> {
    const j = this.o.journal;
    const cps = this.o.checkpoints!;
    const signal = this.abort.signal;
    const pieceBytes = this.o.pieceBytes ?? 1024 * 1024;
    const from = replayStart(base);
    const root: SnapshotEntry | null = base.root ? { type: 'dir', path: '', ...base.root } : null;
    this.send({
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
      root: root?.type === 'dir' ? root : null,
      oldestLsn: j.firstLsn,
      newestLsn: j.durableLsn,
    });
    let items: SnapshotItem[] = [];
    let bytes = 0;
    let entries = 0;
    let blocks = 0;
    const flush = async (): Promise<void> => {
      if (items.length === 0) return;
      const seq = this.piecesSent + 1;
      while (!signal.aborted) {
        if (seq > this.piecesAcked + SNAPSHOT_WINDOW) {
          await new Promise<void>((res) => (this.ackWaiter = res));
          this.ackWaiter = undefined;
        } else if (this.ws.bufferedAmount > SOCKET_HIGH_WATER) {
          await new Promise((r) => setTimeout(r, 10));
        } else break;
      }
      if (signal.aborted) return;
      this.send({ type: 'snapshot-piece', seq, items });
      this.piecesSent = seq;
      items = [];
      bytes = 0;
    };
    const add = async (it: SnapshotItem, size: number): Promise<void> => {
      items.push(it);
      bytes += size;
      if (bytes >= pieceBytes || items.length >= MAX_PIECE_ITEMS) await flush();
    };
    for await (const e of cps.entries(base)) {
      if (signal.aborted) return from;
      const entry = snapshotEntry(e);
      await add(
        { kind: 'entry', entry },
        ENTRY_OVERHEAD +
          Buffer.byteLength(e.path) +
          (e.type === 'symlink' ? Buffer.byteLength(e.target) : 0) +
          (e.type === 'hardlink' ? Buffer.byteLength(e.linkTo) : 0),
      );
      entries++;
      if (e.type !== 'file') continue;
      for (let i = 0; i < e.blocks.length; i++) {
        const name = e.blocks[i];
        if (!name) continue; // a hole: the size makes it
        // Read from the store, checked against its name there and on the replica.
        const data = await cps.content.get(name);
        await add(
          { kind: 'block', block: { index: i, sha256: Buffer.from(name, 'hex'), data } },
          ENTRY_OVERHEAD + data.length,
        );
        blocks++;
        if (signal.aborted) return from;
      }
    }
    await flush();
    if (signal.aborted) return from;
    // Batches continue from the replay start; the replica's Acks name LSNs again.
    this.received = from - 1;
    this.sentLsn = from - 1;
    this.send({ type: 'snapshot-end', pieces: this.piecesSent, entries, blocks });
    this.o.logger?.info(
      { replica: h.replicaId, checkpoint: base.id, pieces: this.piecesSent, entries, blocks, from },
      'snapshot sent; streaming the records after it',
    );
    return from;
  }

  /** Ships durable records from `from` on, within the window. */
  private async sendLoop(h: Hello, from: number): Promise<void> {
    const j = this.o.journal;
    const signal = this.abort.signal;
    const batchBytes = this.o.batchBytes ?? 1024 * 1024;
    let next = from;
    while (!signal.aborted) {
      if (next > j.durableLsn) {
        if (j.isClosed) return;
        await j.waitForDurable(next, signal);
        continue;
      }
      const limit = Math.min(j.durableLsn, this.received + h.window);
      if (next > limit) {
        await new Promise<void>((res) => (this.ackWaiter = res));
        this.ackWaiter = undefined;
        continue;
      }
      if (this.ws.bufferedAmount > SOCKET_HIGH_WATER) {
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const frames = [];
      let bytes = 0;
      for await (const f of j.readFrames({ fromLsn: next })) {
        frames.push({ lsn: f.lsn, timeUs: f.timeUs, payload: f.payload, frame: f.frame });
        bytes += f.frame.length;
        if (f.lsn >= limit || frames.length >= MAX_BATCH_FRAMES || bytes >= batchBytes) break;
      }
      if (signal.aborted) continue;
      if (frames.length === 0) {
        await new Promise((r) => setTimeout(r, 10)); // not readable yet: do not spin
        continue;
      }
      this.send({ type: 'batch', firstLsn: next, prevLsn: next - 1, frames });
      this.o.registry.sent(h.replicaId, frames);
      next = frames[frames.length - 1]!.lsn + 1;
      this.sentLsn = next - 1;
    }
  }
}

/** A checkpoint entry as the stream carries it: the count of its stored blocks. */
function snapshotEntry(e: CheckpointEntry): SnapshotEntry {
  return withBlockCount(e);
}
