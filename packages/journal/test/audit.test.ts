/**
 * Audit queries (audit/query.ts): parseQuery's checks as a table (every bad input
 * is FSJ_ERR_JOURNAL_QUERY naming its parameter), and queryJournal over a
 * small multi-segment journal whose record times are known: each filter,
 * their combinations, paging by afterLsn, and the seek through the index.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  Journal,
  RecordKind,
  formatTimeUs,
  isJournalError,
  parseQuery,
  parseTime,
  queryErrorParam,
  queryJournal,
  type AuditRecord,
  type JournalQuery,
  type QueryInput,
  type RecordInput,
} from '@fsjournal/journal';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const K = RecordKind;

describe('parseTime', () => {
  it.for([
    ['2026-03-10T12:00:00Z', NOW * 1000],
    ['2026-03-10T12:00:00.5Z', NOW * 1000 + 500_000],
    ['2026-03-10T12:00:00.123456Z', NOW * 1000 + 123_456],
    ['2026-03-10T13:00:00+01:00', NOW * 1000],
    ['2026-03-10T13:00:00+0100', NOW * 1000],
    ['2026-03-10T12:00', NOW * 1000],
    ['2026-03-10', Date.parse('2026-03-10T00:00:00Z') * 1000],
    ['10m', (NOW - 600_000) * 1000],
    ['2h', (NOW - 7_200_000) * 1000],
    ['7d', (NOW - 7 * 86_400_000) * 1000],
    ['30s', (NOW - 30_000) * 1000],
  ] as [string, number][])('%s', ([text, us]) => {
    expect(parseTime(text, NOW)).toBe(us);
  });

  it('formatTimeUs round-trips through parseTime', () => {
    for (const us of [NOW * 1000, NOW * 1000 + 1, NOW * 1000 + 999_999, 1_700_000_000_123_456]) {
      expect(parseTime(formatTimeUs(us), NOW)).toBe(us);
    }
    expect(formatTimeUs(NOW * 1000 + 42)).toBe('2026-03-10T12:00:00.000042Z');
  });
});

describe('parseQuery', () => {
  it('an empty query matches everything from the start', () => {
    expect(parseQuery({}, NOW)).toEqual({ afterLsn: 0 });
  });

  it('parses every field', () => {
    const q = parseQuery(
      {
        since: '2h',
        until: '2026-03-10T12:00:00Z',
        path: 'docs/**',
        op: 'write,RENAME',
        afterLsn: '7',
        limit: '50',
      },
      NOW,
    );
    expect(q.sinceUs).toBe((NOW - 7_200_000) * 1000);
    expect(q.untilUs).toBe(NOW * 1000);
    expect(q.ops).toEqual(new Set([K.RECORD_KIND_WRITE, K.RECORD_KIND_RENAME]));
    expect(q.afterLsn).toBe(7);
    expect(q.limit).toBe(50);
    expect(q.pathMatcher!('docs/a/b.md')).toBe(true);
    expect(q.pathMatcher!('docs/.hidden')).toBe(true); // dot: true
    expect(q.pathMatcher!('src/a.ts')).toBe(false);
  });

  it('accepts numbers for afterLsn and limit, and until equal to since', () => {
    const q = parseQuery({ afterLsn: 0, limit: 1, since: '1h', until: '1h' }, NOW);
    expect(q.afterLsn).toBe(0);
    expect(q.limit).toBe(1);
    expect(q.sinceUs).toBe(q.untilUs);
  });

  it.for([
    [{ since: 'yesterday' }, 'since'],
    [{ since: '' }, 'since'],
    [{ since: '10 minutes' }, 'since'],
    [{ since: '10y' }, 'since'],
    [{ since: '-5m' }, 'since'],
    [{ since: '2026-02-30T00:00:00Z' }, 'since'],
    [{ since: '2026-13-01' }, 'since'],
    [{ since: '2026-03-10T25:00:00Z' }, 'since'],
    [{ until: 'banana' }, 'until'],
    [{ since: '1h', until: '2h' }, 'until'],
    [{ since: '2026-03-10T12:00:00Z', until: '2026-03-10T11:59:59Z' }, 'until'],
    [{ path: '' }, 'path'],
    [{ path: '[abc' }, 'path'],
    [{ path: 'docs/{a,b' }, 'path'],
    [{ path: '(x' }, 'path'],
    [{ op: 'FROB' }, 'op'],
    [{ op: 'WRITE,' }, 'op'],
    [{ op: '' }, 'op'],
    [{ op: 'UNSPECIFIED' }, 'op'],
    [{ op: 'RECORD_KIND_WRITE' }, 'op'],
    [{ afterLsn: 'banana' }, 'afterLsn'],
    [{ afterLsn: '-1' }, 'afterLsn'],
    [{ afterLsn: '1.5' }, 'afterLsn'],
    [{ afterLsn: '' }, 'afterLsn'],
    [{ afterLsn: -1 }, 'afterLsn'],
    [{ afterLsn: '99999999999999999999' }, 'afterLsn'],
    [{ limit: '0' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ limit: '1e3' }, 'limit'],
  ] as [QueryInput, string][])('%o is refused naming %s', ([input, param]) => {
    let caught: unknown;
    try {
      parseQuery(input, NOW);
    } catch (err) {
      caught = err;
    }
    expect(isJournalError(caught, 'FSJ_ERR_JOURNAL_QUERY'), String(caught)).toBe(true);
    expect(queryErrorParam(caught)).toBe(param);
    expect((caught as Error).message.startsWith(`${param}: `)).toBe(true);
  });
});

describe('queryJournal', () => {
  let dir: string;
  let journal: Journal;
  /** The time stamped on each LSN (index = lsn). */
  const times: number[] = [0];

  // Three phases, a few ms apart, over small segments so the seek crosses files.
  const phases: RecordInput[][] = [
    [
      { kind: K.RECORD_KIND_CREATE, path: 'a.txt', mode: 0o644, cred: { uid: 1000, gid: 100 } },
      { kind: K.RECORD_KIND_WRITE, path: 'a.txt', data: Buffer.from('secret'), size: 6 },
      { kind: K.RECORD_KIND_MKDIR, path: 'docs', mode: 0o755 },
    ],
    [
      { kind: K.RECORD_KIND_CREATE, path: 'docs/x.md', mode: 0o600 },
      { kind: K.RECORD_KIND_RENAME, path: 'a.txt', path2: 'docs/a.txt', txn: 9 },
      { kind: K.RECORD_KIND_ANNOTATE, text: 'marker' },
    ],
    [
      {
        kind: K.RECORD_KIND_WRITE,
        path: 'docs/x.md',
        data: Buffer.from('more'),
        size: 4,
        cred: { uid: 0, gid: 0, pid: 4242, comm: 'vim' },
      },
      { kind: K.RECORD_KIND_UNLINK, path: 'docs/a.txt' },
      { kind: K.RECORD_KIND_TRUNCATE, path: 'docs/x.md', size: 0 },
    ],
  ];
  const phaseStart = (i: number): number => times[1 + i * 3]!;
  const phaseEnd = (i: number): number => times[3 + i * 3]!;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fsj-audit-'));
    journal = await Journal.open({
      dir: join(dir, 'j'),
      sync: 'none',
      segmentBytes: 1024,
      indexEveryBytes: 64,
    });
    for (const phase of phases) {
      for (const r of phase) {
        const at = await journal.append(r);
        times[at.lastLsn] = at.timeUs;
        await new Promise((res) => setTimeout(res, 2));
      }
      await new Promise((res) => setTimeout(res, 15));
    }
    // Pad so the journal has several segments after the known records.
    for (let i = 0; i < 20; i++) {
      const at = await journal.append({
        kind: K.RECORD_KIND_ANNOTATE,
        text: `pad ${i} ${'x'.repeat(100)}`,
      });
      times[at.lastLsn] = at.timeUs;
    }
    await journal.flush();
    expect(journal.segmentNames().length).toBeGreaterThan(2);
  });

  afterAll(async () => {
    await journal.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function lsns(q: JournalQuery): Promise<number[]> {
    const out: number[] = [];
    for await (const r of queryJournal(journal, q)) out.push(r.lsn);
    return out;
  }
  const iso = (us: number): string => formatTimeUs(us);
  const q = (input: QueryInput): JournalQuery => parseQuery(input, NOW);

  it('answers audit records without content, unset fields left out', async () => {
    const rows: AuditRecord[] = [];
    for await (const r of queryJournal(journal, q({ limit: 9 }))) rows.push(r);
    expect(rows.map((r) => r.lsn)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rows[0]).toEqual({
      lsn: 1,
      time: iso(times[1]!),
      op: 'CREATE',
      path: 'a.txt',
      mode: 0o644,
      uid: 1000,
      gid: 100,
    });
    expect(rows[1]).toEqual({ lsn: 2, time: iso(times[2]!), op: 'WRITE', path: 'a.txt', size: 6 });
    expect(rows[4]).toEqual({
      lsn: 5,
      time: iso(times[5]!),
      op: 'RENAME',
      path: 'a.txt',
      path2: 'docs/a.txt',
      txn: 9,
    });
    expect(rows[5]).toEqual({
      lsn: 6,
      time: iso(times[6]!),
      op: 'ANNOTATE',
      path: '',
      text: 'marker',
    });
    expect(rows[6]).toEqual({
      lsn: 7,
      time: iso(times[7]!),
      op: 'WRITE',
      path: 'docs/x.md',
      size: 4,
      uid: 0,
      gid: 0,
      pid: 4242,
      comm: 'vim',
    });
    expect(rows[8]).toMatchObject({ op: 'TRUNCATE', size: 0 });
    for (const r of rows) expect(JSON.stringify(r)).not.toMatch(/data|secret|more/);
  });

  it('with no filter returns every record', async () => {
    expect(await lsns(q({}))).toEqual(Array.from({ length: 29 }, (_, i) => i + 1));
  });

  it.for([
    ['since phase 2', () => ({ since: iso(phaseStart(1)), limit: 6 }), [4, 5, 6, 7, 8, 9]],
    [
      'since one µs after a record',
      () => ({ since: iso(times[4]! + 1), limit: 5 }),
      [5, 6, 7, 8, 9],
    ],
    ['until phase 2 ends', () => ({ until: iso(phaseEnd(1)) }), [1, 2, 3, 4, 5, 6]],
    ['until before the first', () => ({ until: iso(times[1]! - 1) }), []],
    ['since and until', () => ({ since: iso(phaseStart(1)), until: iso(phaseEnd(1)) }), [4, 5, 6]],
    ['since after the newest', () => ({ since: iso(times[29]! + 1) }), []],
    ['path glob (path or path2)', () => ({ path: 'docs/**', limit: 9 }), [3, 4, 5, 7, 8, 9]],
    ['path exact', () => ({ path: 'a.txt' }), [1, 2, 5]],
    ['path2 only', () => ({ path: 'docs/a.txt' }), [5, 8]],
    ['path matching nothing', () => ({ path: 'nope/**' }), []],
    ['op, case-insensitive', () => ({ op: 'write,Rename' }), [2, 5, 7]],
    ['op annotate', () => ({ op: 'ANNOTATE', limit: 2 }), [6, 10]],
    ['path and op', () => ({ path: 'docs/**', op: 'CREATE,TRUNCATE' }), [4, 9]],
    [
      'path, op and since',
      () => ({ path: 'docs/**', op: 'WRITE', since: iso(phaseStart(1)) }),
      [7],
    ],
    [
      'since, until and op',
      () => ({ since: iso(phaseStart(0)), until: iso(phaseEnd(1)), op: 'CREATE' }),
      [1, 4],
    ],
    ['afterLsn', () => ({ afterLsn: '6', limit: 3 }), [7, 8, 9]],
    [
      'afterLsn after since',
      () => ({ afterLsn: '5', since: iso(phaseStart(1)), limit: 2 }),
      [6, 7],
    ],
    [
      'since after afterLsn',
      () => ({ afterLsn: '1', since: iso(phaseStart(2)), limit: 2 }),
      [7, 8],
    ],
    ['afterLsn at the newest', () => ({ afterLsn: '29' }), []],
    ['afterLsn past the newest', () => ({ afterLsn: '1000' }), []],
    ['limit', () => ({ limit: '2' }), [1, 2]],
    ['limit counts matches', () => ({ op: 'WRITE', limit: '1', afterLsn: '2' }), [7]],
  ] as [string, () => QueryInput, number[]][])('%s', async ([, input, expected]) => {
    expect(await lsns(q(input()))).toEqual(expected);
  });

  it('relative times count back from now', async () => {
    const all = await lsns(parseQuery({ since: '1h', limit: 3 }));
    expect(all).toEqual([1, 2, 3]);
    const future = parseQuery({ since: '0s' }, Date.now() + 60_000);
    expect(await lsns(future)).toEqual([]);
  });

  it('pages through everything by afterLsn', async () => {
    const seen: number[] = [];
    let afterLsn = 0;
    for (let page = 0; page < 20; page++) {
      const got = await lsns(q({ afterLsn: String(afterLsn), limit: '4', path: 'docs/**' }));
      seen.push(...got);
      if (got.length < 4) break;
      afterLsn = got[got.length - 1]!;
    }
    expect(seen).toEqual([3, 4, 5, 7, 8, 9]);
  });

  it('seeks with the index instead of reading from the start', async () => {
    const read = vi.spyOn(journal, 'read');
    const lsnAtTime = vi.spyOn(journal, 'lsnAtTime');
    try {
      expect(await lsns(q({ since: iso(phaseStart(2)), limit: 1 }))).toEqual([7]);
      expect(lsnAtTime).toHaveBeenCalledWith(phaseStart(2));
      expect(read).toHaveBeenCalledWith({ fromLsn: 7 });
    } finally {
      read.mockRestore();
      lsnAtTime.mockRestore();
    }
  });

  it('works on a read-only open of the same journal', async () => {
    const ro = await Journal.open({ dir: join(dir, 'j'), readOnly: true, create: false });
    try {
      const out: number[] = [];
      for await (const r of queryJournal(ro, q({ path: 'docs/x.md' }))) out.push(r.lsn);
      expect(out).toEqual([4, 7, 9]);
    } finally {
      await ro.close();
    }
  });
});
