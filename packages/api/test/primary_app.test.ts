/**
 * The primary's REST API (docs/PROTOCOL.md, "REST"), built over a real
 * journal in a temp folder without capture and exercised with inject()
 * (STYLE.md 13): shapes, the `{error:{code,message}}` answer of every
 * refusal, barriers and annotations landing in the journal, and waiting on a
 * replica's acknowledgement.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordKind, type Journal } from '@fsjournal/journal';
import { injectJournalFaults } from '@fsjournal/journal/internal';
import type { ReplicaRegistry } from '@fsjournal/api';
import { closePrimaryApp, openPrimaryApp } from './primary_app_fixture.js';

let dir: string;
let journal: Journal;
let registry: ReplicaRegistry;
let app: FastifyInstance;

beforeEach(async () => {
  ({ dir, journal, registry, app } = await openPrimaryApp('fsj-api-'));
});

afterEach(() => closePrimaryApp({ dir, journal, registry, app }));

/** The answer's JSON body. */
function body(res: LightMyRequestResponse): unknown {
  return res.json();
}

/** Checks `res` is a refusal with `status` and `code`, in the one error shape. */
function expectError(res: LightMyRequestResponse, status: number, code: string): void {
  expect(res.statusCode).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const b = body(res) as { error: { code: string; message: string } };
  expect(Object.keys(b)).toEqual(['error']);
  expect(Object.keys(b.error).sort()).toEqual(['code', 'message']);
  expect(b.error.code).toBe(code);
  expect(typeof b.error.message).toBe('string');
  expect(b.error.message.length).toBeGreaterThan(0);
}

const REPLICA_FIELDS = [
  'address',
  'appliedLsn',
  'connected',
  'durableLsn',
  'id',
  'lagBytes',
  'lagMs',
  'lagRecords',
  'lastAckAt',
];

/** The record at `lsn`, read back from the journal. */
async function recordAt(lsn: number): Promise<{ kind: number; text: string; barrierId: string }> {
  for await (const e of journal.read({ fromLsn: lsn })) return e.record;
  throw new Error(`no record at ${lsn}`);
}

describe('health and status', () => {
  it('GET /healthz answers ok', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ ok: true });
  });

  it('GET /v1/status has every field of DESIGN.md', async () => {
    await journal.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'one' });
    const res = await app.inject({ method: 'GET', url: '/v1/status' });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({
      role: 'primary',
      journalId: journal.journalId,
      mode: 'watch',
      source: '/srv/data',
      firstLsn: 1,
      lastLsn: 1,
      durableLsn: 1,
      replicas: [],
      retentionHold: null,
      journal: {
        state: 'ok',
        error: null,
        since: null,
        attempts: 0,
        recoveries: 0,
        totalAttempts: 0,
      },
    });
    expect(journal.journalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a failed journal: healthz 503 with its code, status and metrics say so; recovered, all is ok again', async () => {
    await journal.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'before' });
    injectJournalFaults(journal, (step) => {
      injectJournalFaults(journal, undefined);
      throw Object.assign(new Error(`ENOSPC: no space left on device, ${step}`), {
        code: 'ENOSPC',
      });
    });
    const refused = await app.inject({
      method: 'POST',
      url: '/v1/annotations',
      payload: { text: 'refused' },
    });
    expectError(refused, 503, 'FSJ_ERR_API_UNAVAILABLE');
    expect((body(refused) as { error: { message: string } }).error.message).toMatch(
      /ENOSPC.*\(FSJ_ERR_JOURNAL_IO\)$/,
    );

    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(503);
    expect(body(health)).toEqual({
      ok: false,
      error: { code: 'FSJ_ERR_JOURNAL_IO', message: expect.stringMatching(/after lsn 1: ENOSPC/) },
    });
    const status = body(await app.inject({ method: 'GET', url: '/v1/status' })) as {
      journal: Record<string, unknown>;
    };
    expect(status.journal).toMatchObject({
      state: 'failed',
      error: { code: 'FSJ_ERR_JOURNAL_IO' },
      since: expect.stringMatching(/Z$/),
    });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(/^fsjournal_journal_failed 1$/m);

    await journal.recover();
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const after = body(await app.inject({ method: 'GET', url: '/v1/status' })) as {
      journal: Record<string, unknown>;
    };
    expect(after.journal).toMatchObject({ state: 'ok', error: null, since: null });
    expect((await app.inject({ method: 'GET', url: '/metrics' })).body).toMatch(
      /^fsjournal_journal_failed 0$/m,
    );
    expect((await recordAt(2)).kind).toBe(RecordKind.RECORD_KIND_GAP);
  });

  it('GET /v1/status lists connected replicas with every Replica field', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    const res = await app.inject({ method: 'GET', url: '/v1/status' });
    const replicas = (body(res) as { replicas: Record<string, unknown>[] }).replicas;
    expect(replicas).toHaveLength(1);
    expect(Object.keys(replicas[0]!).sort()).toEqual(REPLICA_FIELDS);
  });

  it('GET /v1/replicas is an empty list before any replica connects', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/replicas' });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual([]);
  });
});

