/**
 * The primary's dashboard at `GET /`: one HTML page and a small script that
 * polls the REST API every second (replicas, journal tail, annotations) and
 * draws replica lag over the last minutes with uPlot. Every file is served
 * from this package (`assets/`) or from the uplot package in node_modules:
 * no CDN, no build step. The script writes text nodes only, never HTML.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { errorResponses, LOCAL_ONLY_CSP } from './openapi.js';

const require = createRequire(import.meta.url);

/** URL path -> [file, content type]. */
function files(): Record<string, [string, string]> {
  const asset = (name: string) => new URL(`../assets/${name}`, import.meta.url).pathname;
  return {
    '/': [asset('dashboard.html'), 'text/html; charset=utf-8'],
    '/dashboard/dashboard.js': [asset('dashboard.js'), 'text/javascript; charset=utf-8'],
    '/dashboard/dashboard.css': [asset('dashboard.css'), 'text/css; charset=utf-8'],
    '/dashboard/uPlot.iife.min.js': [
      require.resolve('uplot/dist/uPlot.iife.min.js'),
      'text/javascript; charset=utf-8',
    ],
    '/dashboard/uPlot.min.css': [
      require.resolve('uplot/dist/uPlot.min.css'),
      'text/css; charset=utf-8',
    ],
  };
}

/** Adds the dashboard's routes; the files are read once, here. */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  for (const [url, [file, type]] of Object.entries(files())) {
    const body = await readFile(file);
    const isPage = url === '/';
    app.get(
      url,
      {
        schema: {
          summary: isPage
            ? 'Dashboard (HTML)'
            : `Dashboard file ${url.slice('/dashboard/'.length)}`,
          tags: ['operations'],
          response: {
            200: {
              description: isPage ? 'the dashboard page' : 'a static file of the dashboard',
              content: { [type.split(';')[0]!]: { schema: { type: 'string' } } },
            },
            ...errorResponses(),
          },
        },
      },
      async (_req, reply) =>
        reply
          .type(type)
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', LOCAL_ONLY_CSP)
          .send(body),
    );
  }
}
