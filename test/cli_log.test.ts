/**
 * `fsjournal log` and `fsjournal annotate` as a user meets them: the table
 * and `--json` over a journal written in the test (offline, read-only), the
 * same through a running primary's API, bad flags exiting 2 naming the flag,
 * and an annotation landing in a real primary's journal.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { Journal, RecordKind, type RecordInput } from '@fsjournal/journal';
import { http, runCli, useHarness, waitUntil, type CliResult } from './harness.js';

const harness = useHarness('cli-log');
const K = RecordKind;

const RECORDS: RecordInput[] = [
  { kind: K.RECORD_KIND_CREATE, path: 'a.txt', mode: 0o644, cred: { uid: 1000, gid: 100 } },
  { kind: K.RECORD_KIND_WRITE, path: 'a.txt', data: Buffer.from('secret'), size: 6 },
  { kind: K.RECORD_KIND_MKDIR, path: 'docs', mode: 0o755 },
  { kind: K.RECORD_KIND_RENAME, path: 'a.txt', path2: 'docs/a.txt' },
  { kind: K.RECORD_KIND_UNLINK, path: 'docs/a.txt' },
];

/** Writes RECORDS to a new journal; returns its folder and each record's time. */
async function writeJournal(dir: string): Promise<number[]> {
  const j = await Journal.open({ dir, sync: 'always' });
  const times = [0];
  for (const r of RECORDS) {
    const at = await j.append(r);
    times[at.lastLsn] = at.timeUs;
    await new Promise((res) => setTimeout(res, 3));
  }
  await j.close();
  return times;
}

function expectUsageError(r: CliResult, names: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(names);
  expect(r.code, r.stderr).toBe(2);
}

function ndjson(r: CliResult): Record<string, unknown>[] {
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('fsjournal log --journal (offline)', () => {
  it('prints a table with lsn, time, op, path and details', async () => {
    const h = harness();
    const dir = join(h.root, 'journal');
    await writeJournal(dir);
    const r = await runCli(['log', '--journal', dir]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s*lsn\s+time\s+op\s+path\s+details$/);
    expect(lines).toHaveLength(6);
    expect(lines[1]).toMatch(
      /^\s+1\s+\d{4}-\d\d-\d\dT\S+Z\s+CREATE\s+a\.txt\s+mode=0644 uid=1000 gid=100$/,
    );
    expect(lines[2]).toMatch(/WRITE\s+a\.txt\s+size=6$/);
    expect(lines[4]).toMatch(/RENAME\s+a\.txt\s+-> docs\/a\.txt$/);
    expect(r.stdout).not.toContain('secret');
  });

  it('--json prints NDJSON and the filters apply', async () => {
    const h = harness();
    const dir = join(h.root, 'journal');
    const times = await writeJournal(dir);
    const all = ndjson(await runCli(['log', '--journal', dir, '--json']));
    expect(all.map((r) => r.lsn)).toEqual([1, 2, 3, 4, 5]);
    expect(all[3]).toMatchObject({ op: 'RENAME', path: 'a.txt', path2: 'docs/a.txt' });
    const docs = ndjson(await runCli(['log', '--journal', dir, '--json', '--path', 'docs/**']));
    expect(docs.map((r) => r.lsn)).toEqual([3, 4, 5]);
    const ops = ndjson(await runCli(['log', '--journal', dir, '--json', '--op', 'write,rename']));
    expect(ops.map((r) => r.lsn)).toEqual([2, 4]);
    const since = all[2]!.time as string;
    const until = all[3]!.time as string;
    const window = ndjson(
      await runCli(['log', '--journal', dir, '--json', '--since', since, '--until', until]),
    );
    expect(window.map((r) => r.lsn)).toEqual([3, 4]);
    expect(times).toHaveLength(6);
    const recent = ndjson(await runCli(['log', '--journal', dir, '--json', '--since', '1h']));
    expect(recent).toHaveLength(5);
  });

  it('a folder with no journal exits 1 with its code', async () => {
    const h = harness();
    const r = await runCli(['log', '--journal', await h.dir('empty')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/FSJ_ERR_CLI_JOURNAL/);
  });
});

describe('bad usage exits 2 naming the flag', () => {
  for (const [args, names] of [
    [['log'], /--journal.*--api/],
    [['log', '--journal', 'j', '--api', 'http://127.0.0.1:9'], /--journal.*--api/],
    [['log', '--api', 'not a url'], /--api/],
    [['log', '--journal', 'j', '--since', 'yesterday'], /--since/],
    [['log', '--journal', 'j', '--until', 'banana'], /--until/],
    [['log', '--journal', 'j', '--since', '1h', '--until', '2h'], /--until/],
    [['log', '--journal', 'j', '--path', '[abc'], /--path/],
    [['log', '--journal', 'j', '--op', 'FROB'], /--op/],
    [['log', '--journal', 'j', '--frob'], /--frob/],
    [['annotate', '--text', 'x'], /--api/],
    [['annotate', '--api', 'http://127.0.0.1:9'], /--text/],
    [['annotate', '--api', 'http://127.0.0.1:9', '--text', ''], /--text/],
  ] as [string[], RegExp][]) {
    it(`fsjournal ${args.join(' ')}`, async () => {
      expectUsageError(await runCli(args), names);
    });
  }

  it.for(['log', 'annotate'])('%s --help exits 0 with examples', async (command) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: fsjournal ${command}`);
    expect(r.stdout).toContain('Examples:');
    const flags =
      command === 'log'
        ? ['--journal', '--api', '--since', '--until', '--path', '--op', '--json']
        : ['--api', '--text'];
    for (const f of flags) expect(r.stdout).toContain(f);
  });
});

describe('against a running primary', () => {
  it('annotate prints the LSN, and log --api shows it and the changes', async () => {
    const h = harness();
    const source = await h.dir('source');
    const journal = join(h.root, 'journal');
    const primary = await h.primary({ source, journal });
    await writeFile(join(source, 'hello.txt'), 'hi\n');
    await waitUntil('hello.txt to be journaled', async () => {
      const r = await http<{ path: string }[]>(`${primary.url}/v1/journal?path=hello.txt`);
      return r.body.length > 0;
    });

    const a = await runCli(['annotate', '--api', primary.url, '--text', 'before upgrade']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/^\d+\n$/);
    const lsn = Number(a.stdout);

    const rows = ndjson(await runCli(['log', '--api', primary.url, '--json']));
    expect(rows.map((r) => r.lsn)).toContain(lsn);
    expect(rows.find((r) => r.lsn === lsn)).toMatchObject({ op: 'ANNOTATE' });
    expect(rows.some((r) => r.path === 'hello.txt')).toBe(true);

    const only = ndjson(await runCli(['log', '--api', primary.url, '--json', '--op', 'ANNOTATE']));
    expect(only.map((r) => r.lsn)).toEqual([lsn]);

    const table = await runCli(['log', '--api', primary.url, '--path', 'hello.txt']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/hello\.txt/);
    expect(table.stdout).not.toMatch(/ANNOTATE/);

    // Offline read of the same journal while the primary runs.
    const offline = ndjson(await runCli(['log', '--journal', journal, '--json']));
    expect(offline.map((r) => r.lsn)).toContain(lsn);
  });

  it('annotate exits 1 when the API cannot be reached', async () => {
    const r = await runCli(['annotate', '--api', 'http://127.0.0.1:9', '--text', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FSJ_ERR_CLI_API/);
  });

  it('log --api refuses what the API refuses, with exit 1', async () => {
    const r = await runCli(['log', '--api', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/FSJ_ERR_CLI_API/);
  });
});
