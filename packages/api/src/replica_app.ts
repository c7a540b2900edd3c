/** The replica's fastify app: its status and health. */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { ReplicaDaemon, ReplicaStatus } from '@fsjournal/replica';
import { installErrorHandling } from './http_errors.js';

export function buildReplicaApp(
  daemon: ReplicaDaemon,
  logger?: FastifyServerOptions['logger'],
): FastifyInstance {
  const app = Fastify({ logger: logger ?? false, bodyLimit: 64 * 1024 });
  installErrorHandling(app);
  app.get('/healthz', async (_req, reply) => {
    const s = daemon.status();
    const ok = s.state !== 'error';
    return reply.code(ok ? 200 : 503).send({ ok, state: s.state });
  });
  app.get('/v1/status', async (): Promise<ReplicaStatus> => daemon.status());
  return app;
}