describe('GET /v1/replicas/:id', () => {
  it('an unknown replica is 404 FSJ_ERR_API_UNKNOWN_REPLICA', async () => {
    const res = await app.inject({ method: 'GET', url: '/v1/replicas/unknown' });
    expectError(res, 404, 'FSJ_ERR_API_UNKNOWN_REPLICA');
  });

  it('a known replica answers its row', async () => {
    await journal.appendMany([
      { kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'a' },
      { kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'b' },
    ]);
    registry.connected('r1', '127.0.0.1:5555', 0);
    expect(body(await app.inject({ method: 'GET', url: '/v1/replicas/r1' }))).toMatchObject({
      appliedLsn: 0,
      lastAckAt: null,
    });
    registry.acked('r1', 1, 1);
    const res = await app.inject({ method: 'GET', url: '/v1/replicas/r1' });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toMatchObject({
      id: 'r1',
      connected: true,
      address: '127.0.0.1:5555',
      appliedLsn: 1,
      durableLsn: 1,
      lagRecords: 1,
    });
    const row = body(res) as { lagBytes: number; lagMs: number };
    expect(row.lagBytes).toBeGreaterThan(0);
    expect(row.lagMs).toBeGreaterThanOrEqual(0);
  });

  it.each([
    ['waitForLsn=banana', 'waitForLsn=banana'],
    ['waitForLsn=-1', 'waitForLsn=-1'],
    ['waitForLsn=1.5', 'waitForLsn=1.5'],
    ['waitForLsn empty', 'waitForLsn='],
    ['timeoutMs over an hour', 'waitForLsn=1&timeoutMs=3600001'],
    ['timeoutMs=soon', 'waitForLsn=1&timeoutMs=soon'],
    ['an unknown parameter', 'waitForLsn=1&colour=blue'],
  ])('%s is 400 FSJ_ERR_API_BAD_REQUEST', async (_name, query) => {
    registry.connected('r1', null, 0);
    const res = await app.inject({ method: 'GET', url: `/v1/replicas/r1?${query}` });
    expectError(res, 400, 'FSJ_ERR_API_BAD_REQUEST');
  });

  it('waiting for an LSN not reached is 408 FSJ_ERR_API_TIMEOUT', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    const started = Date.now();
    const res = await app.inject({
      method: 'GET',
      url: '/v1/replicas/r1?waitForLsn=3&timeoutMs=50',
    });
    expectError(res, 408, 'FSJ_ERR_API_TIMEOUT');
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('waiting for an LSN already applied answers at once', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 4, 4);
    const res = await app.inject({
      method: 'GET',
      url: '/v1/replicas/r1?waitForLsn=4&timeoutMs=0',
    });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toMatchObject({ id: 'r1', appliedLsn: 4 });
  });

  it('waiting answers 200 once the replica acknowledges the LSN applied and durable', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    // Applied but not yet durable does not end the wait; durable does.
    const applied = setTimeout(() => registry.acked('r1', 3, 2), 50);
    const timer = setTimeout(() => registry.acked('r1', 3, 3), 150);
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/replicas/r1?waitForLsn=3&timeoutMs=10000',
      });
      expect(res.statusCode).toBe(200);
      const row = body(res) as { appliedLsn: number; durableLsn: number; lastAckAt: string };
      expect([row.appliedLsn, row.durableLsn]).toEqual([3, 3]);
      expect(new Date(row.lastAckAt).toISOString()).toBe(row.lastAckAt);
    } finally {
      clearTimeout(applied);
      clearTimeout(timer);
    }
  });

  it('an acknowledgement below the LSN does not end the wait', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    const early = setTimeout(() => registry.acked('r1', 2, 2), 10);
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/v1/replicas/r1?waitForLsn=3&timeoutMs=100',
      });
      expectError(res, 408, 'FSJ_ERR_API_TIMEOUT');
    } finally {
      clearTimeout(early);
    }
  });
});

