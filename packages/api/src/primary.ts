/**
 * The primary daemon: journal + capture (watch, or mount: a FUSE
 * pass-through) + one server on `listen` serving REST and the replication
 * stream. `startPrimary` resolves once the start-up scan is journaled (watch)
 * or the mountpoint is mounted (mount), and the server listens.
 */
import { resolve } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import {
  Checkpoints,
  Journal,
  MountCapture,
  Retention,
  WatchCapture,
  writeCaptureInfo,
  type SyncPolicy,
} from '@fsjournal/journal';
import type { Logger } from '@fsjournal/journal';
import type { FastifyInstance } from 'fastify';
import type { JournalHealth } from './journal_supervisor.js';
import { Access } from './access.js';
import type { ServerTls } from './tls.js';
import { JournalSupervisor } from './journal_supervisor.js';
import { buildPrimaryApp } from './primary_app.js';
import { PrimaryMetrics } from './primary_metrics.js';
import { ReplicaRegistry } from './replica_registry.js';
import { attachStreamServer } from './stream/server.js';

export interface PrimaryOptions {
  source: string;
  journalDir: string;
  host: string;
  port: number;
  sync?: SyncPolicy;
  /** `--token-file`: the token every client (replica, CLI, browser) must present. */
  token?: string;
  /** `--tokens-file`: replica id -> its token; a replica may take only its own id. */
  replicaTokens?: ReadonlyMap<string, string>;
  /** `--allowed-host`: more names the `Host` header may carry. */
  allowedHosts?: string[];
  /** `--metrics-public`: `/metrics` without a token. */
  metricsPublic?: boolean;
  /** `--tls-cert`/`--tls-key` (and `--tls-client-ca`): serve https and wss only. */
  tls?: ServerTls;
  /** `--replica-expire`: forget replicas not connected for this long (ms). Default 7 days. */
  replicaExpireMs?: number;
  ignore?: string[];
  logger?: Logger;
  heartbeatMs?: number;
  /** Keep journal records at least this long (ms). Default 7 days. */
  retainMs?: number;
  /** Write a checkpoint every this many journal bytes; 0: only on request. Default 256 MiB. */
  checkpointBytes?: number;
  /** How often retention looks (ms). Default 60 s. */
  retentionIntervalMs?: number;
  /** Journal segment size (tests). */
  segmentBytes?: number;
  /** Default `watch`. */
  mode?: 'watch' | 'mount';
  /** Mount mode: where the journaled view of `source` is mounted. */
  mountpoint?: string;
  /** Mount mode: replicas that must hold a change before it returns (default 0). */
  syncReplicas?: number;
  /** Mount mode: how long a change waits for them before replication degrades. */
  syncTimeoutMs?: number;
  /**
   * After a journal or capture failure (disk full, EIO), wait this long
   * before the first recovery attempt (ms); each failed attempt doubles the
   * wait, up to `recoveryRetryMaxMs`. Defaults 1 s and 30 s.
   */
  recoveryRetryMs?: number;
  recoveryRetryMaxMs?: number;
}

/** Connections (REST, stream, dashboards) the primary keeps open at once; more are dropped. */
export const MAX_CONNECTIONS = 1024;

/** Default of `syncTimeoutMs`. */
export const DEFAULT_SYNC_TIMEOUT_MS = 10_000;

