/**
 * The primary's fastify app (built, not started: tests use inject()):
 * status, replicas, barrier, annotations, health. The WebSocket stream is
 * attached to the same server by primary.ts.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { RecordKind, type Journal, type WatchCapture } from '@fsjournal/journal';
import { ApiError } from './errors.js';
import { installErrorHandling } from './http_errors.js';
import type { ReplicaRegistry, ReplicaRow } from './replica_registry.js';

export interface PrimaryAppOptions {
  journal: Journal;
  registry: ReplicaRegistry;
  /** The capture feeding the journal (barriers go through it); absent in tests of the API alone. */
  capture?: WatchCapture;
  mode: 'watch' | 'mount';
  source: string;
  logger?: FastifyServerOptions['logger'];
}

export interface PrimaryStatus {
  role: 'primary';
  journalId: string;
  mode: 'watch' | 'mount';
  source: string;
  firstLsn: number;
  lastLsn: number;
  durableLsn: number;
  replicas: ReplicaRow[];
}

const MAX_WAIT_MS = 3_600_000;

export function buildPrimaryApp(o: PrimaryAppOptions): FastifyInstance {
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: 1024 * 1024,
    // fastify's default (removeAdditional) silently drops unknown fields and
    // query parameters; `additionalProperties: false` must refuse them instead.
    ajv: { customOptions: { removeAdditional: false } },
  });
  installErrorHandling(app);
  const j = o.journal;

  app.get('/healthz', async (_req, reply) => {
    const ok = !j.isClosed;
    return reply.code(ok ? 200 : 503).send({ ok });
  });

  app.get('/v1/status', async (): Promise<PrimaryStatus> => ({
    role: 'primary',
    journalId: j.journalId,
    mode: o.mode,
    source: o.source,
    firstLsn: j.firstLsn,
    lastLsn: j.lastLsn,
    durableLsn: j.durableLsn,
    replicas: o.registry.rows(),
  }));

  app.get('/v1/replicas', async () => o.registry.rows());

  app.get<{ Params: { id: string }; Querystring: { waitForLsn?: number; timeoutMs?: number } }>(
    '/v1/replicas/:id',
    {
      schema: {
        params: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: 64 } },
          required: ['id'],
        },
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            waitForLsn: { type: 'integer', minimum: 0 },
            timeoutMs: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS },
          },
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const row = o.registry.row(id);
      if (!row) throw new ApiError('FSJ_ERR_API_UNKNOWN_REPLICA', `no replica ${id}`, 404);
      const { waitForLsn, timeoutMs = 30_000 } = req.query;
      if (waitForLsn === undefined) return row;
      const reached = await o.registry.waitFor(id, waitForLsn, timeoutMs);
      if (!reached) {
        throw new ApiError(
          'FSJ_ERR_API_TIMEOUT',
          `replica ${id} did not apply lsn ${waitForLsn} within ${timeoutMs} ms`,
          408,
        );
      }
      return reached;
    },
  );

  app.post('/v1/barrier', async () => {
    const id = randomUUID();
    try {
      if (o.capture) return { lsn: await o.capture.barrier(id) };
      const at = await j.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId: id });
      return { lsn: at.lastLsn };
    } catch (cause) {
      throw new ApiError('FSJ_ERR_API_UNAVAILABLE', `barrier: ${(cause as Error).message}`, 503, {
        cause,
      });
    }
  });

  app.post<{ Body: { text: string } }>(
    '/v1/annotations',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
      },
    },
    async (req) => {
      try {
        const at = await j.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: req.body.text });
        return { lsn: at.lastLsn };
      } catch (cause) {
        throw new ApiError(
          'FSJ_ERR_API_UNAVAILABLE',
          `annotate: ${(cause as Error).message}`,
          503,
          { cause },
        );
      }
    },
  );

  return app;
}
