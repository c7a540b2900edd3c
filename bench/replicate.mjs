/**
 * Replication end to end: a primary and one replica (real `fsjournal`
 * processes in watch mode on loopback) against what users would pick
 * instead, in the same run on the same data: lsyncd (`default.rsync`,
 * `delay = 0`, same source folder, its own target) and, for the bulk copy,
 * `rsync -a --fsync` to an rsync daemon on loopback. Measures the whole
 * path capture -> journal -> stream -> apply -> durable position: time from
 * the end of the work until the replica equals the source file by file
 * (`compareTrees`), peak RSS of both daemons, journal bytes per source byte,
 * and the lag of small writes at 100/s alone and during a burst.
 *
 *   npm run bench:replicate                # builds, then runs (full size; many minutes)
 *   node bench/replicate.mjs --quick       # every workload scaled down ~1/20: a smoke check
 *
 * stdout: one JSON line per workload (see bench/README.md); notes for
 * humans on stderr. Linux only (reads /proc); needs Debian's `lsyncd` and
 * `rsync` (a baseline whose binary is missing is skipped, with a note).
 * Not guaranteed: the tools share 2 cores with the bench's own polling;
 * times are upper bounds by one poll interval plus one comparison.
 */
/* global fetch, AbortSignal */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compareTrees } from '../packages/journal/dist/mod.js';
import { emit, note, positiveNumber, readArgs, round } from './bench_args.mjs';
import { freePort } from './free_port.mjs';

const USAGE = `usage: node bench/replicate.mjs [--quick] [--timeout-seconds N] [--only NAMES] [--keep] [--cpu-prof DIR]
  --quick               every workload scaled down (~1/20): a smoke check, not a measurement
  --timeout-seconds N   per workload, how long to wait for a replica to become identical
                        (default 600; --quick 90); past it the line says "timedOut":true
  --only NAMES          comma-separated workloads to run (tar-x,rm-rf,bulk,sparse,lag,scale)
  --keep                leave the temp folder (trees, journal, logs)
  --cpu-prof DIR        run the primary and the replica with node --cpu-prof, profiles in DIR
                        (written when the daemons exit at the end of the run)`;

const values = readArgs(process.argv.slice(2), USAGE, {
  quick: { type: 'boolean' },
  'timeout-seconds': { type: 'string' },
  only: { type: 'string' },
  keep: { type: 'boolean' },
  'cpu-prof': { type: 'string' },
});
const QUICK = values.quick ?? false;
const TIMEOUT_MS = (positiveNumber(values, 'timeout-seconds', USAGE) ?? (QUICK ? 90 : 600)) * 1000;
const ONLY = values.only?.split(',');
/** Node options before the CLI: a CPU profile per daemon (NODE_OPTIONS refuses --cpu-prof). */
const NODE_ARGS = values['cpu-prof']
  ? ['--cpu-prof', '--cpu-prof-dir', resolve(values['cpu-prof'])]
  : [];
const SCALE = QUICK ? 1 / 20 : 1;
const POLL_MS = 100;
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const CLI = join(ROOT, 'packages/cli/dist/bin.js');
const run = promisify(execFile);

/** Spawned processes (daemons), killed on exit. */
const procs = [];
let stopping = false;
let tmp;

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`]).status === 0;
}

/** Spawns a long-running process with its output in `log`. */
function start(name, cmd, args, log) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(log);
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const p = { name, child, exited: false, killed: false, log };
  child.on('exit', (code, signal) => {
    p.exited = true;
    if (!stopping && !p.killed) note(`${name} exited: code ${code} signal ${signal} (log: ${log})`);
  });
  procs.push(p);
  return p;
}

async function api(url, init = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
}

async function waitReady(p, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (p.exited) throw new Error(`${p.name} exited before it was ready (log: ${p.log})`);
    const ok = await api(`${url}/v1/status`).catch(() => undefined);
    if (ok?.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`${p.name} not ready after ${timeoutMs / 1000} s (log: ${p.log})`);
    await sleep(50);
  }
}

/** Resolves once `p` has exited. */
function exited(p) {
  return p.exited ? Promise.resolve() : new Promise((r) => p.child.once('exit', r));
}

/** VmHWM (peak RSS) of a process in MiB, and resets it for the next workload. */
async function peakRssMb(pid, reset) {
  const m = /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${pid}/status`, 'utf8').catch(() => ''));
  if (reset) await writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);
  return m ? round(Number(m[1]) / 1024, 1) : null;
}