export interface PrimaryHandle {
  app: FastifyInstance;
  journal: Journal;
  capture: WatchCapture | MountCapture;
  registry: ReplicaRegistry;
  checkpoints: Checkpoints;
  retention: Retention;
  metrics: PrimaryMetrics;
  /** Retries recovery of a failed journal and capture; reports their health. */
  supervisor: JournalSupervisor;
  /** The address actually bound (port 0 picks one). */
  address: { host: string; port: number };
  /** Reads the TLS files again and serves them to new connections (SIGHUP); no-op without TLS. */
  reloadTls(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrimary(o: PrimaryOptions): Promise<PrimaryHandle> {
  const source = resolve(o.source);
  const journal = await Journal.open({
    dir: resolve(o.journalDir),
    sync: o.sync ?? 'batch',
    logger: o.logger,
    segmentBytes: o.segmentBytes,
  });
  let capture: WatchCapture | MountCapture | undefined;
  let checkpoints: Checkpoints | undefined;
  try {
    checkpoints = await Checkpoints.open(journal.dir, { logger: o.logger });
    const registry = new ReplicaRegistry(journal, o.replicaExpireMs);
    await registry.load();
    const mode = o.mode ?? 'watch';
    // What this journal captures, so that `restore` keeps out of a live tree.
    await writeCaptureInfo(journal.dir, {
      mode,
      source,
      ...(mode === 'mount' ? { mountpoint: resolve(o.mountpoint ?? '') } : {}),
    });
    if (mode === 'mount') {
      capture = await MountCapture.start({
        source,
        mountpoint: resolve(o.mountpoint ?? ''),
        journal,
        logger: o.logger,
        syncReplication: {
          required: o.syncReplicas ?? 0,
          timeoutMs: o.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS,
          waiter: registry,
        },
      });
    } else {
      capture = await WatchCapture.start({
        source,
        journal,
        ignore: o.ignore ?? [],
        logger: o.logger,
      });
    }
    const mount = capture instanceof MountCapture ? capture : undefined;
    const supervisor = new JournalSupervisor({
      journal,
      capture,
      logger: o.logger,
      retryMs: o.recoveryRetryMs,
      retryMaxMs: o.recoveryRetryMaxMs,
    });
    const health = (): JournalHealth => supervisor.health();
    const retention = new Retention({
      journal,
      checkpoints,
      retainMs: o.retainMs ?? 7 * 86_400_000,
      checkpointBytes: o.checkpointBytes ?? 256 * 1024 * 1024,
      // Rows of replicas gone for --replica-expire stop holding records.
      holdLsn: () => {
        registry.expire();
        return registry.minDurableLsn();
      },
      logger: o.logger,
      intervalMs: o.retentionIntervalMs,
    });
    // One set of metrics for the REST app and the stream server.
    const metrics = new PrimaryMetrics({
      journal,
      registry,
      checkpoints,
      syncStatus: mount && o.syncReplicas ? () => mount.syncStatus() : undefined,
      health,
    });
    const access = new Access({
      token: o.token,
      replicaTokens: o.replicaTokens,
      listenHost: o.host,
      allowedHosts: o.allowedHosts,
      metricsPublic: o.metricsPublic,
      clientCerts: o.tls?.clientCerts,
    });
    const app = buildPrimaryApp({
      access,
      https: o.tls?.options,
      journal,
      registry,
      capture,
      checkpoints,
      mode,
      source,
      mountpoint: mount?.mountpoint,
      syncStatus: mount && (() => mount.syncStatus()),
      metrics,
      health,
    });
    // The stream is attached before the server listens: no upgrade can
    // arrive unhandled.
    const closeStream = attachStreamServer(app.server, {
      journal,
      registry,
      access,
      logger: o.logger,
      heartbeatMs: o.heartbeatMs,
      metrics,
      checkpoints,
    });
    // Connections that never authenticate cost a socket each: a client has
    // 10 s to send its request headers, and at most 1,024 are open at once.
    app.server.headersTimeout = 10_000;
    app.server.maxConnections = MAX_CONNECTIONS;
    if (o.tls) {
      // A plaintext client (http://, ws://) on the TLS port: said once in the log, then closed.
      app.server.on(
        'tlsClientError',
        (err: NodeJS.ErrnoException, socket: { remoteAddress?: string }) => {
          const plain = err.code === 'ERR_SSL_HTTP_REQUEST';
          o.logger?.warn(
            { address: socket.remoteAddress, code: err.code },
            plain
              ? 'plaintext request on the TLS port refused: use https:// or wss://'
              : `TLS handshake failed: ${err.message}`,
          );
        },
      );
    }
    try {
      await app.listen({ host: o.host, port: o.port });
    } catch (err) {
      await supervisor.stop();
      await closeStream();
      metrics.close();
      throw err;
    }
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : o.port;
    const cap = capture;
    const cps = checkpoints;
    retention.start();
    return {
      app,
      journal,
      capture: cap,
      registry,
      checkpoints: cps,
      retention,
      metrics,
      supervisor,
      address: { host: o.host, port },
      reloadTls: async () => {
        await o.tls?.reload(app.server as unknown as TlsServer);
      },
      close: async () => {
        await supervisor.stop();
        await retention.stop();
        await closeStream();
        await app.close();
        metrics.close();
        await cap.stop();
        await cps.close();
        await registry.flush();
        await journal.close();
      },
    };
  } catch (err) {
    await capture?.stop().catch(() => undefined);
    await checkpoints?.close().catch(() => undefined);
    await journal.close();
    throw err;
  }
}
