/**
 * The primary's fastify app (built, not started: tests use inject()):
 * status, replicas, barrier, annotations, checkpoints, audit queries, health,
 * metrics, the OpenAPI document at /docs and the dashboard at /. The
 * WebSocket stream is attached to the same server by primary.ts.
 */
import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from 'fastify';
import { Readable } from 'node:stream';
import {
  RecordKind,
  isJournalError,
  parseQuery,
  pathProblem,
  queryJournal,
  type AuditRecord,
  type Checkpoints,
  type Journal,
  type JournalQuery,
  type QueryInput,
  type Capture,
  type SyncReplicationStatus,
} from '@fsjournal/journal';
import { Access, installAccess } from './access.js';
import { httpsFactory, type HttpsOptions } from './tls.js';
import { dashboardRoutes } from './dashboard.js';
import { ApiError } from './errors.js';
import { installErrorHandling } from './http_errors.js';
import { journalHealthOf, type JournalHealth } from './journal_supervisor.js';
import { metricsRoute } from './metrics.js';
import { NextRun } from './next_run.js';
import { errorResponses, installOpenApi, ok } from './openapi.js';
import { PrimaryMetrics } from './primary_metrics.js';
import type { ReplicaRegistry, ReplicaRow } from './replica_registry.js';

export interface PrimaryAppOptions {
  /** Who may call (tokens, Host, Origin); default: no token, Host checked against 127.0.0.1. */
  access?: Access;
  /** Serve HTTPS (and the stream as wss) with these options (tls.ts); default plain HTTP. */
  https?: HttpsOptions;
  journal: Journal;
  registry: ReplicaRegistry;
  /** The capture feeding the journal (barriers go through it); absent in tests of the API alone. */
  capture?: Capture;
  /** The journal's checkpoints; without them the checkpoint routes answer 503. */
  checkpoints?: Checkpoints;
  mode: 'watch' | 'mount';
  source: string;
  /** Mount mode: where the journaled view is mounted. */
  mountpoint?: string;
  /** Mount mode with `--sync-replicas`: the state of synchronous replication. */
  syncStatus?: () => SyncReplicationStatus | undefined;
  logger?: FastifyServerOptions['logger'];
  /** Shared with the stream server (primary.ts); made (and closed with the app) when absent. */
  metrics?: PrimaryMetrics;
  /** The journal's health (the primary's supervisor); default: read from the journal. */
  health?: () => JournalHealth;
  /** How long one audit query may read the journal (ms). Default QUERY_TIME_LIMIT_MS. */
  queryTimeLimitMs?: number;
}

/** How long one audit query may read the journal before it is stopped (503 or an error line). */
export const QUERY_TIME_LIMIT_MS = 30_000;

export interface PrimaryStatus {
  role: 'primary';
  journalId: string;
  mode: 'watch' | 'mount';
  source: string;
  firstLsn: number;
  lastLsn: number;
  durableLsn: number;
  replicas: ReplicaRow[];
  /** Whether changes are being journaled: `failed` while the journal or capture is failed. */
  journal: JournalHealth;
  /**
   * What holds retention back: the replica with the lowest durable LSN
   * (records after it are kept, however old), or null with no replica.
   */
  retentionHold: { replicaId: string; lsn: number } | null;
  /** Mount mode only. */
  mountpoint?: string;
  /** Mount mode with `--sync-replicas N` (N > 0) only. */
  syncReplication?: SyncReplicationStatus;
}

const MAX_WAIT_MS = 3_600_000;
/** Records one `GET /v1/journal` answers when `limit` is not given, and the most it may ask. */
export const JOURNAL_DEFAULT_LIMIT = 1000;
export const JOURNAL_MAX_LIMIT = 100_000;
const NDJSON = 'application/x-ndjson';

type JournalQuerystring = Omit<QueryInput, 'afterLsn' | 'limit'> & {
  afterLsn?: string;
  limit?: string;
};

