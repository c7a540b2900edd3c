/**
 * The deployment files agree with the CLI (docker is not needed: they are
 * parsed). docker-compose.yml: every service's command, with its
 * environment, parses with the `fsjournal` program's own flag definitions
 * (the flags exist on that subcommand, the required ones are there, the
 * values pass the flags' parsers); the replicas follow the primary service
 * at its listen port; health checks hit /healthz on the service's own port
 * (and the health-check script works against a real primary); volumes and
 * the token secret are declared. The systemd example env files name only
 * variables of their command, with values that parse. The Dockerfile is
 * multi-stage on node:20-slim and runs as a non-root user.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { envName } from '../packages/cli/src/settings.js';
import { parse, program } from './cli_inprocess.js';
import { useHarness } from './harness.js';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const harness = useHarness('deploy');
const execFileAsync = promisify(execFile);

interface Service {
  command?: unknown;
  environment?: Record<string, unknown> | string[];
  volumes?: string[];
  secrets?: string[];
  healthcheck?: { test?: unknown };
  depends_on?: Record<string, { condition?: string }>;
}

interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string }>;
}

const compose = parseYaml(read('docker-compose.yml')) as Compose;
const services = Object.entries(compose.services);

/** A service's environment as strings (compose allows a map or KEY=VALUE list). */
function envOf(s: Service): Record<string, string> {
  const e = s.environment ?? {};
  const pairs = Array.isArray(e)
    ? e.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])
    : Object.entries(e).map(([k, v]) => [k, String(v)]);
  return Object.fromEntries(pairs) as Record<string, string>;
}

function commandOf(name: string, s: Service): string[] {
  expect(Array.isArray(s.command), `${name}: command must be a list`).toBe(true);
  const argv = s.command as unknown[];
  for (const a of argv) expect(typeof a, `${name}: ${String(a)}`).toBe('string');
  return argv as string[];
}

/** The FSJOURNAL_* variables a subcommand reads. */
function knownVariables(command: string): Set<string> {
  const cmd = program().commands.find((c) => c.name() === command)!;
  return new Set(cmd.options.filter((o) => o.long).map((o) => envName(o)));
}

/** Variables the CLI reads that are not flags. */
const OTHER_VARIABLES = new Set(['FSJOURNAL_LOG_LEVEL']);

function expectKnownVariables(where: string, command: string, env: Record<string, string>): void {
  const known = knownVariables(command);
  for (const k of Object.keys(env).filter((k) => k.startsWith('FSJOURNAL_')))
    expect(known.has(k) || OTHER_VARIABLES.has(k), `${where}: ${k} is not read by ${command}`).toBe(
      true,
    );
}

