/**
 * The OpenAPI document at /docs/json (docs/PROTOCOL.md, REST): every route
 * either role registers is in it with its method, every error answer names
 * the one `{error:{code,message}}` shape, and the UI at /docs is served from
 * the package's own files. Routes are enumerated with fastify's onRoute hook,
 * so a route added later without documentation fails here.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal } from '@fsjournal/journal';
import { ReplicaDaemon } from '@fsjournal/replica';
import { buildPrimaryApp, buildReplicaApp, ReplicaRegistry } from '@fsjournal/api';

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Record<string, unknown>> };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fsj-openapi-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Makes what an app needs and returns a function that builds it: the routes
 * hook must be added in the same tick as the app is built, before fastify
 * starts loading its plugins.
 */
async function primaryApp(): Promise<() => FastifyInstance> {
  const journal = await Journal.open({ dir: join(await tempDir(), 'journal') });
  cleanups.push(() => journal.close());
  const registry = new ReplicaRegistry(journal);
  cleanups.push(() => registry.flush());
  return () => {
    const app = buildPrimaryApp({ journal, registry, mode: 'watch', source: '/srv/data' });
    cleanups.push(() => app.close());
    return app;
  };
}

async function replicaApp(): Promise<() => FastifyInstance> {
  const dir = await tempDir();
  // Nothing listens on port 9 of loopback: the daemon keeps trying, which is all this needs.
  const daemon = await ReplicaDaemon.start({
    upstream: 'ws://127.0.0.1:9/v1/stream',
    target: join(dir, 'target'),
    id: 'r-doc',
    backoffMinMs: 1000,
  });
  cleanups.push(() => daemon.stop());
  return () => {
    const app = buildReplicaApp(daemon);
    cleanups.push(() => app.close());
    return app;
  };
}

/** Every route added to `app` from now on (call in the tick that built it). */
function routesOf(app: FastifyInstance): RouteOptions[] {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (r) => {
    routes.push(r);
  });
  return routes;
}

/** A fastify URL as an OpenAPI path: `:id` -> `{id}`, `*` -> `{*}`. */
function openApiPath(url: string): string {
  return url.replace(/:(\w+)/g, '{$1}').replace(/\*/g, '{*}');
}

function methodsOf(r: RouteOptions): string[] {
  return (Array.isArray(r.method) ? r.method : [r.method]).map((m) => m.toLowerCase());
}

describe.each([
  { role: 'primary', build: primaryApp, mustHave: ['/v1/status', '/v1/journal', '/metrics', '/'] },
  { role: 'replica', build: replicaApp, mustHave: ['/v1/status', '/healthz', '/metrics'] },
])('OpenAPI of the $role', ({ build, mustHave }) => {
  it('documents every route the app registers, with its methods', async () => {
    const app = (await build())();
    const routes = routesOf(app);
    await app.ready();
    const res = await app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json() as OpenApiDoc;
    expect(doc.openapi).toMatch(/^3\./);

    const api = routes.filter((r) => !r.url.startsWith('/docs'));
    // The UI's own routes serve the document; they are the only ones left out.
    for (const r of routes.filter((x) => x.url.startsWith('/docs')))
      expect((r.schema as { hide?: boolean } | undefined)?.hide, r.url).toBe(true);
    const missing: string[] = [];
    for (const r of api) {
      for (const m of methodsOf(r)) {
        if (m === 'head') continue; // fastify's automatic HEAD of each GET
        if (!doc.paths[openApiPath(r.url)]?.[m]) missing.push(`${m.toUpperCase()} ${r.url}`);
      }
    }
    expect(missing).toEqual([]);
    for (const url of mustHave) expect(Object.keys(doc.paths)).toContain(url);
    // Nothing is documented that the app does not serve.
    const served = new Set(api.map((r) => openApiPath(r.url)));
    expect(Object.keys(doc.paths).filter((p) => !served.has(p))).toEqual([]);
  });

  it('every error answer is the {error:{code,message}} shape', async () => {
    const app = (await build())();
    const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDoc;
    const errorSchema = doc.components.schemas.ApiError as {
      required: string[];
      properties: { error: { required: string[]; properties: Record<string, unknown> } };
    };
    expect(errorSchema.required).toEqual(['error']);
    expect(errorSchema.properties.error.required).toEqual(['code', 'message']);
    expect(Object.keys(errorSchema.properties.error.properties).sort()).toEqual([
      'code',
      'message',
    ]);

    const wrong: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const statuses = Object.keys(op.responses);
        // Each operation says what its 4xx and 5xx answers look like.
        for (const s of ['4XX', '5XX'])
          if (!statuses.includes(s)) wrong.push(`${method} ${path} ${s}`);
        for (const [status, answer] of Object.entries(op.responses)) {
          if (!/^[45]/.test(status)) continue;
          // /healthz answers 503 with its health body: a probe's answer, not an error.
          if (path === '/healthz' && status === '503') continue;
          const ref = answer.content?.['application/json']?.schema?.$ref;
          if (ref !== '#/components/schemas/ApiError') wrong.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('serves the UI at /docs from its own files, nothing from another host', async () => {
    const app = (await build())();
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(script.statusCode).toBe(200);
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toContain('json');
  });

  it('a refusal answered by the app has the documented shape', async () => {
    const app = (await build())();
    const res = await app.inject({ method: 'GET', url: '/v1/no-such-route' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'FSJ_ERR_API_NOT_FOUND', message: 'no route GET /v1/no-such-route' },
    });
  });
});