const queryProps = {
  since: { type: 'string' },
  until: { type: 'string' },
  path: { type: 'string' },
  op: { type: 'string' },
  afterLsn: { type: 'string' },
  limit: { type: 'string' },
} as const;

/** Answers of the audit routes: JSON, or NDJSON when asked. */
const journalAnswers = {
  200: {
    description: 'the records, oldest first',
    content: {
      'application/json': { schema: { type: 'array', items: { $ref: 'AuditRecord#' } } },
      [NDJSON]: { schema: { type: 'string', description: 'one AuditRecord per line' } },
    },
  },
  ...errorResponses(),
};

const historyProps = Object.fromEntries(Object.entries(queryProps).filter(([k]) => k !== 'path'));

/** Parses an audit query string, refusing bad values with a 400 naming the parameter. */
function apiQuery(input: QueryInput): JournalQuery {
  let q: JournalQuery;
  try {
    q = parseQuery(input);
  } catch (cause) {
    if (isJournalError(cause, 'FSJ_ERR_JOURNAL_QUERY'))
      throw new ApiError('FSJ_ERR_API_BAD_REQUEST', `querystring/${cause.message}`, 400, { cause });
    throw cause;
  }
  q.limit ??= JOURNAL_DEFAULT_LIMIT;
  if (q.limit > JOURNAL_MAX_LIMIT) {
    throw new ApiError(
      'FSJ_ERR_API_BAD_REQUEST',
      `querystring/limit: at most ${JOURNAL_MAX_LIMIT}, got ${q.limit}`,
      400,
    );
  }
  return q;
}

/** An error's message, with its journal code when it has one. */
function withCode(cause: unknown): string {
  return `${(cause as Error).message}${isJournalError(cause) ? ` (${cause.code})` : ''}`;
}

/** True when the client asked for NDJSON. */
function wantsNdjson(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((t) => t.split(';')[0]!.trim().toLowerCase() === NDJSON);
}

/** The answer to a query stopped by its time limit. */
function queryTimeout(cause: unknown): ApiError {
  return new ApiError('FSJ_ERR_API_BUSY', (cause as Error).message, 503, { cause });
}

/**
 * The records as NDJSON lines. A query stopped by its time limit after the
 * answer began ends with a line `{"error":{code,message}}` (the status was
 * sent already): never a silently short answer.
 */
async function* ndjsonLines(records: AsyncIterable<AuditRecord>): AsyncGenerator<string> {
  try {
    for await (const r of records) yield `${JSON.stringify(r)}\n`;
  } catch (cause) {
    if (!isJournalError(cause, 'FSJ_ERR_JOURNAL_QUERY_TIMEOUT')) throw cause;
    const e = queryTimeout(cause);
    yield `${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`;
  }
}

export function buildPrimaryApp(o: PrimaryAppOptions): FastifyInstance {
  const app = Fastify({
    logger: o.logger ?? false,
    serverFactory: httpsFactory(o.https),
    bodyLimit: 1024 * 1024,
    // fastify's default (removeAdditional) silently drops unknown fields and
    // query parameters; `additionalProperties: false` must refuse them instead.
    ajv: { customOptions: { removeAdditional: false } },
  });
  const metrics = o.metrics ?? new PrimaryMetrics(o);
  if (!o.metrics) app.addHook('onClose', async () => metrics.close());
  installErrorHandling(app, (code) => metrics.apiError(code));
  installAccess(app, o.access ?? new Access({ listenHost: '127.0.0.1' }), (code) =>
    metrics.apiError(code),
  );
  installOpenApi(app, {
    title: 'fsjournal primary',
    description:
      'REST API of an fsjournal primary (docs/PROTOCOL.md). The replication stream is a WebSocket at `/v1/stream` on the same address (protobuf messages, not described here).',
  });
  // Routes go in a plugin loaded after the OpenAPI generator, which sees
  // routes as they are added.
  void app.register(async (app) => {
    primaryRoutes(app, o);
    metricsRoute(app, metrics.registry);
    await dashboardRoutes(app);
  });
  return app;
}