describe('docker-compose.yml', () => {
  it('has one primary and two replicas', () => {
    const roles = services.map(([name, s]) => `${commandOf(name, s)[0]}`).sort();
    expect(roles).toEqual(['primary', 'replica', 'replica']);
  });

  it.for(services.map(([name]) => name))(
    '%s: the command parses with the CLI’s own flags and its environment',
    async (name) => {
      const s = compose.services[name]!;
      const argv = commandOf(name, s);
      const env = envOf(s);
      expectKnownVariables(name, argv[0]!, env);
      const r = await parse(argv, env);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      // Reachable from the other containers, and protected by the token.
      expect(r.opts.listen).toMatchObject({ host: '0.0.0.0' });
      expect(r.opts.tokenFile).toBeDefined();
    },
  );

  it('the replicas follow the primary service at its listen port, with the same token', async () => {
    const [primaryName, primary] = services.find(([n, s]) => commandOf(n, s)[0] === 'primary')!;
    const p = await parse(commandOf(primaryName, primary), envOf(primary));
    const port = (p.opts.listen as { port: number }).port;
    const replicas = services.filter(([n, s]) => commandOf(n, s)[0] === 'replica');
    const ids = new Set<unknown>();
    const volumes = new Set<string>();
    for (const [name, s] of replicas) {
      const r = await parse(commandOf(name, s), envOf(s));
      expect(r.opts.upstream, name).toBe(`ws://${primaryName}:${port}/v1/stream`);
      expect(r.opts.tokenFile, name).toBe(p.opts.tokenFile);
      expect(s.depends_on?.[primaryName]?.condition, name).toBe('service_healthy');
      ids.add(r.opts.id);
      // Target and state each on a volume of this replica alone.
      for (const dir of [r.opts.target, r.opts.state]) {
        const v = (s.volumes ?? []).find((m) => m.endsWith(`:${String(dir)}`));
        expect(v, `${name}: no volume at ${String(dir)}`).toBeDefined();
        expect(volumes.has(v!.split(':')[0]!), `${name}: ${v} shared`).toBe(false);
        volumes.add(v!.split(':')[0]!);
      }
    }
    expect(ids.size).toBe(replicas.length);
  });

  it.for(services.map(([name]) => name))(
    '%s: the health check hits /healthz on the service’s own port',
    async (name) => {
      const s = compose.services[name]!;
      const r = await parse(commandOf(name, s), envOf(s));
      const port = (r.opts.listen as { port: number }).port;
      const test = s.healthcheck?.test;
      expect(Array.isArray(test) && test[0] === 'CMD', `${name}: healthcheck.test`).toBe(true);
      expect((test as string[]).join(' ')).toContain(`http://127.0.0.1:${port}/healthz`);
    },
  );

  it('named volumes and the token secret are declared', () => {
    const declared = Object.keys(compose.volumes ?? {});
    for (const [name, s] of services) {
      for (const m of s.volumes ?? []) {
        const source = m.split(':')[0]!;
        expect(declared, `${name}: volume ${source}`).toContain(source);
      }
      for (const secret of s.secrets ?? [])
        expect(compose.secrets?.[secret]?.file, `${name}: secret ${secret}`).toBeDefined();
      const token = envOf(s).FSJOURNAL_TOKEN_FILE;
      if (token !== undefined) {
        expect(token).toMatch(/^\/run\/secrets\//);
        expect(s.secrets).toContain(token.replace('/run/secrets/', ''));
      }
    }
  });

  it('the health-check script answers 0 on a live primary and 1 once it is gone', async () => {
    const h = harness();
    const primary = await h.primary({ source: await h.dir('source'), journal: join(h.root, 'j') });
    const test = compose.services.primary!.healthcheck!.test as string[];
    const script = test[3]!.replace(':7070/', `:${primary.port}/`);
    expect(test.slice(1, 3)).toEqual(['node', '-e']);
    await execFileAsync(process.execPath, ['-e', script]);
    await primary.kill('SIGTERM');
    await expect(execFileAsync(process.execPath, ['-e', script])).rejects.toMatchObject({
      code: 1,
    });
  });
});

describe('systemd examples', () => {
  /** KEY=VALUE lines of an EnvironmentFile. */
  function envFile(path: string): Record<string, string> {
    const lines = read(path)
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    return Object.fromEntries(
      lines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
  }

  it('primary.env: only variables of fsjournal primary, values that parse', async () => {
    const env = envFile('deploy/systemd/primary.env');
    expectKnownVariables('primary.env', 'primary', env);
    const r = await parse(['primary'], env);
    expect(r.err).toBe('');
    expect(r.opts.ignore).toEqual(['**/*.{tmp,swp}', '**/.cache/**']);
  });

  it('replica.env with the unit’s own variables: only variables of fsjournal replica', async () => {
    const unit = read('deploy/systemd/fsjournal-replica@.service');
    const fromUnit = Object.fromEntries(
      [...unit.matchAll(/^Environment=(\w+)=(.*)$/gm)].map((m) => [
        m[1]!,
        m[2]!.replace(/%i/g, 'standby-1'),
      ]),
    );
    const env = { ...fromUnit, ...envFile('deploy/systemd/replica.env') };
    expectKnownVariables('replica.env', 'replica', env);
    const r = await parse(['replica'], env);
    expect(r.err).toBe('');
    expect(r.opts).toMatchObject({
      id: 'standby-1',
      target: '/var/lib/fsjournal/replica-standby-1/tree',
    });
  });

  it.for(['fsjournal-primary.service', 'fsjournal-replica@.service'])(
    '%s restarts on failure, reads an EnvironmentFile and runs unprivileged',
    (unit) => {
      const text = read(`deploy/systemd/${unit}`);
      for (const line of [
        /^Restart=on-failure$/m,
        /^EnvironmentFile=\/etc\/fsjournal\//m,
        /^User=fsjournal$/m,
        /^NoNewPrivileges=yes$/m,
        /^ProtectSystem=strict$/m,
        /^ExecStart=\S*fsjournal (primary|replica)$/m,
      ])
        expect(text).toMatch(line);
    },
  );
});

describe('Dockerfile', () => {
  it('builds in stages from node:20-slim with npm ci and runs as a non-root user', () => {
    const text = read('Dockerfile');
    expect(text).toMatch(/^ARG NODE_IMAGE=node:20-slim$/m);
    expect(text.match(/^FROM \$\{NODE_IMAGE\} AS \w+$/gm)).toHaveLength(2);
    expect(text).toMatch(/^RUN npm ci\b/m);
    expect(text).toMatch(/^USER node$/m);
    expect(text).toMatch(/--device \/dev\/fuse --cap-add SYS_ADMIN/);
  });
});
