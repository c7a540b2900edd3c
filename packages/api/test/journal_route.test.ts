/**
 * The audit routes of the primary (docs/PROTOCOL.md, "REST"): `GET
 * /v1/journal` as JSON and NDJSON with every filter, `GET
 * /v1/files/*\/history`, and bad input refused with 400
 * FSJ_ERR_API_BAD_REQUEST naming the parameter. Built over a real journal
 * and exercised with inject().
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordKind, formatTimeUs, type Journal, type RecordInput } from '@fsjournal/journal';
import { buildPrimaryApp, type ReplicaRegistry } from '@fsjournal/api';
import { closePrimaryApp, openPrimaryApp } from './primary_app_fixture.js';

const K = RecordKind;
let dir: string;
let journal: Journal;
let registry: ReplicaRegistry;
let app: FastifyInstance;
const times: number[] = [0];

const RECORDS: RecordInput[] = [
  { kind: K.RECORD_KIND_CREATE, path: 'a.txt', mode: 0o644, cred: { uid: 1000, gid: 100 } },
  { kind: K.RECORD_KIND_WRITE, path: 'a.txt', data: Buffer.from('secret'), size: 6 },
  { kind: K.RECORD_KIND_MKDIR, path: 'docs', mode: 0o755 },
  { kind: K.RECORD_KIND_RENAME, path: 'a.txt', path2: 'docs/a.txt' },
  { kind: K.RECORD_KIND_WRITE, path: 'docs/a.txt', data: Buffer.from('more'), size: 10 },
  { kind: K.RECORD_KIND_ANNOTATE, text: 'hello' },
  { kind: K.RECORD_KIND_UNLINK, path: 'docs/a.txt' },
];

beforeEach(async () => {
  ({ dir, journal, registry, app } = await openPrimaryApp('fsj-api-journal-'));
  for (const r of RECORDS) {
    const at = await journal.append(r);
    times[at.lastLsn] = at.timeUs;
    await new Promise((res) => setTimeout(res, 3));
  }
});

afterEach(() => closePrimaryApp({ dir, journal, registry, app }));

function lsns(res: LightMyRequestResponse): number[] {
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { lsn: number }[]).map((r) => r.lsn);
}

function expectBadRequest(res: LightMyRequestResponse, names: RegExp): void {
  expect(res.statusCode, res.body).toBe(400);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const b = res.json() as { error: { code: string; message: string } };
  expect(Object.keys(b)).toEqual(['error']);
  expect(b.error.code).toBe('FSJ_ERR_API_BAD_REQUEST');
  expect(b.error.message).toMatch(names);
}

const get = (url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  app.inject({ method: 'GET', url, headers });

describe('GET /v1/journal', () => {
  it('answers every record as a JSON array, without content', async () => {
    const res = await get('/v1/journal');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const rows = res.json() as Record<string, unknown>[];
    expect(rows.map((r) => r.lsn)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(rows[0]).toEqual({
      lsn: 1,
      time: formatTimeUs(times[1]!),
      op: 'CREATE',
      path: 'a.txt',
      mode: 0o644,
      uid: 1000,
      gid: 100,
    });
    expect(rows[3]).toEqual({
      lsn: 4,
      time: formatTimeUs(times[4]!),
      op: 'RENAME',
      path: 'a.txt',
      path2: 'docs/a.txt',
    });
    // File content never; an annotation's own words, yes.
    expect(res.body).not.toMatch(/secret|more|data/);
    expect(rows[5]).toMatchObject({ op: 'ANNOTATE', text: 'hello' });
  });

  it('streams NDJSON when asked', async () => {
    const res = await get('/v1/journal?op=WRITE', { accept: 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = res.body.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as { lsn: number }).lsn)).toEqual([2, 5]);
  });

  it('an empty answer is [] or an empty NDJSON body', async () => {
    expect(lsns(await get('/v1/journal?afterLsn=7'))).toEqual([]);
    const nd = await get('/v1/journal?afterLsn=99', { accept: 'application/x-ndjson' });
    expect(nd.statusCode).toBe(200);
    expect(nd.body).toBe('');
  });

  it.for([
    ['path=docs/**', [3, 4, 5, 7]],
    ['path=a.txt', [1, 2, 4]],
    ['op=write,unlink', [2, 5, 7]],
    ['path=docs/**&op=WRITE', [5]],
    ['afterLsn=3&limit=2', [4, 5]],
    ['limit=1', [1]],
  ] as [string, number[]][])('%s', async ([query, expected]) => {
    expect(lsns(await get(`/v1/journal?${query}`))).toEqual(expected);
  });

  it('filters by since and until', async () => {
    const since = encodeURIComponent(formatTimeUs(times[3]!));
    const until = encodeURIComponent(formatTimeUs(times[5]!));
    expect(lsns(await get(`/v1/journal?since=${since}`))).toEqual([3, 4, 5, 6, 7]);
    expect(lsns(await get(`/v1/journal?until=${until}`))).toEqual([1, 2, 3, 4, 5]);
    expect(lsns(await get(`/v1/journal?since=${since}&until=${until}&op=WRITE`))).toEqual([5]);
    expect(lsns(await get('/v1/journal?since=1h&limit=2'))).toEqual([1, 2]);
  });

  it('answers at most 1000 records by default', async () => {
    await journal.appendMany(
      Array.from({ length: 1100 }, (_, i) => ({ kind: K.RECORD_KIND_ANNOTATE, text: `n${i}` })),
    );
    const got = lsns(await get('/v1/journal'));
    expect(got).toHaveLength(1000);
    expect(got[999]).toBe(1000);
    expect(lsns(await get('/v1/journal?afterLsn=1000&limit=100000'))).toHaveLength(107);
  });

  it.for([
    ['afterLsn=banana', /afterLsn/],
    ['afterLsn=-1', /afterLsn/],
    ['limit=0', /limit/],
    ['limit=100001', /limit/],
    ['since=yesterday', /since/],
    ['until=banana', /until/],
    ['since=1h&until=2h', /until/],
    ['path=%5Babc', /path/],
    ['op=FROB', /op/],
    ['op=WRITE,', /op/],
    ['frob=1', /frob/],
  ] as [string, RegExp][])('%s is 400 naming the parameter', async ([query, names]) => {
    expectBadRequest(await get(`/v1/journal?${query}`), names);
    expectBadRequest(await get(`/v1/journal?${query}`, { accept: 'application/x-ndjson' }), names);
  });
});

describe('GET /v1/files/*/history', () => {
  it('answers the records that touched one path (path or path2)', async () => {
    expect(lsns(await get('/v1/files/a.txt/history'))).toEqual([1, 2, 4]);
    expect(lsns(await get('/v1/files/docs/a.txt/history'))).toEqual([4, 5, 7]);
    expect(lsns(await get('/v1/files/docs/history'))).toEqual([3]);
    expect(lsns(await get('/v1/files/nothing/history'))).toEqual([]);
  });

  it('is not a glob', async () => {
    expect(lsns(await get('/v1/files/docs%2F*/history'))).toEqual([]);
  });

  it('takes the other filters and NDJSON', async () => {
    expect(lsns(await get('/v1/files/docs/a.txt/history?op=WRITE'))).toEqual([5]);
    expect(lsns(await get('/v1/files/docs/a.txt/history?afterLsn=4&limit=1'))).toEqual([5]);
    const res = await get('/v1/files/a.txt/history', { accept: 'application/x-ndjson' });
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(res.body.trim().split('\n')).toHaveLength(3);
  });

  it('refuses bad input', async () => {
    expectBadRequest(await get('/v1/files/a.txt/history?afterLsn=banana'), /afterLsn/);
    expectBadRequest(await get('/v1/files/a.txt/history?path=x'), /path/);
    expectBadRequest(await get('/v1/files/a//b/history'), /path/);
  });

  it('is 404 without /history', async () => {
    const res = await get('/v1/files/a.txt');
    expect(res.statusCode).toBe(404);
    expect((res.json() as { error: { code: string } }).error.code).toBe('FSJ_ERR_API_NOT_FOUND');
  });
});

