/**
 * The replica's fastify app: its status, health, metrics and the OpenAPI
 * document at /docs.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ReplicaDaemon, ReplicaStatus } from '@fsjournal/replica';
import { Access, installAccess } from './access.js';
import { httpsFactory, type HttpsOptions } from './tls.js';
import { installErrorHandling } from './http_errors.js';
import { metricsRoute } from './metrics.js';
import { errorResponses, installOpenApi, ok } from './openapi.js';
import { ReplicaMetrics } from './replica_metrics.js';

const health = {
  description: 'a health answer: 200 while not in the error state, else 503 (not an error)',
  type: 'object',
  required: ['ok', 'state'],
  properties: {
    ok: { type: 'boolean' },
    state: {
      type: 'string',
      enum: ['connecting', 'bootstrapping', 'streaming', 'resyncing', 'error'],
    },
  },
};

export function buildReplicaApp(
  daemon: ReplicaDaemon,
  logger?: FastifyServerOptions['logger'],
  access: Access = new Access({ listenHost: '127.0.0.1' }),
  https?: HttpsOptions,
): FastifyInstance {
  const app = Fastify({
    logger: logger ?? false,
    serverFactory: httpsFactory(https),
    bodyLimit: 64 * 1024,
    ajv: { customOptions: { removeAdditional: false } },
  });
  const metrics = new ReplicaMetrics(daemon);
  app.addHook('onClose', async () => metrics.close());
  installErrorHandling(app, (code) => metrics.apiError(code));
  installAccess(app, access, (code) => metrics.apiError(code));
  installOpenApi(app, {
    title: 'fsjournal replica',
    description: 'REST API of an fsjournal replica (docs/PROTOCOL.md): its state and positions.',
  });
  // Routes go in a plugin loaded after the OpenAPI generator (see primary_app.ts).
  void app.register(async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Health',
          tags: ['status'],
          response: { ...errorResponses(), 200: health, 503: health },
        },
      },
      async (_req, reply) => {
        const s = daemon.status();
        const ok = s.state !== 'error';
        return reply.code(ok ? 200 : 503).send({ ok, state: s.state });
      },
    );
    app.get(
      '/v1/status',
      {
        schema: {
          summary: 'State, positions and lag of this replica',
          tags: ['status'],
          response: { 200: ok('the replica', 'ReplicaStatus'), ...errorResponses() },
        },
      },
      async (): Promise<ReplicaStatus> => daemon.status(),
    );
    metricsRoute(app, metrics.registry);
  });
  return app;
}
