/**
 * Property-based fuzzing (fast-check) of what reads bytes from outside: the
 * frame decoder, the record codec and the REST inputs. No input crashes
 * with anything but a coded error, none hangs, none answers 5xx, and none
 * pollutes Object.prototype. `npm test` runs a short mode; `FSJ_LONG=1`
 * (npm run test:long) runs 100,000 inputs per property.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isJournalError, Journal, RecordKind } from '@fsjournal/journal';
import { decodeRecord, encodeFrame, encodeRecord, FrameDecoder } from '@fsjournal/journal/internal';
import { buildPrimaryApp, ReplicaRegistry } from '@fsjournal/api';

const RUNS = process.env.FSJ_LONG ? 100_000 : 1_000;
const SEED = Number(process.env.FSJ_SEED ?? 8);

/** Valid frames, so that mutations of them reach deep into the decoder. */
function someFrames(): Buffer {
  const records = [
    { kind: RecordKind.RECORD_KIND_MKDIR, path: 'd', mode: 0o755 },
    { kind: RecordKind.RECORD_KIND_WRITE, path: 'd/f', offset: 3, data: Buffer.from('data') },
    { kind: RecordKind.RECORD_KIND_RENAME, path: 'd/f', path2: 'g' },
  ];
  return Buffer.concat(
    records.map((r, i) => encodeFrame(i + 1, 1_700_000_000_000_000 + i, encodeRecord(r))),
  );
}

describe('the frame decoder on arbitrary and damaged bytes', () => {
  it('yields frames or throws a coded JournalError, never anything else', () => {
    const base = someFrames();
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 512 }),
      fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([at, x]) => {
        const b = Buffer.from(base);
        b[at]! ^= x;
        return new Uint8Array(b);
      }),
      fc.nat(base.length).map((n) => new Uint8Array(base.subarray(0, n))),
    );
    fc.assert(
      fc.property(input, fc.array(fc.nat(64), { maxLength: 8 }), (bytes, cuts) => {
        const d = new FrameDecoder(undefined, 0, 'fuzz.seg');
        try {
          let at = 0;
          for (const c of [...cuts, bytes.length]) {
            const end = Math.min(bytes.length, at + c);
            d.push(Buffer.from(bytes.subarray(at, end)));
            at = end;
          }
          d.end();
        } catch (err) {
          if (!isJournalError(err)) throw err;
          expect(err.code).toMatch(/^FSJ_ERR_/);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('the record codec on arbitrary bytes', () => {
  it('decodes a valid record or throws a coded JournalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          const r = decodeRecord(bytes);
          // Whatever it accepts obeys the rules it re-checks on encode.
          encodeRecord(r);
        } catch (err) {
          if (!isJournalError(err)) throw err;
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});

describe('REST inputs', () => {
  let dir: string;
  let journal: Journal;
  let app: FastifyInstance;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fsj-fuzz-'));
    journal = await Journal.open({ dir: join(dir, 'journal'), sync: 'none' });
    await journal.append({ kind: RecordKind.RECORD_KIND_MKDIR, path: 'docs', mode: 0o755 });
    app = buildPrimaryApp({
      journal,
      registry: new ReplicaRegistry(journal),
      mode: 'watch',
      source: '/srv',
    });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'banana',
      '-1',
      '1e99',
      '**/[',
      '{a,',
      '',
    ),
  );
  const json = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    fc.constantFrom(
      '{"__proto__":{"polluted":true},"text":"x"}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"text":"a","text":{"__proto__":{"polluted":1}}}',
      '{',
      '',
    ),
  );
  const request = fc.oneof(
    fc.record({
      method: fc.constant('GET' as const),
      url: fc
        .dictionary(
          fc.constantFrom('since', 'until', 'path', 'op', 'afterLsn', 'limit', 'x', '__proto__'),
          text,
          {
            maxKeys: 4,
          },
        )
        .map((q) => `/v1/journal?${new URLSearchParams(q).toString()}`),
      body: fc.constant(undefined),
    }),
    fc.record({
      method: fc.constant('GET' as const),
      url: fc
        .tuple(text, text)
        .map(
          ([id, w]) =>
            `/v1/replicas/${encodeURIComponent(id || 'x')}?waitForLsn=${encodeURIComponent(w)}&timeoutMs=0`,
        ),
      body: fc.constant(undefined),
    }),
    fc.record({
      method: fc.constant('GET' as const),
      url: text.map((p) => `/v1/files/${encodeURIComponent(p)}/history`),
      body: fc.constant(undefined),
    }),
    fc.record({
      method: fc.constant('POST' as const),
      url: fc.constantFrom('/v1/annotations', '/v1/checkpoints', '/v1/barrier'),
      body: json,
    }),
  );

  it('answers 2xx or a coded 4xx, never 5xx, and never pollutes prototypes', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const res = await app.inject({
          method: r.method,
          url: r.url,
          payload: r.body,
          headers: r.body === undefined ? {} : { 'content-type': 'application/json' },
        });
        // A POST /v1/checkpoints without checkpoints in this app is a coded 503.
        const allowed503 = r.url === '/v1/checkpoints' && res.statusCode === 503;
        expect(res.statusCode < 500 || allowed503, `${r.method} ${r.url} ${res.body}`).toBe(true);
        if (res.statusCode >= 400) {
          const body = res.json() as { error?: { code?: string; message?: string } };
          expect(body.error?.code).toMatch(/^FSJ_ERR_API_/);
          expect(typeof body.error?.message).toBe('string');
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      }),
      { numRuns: Math.min(RUNS, process.env.FSJ_LONG ? 100_000 : 300), seed: SEED },
    );
  }, 600_000);
});