const health = {
  200: {
    description: 'serving',
    type: 'object',
    required: ['ok'],
    properties: { ok: { type: 'boolean' } },
  },
  503: {
    description:
      'the journal is closed, or failed and not yet recovered (a health answer, not an error): `error` says why',
    type: 'object',
    required: ['ok', 'error'],
    properties: {
      ok: { type: 'boolean' },
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

/** Requests that may wait for the next checkpoint or barrier; more are answered 429. */
export const MAX_WAITING_REQUESTS = 1000;
/** A checkpoint asked for through the API starts at most this often (ms). */
export const CHECKPOINT_MIN_INTERVAL_MS = 1000;

/** The REST routes of the primary (DESIGN.md, REST). */
function primaryRoutes(app: FastifyInstance, o: PrimaryAppOptions): void {
  const j = o.journal;
  const journalHealth = o.health ?? (() => journalHealthOf(j));
  // One barrier and one checkpoint at a time, shared by the requests that
  // come while one runs (next_run.ts): 200 concurrent requests make two.
  const barriers = new NextRun(
    async () => {
      const id = randomUUID();
      if (o.capture) return o.capture.barrier(id);
      return (await j.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId: id })).lastLsn;
    },
    { what: 'barrier', maxWaiting: MAX_WAITING_REQUESTS },
  );
  let waits = 0; // requests in GET /v1/replicas/:id?waitForLsn
  const checkpoints = new NextRun(
    async () => {
      const cps = o.checkpoints!;
      // Every change made before the run (so before each request it serves): a barrier first.
      const lsn = o.capture ? await o.capture.barrier(randomUUID()) : j.durableLsn;
      return cps.create(j, lsn, { mark: true });
    },
    {
      what: 'checkpoint',
      maxWaiting: MAX_WAITING_REQUESTS,
      minIntervalMs: CHECKPOINT_MIN_INTERVAL_MS,
    },
  );

  app.get(
    '/healthz',
    {
      schema: { summary: 'Health', tags: ['status'], response: { ...errorResponses(), ...health } },
    },
    async (_req, reply) => {
      if (j.isClosed) {
        return reply.code(503).send({
          ok: false,
          error: { code: 'FSJ_ERR_JOURNAL_CLOSED', message: 'journal closed' },
        });
      }
      const h = journalHealth();
      if (h.state === 'failed') return reply.code(503).send({ ok: false, error: h.error });
      return reply.code(200).send({ ok: true });
    },
  );

  app.get(
    '/v1/status',
    {
      schema: {
        summary: 'Journal positions and every replica',
        tags: ['status'],
        response: { 200: ok('the primary', 'PrimaryStatus'), ...errorResponses() },
      },
    },
    async (): Promise<PrimaryStatus> => {
      const status: PrimaryStatus = {
        role: 'primary',
        journalId: j.journalId,
        mode: o.mode,
        source: o.source,
        firstLsn: j.firstLsn,
        lastLsn: j.lastLsn,
        durableLsn: j.durableLsn,
        replicas: o.registry.rows(),
        journal: journalHealth(),
        retentionHold: o.registry.hold() ?? null,
      };
      if (o.mountpoint !== undefined) status.mountpoint = o.mountpoint;
      const sync = o.syncStatus?.();
      if (sync) status.syncReplication = sync;
      return status;
    },
  );

  app.get(
    '/v1/replicas',
    {
      schema: {
        summary: 'Every replica known (connected or not)',
        tags: ['status'],
        response: { 200: ok('replicas, by id', 'Replica', true), ...errorResponses() },
      },
    },
    async () => o.registry.rows(),
  );

  app.get<{ Params: { id: string }; Querystring: { waitForLsn?: number; timeoutMs?: number } }>(
    '/v1/replicas/:id',
    {
      schema: {
        summary: 'One replica; with waitForLsn, once it has applied and made that LSN durable',
        tags: ['status'],
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
        response: {
          200: ok('the replica', 'Replica'),
          ...errorResponses({
            404: 'no replica with that id ever connected (FSJ_ERR_API_UNKNOWN_REPLICA)',
            408: 'waitForLsn not reached within timeoutMs (FSJ_ERR_API_TIMEOUT)',
            429: `more than ${MAX_WAITING_REQUESTS} requests already wait (FSJ_ERR_API_BUSY)`,
          }),
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const row = o.registry.row(id);
      if (!row) throw new ApiError('FSJ_ERR_API_UNKNOWN_REPLICA', `no replica ${id}`, 404);
      const { waitForLsn, timeoutMs = 30_000 } = req.query;
      if (waitForLsn === undefined) return row;
      if (waits >= MAX_WAITING_REQUESTS) {
        throw new ApiError(
          'FSJ_ERR_API_BUSY',
          `${waits} requests already wait for replicas; try again later`,
          429,
        );
      }
      waits++;
      const reached = await o.registry.waitFor(id, waitForLsn, timeoutMs).finally(() => waits--);
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

  app.delete<{ Params: { id: string } }>(
    '/v1/replicas/:id',
    {
      schema: {
        summary: 'Forget a replica that is not connected, and its retention hold',
        tags: ['status'],
        params: {
          type: 'object',
          properties: { id: { type: 'string', maxLength: 64 } },
          required: ['id'],
        },
        response: {
          200: {
            description: 'forgotten',
            type: 'object',
            required: ['id'],
            properties: { id: { type: 'string' } },
          },
          ...errorResponses({
            404: 'no replica with that id is known (FSJ_ERR_API_UNKNOWN_REPLICA)',
            409: 'the replica is connected (FSJ_ERR_API_REPLICA_CONNECTED)',
          }),
        },
      },
    },
    async (req) => {
      const { id } = req.params;
      const done = o.registry.forget(id);
      if (done === 'unknown')
        throw new ApiError('FSJ_ERR_API_UNKNOWN_REPLICA', `no replica ${id}`, 404);
      if (done === 'connected') {
        throw new ApiError(
          'FSJ_ERR_API_REPLICA_CONNECTED',
          `replica ${id} is connected; stop it before forgetting it`,
          409,
        );
      }
      return { id };
    },
  );

  app.post(
    '/v1/barrier',
    {
      schema: {
        summary: 'Append a BARRIER after every change made before the call',
        description:
          'One barrier runs at a time; requests that come while one runs share the next (its LSN covers each of them).',
        tags: ['journal'],
        response: {
          200: ok('the barrier', 'Lsn'),
          ...errorResponses({
            429: `more than ${MAX_WAITING_REQUESTS} requests already wait for the next barrier (FSJ_ERR_API_BUSY)`,
          }),
        },
      },
    },
    async () => {
      try {
        return { lsn: await barriers.run() };
      } catch (cause) {
        if (cause instanceof ApiError) throw cause;
        throw new ApiError('FSJ_ERR_API_UNAVAILABLE', `barrier: ${withCode(cause)}`, 503, {
          cause,
        });
      }
    },
  );

  app.post<{ Body: { text: string } }>(
    '/v1/annotations',
    {
      schema: {
        summary: 'Append an ANNOTATE record (a marker restore can name)',
        tags: ['journal'],
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['text'],
          properties: { text: { type: 'string', minLength: 1, maxLength: 4096 } },
        },
        response: { 200: ok('the annotation', 'Lsn'), ...errorResponses() },
      },
    },
    async (req) => {
      try {
        const at = await j.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: req.body.text });
        return { lsn: at.lastLsn };
      } catch (cause) {
        throw new ApiError('FSJ_ERR_API_UNAVAILABLE', `annotate: ${withCode(cause)}`, 503, {
          cause,
        });
      }
    },
  );

  app.get(
    '/v1/checkpoints',
    {
      schema: {
        summary: 'Checkpoints, oldest first',
        tags: ['journal'],
        response: { 200: ok('checkpoints', 'Checkpoint', true), ...errorResponses() },
      },
    },
    async () => o.checkpoints?.list() ?? [],
  );

  app.post(
    '/v1/checkpoints',
    {
      schema: {
        summary: 'Write a checkpoint covering every change made before the call',
        description: `One checkpoint is written at a time, and one starts at most every ${CHECKPOINT_MIN_INTERVAL_MS} ms; requests that come meanwhile share the next (it covers each of them).`,
        tags: ['journal'],
        body: { type: ['object', 'null'], additionalProperties: false, properties: {} },
        response: {
          200: ok('the checkpoint', 'Checkpoint'),
          ...errorResponses({
            429: `more than ${MAX_WAITING_REQUESTS} requests already wait for the next checkpoint (FSJ_ERR_API_BUSY)`,
            503: 'no checkpoints kept, or building failed (FSJ_ERR_API_UNAVAILABLE)',
          }),
        },
      },
    },
    async () => {
      const cps = o.checkpoints;
      if (!cps) {
        throw new ApiError('FSJ_ERR_API_UNAVAILABLE', 'this primary keeps no checkpoints', 503);
      }
      try {
        return await checkpoints.run();
      } catch (cause) {
        if (cause instanceof ApiError) throw cause;
        throw new ApiError('FSJ_ERR_API_UNAVAILABLE', `checkpoint: ${withCode(cause)}`, 503, {
          cause,
        });
      }
    },
  );

  /** Answers the records of `q` as a JSON array, or streamed as NDJSON when asked. */
  const answerQuery = async (
    accept: string | undefined,
    q: JournalQuery,
    reply: FastifyReply,
  ): Promise<unknown> => {
    q.deadlineMs = Date.now() + (o.queryTimeLimitMs ?? QUERY_TIME_LIMIT_MS);
    if (wantsNdjson(accept)) {
      return reply.type(NDJSON).send(Readable.from(ndjsonLines(queryJournal(j, q))));
    }
    const rows: AuditRecord[] = [];
    try {
      for await (const r of queryJournal(j, q)) rows.push(r);
    } catch (cause) {
      if (isJournalError(cause, 'FSJ_ERR_JOURNAL_QUERY_TIMEOUT')) throw queryTimeout(cause);
      throw cause;
    }
    return reply.send(rows);
  };

  app.get<{ Querystring: JournalQuerystring }>(
    '/v1/journal',
    {
      schema: {
        summary: 'Audit query over the journal',
        description: `Records as a JSON array, or NDJSON with \`Accept: ${NDJSON}\`. since/until: ISO 8601 or relative (10m, 2h); path: a glob; op: kinds, comma-separated; afterLsn; limit (default ${JOURNAL_DEFAULT_LIMIT}, at most ${JOURNAL_MAX_LIMIT}).`,
        tags: ['journal'],
        querystring: { type: 'object', additionalProperties: false, properties: queryProps },
        response: journalAnswers,
      },
    },
    async (req, reply) => answerQuery(req.headers.accept, apiQuery(req.query), reply),
  );

  app.get<{ Params: { '*': string }; Querystring: Omit<JournalQuerystring, 'path'> }>(
    '/v1/files/*',
    {
      schema: {
        summary: 'The records that touched one path: GET /v1/files/{path}/history',
        description:
          'The wildcard is the path followed by `/history`; the query parameters are those of /v1/journal but path.',
        tags: ['journal'],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: historyProps,
        },
        response: journalAnswers,
      },
    },
    async (req, reply) => {
      const rest = req.params['*'];
      if (!rest.endsWith('/history')) {
        throw new ApiError('FSJ_ERR_API_NOT_FOUND', `no route ${req.method} ${req.url}`, 404);
      }
      const path = rest.slice(0, -'/history'.length);
      const problem = pathProblem(path, false);
      if (problem) {
        throw new ApiError(
          'FSJ_ERR_API_BAD_REQUEST',
          `path ${JSON.stringify(path)}: ${problem}`,
          400,
        );
      }
      const q = apiQuery(req.query);
      q.pathMatcher = (p) => p === path;
      return answerQuery(req.headers.accept, q, reply);
    },
  );
}