describe('a replica row across reconnects', () => {
  /** appliedLsn and durableLsn of r1 as GET /v1/replicas/r1 answers them. */
  async function positions(): Promise<[number, number]> {
    const row = body(await app.inject({ method: 'GET', url: '/v1/replicas/r1' })) as {
      appliedLsn: number;
      durableLsn: number;
    };
    return [row.appliedLsn, row.durableLsn];
  }

  beforeEach(async () => {
    await journal.appendMany(
      Array.from({ length: 9 }, (_, i) => ({
        kind: RecordKind.RECORD_KIND_ANNOTATE,
        text: `${i}`,
      })),
    );
  });

  it('a Hello from the durable position keeps the applied LSN acknowledged before', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 7, 4);
    registry.disconnected('r1');
    registry.connected('r1', '127.0.0.1:5556', 4);
    expect(await positions()).toEqual([7, 4]);
    // Acks of what it applies again do not lower it either.
    registry.acked('r1', 5, 4);
    expect(await positions()).toEqual([7, 4]);
    registry.acked('r1', 9, 9);
    expect(await positions()).toEqual([9, 9]);
  });

  it('a Hello claiming more than was acknowledged does not raise the row (a forged Hello)', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 7, 4);
    registry.disconnected('r1');
    registry.connected('r1', '127.0.0.1:6666', 9);
    expect(await positions()).toEqual([7, 4]);
    // An id never seen starts at 0 whatever it claims.
    registry.connected('r9', '127.0.0.1:6667', 9);
    expect(registry.row('r9')).toMatchObject({ appliedLsn: 0, durableLsn: 0 });
  });

  it('a new replica of the same id (Hello without a journal id) starts over', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 7, 4);
    registry.connected('r1', '127.0.0.1:5556', 0, true);
    expect(await positions()).toEqual([0, 0]);
  });

  it('a replica whose durable position went back (its state restored) starts over from it', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 8, 6);
    registry.connected('r1', '127.0.0.1:5556', 3);
    expect(await positions()).toEqual([3, 3]);
  });
});