describe('the time limit of an audit query', () => {
  it('stops a scan past it: 503 FSJ_ERR_API_BUSY as JSON, a last error line as NDJSON', async () => {
    await journal.appendMany(
      Array.from({ length: 3000 }, (_, i) => ({ kind: K.RECORD_KIND_ANNOTATE, text: `n${i}` })),
    );
    // The same journal behind an app whose queries may read for 0 ms.
    const hasty = buildPrimaryApp({
      journal,
      registry,
      mode: 'watch',
      source: '/srv/data',
      queryTimeLimitMs: 0,
    });
    await hasty.ready();
    try {
      const json = await hasty.inject({ method: 'GET', url: '/v1/journal?path=nothing/**' });
      expect(json.statusCode, json.body).toBe(503);
      const e = (json.json() as { error: { code: string; message: string } }).error;
      expect(e.code).toBe('FSJ_ERR_API_BUSY');
      expect(e.message).toMatch(/afterLsn=\d+/);
      const nd = await hasty.inject({
        method: 'GET',
        url: '/v1/journal?op=ANNOTATE&limit=100000',
        headers: { accept: 'application/x-ndjson' },
      });
      expect(nd.statusCode).toBe(200);
      const lines = nd.body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.at(-1)).toMatchObject({ error: { code: 'FSJ_ERR_API_BUSY' } });
      expect(lines.length).toBeLessThan(3002);
      // Within the default limit the same queries answer whole.
      expect(lsns(await get('/v1/journal?path=nothing/**'))).toEqual([]);
    } finally {
      await hasty.close();
    }
  });
});