/** Bytes in the journal's segment files. */
async function segmentBytes(dir) {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile() || !e.name.endsWith('.seg')) continue;
    total += (await lstat(join(e.parentPath ?? e.path, e.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/**
 * Names, types, modes, sizes and file mtimes (to the millisecond) of two
 * trees agree. Folder mtimes are left out: lsyncd's rsync runs, given lists
 * of paths, leave a folder's mtime at the time they wrote into it.
 */
async function sameShape(a, b) {
  const [sa, sb] = await Promise.all([lstat(a).catch(() => null), lstat(b).catch(() => null)]);
  if (!sa || !sb) return !sa && !sb;
  if (sa.mode !== sb.mode) return false;
  if (sa.isFile()) return sa.size === sb.size && Math.floor(sa.mtimeMs) === Math.floor(sb.mtimeMs);
  if (!sa.isDirectory()) return true;
  const [na, nb] = await Promise.all([readdir(a), readdir(b)]).catch(() => [[0], []]);
  if (na.length !== nb.length) return false;
  na.sort();
  nb.sort();
  for (let i = 0; i < na.length; i++) if (na[i] !== nb[i]) return false;
  for (const n of na) if (!(await sameShape(join(a, n), join(b, n)))) return false;
  return true;
}

async function identical(source, target) {
  if (!(await sameShape(source, target))) return false;
  // Content, modes, symlink targets (mtimes were checked above, files only).
  return (await compareTrees(source, target, { mtime: false }).catch(() => [0])).length === 0;
}

/**
 * Polls each replica until it equals `source`; resolves with the seconds
 * from `t0` (performance.now()) to the start of the check that found it
 * equal, or null on timeout. Each side is polled in a loop of its own, so
 * a long check of one (a content comparison of the whole tree) never
 * delays the other's. For fsjournal the replica's durable position must
 * also have reached the primary's last LSN: that is asked first (two
 * status calls), and the trees are compared only once it has.
 */
async function timeToIdentical(source, sides, t0) {
  const result = {};
  const deadline = t0 + TIMEOUT_MS;
  const poll = async (s) => {
    while (performance.now() < deadline) {
      const at = performance.now();
      if ((!s.durable || (await durableCaughtUp(s))) && (await identical(source, s.target))) {
        result[s.name] = round((at - t0) / 1000, 3);
        return;
      }
      await sleep(POLL_MS);
    }
    result[s.name] = null;
    const diffs = await compareTrees(source, s.target, { mtime: false }).catch((e) => [e.message]);
    note(
      `${s.name}: not identical after ${TIMEOUT_MS / 1000} s: ${JSON.stringify(diffs.slice(0, 3))}`,
    );
  };
  await Promise.all(sides.map(poll));
  return result;
}

/** The replica's durable position has reached the primary's last LSN. */
async function durableCaughtUp(s) {
  const last = (await api(`${s.primaryUrl}/v1/status`)).body.lastLsn;
  const durable = (await api(`${s.replicaUrl}/v1/status`)).body.durableLsn;
  return typeof durable === 'number' && durable >= last;
}

/**
 * Samples the primary's `lastLsn` every 100 ms until stopped; `stop()`
 * answers when it last moved (performance.now()), or null if it never did:
 * how long the primary took to journal the work, apart from the replica.
 */
function journalWatch(primaryUrl) {
  let lastLsn;
  let movedAt = null;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const lsn = (await api(`${primaryUrl}/v1/status`).catch(() => undefined))?.body?.lastLsn;
      if (typeof lsn === 'number') {
        if (lastLsn !== undefined && lsn > lastLsn) movedAt = performance.now();
        lastLsn = lsn;
      }
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return movedAt;
    },
  };
}

async function walkStats(dir) {
  let files = 0;
  let bytes = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    files++;
    bytes += (await lstat(join(e.parentPath ?? e.path, e.name))).size;
  }
  return { files, bytes };
}

