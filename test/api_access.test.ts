/**
 * Who may call the REST API, end to end against real daemons: with
 * --token-file every route but /healthz needs the token (the dashboard
 * asks for it as a browser password); a Host header that is not a name of
 * the daemon is refused (DNS rebinding), with or without a token; a request
 * that changes something from another origin is refused, and so is a
 * stream upgrade from one. A refused request changes nothing.
 */
import { request } from 'node:http';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { http, runCli, useHarness, type Daemon, type Harness, type Json } from './harness.js';

const harness = useHarness('api-access');
const TOKEN = 'open-sesame-9d2f61';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Json | undefined;
}

/** A request with any headers (fetch will not send another Host). */
function raw(method: string, url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((res, rej) => {
    const req = request(url, { method, headers }, (r) => {
      let text = '';
      r.setEncoding('utf8').on('data', (d: string) => (text += d));
      r.on('end', () => {
        let body: Json | undefined;
        try {
          body = text === '' ? undefined : (JSON.parse(text) as Json);
        } catch {
          body = undefined;
        }
        res({ status: r.statusCode ?? 0, headers: r.headers, body });
      });
    });
    req.on('error', rej);
    req.end();
  });
}

const codeOf = (r: Raw): unknown => (r.body?.error as Json | undefined)?.code;

