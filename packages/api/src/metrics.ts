/**
 * Prometheus exposition shared by both roles. Each app has a registry of its
 * own (two roles in one process, as in `fsjournal demo` and in tests, never
 * collide); the process metrics (RSS, open fds, CPU, event loop, GC) live in
 * one registry per process, collected once, and every `/metrics` answer
 * appends them: they describe the process, not an app, and collecting them
 * per app would start a GC observer and an event-loop monitor per app.
 *
 * It also holds the declaration helpers both roles use (`primary_metrics.ts`,
 * `replica_metrics.ts`) and the one metric they declare alike,
 * `fsjournal_api_errors_total`; each role module declares only its own
 * series. The helpers register in the registry given and nowhere else; the
 * order of declaration is the order of exposition.
 */
import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type GaugeConfiguration,
} from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { errorResponses } from './openapi.js';

let processRegistry: Registry | undefined;

/** The registry of this process's default metrics (created on first use). */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Buckets (seconds) for fsync, append and apply latency: 100 µs to 10 s. */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
];

/** A gauge whose value is read at scrape time. */
export function gaugeOf(registry: Registry, name: string, help: string, read: () => number): Gauge {
  return new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

/** A gauge with labels, its series rebuilt from `read` at every scrape. */
export function labelledGaugeOf<L extends string>(
  registry: Registry,
  config: Omit<GaugeConfiguration<L>, 'registers' | 'collect'>,
  read: () => [Partial<Record<L, string>>, number][],
): Gauge<L> {
  return new Gauge<L>({
    ...config,
    registers: [registry],
    collect() {
      this.reset();
      for (const [labels, v] of read()) this.set(labels, v);
    },
  });
}

/**
 * A counter mirroring a monotonic count kept elsewhere (read at scrape time);
 * counts made before the metric existed are included.
 */
export function counterOf(
  registry: Registry,
  name: string,
  help: string,
  read: () => number,
): Counter {
  let seen = 0;
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const v = read();
      if (v > seen) this.inc(v - seen);
      seen = Math.max(seen, v);
    },
  });
}

/** A counter incremented as things happen, with labels `labelNames` (none by default). */
export function counterIn<L extends string = string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[] = [],
): Counter<L> {
  return new Counter<L>({ name, help, labelNames, registers: [registry] });
}

/** A latency histogram in seconds, with LATENCY_BUCKETS. */
export function latencyHistogram(registry: Registry, name: string, help: string): Histogram {
  return new Histogram({ name, help, buckets: LATENCY_BUCKETS, registers: [registry] });
}

/**
 * `fsjournal_api_errors_total`: REST answers that were errors, by code. Both
 * roles count them under this one name, help and label.
 */
export function apiErrorsCounter(registry: Registry): Counter<'code'> {
  return counterIn(
    registry,
    'fsjournal_api_errors_total',
    'REST answers that were errors, by code',
    ['code'],
  );
}

/** The Prometheus text of `registry` followed by the process metrics. */
export async function renderMetrics(registry: Registry): Promise<string> {
  const [app, proc] = await Promise.all([registry.metrics(), processMetrics().metrics()]);
  return `${app.trimEnd()}\n${proc}`;
}

/** `GET /metrics`: the app's registry and the process metrics, as Prometheus text. */
export function metricsRoute(app: FastifyInstance, registry: Registry): void {
  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        description:
          "Prometheus text exposition (version 0.0.4): this role's metrics (docs/PROTOCOL.md lists them) and the process metrics (`process_*`, `nodejs_*`).",
        tags: ['operations'],
        response: {
          200: {
            description: 'Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
          ...errorResponses(),
        },
      },
    },
    async (_req, reply) => reply.type(registry.contentType).send(await renderMetrics(registry)),
  );
}
