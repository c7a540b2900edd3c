/**
 * Soak: a primary and two replicas (real `fsjournal` processes on fresh temp
 * folders), r2 behind a FaultProxy that cuts, stalls, slows and refuses its
 * link every few seconds, under a steady workload, for `--minutes N`. Once a
 * minute it prints one JSON line: RSS and open file handles of each process,
 * each replica's lag (under load), the journal's size, and divergence (the
 * workload and the faults pause, a barrier, both replicas waited for, then
 * `compareTrees` of the source against each target), and how many times a
 * replica's applied or durable position was seen to go back (each replica's
 * status and the primary's rows, sampled every 250 ms; must stay 0). At the
 * end a summary: RSS and handle growth from the first minute to the last,
 * and `flat`.
 * Linux only (reads /proc).
 */
/* global fetch, AbortSignal */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import {
  appendFile,
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { compareTrees } from '../packages/journal/dist/mod.js';
import { positiveNumber, readArgs } from './bench_args.mjs';
import { FaultProxy } from './fault_proxy.mjs';
import { freePort } from './free_port.mjs';
import { rng, seedFromEnv } from './rng.mjs';

const USAGE = `usage: node bench/soak.mjs [--minutes N] [--fault-every SECONDS] [--catchup-seconds N] [--keep]
  --minutes N           how long to run (default 30); one JSON line per minute
  --fault-every S       mean seconds between faults on r2's link (default 5)
  --catchup-seconds N   how long the divergence check waits for the replicas (default 60)
  --keep                leave the temp folder (trees, journal, daemon logs)`;

const values = readArgs(process.argv.slice(2), USAGE, {
  minutes: { type: 'string' },
  'fault-every': { type: 'string' },
  'catchup-seconds': { type: 'string' },
  keep: { type: 'boolean' },
});
const MINUTES = positiveNumber(values, 'minutes', USAGE) ?? 30;
const FAULT_EVERY_MS = (positiveNumber(values, 'fault-every', USAGE) ?? 5) * 1000;
const CATCHUP_MS = (positiveNumber(values, 'catchup-seconds', USAGE) ?? 60) * 1000;
/** Growth (last minute over the end of the warm-up) below which RSS and handles count as flat. */
const FLAT_GROWTH = 0.2;

const CLI = fileURLToPath(new URL('../packages/cli/bin/fsjournal.js', import.meta.url));
const note = (s) => process.stderr.write(`${s}\n`);

async function api(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

const daemons = [];

/** Spawns `fsjournal ARGS` (logs to `logFile`) and waits for its status API on `port`. */
async function startDaemon(name, port, args, logFile) {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, FSJOURNAL_LOG_LEVEL: 'info' },
  });
  child.stderr.pipe(createWriteStream(logFile));
  const d = { name, child, url: `http://127.0.0.1:${port}`, logFile, exited: false };
  child.on('exit', (code, signal) => {
    d.exited = true;
    if (!stopping) note(`${name} exited: code ${code} signal ${signal} (log: ${logFile})`);
  });
  daemons.push(d);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (d.exited) throw new Error(`${name} exited before it was ready (log: ${logFile})`);
    const ok = await api(`${d.url}/v1/status`, { timeoutMs: 2000 }).catch(() => undefined);
    if (ok?.status === 200) return d;
    if (Date.now() > deadline) throw new Error(`${name} not ready after 30 s (log: ${logFile})`);
    await sleep(100);
  }
}

/** VmRSS of a process, in MiB. */
async function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round((Number(m[1]) / 1024) * 10) / 10 : null;
}

/** Open file descriptors of a process, and how many of them are sockets. */
async function fds(pid) {
  const names = await readdir(`/proc/${pid}/fd`);
  const links = await Promise.all(
    names.map((n) => readlink(`/proc/${pid}/fd/${n}`).catch(() => '')),
  );
  return { fds: names.length, sockets: links.filter((l) => l.startsWith('socket:')).length };
}

