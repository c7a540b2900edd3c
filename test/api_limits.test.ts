/**
 * Expensive requests are shared, not repeated (issue 16, item 3): 200
 * concurrent `POST /v1/checkpoints` to a real primary write at most two
 * checkpoints (the one in flight and the one the others share), each
 * request answered with a checkpoint that covers a change made before it;
 * 200 concurrent barriers share a few BARRIER records, run one at a time.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { http, useHarness, type Json } from './harness.js';

const harness = useHarness('api-limits');
const N = 200;

describe('a primary asked for the same expensive work by many at once', () => {
  it(`writes at most two checkpoints for ${N} concurrent requests, each covering its caller`, async () => {
    const h = harness();
    const source = await h.dir('source');
    for (let i = 0; i < 50; i++) await writeFile(join(source, `f${i}.txt`), `file ${i}\n`);
    const primary = await h.primary({ source, journal: join(h.root, 'journal') });
    const url = primary.url;
    await writeFile(join(source, 'before.txt'), 'written before every request\n');
    const answers = await Promise.all(
      Array.from({ length: N }, () =>
        http(`${url}/v1/checkpoints`, { method: 'POST', body: {}, timeoutMs: 120_000 }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const ids = new Set(answers.map((a) => a.body.id as string));
    expect(ids.size).toBeLessThanOrEqual(2);
    const listed = (await http<Json[]>(`${url}/v1/checkpoints`)).body;
    expect(listed.length).toBe(ids.size);
    // Each covers before.txt, written before any request was sent.
    const history = await http<Json[]>(`${url}/v1/files/before.txt/history`);
    const created = Math.min(...history.body.map((r) => r.lsn as number));
    for (const a of answers) expect(a.body.lsn as number).toBeGreaterThanOrEqual(created);
  }, 120_000);

  it(`shares a few barriers among ${N} concurrent requests`, async () => {
    const h = harness();
    const primary = await h.primary({
      source: await h.dir('source'),
      journal: join(h.root, 'journal'),
    });
    const answers = await Promise.all(
      Array.from({ length: N }, () =>
        http(`${primary.url}/v1/barrier`, { method: 'POST', timeoutMs: 60_000 }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // Barriers run one at a time, each shared by the requests that came
    // while the one before ran; requests arrive over a few milliseconds, so
    // a few run (5 seen here), never one per request.
    const lsns = new Set(answers.map((a) => a.body.lsn as number));
    const barriers = await http<Json[]>(`${primary.url}/v1/journal?op=BARRIER`);
    expect(barriers.body.map((r) => r.lsn).sort()).toEqual([...lsns].sort());
    expect(lsns.size).toBeLessThan(N / 4);
  }, 60_000);
});