describe('POST /v1/barrier', () => {
  it('appends a BARRIER record and answers its lsn', async () => {
    await journal.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'before' });
    const res = await app.inject({ method: 'POST', url: '/v1/barrier' });
    expect(res.statusCode).toBe(200);
    const { lsn } = body(res) as { lsn: number };
    expect(lsn).toBe(2);
    expect(journal.durableLsn).toBeGreaterThanOrEqual(lsn);
    const r = await recordAt(lsn);
    expect(r.kind).toBe(RecordKind.RECORD_KIND_BARRIER);
    expect(r.barrierId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('two barriers get two LSNs and two ids', async () => {
    const a = body(await app.inject({ method: 'POST', url: '/v1/barrier' })) as { lsn: number };
    const b = body(await app.inject({ method: 'POST', url: '/v1/barrier' })) as { lsn: number };
    expect(b.lsn).toBe(a.lsn + 1);
    expect((await recordAt(a.lsn)).barrierId).not.toBe((await recordAt(b.lsn)).barrierId);
  });

  it('on a closed journal is 503 FSJ_ERR_API_UNAVAILABLE', async () => {
    await journal.close();
    const res = await app.inject({ method: 'POST', url: '/v1/barrier' });
    expectError(res, 503, 'FSJ_ERR_API_UNAVAILABLE');
  });
});

describe('POST /v1/annotations', () => {
  it('appends an ANNOTATE record with the text and answers its lsn', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/annotations',
      payload: { text: 'release 4.2 deployed' },
    });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ lsn: 1 });
    const r = await recordAt(1);
    expect(r.kind).toBe(RecordKind.RECORD_KIND_ANNOTATE);
    expect(r.text).toBe('release 4.2 deployed');
  });

  it('bad JSON is 400 FSJ_ERR_API_BAD_REQUEST and nothing is appended', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/annotations',
      headers: { 'content-type': 'application/json' },
      payload: '{"text": "unterminated',
    });
    expectError(res, 400, 'FSJ_ERR_API_BAD_REQUEST');
    expect(journal.lastLsn).toBe(0);
  });

  it.each([
    ['missing text', {}],
    ['empty text', { text: '' }],
    ['text not a string', { text: { value: 'x' } }],
    ['text over 4096 characters', { text: 'x'.repeat(4097) }],
    ['an extra field', { text: 'hello', colour: 'blue' }],
    ['an array instead of an object', ['hello']],
  ])('%s is 400 FSJ_ERR_API_BAD_REQUEST and nothing is appended', async (_name, payload) => {
    const res = await app.inject({ method: 'POST', url: '/v1/annotations', payload });
    expectError(res, 400, 'FSJ_ERR_API_BAD_REQUEST');
    expect(journal.lastLsn).toBe(0);
  });

  it('the refusal names what was wrong', async () => {
    const res = await app.inject({ method: 'POST', url: '/v1/annotations', payload: {} });
    expect((body(res) as { error: { message: string } }).error.message).toMatch(/text/);
  });
});

describe('unknown routes', () => {
  it.each([
    ['GET', '/nope'],
    ['DELETE', '/v1/status'],
    ['POST', '/v1/status'],
  ] as const)('%s %s is 404 FSJ_ERR_API_NOT_FOUND', async (method, url) => {
    const res = await app.inject({ method, url });
    expectError(res, 404, 'FSJ_ERR_API_NOT_FOUND');
  });
});

describe('the retention hold in GET /v1/status', () => {
  it('names the replica with the lowest durable LSN', async () => {
    await journal.appendMany(
      Array.from({ length: 5 }, (_, i) => ({
        kind: RecordKind.RECORD_KIND_ANNOTATE,
        text: `${i}`,
      })),
    );
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 3, 3);
    registry.connected('r2', '127.0.0.1:5556', 0);
    registry.acked('r2', 5, 5);
    const s = body(await app.inject({ method: 'GET', url: '/v1/status' })) as {
      retentionHold: unknown;
    };
    expect(s.retentionHold).toEqual({ replicaId: 'r1', lsn: 3 });
  });
});

describe('DELETE /v1/replicas/:id', () => {
  it('forgets a replica that is not connected, with its hold; refuses a connected or unknown one', async () => {
    registry.connected('r1', '127.0.0.1:5555', 0);
    registry.acked('r1', 0, 0);
    expectError(
      await app.inject({ method: 'DELETE', url: '/v1/replicas/r1' }),
      409,
      'FSJ_ERR_API_REPLICA_CONNECTED',
    );
    registry.disconnected('r1');
    expect(registry.minDurableLsn()).toBe(0);
    const res = await app.inject({ method: 'DELETE', url: '/v1/replicas/r1' });
    expect(res.statusCode).toBe(200);
    expect(body(res)).toEqual({ id: 'r1' });
    expect(registry.minDurableLsn()).toBeUndefined();
    expectError(
      await app.inject({ method: 'DELETE', url: '/v1/replicas/r1' }),
      404,
      'FSJ_ERR_API_UNKNOWN_REPLICA',
    );
  });
});