async function dirBytes(dir) {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await dirBytes(p);
    else total += (await stat(p).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * The steady workload: ~20 changes a second over a bounded pool of names (so
 * the tree stays about the same size while the journal grows): writes of up
 * to 64 KiB, appends, renames, deletes, folders made and removed, chmod, and
 * every ~10 s a file of 2 to 6 MiB (several 1 MiB records in a transaction).
 * `pause()` resolves once no change is in flight.
 */
function workload(source, r) {
  const dirs = ['w', 'w/a', 'w/b', 'w/a/c'];
  const name = () => join(source, r.pick(dirs), `f${r.int(8)}`);
  let paused = false;
  let stopped = false;
  let changes = 0;
  let idle = () => undefined;
  let resumed = () => undefined;
  const loop = (async () => {
    for (const d of dirs) await mkdir(join(source, d), { recursive: true });
    let nextBig = Date.now() + 10_000;
    while (!stopped) {
      if (paused) {
        idle();
        await new Promise((res) => (resumed = res));
        continue;
      }
      try {
        if (Date.now() >= nextBig) {
          nextBig = Date.now() + 10_000;
          const tmp = join(source, '.big.tmp');
          await writeFile(tmp, randomBytes((2 + r.int(5)) * 1024 * 1024));
          await rename(tmp, join(source, 'big.bin'));
        }
        const a = name();
        switch (r.pick(['write', 'write', 'write', 'append', 'rename', 'rm', 'dir', 'chmod'])) {
          case 'write':
            await writeFile(a, randomBytes(r.int(64 * 1024)));
            break;
          case 'append':
            await appendFile(a, randomBytes(1 + r.int(4096)));
            break;
          case 'rename':
            await rename(a, name());
            break;
          case 'rm':
            await rm(a, { recursive: true, force: true });
            break;
          case 'dir': {
            const d = join(source, r.pick(dirs), 'd');
            await rm(d, { recursive: true, force: true });
            await mkdir(d);
            await writeFile(join(d, 'x'), randomBytes(r.int(2048)));
            break;
          }
          case 'chmod':
            await chmod(a, r.pick([0o600, 0o644, 0o755]));
            break;
        }
      } catch (err) {
        // Races with itself (a name renamed or removed just before): as a user would get.
        if (!['ENOENT', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOTEMPTY'].includes(err.code)) throw err;
      }
      changes++;
      await sleep(25 + r.int(50));
    }
  })();
  return {
    get changes() {
      return changes;
    },
    pause: () =>
      Promise.race([
        new Promise((res) => {
          paused = true;
          idle = res;
        }),
        loop,
      ]),
    resume: () => {
      paused = false;
      resumed();
    },
    stop: async () => {
      stopped = true;
      paused = false;
      resumed();
      await loop;
    },
    loop,
  };
}

let stopping = false;
let root;
/** r2's fault proxy: its listening socket would keep the process alive. */
let proxy;

async function cleanUp() {
  stopping = true;
  for (const d of daemons) if (!d.exited) d.child.kill('SIGTERM');
  await Promise.all(
    daemons.map((d) => (d.exited ? undefined : new Promise((r) => d.child.once('exit', r)))),
  );
  await proxy?.close().catch(() => undefined);
  if (root && !values.keep) await rm(root, { recursive: true, force: true });
  else if (root) note(`kept ${root}`);
}

process.on('SIGINT', () => {
  stopping = true;
  for (const d of daemons) if (!d.exited) d.child.kill('SIGKILL');
  if (root && !values.keep) rmSync(root, { recursive: true, force: true });
  process.exit(130);
});

/**
 * Samples every replica's applied and durable LSN (its own status, and the
 * primary's row of it) every 250 ms; `wentBack` lists each time one was
 * lower than before.
 */
function watchPositions(primary, replicas) {
  const max = new Map();
  const wentBack = [];
  let stopped = false;
  const see = (where, lsn) => {
    if (typeof lsn !== 'number') return;
    const before = max.get(where) ?? 0;
    if (lsn < before) wentBack.push(`${where}: ${lsn} after ${before}`);
    max.set(where, Math.max(before, lsn));
  };
  (async () => {
    while (!stopped) {
      for (const d of replicas) {
        const s = await api(`${d.url}/v1/status`).catch(() => undefined);
        if (s?.status === 200) {
          see(`${d.name} status applied`, s.body.appliedLsn);
          see(`${d.name} status durable`, s.body.durableLsn);
        }
      }
      const rows = await api(`${primary.url}/v1/replicas`).catch(() => undefined);
      for (const row of rows?.status === 200 ? rows.body : []) {
        see(`primary row ${row.id} applied`, row.appliedLsn);
        see(`primary row ${row.id} durable`, row.durableLsn);
      }
      await sleep(250);
    }
  })().catch((err) => note(`position watch failed: ${err.stack}`));
  return { wentBack, stop: () => (stopped = true) };
}

async function main() {
  root = await mkdtemp(join(tmpdir(), 'fsj-soak-'));
  const p = (n) => join(root, n);
  for (const d of ['source', 'logs']) await mkdir(p(d));
  const seed = seedFromEnv();
  note(
    `soak: ${MINUTES} min, a fault on r2's link every ~${FAULT_EVERY_MS / 1000} s, seed ${seed}, in ${root}`,
  );

  const [pp, p1, p2] = [await freePort(), await freePort(), await freePort()];
  const primary = await startDaemon(
    'primary',
    pp,
    ['primary', '--source', p('source'), '--journal', p('journal'), '--listen', `127.0.0.1:${pp}`],
    p('logs/primary.log'),
  );
  proxy = await FaultProxy.start(pp);
  const replica = (id, port, upstreamPort) =>
    startDaemon(
      id,
      port,
      [
        'replica',
        '--upstream',
        `ws://127.0.0.1:${upstreamPort}/v1/stream`,
        '--target',
        p(id),
      ].concat(['--state', p(`${id}-state`), '--id', id, '--listen', `127.0.0.1:${port}`]),
      p(`logs/${id}.log`),
    );
  const replicas = [await replica('r1', p1, pp), await replica('r2', p2, proxy.port)];
  const procs = [primary, ...replicas];

  const r = rng(seed);
  const work = workload(p('source'), r);
  work.loop.catch((err) => {
    note(`workload failed: ${err.stack}`);
    process.exitCode = 1;
  });
  const faultRng = rng(seed + 1);
  const stalls = [1_000, 5_000, 10_000, 22_000]; // the heartbeat timeout is 15 to 20 s
  const schedule = () =>
    proxy.schedule(faultRng, FAULT_EVERY_MS, {
      durationMs: (f) =>
        f === 'cut'
          ? 0
          : f === 'stall'
            ? faultRng.pick(stalls)
            : Math.round(FAULT_EVERY_MS * (0.5 + faultRng.next())),
    });
  let faults = schedule();
  let faultCount = 0;
  const positions = watchPositions(primary, replicas);

  const lines = [];
  const t0 = Date.now();
  for (let minute = 1; minute <= MINUTES; minute++) {
    await sleep(Math.max(0, t0 + minute * 60_000 - Date.now()));
    if (daemons.some((d) => d.exited)) throw new Error('a daemon exited; see its log');
    // Under load: memory, handles, lag.
    const line = { minute };
    for (const d of procs) {
      line[`${d.name}RssMb`] = await rssMb(d.child.pid);
      const f = await fds(d.child.pid);
      line[`${d.name}Fds`] = f.fds;
      line[`${d.name}Sockets`] = f.sockets;
    }
    const rows = (await api(`${primary.url}/v1/replicas`)).body;
    for (const row of rows) {
      line[`${row.id}LagRecords`] = row.lagRecords;
      line[`${row.id}LagMs`] = row.lagMs;
    }
    line.lastLsn = (await api(`${primary.url}/v1/status`)).body.lastLsn;
    line.journalMb = Math.round((await dirBytes(p('journal'))) / 1024 / 1024);
    line.changes = work.changes;
    line.faults = faultCount + faults.log.length;
    line.r2Reconnects = (await api(`${replicas[1].url}/v1/status`)).body.reconnects;
    line.positionsWentBack = positions.wentBack.length;
    line.journal = (await api(`${primary.url}/v1/status`)).body.journal?.state;

    // Divergence: the workload and the faults pause, a barrier, both waited for.
    const compareStart = Date.now();
    await work.pause();
    await faults.stop();
    faultCount += faults.log.length;
    const barrier = (await api(`${primary.url}/v1/barrier`, { method: 'POST' })).body.lsn;
    for (const d of replicas) {
      const waited = await api(
        `${primary.url}/v1/replicas/${d.name}?waitForLsn=${barrier}&timeoutMs=${CATCHUP_MS}`,
        { timeoutMs: CATCHUP_MS + 10_000 },
      ).catch(() => ({ status: 0 }));
      line[`${d.name}CaughtUp`] = waited.status === 200;
      const diffs = await compareTrees(p('source'), p(d.name), { owner: true });
      line[`${d.name}Diffs`] = diffs.length;
      if (diffs.length > 0) note(`${d.name} differs: ${JSON.stringify(diffs.slice(0, 5))}`);
    }
    line.compareMs = Date.now() - compareStart;
    process.stdout.write(`${JSON.stringify(line)}\n`);
    lines.push(line);
    faults = schedule();
    work.resume();
  }
  await faults.stop();
  await work.stop();
  positions.stop();
  for (const w of positions.wentBack.slice(0, 10)) note(`position went back: ${w}`);

  // Growth from the first minute, and from the end of the warm-up (a
  // quarter of the run, at least minute 2: heaps grow to their working size
  // in the first minutes); `flat` judges the latter.
  const first = lines[0];
  const warm = lines[Math.min(lines.length - 1, Math.max(1, Math.round(lines.length / 4) - 1))];
  const last = lines[lines.length - 1];
  const growth = (from, k) => Math.round(((last[k] - from[k]) / from[k]) * 1000) / 1000;
  const summary = { summary: true, minutes: MINUTES, seed, warmMinute: warm.minute };
  let flat = true;
  for (const d of procs) {
    for (const k of [`${d.name}RssMb`, `${d.name}Fds`]) {
      summary[`${k}First`] = first[k];
      summary[`${k}Warm`] = warm[k];
      summary[`${k}Last`] = last[k];
      summary[`${k}Growth`] = growth(first, k);
      summary[`${k}GrowthAfterWarm`] = growth(warm, k);
      if (growth(warm, k) >= FLAT_GROWTH) flat = false;
    }
  }
  summary.maxDiffs = Math.max(...lines.flatMap((l) => replicas.map((d) => l[`${d.name}Diffs`])));
  summary.allCaughtUp = lines.every((l) => replicas.every((d) => l[`${d.name}CaughtUp`]));
  summary.positionsWentBack = positions.wentBack.length;
  summary.faults = faultCount;
  summary.changes = work.changes;
  summary.flat = flat;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (MINUTES < 3)
    note('flat compares minute 2 (or the first) with the last: run 3 minutes or more');
  if (summary.maxDiffs > 0 || !summary.allCaughtUp || summary.positionsWentBack > 0)
    process.exitCode = 1;
}

try {
  await main();
} catch (err) {
  note(`soak: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