/** The project's node_modules as a tarball (with --quick, its first top-level entries up to ~1/20 of the files). */
async function makeTarball(file) {
  const names = (await readdir(join(ROOT, 'node_modules'))).sort();
  let chosen = names;
  if (SCALE < 1) {
    const all = (await walkStats(join(ROOT, 'node_modules'))).files;
    chosen = [];
    let files = 0;
    for (const n of names) {
      if (files >= all * SCALE) break;
      const st = await lstat(join(ROOT, 'node_modules', n));
      files += st.isDirectory() ? (await walkStats(join(ROOT, 'node_modules', n))).files : 1;
      chosen.push(n);
    }
  }
  await run('tar', ['-cf', file, '-C', ROOT, ...chosen.map((n) => `node_modules/${n}`)], {
    maxBuffer: 1 << 26,
  });
}

function quantile(sorted, q) {
  if (sorted.length === 0) return null;
  return round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)], 2);
}

async function main() {
  tmp = await mkdtemp(join(tmpdir(), 'fsj-replicate-'));
  const p = (n) => join(tmp, n);
  for (const d of ['source', 'fsj-target', 'lsyncd-target', 'rsync-target', 'logs', 'stage'])
    await mkdir(p(d));
  const source = p('source');
  note(`replicate: ${QUICK ? 'quick' : 'full'}, in ${tmp}`);

  const [pp, rp] = [await freePort(), await freePort()];
  const primaryUrl = `http://127.0.0.1:${pp}`;
  const replicaUrl = `http://127.0.0.1:${rp}`;
  let starts = 0;
  const startPrimary = () =>
    start(
      'primary',
      process.execPath,
      [
        ...NODE_ARGS,
        CLI,
        'primary',
        '--source',
        source,
        '--journal',
        p('journal'),
        '--listen',
        `127.0.0.1:${pp}`,
      ],
      p(`logs/primary-${starts++}.log`),
    );
  const startReplica = () =>
    start(
      'replica',
      process.execPath,
      [
        ...NODE_ARGS,
        CLI,
        'replica',
        '--upstream',
        `ws://127.0.0.1:${pp}/v1/stream`,
        '--target',
        p('fsj-target'),
      ].concat(['--id', 'r1', '--listen', `127.0.0.1:${rp}`]),
      p(`logs/replica-${starts++}.log`),
    );
  let primary = startPrimary();
  await waitReady(primary, primaryUrl);
  let replica = startReplica();
  await waitReady(replica, replicaUrl);
  const sides = [
    { name: 'fsjournal', target: p('fsj-target'), durable: true, primaryUrl, replicaUrl },
  ];

  if (has('lsyncd') && has('rsync')) {
    // perms: without it, folders rsync makes on the way to a listed path are 0700.
    const conf = p('lsyncd.conf');
    await writeFile(
      conf,
      `settings { nodaemon = true, logfile = ${JSON.stringify(p('logs/lsyncd-own.log'))} }\n` +
        `sync { default.rsync, source = ${JSON.stringify(source)}, ` +
        `target = ${JSON.stringify(p('lsyncd-target'))}, delay = 0, rsync = { perms = true } }\n`,
    );
    start('lsyncd', 'lsyncd', ['-nodaemon', conf], p('logs/lsyncd.log'));
    sides.push({ name: 'lsyncd', target: p('lsyncd-target') });
  } else
    note('lsyncd or rsync not found (Debian: apt-get install lsyncd rsync): no lsyncd baseline');

  let rsyncPort;
  if (has('rsync')) {
    rsyncPort = await freePort();
    const conf = p('rsyncd.conf');
    await writeFile(
      conf,
      `use chroot = no\nlog file = ${p('logs/rsyncd-own.log')}\npid file = ${p('rsyncd.pid')}\n` +
        `[bench]\npath = ${p('rsync-target')}\nread only = no\nuid = 0\ngid = 0\n`,
    );
    start(
      'rsyncd',
      'rsync',
      ['--daemon', '--no-detach', `--config=${conf}`, `--port=${rsyncPort}`],
      p('logs/rsyncd.log'),
    );
    await sleep(300);
  } else note('rsync not found: no rsync baseline');

  const settle = async (what) => {
    const t = await timeToIdentical(source, sides, performance.now());
    for (const [k, v] of Object.entries(t))
      if (v === null) note(`${k} did not settle after ${what}`);
  };
  await settle('start-up');

  const daemonPeaks = async () => ({
    primaryPeakRssMb: await peakRssMb(primary.child.pid, true),
    replicaPeakRssMb: await peakRssMb(replica.child.pid, true),
  });
  await daemonPeaks(); // reset

  /** Runs `work`, times both replicas from its end (or from `fromStart`), emits one line. */
  const measure = async (workload, work, { sourceBytes, fromStart = false, extra } = {}) => {
    const seg0 = await segmentBytes(p('journal'));
    const journaling = journalWatch(primaryUrl);
    const t0 = performance.now();
    await work();
    const tEnd = performance.now();
    note(`${workload}: work done in ${round((tEnd - t0) / 1000, 2)} s`);
    const base = fromStart ? t0 : tEnd;
    const t = await timeToIdentical(source, sides, base);
    const movedAt = await journaling.stop();
    const journalBytes = (await segmentBytes(p('journal'))) - seg0;
    const line = { bench: 'replicate', workload, fsjournalSec: t.fsjournal };
    if (movedAt !== null) line.primaryJournaledSec = round(Math.max(0, movedAt - base) / 1000, 3);
    if ('lsyncd' in t) line.lsyncdSec = t.lsyncd;
    Object.assign(line, extra ? await extra() : {});
    if (t.fsjournal !== null && t.lsyncd) line.vsLsyncd = round(t.fsjournal / t.lsyncd, 2);
    if (t.fsjournal !== null && line.rsyncSec) line.vsRsync = round(t.fsjournal / line.rsyncSec, 2);
    Object.assign(line, await daemonPeaks());
    line.journalBytes = journalBytes;
    if (sourceBytes) line.journalBytesPerSourceByte = round(journalBytes / sourceBytes, 3);
    if (Object.values(t).some((v) => v === null)) line.timedOut = true;
    emit(line);
  };
  const want = (name) => !ONLY || ONLY.includes(name);

  // (1) tar -x of node_modules, (2) rm -rf of it.
  if (want('tar-x') || want('rm-rf')) {
    const tarball = p('stage/node_modules.tar');
    await makeTarball(tarball);
    await mkdir(p('stage/nm'));
    await run('tar', ['-xf', tarball, '-C', p('stage/nm')]);
    const st = await walkStats(p('stage/nm'));
    note(`tarball: ${st.files} files, ${round(st.bytes / 2 ** 20, 1)} MiB`);
    await rm(p('stage/nm'), { recursive: true });
    await mkdir(join(source, 'nm'));
    await settle('mkdir nm');
    await measure('tar-x', () => run('tar', ['-xf', tarball, '-C', join(source, 'nm')]), {
      sourceBytes: st.bytes,
    });
    await measure('rm-rf', () => run('rm', ['-rf', join(source, 'nm')]));
  }

  // (3) bulk copy: 4,000 small files + one 200 MB file; also rsync -a --fsync.
  if (want('bulk')) {
    const stage = p('stage/bulk');
    const n = Math.round(4000 * SCALE);
    for (let d = 0; d * 100 < n; d++) {
      await mkdir(join(stage, `d${d}`), { recursive: true });
      for (let i = d * 100; i < Math.min(n, (d + 1) * 100); i++)
        await writeFile(join(stage, `d${d}`, `f${i}`), randomBytes(512 + (i % 8) * 1024));
    }
    const big = await open(join(stage, 'big.bin'), 'w');
    const bigBytes = Math.round(200e6 * SCALE);
    for (let off = 0; off < bigBytes; off += 1 << 20)
      await big.write(randomBytes(Math.min(1 << 20, bigBytes - off)));
    await big.close();
    const st = await walkStats(stage);
    note(
      `bulk: ${st.files} files, ${round(st.bytes / 2 ** 20, 1)} MiB (times from the start of cp -a)`,
    );
    await measure('bulk', () => run('cp', ['-a', stage, join(source, 'bulk')]), {
      sourceBytes: st.bytes,
      fromStart: true,
      extra: async () => {
        if (!rsyncPort) return {};
        const t0 = performance.now();
        await run('rsync', [
          '-a',
          '--fsync',
          `${stage}/`,
          `rsync://127.0.0.1:${rsyncPort}/bench/bulk/`,
        ]);
        return { rsyncSec: round((performance.now() - t0) / 1000, 3) };
      },
    });
    await rm(join(source, 'bulk'), { recursive: true });
    await rm(stage, { recursive: true });
    await settle('rm bulk');
  }

  // (4) a 1 GiB sparse file with 4 KiB of data.
  if (want('sparse')) {
    const size = Math.round(2 ** 30 * SCALE);
    const file = join(source, 'sparse.bin');
    await measure(
      'sparse',
      async () => {
        await run('truncate', ['-s', String(size), file]);
        const fh = await open(file, 'r+');
        await fh.write(randomBytes(4096), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
        await fh.close();
      },
      {
        sourceBytes: 4096,
        // Disk use (st_blocks) of each copy: the target is within 1 MiB of the data.
        extra: async () => {
          const used = async (f) => ((await lstat(f).catch(() => undefined))?.blocks ?? 0) * 512;
          const out = { sourceDiskBytes: await used(file) };
          for (const s of sides)
            out[`${s.name}DiskBytes`] = await used(join(s.target, 'sparse.bin'));
          return out;
        },
      },
    );
    await rm(file);
    await settle('rm sparse');
  }

  // (5) lag of small writes at 100/s, alone and during a 3,000-file burst.
  if (want('lag')) {
    await mkdir(join(source, 'lag'));
    await mkdir(join(source, 'burst'));
    await settle('mkdir lag');
    const seconds = QUICK ? 2 : 10;
    const burstFiles = Math.round(3000 * SCALE);
    let seq = 0;
    const probes = async (phase, during) => {
      const lags = Object.fromEntries(sides.map((s) => [s.name, []]));
      const pending = [];
      let writing = true;
      const poller = (async () => {
        while (writing || pending.length > 0) {
          const now = performance.now();
          for (let i = pending.length - 1; i >= 0; i--) {
            const w = pending[i];
            for (const s of sides) {
              if (w.seen.has(s.name)) continue;
              const got = await readFile(join(s.target, 'lag', w.name), 'utf8').catch(() => '');
              if (got === w.body) {
                w.seen.add(s.name);
                lags[s.name].push(performance.now() - w.at);
              } else if (now - w.at > 30_000) w.seen.add(s.name); // lost: no sample
            }
            if (w.seen.size === sides.length) pending.splice(i, 1);
          }
          await sleep(1);
        }
      })();
      const burst = during?.();
      const t0 = performance.now();
      for (let k = 0; k < seconds * 100; k++) {
        await sleep(Math.max(0, t0 + k * 10 - performance.now()));
        const name = `p${seq++}`;
        const body = `${name};${randomBytes(16).toString('hex')}\n`;
        await writeFile(join(source, 'lag', name), body);
        pending.push({ name, body, at: performance.now(), seen: new Set() });
      }
      await burst;
      writing = false;
      await poller;
      const line = {
        bench: 'replicate',
        workload: phase,
        writesPerSec: 100,
        probes: seconds * 100,
      };
      for (const s of sides) {
        const v = lags[s.name].sort((a, b) => a - b);
        line[`${s.name}Samples`] = v.length;
        line[`${s.name}P50Ms`] = quantile(v, 0.5);
        line[`${s.name}P99Ms`] = quantile(v, 0.99);
      }
      if (line.lsyncdP99Ms) line.vsLsyncd = round(line.fsjournalP99Ms / line.lsyncdP99Ms, 2);
      Object.assign(line, await daemonPeaks());
      emit(line);
    };
    await probes('lag', undefined);
    await probes('lag-burst', async () => {
      await sleep(200);
      for (let i = 0; i < burstFiles; i++)
        await writeFile(join(source, 'burst', `b${i}`), randomBytes(1024));
    });
    await rm(join(source, 'lag'), { recursive: true });
    await rm(join(source, 'burst'), { recursive: true });
    await settle('rm lag');
  }

  // (6) a 100k-file tree: copied in, then each daemon SIGKILLed and restarted under it.
  if (want('scale')) {
    const stage = p('stage/scale');
    const n = Math.round(100_000 * SCALE);
    for (let d = 0; d * 100 < n; d++) {
      await mkdir(join(stage, `d${d}`), { recursive: true });
      const writes = [];
      for (let i = d * 100; i < Math.min(n, (d + 1) * 100); i++)
        writes.push(writeFile(join(stage, `d${d}`, `f${i}`), randomBytes(100 + (i % 20) * 100)));
      await Promise.all(writes);
    }
    note(`scale: ${n} files in ${Math.ceil(n / 100)} folders (times from the start of cp -a)`);
    await measure('scale-copy', () => run('cp', ['-a', stage, join(source, 'scale')]), {
      fromStart: true,
    });
    await rm(stage, { recursive: true });

    // The primary, killed and started again over the tree: its start-up
    // scan (manifest + journal replay) until it serves, then a change made
    // right after reaches the replica. Beside it, what lsyncd does when it
    // starts: an rsync of the whole tree (here a no-op one: already equal).
    const restartLine = async (workload, kill, restart) => {
      kill.killed = true;
      kill.child.kill('SIGKILL');
      await exited(kill);
      const t0 = performance.now();
      const proc = restart();
      await waitReady(proc, proc === replica ? replicaUrl : primaryUrl, TIMEOUT_MS);
      const readySec = round((performance.now() - t0) / 1000, 3);
      await writeFile(join(source, 'scale', `after-${workload}`), `${workload}\n`);
      const t = await timeToIdentical(source, sides.slice(0, 1), t0);
      const line = { bench: 'replicate', workload, files: n, readySec, fsjournalSec: t.fsjournal };
      if (has('rsync')) {
        const r0 = performance.now();
        await run('rsync', ['-a', '--delete', `${source}/`, `${p('lsyncd-target')}/`]);
        line.rsyncStartSec = round((performance.now() - r0) / 1000, 3);
        if (t.fsjournal !== null) line.vsRsyncStart = round(t.fsjournal / line.rsyncStartSec, 2);
      }
      line.peakRssMb = await peakRssMb(proc.child.pid, true);
      if (t.fsjournal === null) line.timedOut = true;
      emit(line);
    };
    await restartLine('scale-restart-primary', primary, () => (primary = startPrimary()));
    await restartLine('scale-restart-replica', replica, () => (replica = startReplica()));
    await daemonPeaks(); // reset
    await measure('scale-rm', () => run('rm', ['-rf', join(source, 'scale')]));
  }
}

async function cleanUp() {
  stopping = true;
  for (const x of procs) if (!x.exited) x.child.kill('SIGTERM');
  await Promise.race([
    Promise.all(
      procs.map((x) => (x.exited ? undefined : new Promise((r) => x.child.once('exit', r)))),
    ),
    sleep(10_000),
  ]);
  for (const x of procs) if (!x.exited) x.child.kill('SIGKILL');
  if (tmp && !values.keep) await rm(tmp, { recursive: true, force: true });
  else if (tmp) note(`kept ${tmp}`);
}

for (const sig of ['SIGINT', 'SIGTERM'])
  process.on(sig, () => {
    stopping = true;
    for (const x of procs) if (!x.exited) x.child.kill('SIGKILL');
    if (tmp && !values.keep) rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });

try {
  await main();
} catch (err) {
  note(`replicate: ${err.stack ?? err}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
