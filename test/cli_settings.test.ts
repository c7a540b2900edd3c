/**
 * Settings layers, parsed in process: flag > FSJOURNAL_* environment >
 * --config file (JSON or YAML) > default, every value through the flag's own
 * parser, bad values and unknown keys exit 2 naming their source. The same
 * rules on real processes are in cli_config.test.ts.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { splitEnvList } from '../packages/cli/src/settings.js';
import { parse } from './cli_inprocess.js';

let dir: string;
const file = (name: string): string => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsj-settings-'));
  await writeFile(
    file('primary.yml'),
    [
      '# a primary',
      'source: /srv/data',
      'journal: /var/lib/fsjournal/journal',
      'listen: 0.0.0.0:7001',
      'retain: 1d',
      'checkpoint-every: 0',
      'ignore:',
      "  - '**/*.tmp'",
      '  - cache/**',
      '',
    ].join('\n'),
  );
  await writeFile(
    file('primary.json'),
    JSON.stringify({ source: '/json/src', journal: '/json/j', listen: '127.0.0.1:7002' }),
  );
  await writeFile(file('wait.yaml'), 'api: http://primary:7070\ntimeout: 120\n');
  await writeFile(file('status.yml'), 'api: http://127.0.0.1:7070\njson: true\n');
  await writeFile(file('unknown.yml'), 'source: s\njournal: j\nlisten-on: 1.2.3.4:5\n');
  await writeFile(file('bad-value.yml'), 'source: s\njournal: j\nlisten: nonsense\n');
  await writeFile(file('bad-list.yml'), 'source: s\njournal: j\nlisten: [a, b]\n');
  await writeFile(file('broken.yml'), 'source: s\n  journal: : j\n');
  await writeFile(file('broken.json'), '{"source": "s",}');
  await writeFile(file('list.yml'), '- source\n- journal\n');
  await writeFile(file('log.yml'), 'journal: /var/lib/fsjournal/journal\n');
});

describe('precedence: flag > environment > config file > default', () => {
  it('defaults when nothing else is given', async () => {
    const r = await parse(['primary', '--source', 's', '--journal', 'j']);
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({
      listen: { host: '127.0.0.1', port: 7070 },
      retain: 604_800_000,
    });
    expect(r.sources).toMatchObject({ source: 'cli', listen: 'default', retain: 'default' });
  });

  it('a YAML config file fills required flags, lists and sizes', async () => {
    const r = await parse(['primary', '--config', file('primary.yml')]);
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({
      source: '/srv/data',
      journal: '/var/lib/fsjournal/journal',
      listen: { host: '0.0.0.0', port: 7001 },
      retain: 86_400_000,
      checkpointEvery: 0,
      ignore: ['**/*.tmp', 'cache/**'],
    });
    expect(r.sources).toMatchObject({ source: 'config', listen: 'config', sync: 'default' });
  });

  it('a JSON config file (by its .json name)', async () => {
    const r = await parse(['primary', '--config', file('primary.json')]);
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ source: '/json/src', listen: { port: 7002 } });
  });

  it('the environment beats the config file, a flag beats both', async () => {
    const env = { FSJOURNAL_LISTEN: '127.0.0.1:7003', FSJOURNAL_SOURCE: '/env/src' };
    const r = await parse(['primary', '--config', file('primary.yml')], env);
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ source: '/env/src', listen: { port: 7003 } });
    expect(r.sources).toMatchObject({ source: 'env', listen: 'env', journal: 'config' });
    const f = await parse(
      ['primary', '--listen', '127.0.0.1:7004', '--config', file('primary.yml')],
      env,
    );
    expect(f.opts).toMatchObject({ source: '/env/src', listen: { port: 7004 } });
    expect(f.sources).toMatchObject({ listen: 'cli' });
  });

  it('FSJOURNAL_CONFIG names the file when --config is not given', async () => {
    const r = await parse(['wait'], { FSJOURNAL_CONFIG: file('wait.yaml') });
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ api: 'http://primary:7070', timeout: 120 });
  });

  it('required flags can come from the environment alone', async () => {
    const r = await parse(['replica'], {
      FSJOURNAL_UPSTREAM: 'ws://primary:7070/v1/stream',
      FSJOURNAL_TARGET: '/srv/standby',
      FSJOURNAL_ID: 'standby-1',
    });
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ upstream: 'ws://primary:7070/v1/stream', id: 'standby-1' });
  });

  it('an empty variable counts as unset', async () => {
    const r = await parse(['primary', '--source', 's', '--journal', 'j'], { FSJOURNAL_LISTEN: '' });
    expect(r.code, r.err).toBe(0);
    expect(r.sources.listen).toBe('default');
  });
});

