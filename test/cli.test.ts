/**
 * The `fsjournal` command as a user meets it: help, exit codes (0 success,
 * 1 failure of the operation, 2 bad usage with a one-line message naming
 * the argument), `verify` on different trees, and `wait` when it cannot
 * succeed.
 */
import { chmod, lutimes, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { expectUsageError, runCli, useHarness } from './harness.js';

const harness = useHarness('cli');
const execFileAsync = promisify(execFile);

describe('fsjournal --help', () => {
  it.for([
    {
      command: 'primary',
      flags: [
        '--source',
        '--journal',
        '--listen',
        '--mode',
        '--mountpoint',
        '--sync',
        '--token-file',
        '--ignore',
        '--retain',
      ],
      defaults: ['127.0.0.1:7070', '"watch"', '"batch"', '7d'],
    },
    {
      command: 'replica',
      flags: ['--upstream', '--target', '--state', '--id', '--listen', '--token-file'],
      defaults: ['127.0.0.1:7071'],
    },
    { command: 'wait', flags: ['--api', '--replica', '--timeout'], defaults: ['60'] },
    { command: 'status', flags: ['--api', '--json'], defaults: [] },
    { command: 'verify', flags: ['DIR_A', 'DIR_B'], defaults: [] },
    {
      command: 'log',
      flags: ['--journal', '--api', '--since', '--until', '--path', '--op', '--json'],
      defaults: [],
    },
    { command: 'annotate', flags: ['--api', '--text'], defaults: [] },
  ])('$command --help exits 0 and names every flag', async ({ command, flags, defaults }) => {
    const r = await runCli([command, '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(`Usage: fsjournal ${command}`);
    for (const f of flags) expect(r.stdout).toContain(f);
    // Defaults read as a user would type them, not as parsed values.
    const flat = r.stdout.replace(/\s+/g, ' ');
    for (const d of defaults) expect(flat).toContain(`(default: ${d})`);
    expect(r.stdout).not.toMatch(/\{"host"|604800000/);
  });

  it('the top-level help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['primary', 'replica', 'wait', 'status', 'verify', 'log', 'annotate'])
      expect(r.stdout).toContain(c);
  });
});

describe('bad usage exits 2 with one line naming the argument', () => {
  for (const [args, names] of [
    [['primary', '--source', 's', '--journal', 'j', '--listen', 'nonsense'], /--listen/],
    [['primary', '--source', 's', '--journal', 'j', '--listen', '127.0.0.1:99999'], /--listen/],
    [['primary', '--source', 's', '--journal', 'j', '--sync', 'sometimes'], /--sync/],
    [['primary', '--source', 's', '--journal', 'j', '--retain', 'forever'], /--retain/],
    [['primary', '--source', 's', '--journal', 'j', '--mode', 'fuse'], /--mode/],
    [['replica', '--upstream', 'http://x', '--target', 't'], /--upstream/],
    [['replica', '--upstream', 'ws://h:1/v1/stream', '--target', 't', '--id', 'a b'], /--id/],
    [['wait', '--api', 'http://127.0.0.1:9', '--timeout', 'abc'], /--timeout/],
    [['wait', '--api', 'localhost:7070'], /--api/],
    [['status', '--api', 'not a url'], /--api/],
    // Missing required flags and arguments.
    [['primary', '--source', 's'], /--journal/],
    [['primary', '--journal', 'j'], /--source/],
    [['replica', '--target', 't'], /--upstream/],
    [['wait'], /--api/],
    [['status'], /--api/],
    [['verify', 'only-one'], /DIR_B/],
    // Unknown flags and commands.
    [['wait', '--api', 'http://127.0.0.1:9', '--forever'], /--forever/],
    [['frobnicate'], /frobnicate/],
  ] as [string[], RegExp][]) {
    it(`fsjournal ${args.join(' ')}`, async () => {
      expectUsageError(await runCli(args), names);
    });
  }

  it('an unreadable --token-file is a usage error naming it', async () => {
    const h = harness();
    const r = await runCli([
      'primary',
      '--source',
      await h.dir('s'),
      '--journal',
      join(h.root, 'j'),
      '--listen',
      '127.0.0.1:1',
      '--token-file',
      join(h.root, 'no-such-token'),
    ]);
    expectUsageError(r, /--token-file/);
  });

  it('verify on something that is not a directory is a usage error', async () => {
    const h = harness();
    const file = join(h.root, 'file');
    await writeFile(file, 'x');
    expectUsageError(await runCli(['verify', file, await h.dir('d')]), /file/);
  });
});

describe('verify', () => {
  it('exits 1 and lists every difference between two trees', async () => {
    const h = harness();
    const a = await h.dir('a');
    const b = await h.dir('b');
    const when = new Date('2020-01-01T00:00:00Z');
    for (const d of [a, b]) {
      await mkdir(join(d, 'dir'));
      await writeFile(join(d, 'same.txt'), 'same\n');
      await writeFile(join(d, 'content.txt'), d === a ? 'left\n' : 'right\n');
      await writeFile(join(d, 'mode.txt'), 'mode\n');
      await chmod(join(d, 'mode.txt'), d === a ? 0o644 : 0o600);
      await symlink(d === a ? 'same.txt' : 'content.txt', join(d, 'link'));
      await lutimes(join(d, 'link'), when, when);
      if (d === a) await writeFile(join(d, 'kind'), 'a file here\n');
      else await mkdir(join(d, 'kind'));
      await writeFile(join(d, 'dir', d === a ? 'only-in-a' : 'only-in-b'), '');
      for (const f of ['same.txt', 'content.txt', 'mode.txt']) await utimes(join(d, f), when, when);
    }
    await writeFile(join(a, 'time.txt'), 't');
    await writeFile(join(b, 'time.txt'), 't');
    await utimes(join(a, 'time.txt'), when, when);
    await utimes(join(b, 'time.txt'), when, new Date(when.getTime() + 1000));
    for (const d of [a, b]) await utimes(join(d, 'dir'), when, when);

    const r = await runCli(['verify', a, b]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const kinds = Object.fromEntries(lines.map((l) => [l.split(/\s+/)[1], l.split(/\s+/)[0]]));
    expect(kinds).toEqual({
      'content.txt': 'content',
      'mode.txt': 'mode',
      link: 'target',
      kind: 'type',
      'dir/only-in-a': 'missing-in-b',
      'dir/only-in-b': 'missing-in-a',
      'time.txt': 'mtime',
    });
    expect(r.stderr).toMatch(/7 difference\(s\)/);

    const json = await runCli(['verify', '--json', a, b]);
    expect(json.code).toBe(1);
    const parsed = json.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { path: string; what: string });
    expect(parsed.map((d) => d.path).sort()).toEqual(Object.keys(kinds).sort());

    const same = await runCli(['verify', a, a]);
    expect([same.code, same.stdout]).toEqual([0, 'identical\n']);
  });
});

describe('verify compares mtimes to the millisecond', () => {
  it('from the exact nanoseconds: .496999886 and .496999000 are the same millisecond', async () => {
    const h = harness();
    const a = await h.dir('a');
    const b = await h.dir('b');
    // As a replica that sets microseconds leaves them; mtimeMs (a double)
    // rounds the first up to ...497, which once made verify see a difference.
    const at = async (dir: string, stamp: string): Promise<void> => {
      await writeFile(join(dir, 'f'), 'same\n');
      await execFileAsync('touch', ['-m', '-d', `@${stamp}`, join(dir, 'f')]);
    };
    await at(a, '1795322783.496999886');
    await at(b, '1795322783.496999000');
    const same = await runCli(['verify', a, b]);
    expect([same.code, same.stdout]).toEqual([0, 'identical\n']);

    await at(b, '1795322783.497000000');
    const other = await runCli(['verify', a, b]);
    expect(other.code).toBe(1);
    expect(other.stdout).toMatch(/^mtime\s+f\s+\(2026-11-22T\S+\.496Z vs \S+\.497Z\)$/m);
  });
});

describe('wait', () => {
  it('exits 1 when no replica is connected', async () => {
    const h = harness();
    const primary = await h.primary({ source: await h.dir('source'), journal: join(h.root, 'j') });
    const r = await runCli(['wait', '--api', primary.url, '--timeout', '5']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no replica is connected/);
  });

  it(
    'with --replica exits 1 after --timeout when that replica is stopped, and 1 for an unknown one',
    { timeout: 60_000 },
    async () => {
      const h = harness();
      const source = await h.dir('source');
      const primary = await h.primary({ source, journal: join(h.root, 'j') });
      const replica = await h.replica({
        upstream: `ws://127.0.0.1:${primary.port}/v1/stream`,
        target: join(h.root, 'target'),
        id: 'r1',
      });
      await writeFile(join(source, 'one.txt'), '1\n');
      const ok = await runCli(['wait', '--api', primary.url, '--replica', 'r1', '--timeout', '30']);
      expect([ok.code, ok.stderr]).toEqual([0, '']);
      expect(ok.stdout).toMatch(/caught up: lsn \d+ applied by r1/);

      // A clean stop: SIGTERM ends the daemon with exit 0.
      expect(await replica.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      await writeFile(join(source, 'two.txt'), '2\n');
      const t0 = Date.now();
      const late = await runCli([
        'wait',
        '--api',
        primary.url,
        '--replica',
        'r1',
        '--timeout',
        '1',
      ]);
      const took = Date.now() - t0;
      expect(late.code).toBe(1);
      expect(late.stdout).toBe('');
      expect(late.stderr).toMatch(/r1.*not applied lsn \d+ after 1 s/);
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(15_000);

      const unknown = await runCli(['wait', '--api', primary.url, '--replica', 'nobody']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/nobody/);

      expect(await primary.kill('SIGTERM')).toEqual({ code: 0, signal: null });
      const down = await runCli(['wait', '--api', primary.url, '--timeout', '1']);
      expect(down.code).toBe(1);
      expect(down.stderr).toMatch(/cannot reach/);
    },
  );
});

describe('status', () => {
  it('shows the primary and the replica, as text and as JSON', { timeout: 60_000 }, async () => {
    const h = harness();
    const primary = await h.primary({ source: await h.dir('source'), journal: join(h.root, 'j') });
    const replica = await h.replica({
      upstream: `ws://127.0.0.1:${primary.port}/v1/stream`,
      target: join(h.root, 'target'),
      id: 'r1',
    });
    expect((await runCli(['wait', '--api', primary.url])).code).toBe(0);
    const p = await runCli(['status', '--api', primary.url, '--json']);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({ role: 'primary', replicas: [{ id: 'r1' }] });
    const r = await runCli(['status', '--api', replica.url, '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ role: 'replica', id: 'r1', state: 'streaming' });
    const text = await runCli(['status', '--api', primary.url]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^role\s+primary$/m);
    expect(text.stdout).toMatch(/^journal\s+ok$/m);
    expect(text.stdout).toMatch(
      /^r1\s+yes\s+127\.0\.0\.1:\d+\s+\d+\s+\d+\s+0\s+0 B\s+\S+\s+\S+ ago$/m,
    );
    const rtext = await runCli(['status', '--api', replica.url]);
    expect(rtext.code).toBe(0);
    expect(rtext.stdout).toMatch(/^role\s+replica$/m);
    expect(rtext.stdout).toMatch(/^lsn\s+received \d+, applied \d+, durable \d+, upstream \d+$/m);
  });
});
