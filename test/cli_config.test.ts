/**
 * Configuration as an operator meets it, on real `fsjournal` processes:
 * every command's help has examples and names its FSJOURNAL_* variables;
 * a primary started from a config file (YAML or JSON) listens where the
 * file says, unless an environment variable says otherwise, unless a flag
 * does; bad values from each layer exit 2 naming the flag, the variable or
 * the config key.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, freePort, http, runCli, useHarness, type Harness } from './harness.js';

const harness = useHarness('config');

const COMMANDS = [
  'primary',
  'replica',
  'wait',
  'status',
  'log',
  'restore',
  'checkpoint',
  'annotate',
  'verify',
  'demo',
];

describe('help', () => {
  it.for(COMMANDS)(
    '%s --help has examples, --config and the FSJOURNAL_* variables',
    async (command) => {
      const r = await runCli([command, '--help']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Examples:\n {2}(npx )?fsjournal /m);
      // Every long option but --help names its variable (help wraps lines).
      const flat = r.stdout.replace(/\s+/g, ' ');
      expect(flat).toContain('--config <FILE>');
      expect(flat).toContain('(env: FSJOURNAL_CONFIG)');
      for (const [, flag] of flat.matchAll(/ --([a-z][a-z-]*) /g)) {
        if (flag === 'help' || !new RegExp(`^ {2}--${flag}\\b`, 'm').test(r.stdout)) continue;
        expect(flat).toContain(`(env: FSJOURNAL_${flag!.toUpperCase().replace(/-/g, '_')})`);
      }
    },
  );

  it('the top-level help explains the layers and has examples', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/FSJOURNAL_<FLAG>/);
    expect(r.stdout).toMatch(/^Examples:$/m);
  });
});

describe('bad flags exit 2 naming the flag', () => {
  it.for([
    [['restore', '--journal', 'j', '--to', 't', '--lsn', 'abc'], /--lsn/],
    [['annotate', '--api', 'http://h:1', '--text', ''], /--text/],
    [['demo', '--duration', 'long'], /--duration/],
    [['checkpoint', '--api', 'primary:7070'], /--api/],
    [['log', '--journal', 'j', '--since', 'yesterday-ish'], /--since/],
    [['status', '--api', 'http://h:1', '--colour'], /--colour/],
    [
      ['primary', '--source', 's', '--journal', 'j', '--checkpoint-every', 'lots'],
      /--checkpoint-every/,
    ],
    [['replica', '--upstream', 'ws://h:1/v1/stream', '--target', 't', '--listen', ':'], /--listen/],
  ] as [string[], RegExp][])('fsjournal %s', async ([args, names]) => {
    expectUsageError(await runCli(args), names);
  });
});

/** A primary started with `args` and `env`, expected to answer on `port`. */
async function startPrimary(
  h: Harness,
  port: number,
  args: string[],
  env: Record<string, string> = {},
) {
  const d = await h.spawnDaemon('primary', port, ['primary', ...args], env);
  const status = await d.status();
  expect(status.role).toBe('primary');
  return { d, status };
}

async function refused(port: number): Promise<boolean> {
  return http(`http://127.0.0.1:${port}/v1/status`, { timeoutMs: 1000 }).then(
    () => false,
    () => true,
  );
}

describe('flag > environment > config file > default, on a running primary', () => {
  it(
    'listens where the config says, then where FSJOURNAL_LISTEN says, then where --listen says',
    { timeout: 60_000 },
    async () => {
      const h = harness();
      const [fromFile, fromEnv, fromFlag] = [await freePort(), await freePort(), await freePort()];
      const source = await h.dir('source');
      const yml = join(h.root, 'primary.yml');
      await writeFile(
        yml,
        `# fsjournal primary\nsource: ${source}\njournal: ${join(h.root, 'journal')}\nlisten: 127.0.0.1:${fromFile}\nretain: 1d\nignore:\n  - '**/*.tmp'\n`,
      );

      // Config file over the defaults: source, journal and port from the file.
      let p = await startPrimary(h, fromFile, ['--config', yml]);
      expect(p.status.source).toBe(source);
      await p.d.kill('SIGTERM');

      // The environment over the file.
      p = await startPrimary(h, fromEnv, ['--config', yml], {
        FSJOURNAL_LISTEN: `127.0.0.1:${fromEnv}`,
      });
      expect(await refused(fromFile)).toBe(true);
      await p.d.kill('SIGTERM');

      // A flag over the environment; the file named by FSJOURNAL_CONFIG.
      p = await startPrimary(h, fromFlag, ['--listen', `127.0.0.1:${fromFlag}`], {
        FSJOURNAL_CONFIG: yml,
        FSJOURNAL_LISTEN: `127.0.0.1:${fromEnv}`,
      });
      expect(await refused(fromEnv)).toBe(true);
      expect(await refused(fromFile)).toBe(true);
      expect(p.status.source).toBe(source);
    },
  );

  it('takes a JSON config file too', async () => {
    const h = harness();
    const port = await freePort();
    const json = join(h.root, 'primary.json');
    const source = await h.dir('src');
    await writeFile(
      json,
      JSON.stringify({ source, journal: join(h.root, 'j'), listen: `127.0.0.1:${port}` }),
    );
    const { status } = await startPrimary(h, port, ['--config', json]);
    expect(status.source).toBe(source);
  });
});

describe('bad settings exit 2 naming their source', () => {
  it('a bad FSJOURNAL_LISTEN names the variable', async () => {
    const h = harness();
    const r = await runCli(
      ['primary', '--source', await h.dir('s'), '--journal', join(h.root, 'j')],
      {
        env: { FSJOURNAL_LISTEN: 'everywhere' },
      },
    );
    expectUsageError(r, /^error: FSJOURNAL_LISTEN: expected HOST:PORT/);
  });

  it('a bad FSJOURNAL_TIMEOUT names the variable (wait)', async () => {
    const r = await runCli(['wait', '--api', 'http://127.0.0.1:9'], {
      env: { FSJOURNAL_TIMEOUT: 'a while' },
    });
    expectUsageError(r, /^error: FSJOURNAL_TIMEOUT: expected seconds/);
  });

  it('an unknown config key names the key and the file', async () => {
    const h = harness();
    const yml = join(h.root, 'primary.yml');
    await writeFile(yml, 'source: s\njournal: j\nlisten_addr: 0.0.0.0:7070\n');
    expectUsageError(
      await runCli(['primary', '--config', yml]),
      /^error: config key listen_addr in .*primary\.yml: not a flag of fsjournal primary/,
    );
  });

  it('a required flag from the environment counts (wait runs, and fails to reach the API)', async () => {
    const port = await freePort();
    const r = await runCli(['wait', '--timeout', '1'], {
      env: { FSJOURNAL_API: `http://127.0.0.1:${port}` },
    });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/cannot reach .*FSJ_ERR_CLI_API/);
  });
});
