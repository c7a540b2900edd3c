/**
 * The primary's end of the replication stream, the driver: WebSocket
 * upgrades on `/v1/stream` (path, Origin and bearer token checked before
 * anything is sent, `auth.ts`), and per replica connection the socket, the heartbeat
 * timer and the journal and checkpoint reads. What to send and when is
 * decided by the conversation's state machine (`session.ts`); this module
 * carries its actions out and hands it what happened. A slow replica only
 * fills its own socket: its senders wait for the socket to drain and for
 * acknowledgements, and read from disk rather than hold records in memory.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Checkpoints, Journal, Logger } from '@fsjournal/journal';
import { encodeMessage, MAX_MESSAGE_BYTES } from '@fsjournal/journal/wire';
import type { PrimaryMetrics } from '../primary_metrics.js';
import type { ReplicaRegistry } from '../replica_registry.js';
import type { Access } from '../access.js';
import { refuseUpgrade, upgradeRefusal } from './auth.js';
import { LiveSender } from './live_sender.js';
import {
  initialSession,
  messageEvent,
  step,
  type RegistryUpdate,
  type SessionAction,
  type SessionEvent,
  type SessionState,
} from './session.js';
import { SnapshotSender } from './snapshot_sender.js';

export interface StreamServerOptions {
  journal: Journal;
  registry: ReplicaRegistry;
  /** Who may open the stream (tokens, Origin): the same rules as the REST API's. */
  access: Access;
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
  /** Connections at once, Hello sent or not; more upgrades are answered 503. Default MAX_SESSIONS. */
  maxSessions?: number;
}

/** Default of `maxSessions`: replicas of one primary, with room for reconnects. */
export const MAX_SESSIONS = 64;

/** Serves the stream on `server`; returns a function that closes every stream. */
export function attachStreamServer(server: Server, o: StreamServerOptions): () => Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const connections = new Set<StreamConnection>();
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refused = upgradeRefusal(req, o.access);
    if (refused) {
      if (refused.status !== 404) {
        o.logger?.warn(
          { address: req.socket.remoteAddress, reason: refused.reason },
          'stream upgrade refused',
        );
      }
      return refuseUpgrade(socket, refused);
    }
    if (connections.size >= (o.maxSessions ?? MAX_SESSIONS)) {
      o.logger?.warn(
        { address: req.socket.remoteAddress, sessions: connections.size },
        'stream upgrade refused: too many sessions',
      );
      return refuseUpgrade(socket, { status: 503, reason: 'too many sessions' });
    }
    const boundId = o.access.principal(req.headers.authorization, req.socket)?.replicaId;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c = new StreamConnection(
        ws,
        `${req.socket.remoteAddress}:${req.socket.remotePort}`,
        o,
        connections,
        boundId,
      );
      connections.add(c);
    });
  };
  server.on('upgrade', onUpgrade);
  return async () => {
    server.off('upgrade', onUpgrade);
    for (const c of connections) c.close(1001, 'primary stopping');
    await new Promise<void>((res) => wss.close(() => res()));
  };
}

/** One replica connection: its socket, timer and senders around its session. */
class StreamConnection {
  private state: SessionState;
  private readonly abort = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly live: LiveSender;
  private readonly snapshot: SnapshotSender | undefined;
  private readonly address: string;

  constructor(
    private readonly ws: WebSocket,
    address: string,
    private readonly o: StreamServerOptions,
    private readonly connections: Set<StreamConnection>,
    boundId: string | undefined,
  ) {
    const heartbeatMs = o.heartbeatMs ?? 5000;
    this.address = address;
    this.state = initialSession({ address, heartbeatMs, nowMs: Date.now(), boundId });
    const deliver = (e: SessionEvent): void => this.dispatch(e);
    const signal = this.abort.signal;
    this.live = new LiveSender(o.journal, o.batchBytes ?? 1024 * 1024, signal, deliver);
    this.snapshot =
      o.checkpoints &&
      new SnapshotSender(o.checkpoints, o.pieceBytes ?? 1024 * 1024, signal, deliver);
    this.timer = setInterval(() => this.dispatch({ type: 'tick' }), heartbeatMs);
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(data, isBinary));
    ws.on('close', () => this.closed());
    ws.on('error', () => this.closed());
  }

  get replicaId(): string | undefined {
    return this.state.hello?.replicaId;
  }

  /** Closes the connection with `code` (shutdown). */
  close(code: number, reason: string): void {
    this.dispatch({ type: 'close', code, reason });
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const e = messageEvent(data, isBinary);
    if (e.type === 'message' && e.message.type === 'hello') {
      const j = this.o.journal;
      e.checkpoint = this.o.checkpoints?.baseFor(j.durableLsn, j.firstLsn);
      const id = e.message.replicaId;
      e.idInUseBy = [...this.connections].find((c) => c !== this && c.replicaId === id)?.address;
      e.registryFull = !this.o.registry.admits(id);
    }
    this.dispatch(e);
  }

  private closed(): void {
    clearInterval(this.timer);
    this.abort.abort();
    this.connections.delete(this);
    this.dispatch({ type: 'socket-closed' });
  }

  private dispatch(e: SessionEvent): void {
    const next = step(this.state, e, {
      ms: Date.now(),
      journal: this.o.journal,
      bufferedBytes: this.ws.bufferedAmount,
    });
    this.state = next.state;
    for (const a of next.actions) this.run(a);
  }

  private run(a: SessionAction): void {
    switch (a.type) {
      case 'send':
        if (this.ws.readyState === this.ws.OPEN) this.ws.send(encodeMessage(a.message));
        return;
      case 'close':
        this.abort.abort();
        this.ws.close(a.code, a.reason);
        return;
      case 'terminate':
        this.abort.abort();
        this.ws.terminate();
        return;
      case 'registry':
        return this.update(a.update);
      case 'count-error':
        this.o.metrics?.streamError(a.code, a.side);
        return;
      case 'log':
        this.o.logger?.[a.level](a.fields, a.message);
        return;
      case 'await-durable':
        return this.live.awaitDurable(a.lsn);
      case 'read':
        return this.live.read(a.fromLsn, a.toLsn);
      case 'retry-later':
        setTimeout(() => {
          if (!this.abort.signal.aborted) this.dispatch({ type: 'retry' });
        }, a.ms);
        return;
      case 'start-snapshot':
        return this.snapshot!.start(a.base);
      case 'next-piece':
        return this.snapshot!.next();
    }
  }

  private update(u: RegistryUpdate): void {
    const r = this.o.registry;
    switch (u.op) {
      case 'connected':
        this.o.metrics?.replicaConnected(u.replicaId, r.row(u.replicaId) !== undefined);
        return r.connected(u.replicaId, u.address, u.lastAppliedLsn, u.fresh);
      case 'acked':
        return r.acked(u.replicaId, u.appliedLsn, u.durableLsn);
      case 'sent':
        return r.sent(u.replicaId, u.frames);
      case 'disconnected':
        if (![...this.connections].some((c) => c.replicaId === u.replicaId)) {
          r.disconnected(u.replicaId);
        }
        return;
    }
  }
}