describe('lists and booleans', () => {
  it.for([
    ['a', ['a']],
    ['a,b', ['a', 'b']],
    ['**/*.{tmp,swp}, cache/**', ['**/*.{tmp,swp}', 'cache/**']],
    ['one\ntwo\n', ['one', 'two']],
    [' , ', []],
  ] as [string, string[]][])('FSJOURNAL_IGNORE=%j is %j', ([text, items]) => {
    expect(splitEnvList(text)).toEqual(items);
  });

  it('a list from a higher layer replaces the lower one', async () => {
    const env = { FSJOURNAL_IGNORE: 'env-a,env-b' };
    const fromEnv = await parse(['primary', '--config', file('primary.yml')], env);
    expect(fromEnv.opts.ignore).toEqual(['env-a', 'env-b']);
    const fromFlags = await parse(
      ['primary', '--config', file('primary.yml'), '--ignore', 'x', '--ignore', 'y,z'],
      env,
    );
    expect(fromFlags.opts.ignore).toEqual(['x', 'y,z']);
  });

  it('booleans: true in YAML, 1/yes/true or 0/no/false in the environment', async () => {
    expect((await parse(['status', '--config', file('status.yml')])).opts.json).toBe(true);
    const on = await parse(['status', '--api', 'http://h:1'], { FSJOURNAL_JSON: 'yes' });
    expect(on.opts.json).toBe(true);
    const off = await parse(['status', '--config', file('status.yml')], { FSJOURNAL_JSON: '0' });
    expect(off.opts.json).toBe(false);
  });
});

describe('--journal or --api: the higher layer wins', () => {
  it('FSJOURNAL_JOURNAL in the environment does not stop log --api', async () => {
    const r = await parse(['log', '--api', 'http://h:1'], { FSJOURNAL_JOURNAL: '/j' });
    expect(r.code, r.err).toBe(0);
    expect(r.opts.journal).toBeUndefined();
    expect(r.opts.api).toBe('http://h:1');
  });

  it('the environment beats the config file', async () => {
    const r = await parse(['checkpoint', '--config', file('log.yml')], {
      FSJOURNAL_API: 'http://h:1',
    });
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ api: 'http://h:1', journal: undefined });
  });

  it('both from the environment is a usage error naming both', async () => {
    const r = await parse(['log'], { FSJOURNAL_JOURNAL: '/j', FSJOURNAL_API: 'http://h:1' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/FSJOURNAL_JOURNAL and FSJOURNAL_API/);
  });
});

describe('bad settings exit 2 with one line naming their source', () => {
  it.for([
    [
      'FSJOURNAL_LISTEN: expected HOST:PORT',
      ['primary', '--source', 's', '--journal', 'j'],
      { FSJOURNAL_LISTEN: 'nonsense' },
    ],
    [
      'FSJOURNAL_RETAIN: expected a duration',
      ['primary', '--source', 's', '--journal', 'j'],
      { FSJOURNAL_RETAIN: 'forever' },
    ],
    [
      'FSJOURNAL_SYNC: expected always, batch or none',
      ['primary', '--source', 's', '--journal', 'j'],
      { FSJOURNAL_SYNC: 'sometimes' },
    ],
    [
      'FSJOURNAL_UPSTREAM: expected a ws',
      ['replica', '--target', 't'],
      { FSJOURNAL_UPSTREAM: 'http://x' },
    ],
    [
      'FSJOURNAL_TIMEOUT: expected seconds',
      ['wait', '--api', 'http://h:1'],
      { FSJOURNAL_TIMEOUT: 'soon' },
    ],
    [
      'FSJOURNAL_JSON: expected true or false',
      ['status', '--api', 'http://h:1'],
      { FSJOURNAL_JSON: 'maybe' },
    ],
    [
      'FSJOURNAL_CONFIG cannot read',
      ['status', '--api', 'http://h:1'],
      { FSJOURNAL_CONFIG: '/no/such/file.yml' },
    ],
    ["required option '--api <URL>' not specified", ['status'], {}],
    [
      'config key listen in .*bad-value.yml: expected HOST:PORT',
      ['primary', '--config', '@bad-value.yml'],
      {},
    ],
    [
      'config key listen in .*: expected a single value',
      ['primary', '--config', '@bad-list.yml'],
      {},
    ],
    [
      'config key listen-on in .*: not a flag of fsjournal primary',
      ['primary', '--config', '@unknown.yml'],
      {},
    ],
    [
      'config key source in .*: not a flag of fsjournal status',
      ['status', '--config', '@primary.yml'],
      {},
    ],
    ["option '--config' .*broken.yml: not valid YAML", ['primary', '--config', '@broken.yml'], {}],
    [
      "option '--config' .*broken.json: not valid JSON",
      ['primary', '--config', '@broken.json'],
      {},
    ],
    ["option '--config' .*list.yml: expected a mapping", ['primary', '--config', '@list.yml'], {}],
    ["option '--config' cannot read .*nope.yml: ENOENT", ['primary', '--config', '@nope.yml'], {}],
  ] as [string, string[], Record<string, string>][])('%s', async ([message, argv, env]) => {
    const r = await parse(
      argv.map((a) => (a.startsWith('@') ? file(a.slice(1)) : a)),
      env,
    );
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n'), r.err).toHaveLength(1);
    expect(r.err).toMatch(new RegExp(`^error: ${message}`));
  });
});
