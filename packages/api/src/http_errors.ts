/**
 * One error shape for every answer that is not a success:
 * `{error: {code, message}}` with a 4xx or 5xx status (DESIGN.md, REST).
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { ApiError } from './errors.js';

/**
 * Installs the not-found and error handlers on `app` (and so on every plugin
 * registered after); `counted` is told the code of every error answered.
 */
export function installErrorHandling(
  app: FastifyInstance,
  counted: (code: string) => void = () => undefined,
): void {
  app.setNotFoundHandler((req, reply) => {
    counted('FSJ_ERR_API_NOT_FOUND');
    void reply.code(404).send({
      error: { code: 'FSJ_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url}` },
    });
  });
  app.setErrorHandler((err: FastifyError | ApiError, req, reply) => {
    if (err instanceof ApiError) {
      counted(err.code);
      return reply.code(err.statusCode).send({ error: { code: err.code, message: err.message } });
    }
    const status = (err as FastifyError).statusCode ?? 500;
    if ((err as FastifyError).validation || (status >= 400 && status < 500)) {
      // Name an unknown field, which ajv's message leaves out.
      const extra = (err as FastifyError).validation
        ?.map((v) => (v.params as { additionalProperty?: unknown }).additionalProperty)
        .filter((p) => typeof p === 'string');
      const message = extra?.length ? `${err.message}: ${extra.join(', ')}` : err.message;
      counted('FSJ_ERR_API_BAD_REQUEST');
      return reply.code(status).send({ error: { code: 'FSJ_ERR_API_BAD_REQUEST', message } });
    }
    req.log.error({ err }, 'request failed');
    counted('FSJ_ERR_API_INTERNAL');
    return reply
      .code(500)
      .send({ error: { code: 'FSJ_ERR_API_INTERNAL', message: 'internal error; see the log' } });
  });
}