/** The status an upgrade to `url` with `headers` is answered with (101 when it opens). */
function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((res) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, r) => {
      res(r.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('open', () => {
      res(101);
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

/** A primary with --token-file TOKEN (and `args`); answers it and the token file. */
async function tokenPrimary(
  h: Harness,
  args: string[] = [],
): Promise<{ primary: Daemon; tokenFile: string }> {
  const tokenFile = join(h.root, 'token');
  await writeFile(tokenFile, `${TOKEN}\n`);
  const source = await h.dir('source');
  const primary = await h.primary({ source, journal: join(h.root, 'journal'), tokenFile, args });
  return { primary, tokenFile };
}

describe('the REST API of a primary with --token-file', () => {
  it('answers only requests with the token, and changes nothing for the others', async () => {
    const h = harness();
    const source = await h.dir('source');
    await writeFile(join(source, 'payroll.csv'), 'alice,100\n');
    const tokenFile = join(h.root, 'token');
    await writeFile(tokenFile, `${TOKEN}\n`);
    const primary = await h.primary({ source, journal: join(h.root, 'journal'), tokenFile });
    const url = primary.url;
    const bearer = { authorization: `Bearer ${TOKEN}` };
    const before = (await primary.status()).lastLsn as number;

    const reads = [
      '/v1/status',
      '/v1/replicas',
      '/v1/journal',
      '/v1/files/payroll.csv/history',
      '/v1/checkpoints',
      '/metrics',
      '/docs/json',
      '/',
      '/dashboard/dashboard.js',
    ];
    for (const path of reads) {
      const none = await raw('GET', `${url}${path}`);
      expect(none.status, path).toBe(401);
      expect(codeOf(none), path).toBe('FSJ_ERR_API_UNAUTHORIZED');
      expect(Object.keys(none.body ?? {}), path).toEqual(['error']);
      const wrong = await raw('GET', `${url}${path}`, { authorization: 'Bearer open-sesame' });
      expect(wrong.status, path).toBe(401);
      expect((await raw('GET', `${url}${path}`, bearer)).status, path).toBe(200);
    }
    // A page asks a browser for the token; an API route names the bearer scheme.
    expect((await raw('GET', `${url}/`)).headers['www-authenticate']).toMatch(/^Basic /);
    expect((await raw('GET', `${url}/v1/status`)).headers['www-authenticate']).toMatch(/^Bearer /);
    const basic = `Basic ${Buffer.from(`anyone:${TOKEN}`).toString('base64')}`;
    expect((await raw('GET', `${url}/`, { authorization: basic })).status).toBe(200);
    expect((await raw('GET', `${url}/healthz`)).status).toBe(200);

    for (const path of ['/v1/barrier', '/v1/checkpoints', '/v1/annotations']) {
      const r = await raw('POST', `${url}${path}`);
      expect(r.status, path).toBe(401);
    }
    const after = await http(`${url}/v1/status`, { token: TOKEN });
    expect(after.body.lastLsn).toBe(before);
    expect((await http(`${url}/v1/checkpoints`, { token: TOKEN })).body).toEqual([]);

    // The CLI presents the token with --token-file, and says why without it.
    const refused = await runCli(['status', '--api', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/FSJ_ERR_API_UNAUTHORIZED/);
    const shown = await runCli(['status', '--api', url, '--json', '--token-file', tokenFile]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).role).toBe('primary');
    const log = await runCli(['log', '--api', url, '--json', '--token-file', tokenFile]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toMatch(/payroll\.csv/);
    const noted = await runCli([
      'annotate',
      '--api',
      url,
      '--text',
      'x',
      '--token-file',
      tokenFile,
    ]);
    expect(noted.code, noted.stderr).toBe(0);
  }, 60_000);

  it('serves /metrics without a token with --metrics-public, and nothing else', async () => {
    const { primary } = await tokenPrimary(harness(), ['--metrics-public']);
    expect((await raw('GET', `${primary.url}/metrics`)).status).toBe(200);
    expect((await raw('GET', `${primary.url}/v1/status`)).status).toBe(401);
  }, 60_000);
});

describe('a primary reached from a web page', () => {
  it('refuses a Host that is not its name (DNS rebinding), token or not', async () => {
    const h = harness();
    const source = await h.dir('source');
    const plain = await h.primary({
      source,
      journal: join(h.root, 'journal'),
      args: ['--allowed-host', 'standby.example'],
    });
    const port = plain.port;
    for (const host of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`]) {
      const r = await raw('GET', `${plain.url}/v1/journal`, { host });
      expect(r.status, host).toBe(403);
      expect(codeOf(r), host).toBe('FSJ_ERR_API_FORBIDDEN_HOST');
      expect((r.body?.error as Json).message).toMatch(/--allowed-host/);
    }
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `[::1]:${port}`,
      `standby.example:${port}`,
    ]) {
      expect((await raw('GET', `${plain.url}/v1/status`, { host })).status, host).toBe(200);
    }
  }, 60_000);

  it('refuses changes and stream upgrades from another origin', async () => {
    const { primary } = await tokenPrimary(harness());
    const url = primary.url;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const before = (await primary.status()).lastLsn as number;
    const pages: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of pages) {
      for (const path of ['/v1/barrier', '/v1/checkpoints']) {
        const r = await raw('POST', `${url}${path}`, { ...auth, ...headers });
        expect(r.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(codeOf(r)).toBe('FSJ_ERR_API_CROSS_ORIGIN');
      }
    }
    expect((await primary.status()).lastLsn).toBe(before);
    // The dashboard's own origin may.
    const same = await raw('POST', `${url}/v1/barrier`, { ...auth, origin: url });
    expect(same.status).toBe(200);
    // A stream upgrade from a page (browsers always send Origin) is refused.
    const stream = `ws://127.0.0.1:${primary.port}/v1/stream`;
    expect(await upgradeStatus(stream, { ...auth, origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(stream, auth)).toBe(101);
  }, 60_000);
});

describe('the REST API of a replica with --token-file', () => {
  it('needs the same token as the stream, but /healthz', async () => {
    const h = harness();
    const { primary, tokenFile } = await tokenPrimary(h);
    const replica = await h.replica({
      upstream: `ws://127.0.0.1:${primary.port}/v1/stream`,
      target: join(h.root, 'target'),
      id: 'r1',
      tokenFile,
    });
    expect((await raw('GET', `${replica.url}/v1/status`)).status).toBe(401);
    expect((await raw('GET', `${replica.url}/metrics`)).status).toBe(401);
    expect((await raw('GET', `${replica.url}/healthz`)).status).toBe(200);
    const s = await raw('GET', `${replica.url}/v1/status`, { authorization: `Bearer ${TOKEN}` });
    expect(s.status).toBe(200);
    const ok = await runCli(['status', '--api', replica.url, '--token-file', tokenFile]);
    expect(ok.code, ok.stderr).toBe(0);
  }, 60_000);
});
