/**
 * End-to-end harness: real `fsjournal primary|replica` processes (the built
 * CLI, `npx tsc -b` first) on free loopback ports, their stderr kept to show
 * when a test fails, status polling, and kills by signal. Every process a
 * test starts is killed after it; nothing outlives the test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import { Journal, type JournalEntry } from '@fsjournal/journal';
import { Agent, fetch as undiciFetch } from 'undici';
import { freePort } from '../bench/free_port.mjs';

/** The seeded PRNG of tests and benches (bench/rng.mjs). */
export { rng, seedFromEnv, type Rng } from '../bench/rng.mjs';
/** A loopback port nothing listens on right now (bench/free_port.mjs). */
export { freePort };

/** The CLI entry point, as `npx fsjournal` runs it. */
export const CLI = fileURLToPath(new URL('../packages/cli/bin/fsjournal.js', import.meta.url));

const LOG_LINES_KEPT = 400;

export type Json = Record<string, unknown>;

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `check` until it returns something other than undefined/false, or throws after `timeoutMs`. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${String(last)})`,
      );
    }
    await sleep(intervalMs);
  }
}

export interface HttpAnswer<T = Json> {
  status: number;
  body: T;
}

const agents = new WeakMap<Buffer, Agent>();

/** One undici Agent per CA, so its connections are reused. */
function agentFor(ca: Buffer): Agent {
  let a = agents.get(ca);
  if (!a) agents.set(ca, (a = new Agent({ connect: { ca } })));
  return a;
}

/** A JSON request to a daemon's API. */
export async function http<T = Json>(
  url: string,
  init: { method?: string; body?: unknown; timeoutMs?: number; token?: string; ca?: Buffer } = {},
): Promise<HttpAnswer<T>> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
  // An https:// daemon with the test's own CA: undici's fetch with an Agent trusting it.
  const res = await undiciFetch(url, {
    dispatcher: init.ca ? agentFor(init.ca) : undefined,
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** POST /v1/barrier on the primary at `url`: expects 200, answers the barrier's LSN. */
export async function barrier(url: string): Promise<number> {
  // A barrier rescans the whole tree and waits out rename windows: on a
  // loaded 2-core machine after a burst it can take longer than a status.
  const a = await http(`${url}/v1/barrier`, { method: 'POST', timeoutMs: 60_000 });
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  return a.body.lsn as number;
}

/** Waits until `daemon`'s status says `lsn` is durable on it (a replica's, or a primary's journal). */
export async function waitDurable(
  what: string,
  daemon: { status(): Promise<Json> },
  lsn: number,
  timeoutMs?: number,
): Promise<void> {
  await waitUntil(
    what,
    async () => ((await daemon.status()).durableLsn as number) >= lsn,
    timeoutMs,
  );
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * The environment of a spawned CLI: this process's, without FSJOURNAL_*
 * settings a developer may have exported, plus `extra`.
 */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('FSJOURNAL_')),
  );
  return { ...env, FSJOURNAL_LOG_LEVEL: 'info', ...extra };
}

/** A usage error: exit 2, nothing on stdout, one line on stderr matching `names`. */
export function expectUsageError(r: CliResult, names: RegExp): void {
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(names);
  expect(r.code, r.stderr).toBe(2);
}

/** Runs `fsjournal ARGS` to completion; `env` adds variables (FSJOURNAL_*). */
export function runCli(
  args: string[],
  o: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cliEnv(o.env),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

/** One running (or finished) daemon process. */
export class Daemon {
  readonly url: string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly lines: string[] = [];
  private partial = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
    logFile: string,
    /** The token its API requires (its --token-file), sent by status(). */
    readonly token?: string,
    /** The CA of its certificate when it serves https (its --tls-cert). */
    readonly ca?: Buffer,
  ) {
    this.url = `${ca ? 'https' : 'http'}://127.0.0.1:${port}`;
    const file = createWriteStream(logFile);
    child.stderr!.pipe(file);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => this.onLog(d));
    this.exited = new Promise((res) => {
      child.on('close', (code, signal) => {
        this.exit = { code, signal };
        if (this.partial) this.keep(this.partial);
        this.keep(`-- exited: code ${code} signal ${signal}`);
        res(this.exit);
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  private onLog(d: string): void {
    const parts = (this.partial + d).split('\n');
    this.partial = parts.pop()!;
    for (const p of parts) this.keep(p);
  }

  private keep(line: string): void {
    this.lines.push(line);
    if (this.lines.length > LOG_LINES_KEPT)
      this.lines.splice(0, this.lines.length - LOG_LINES_KEPT);
  }

  /** The last lines the process wrote (stderr and stdout). */
  log(): string {
    return this.lines.join('\n');
  }

  /** Sends `signal` (SIGKILL by default) and waits for the process to end. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  /** GET /v1/status. */
  async status(): Promise<Json> {
    const a = await http(`${this.url}/v1/status`, { token: this.token, ca: this.ca });
    if (a.status !== 200) throw new Error(`${this.name} status: HTTP ${a.status}`);
    return a.body;
  }
}

export interface PrimaryStart {
  source: string;
  journal: string;
  port?: number;
  tokenFile?: string;
  /** A token its API accepts, for status() (one of a --tokens-file given in args). */
  token?: string;
  /** It serves https (--tls-cert in args) with a certificate this CA signed. */
  ca?: Buffer;
  args?: string[];
}

export interface ReplicaStart {
  /** More environment variables of the process. */
  env?: Record<string, string>;
  /** It serves https (--tls-cert in args) with a certificate this CA signed. */
  ca?: Buffer;
  upstream: string;
  target: string;
  state?: string;
  id?: string;
  port?: number;
  tokenFile?: string;
  args?: string[];
}

/** The token in a --token-file, or undefined without one (or when it cannot be read: a test of that). */
function tokenOf(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Temp folders and daemons of one test. */
export class Harness {
  readonly daemons: Daemon[] = [];
  private count = 0;

  constructor(readonly root: string) {}

  /** A new folder under the test's temp root. */
  async dir(name: string): Promise<string> {
    const d = join(this.root, name);
    await mkdir(d, { recursive: true });
    return d;
  }

  /**
   * Spawns `fsjournal ARGS` (with `env` added to its environment) and waits
   * until `GET /v1/status` answers on `port`.
   */
  async spawnDaemon(
    name: string,
    port: number,
    args: string[],
    env: Record<string, string> = {},
    token?: string,
    ca?: Buffer,
  ): Promise<Daemon> {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cliEnv(env),
    });
    const id = `${name}#${++this.count}`;
    const logs = await this.dir('logs');
    const log = join(logs, `${id.replace(/[^\w.#-]/g, '_')}.log`);
    const d = new Daemon(id, port, child, log, token, ca);
    this.daemons.push(d);
    let exited = false;
    await waitUntil(`${d.name} to answer on ${d.url}`, async () => {
      if (!d.running) return (exited = true);
      return (
        (await http(`${d.url}/v1/status`, { timeoutMs: 2000, token, ca }).catch(() => undefined))
          ?.status === 200
      );
    });
    if (exited) throw new Error(`${d.name} exited before it was ready:\n${d.log()}`);
    return d;
  }

  async primary(o: PrimaryStart): Promise<Daemon> {
    const port = o.port ?? (await freePort());
    const args = ['primary', '--source', o.source, '--journal', o.journal];
    args.push('--listen', `127.0.0.1:${port}`);
    if (o.tokenFile) args.push('--token-file', o.tokenFile);
    return this.spawnDaemon(
      'primary',
      port,
      [...args, ...(o.args ?? [])],
      {},
      o.token ?? tokenOf(o.tokenFile),
      o.ca,
    );
  }

  async replica(o: ReplicaStart): Promise<Daemon> {
    const port = o.port ?? (await freePort());
    const args = ['replica', '--upstream', o.upstream, '--target', o.target];
    args.push('--listen', `127.0.0.1:${port}`);
    if (o.state) args.push('--state', o.state);
    if (o.id) args.push('--id', o.id);
    if (o.tokenFile) args.push('--token-file', o.tokenFile);
    const name = `replica ${o.id ?? ''}`.trim();
    return this.spawnDaemon(
      name,
      port,
      [...args, ...(o.args ?? [])],
      o.env ?? {},
      tokenOf(o.tokenFile),
      o.ca,
    );
  }

  /** Every daemon's last log lines, for a failed test. */
  logs(): string {
    return this.daemons
      .map((d) => `===== ${d.name} (pid ${d.pid}) on ${d.url}, last lines =====\n${d.log()}`)
      .join('\n');
  }

  async killAll(): Promise<void> {
    await Promise.all(this.daemons.map((d) => d.kill('SIGKILL')));
  }
}

const live = new Set<Harness>();
afterAll(async () => {
  for (const h of live) await h.killAll();
});

/**
 * A fresh Harness for each test of the file: its processes are killed after
 * the test, their logs printed when it failed, its temp folder removed.
 */
export function useHarness(prefix: string): () => Harness {
  let current: Harness | undefined;
  beforeEach(async (ctx) => {
    const h = new Harness(await mkdtemp(join(tmpdir(), `fsj-e2e-${prefix}-`)));
    current = h;
    live.add(h);
    ctx.onTestFailed(() => {
      console.error(`\n${h.logs()}\n(temp folder kept: ${h.root}; full logs in ${h.root}/logs)\n`);
    });
  });
  afterEach(async (ctx) => {
    const h = current!;
    await h.killAll();
    live.delete(h);
    if (ctx.task.result?.state !== 'fail') await rm(h.root, { recursive: true, force: true });
  });
  return () => {
    if (!current) throw new Error('useHarness: no test is running');
    return current;
  };
}

/** The replica's durable position as it persisted it (`position.json` in --state). */
export async function readPosition(
  stateDir: string,
): Promise<{ replicaId: string; journalId: string; appliedLsn: number }> {
  return JSON.parse(await readFile(join(stateDir, 'position.json'), 'utf8')) as {
    replicaId: string;
    journalId: string;
    appliedLsn: number;
  };
}

/**
 * Opens a journal read-only (its writer stopped) and reads every record,
 * checking the LSNs run from 1 without a gap. Returns the entries.
 */
export async function readWholeJournal(dir: string): Promise<JournalEntry[]> {
  const j = await Journal.open({ dir, readOnly: true });
  try {
    const out: JournalEntry[] = [];
    let expected = 1;
    if (j.firstLsn !== 1) throw new Error(`journal starts at lsn ${j.firstLsn}, not 1`);
    for await (const e of j.read({ fromLsn: 1 })) {
      if (e.lsn !== expected) throw new Error(`journal gap: lsn ${e.lsn} after ${expected - 1}`);
      out.push(e);
      expected++;
    }
    if (expected - 1 !== j.lastLsn)
      throw new Error(`journal read ended at ${expected - 1}, last lsn is ${j.lastLsn}`);
    return out;
  } finally {
    await j.close();
  }
}

/** Where a primary/replica pair keeps its files in `h`'s folder, and its two fixed free ports. */
export interface PairLayout {
  journal: string;
  target: string;
  /** The replica's state folder. */
  state: string;
  primaryPort: number;
  replicaPort: number;
  /** The primary's stream URL, for the replica's `--upstream`. */
  upstream: string;
}

/** The journal, target and state paths of a pair (not made), and free ports for both daemons. */
export async function pairLayout(h: Harness): Promise<PairLayout> {
  const primaryPort = await freePort();
  return {
    journal: join(h.root, 'journal'),
    target: join(h.root, 'target'),
    state: join(h.root, 'target-state'),
    primaryPort,
    replicaPort: await freePort(),
    upstream: `ws://127.0.0.1:${primaryPort}/v1/stream`,
  };
}

/**
 * A primary/replica pair on fixed free ports in `h`'s folder: a source, a
 * folder outside it holding a file no replica may touch, the journal, the
 * target and its state. Start (and restart) each role with its function.
 */
export async function pairSetup(h: Harness) {
  const source = await h.dir('source');
  const outside = await h.dir('outside');
  await writeFile(join(outside, 'secret.txt'), 'outside the tree\n');
  const { journal, target, state, primaryPort, replicaPort, upstream } = await pairLayout(h);
  const startPrimary = () => h.primary({ source, journal, port: primaryPort });
  const startReplica = () => h.replica({ upstream, target, state, id: 'r1', port: replicaPort });
  return {
    h,
    source,
    outside,
    journal,
    target,
    state,
    primaryPort,
    upstream,
    startPrimary,
    startReplica,
  };
}

/**
 * Waits until the primary sees replica `id` connected (after restarts it
 * reconnects with backoff, up to 10 s), then `fsjournal wait` for it: a
 * barrier it has applied. Returns the barrier's LSN.
 */
export async function waitForReplica(primaryUrl: string, id = 'r1'): Promise<number> {
  await waitUntil(
    `${id} to be connected`,
    async () =>
      (await http<{ id: string; connected: boolean }[]>(`${primaryUrl}/v1/replicas`)).body.some(
        (r) => r.id === id && r.connected,
      ),
    30_000,
  );
  const waited = await runCli(['wait', '--api', primaryUrl, '--replica', id, '--timeout', '90']);
  expect(waited.stderr).toBe('');
  expect(waited.code).toBe(0);
  return Number(/lsn (\d+)/.exec(waited.stdout)?.[1]);
}

/**
 * A logger for a daemon run inside the test process: it keeps the lines and
 * prints them if the test fails.
 */
export function failureLogger(ctx: { onTestFailed(fn: () => void): void }): {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
} {
  const log: string[] = [];
  const keep =
    (level: string) =>
    (obj: object, msg: string): void => {
      log.push(
        `${level} ${msg} ${JSON.stringify(obj, (k, v: unknown) => (k === 'err' ? String(v) : v))}`,
      );
    };
  ctx.onTestFailed(() => console.error(`in-process primary log:\n${log.join('\n')}`));
  return { info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** A folder outside the target whose bytes must not change: `check()` says they did not. */
export async function sentinel(h: Harness): Promise<{ dir: string; check: () => Promise<void> }> {
  const dir = await h.dir('outside');
  await writeFile(join(dir, 'sentinel.txt'), 'must not change\n');
  return {
    dir,
    check: async () => {
      expect(await readdir(dir)).toEqual(['sentinel.txt']);
      expect(await readFile(join(dir, 'sentinel.txt'), 'utf8')).toBe('must not change\n');
    },
  };
}
