/**
 * The file watcher alone, for docs/capture.md ("Performance and the watcher"):
 * what watching a tree costs to start, and how long a write takes to come
 * out as an event, for the ways of watching a tree on Linux:
 *
 * - `chokidar`: as WatchCapture uses it off Linux (one fs.watch per file and folder;
 *   every event in a folder makes chokidar list it again, lstat per entry).
 * - `chokidar-dirs`: the same, told to ignore files (one fs.watch per folder,
 *   still listed again on every event).
 * - `fs.watch`: one fs.watch per folder, set up before the folder is listed,
 *   nothing else (what WatchCapture's DirWatcher does on Linux).
 * - `@parcel/watcher`: only when it resolves, from here or from the folder
 *   in PARCEL_WATCHER_FROM (it is not a dependency; install it elsewhere).
 *
 *   node bench/watchers.mjs                       # 100k files, 10 s of writes
 *   node bench/watchers.mjs --quick               # 10k files, 3 s
 *   node bench/watchers.mjs --files N --seconds N
 *   (cd /tmp/pw && npm install @parcel/watcher) && PARCEL_WATCHER_FROM=/tmp/pw node bench/watchers.mjs
 *
 * Each measurement runs in a fresh node process (this script, re-invoked),
 * so RSS is the watcher's own. stdout: one JSON line per measurement.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, watch as fsWatch, writeFileSync } from 'node:fs';
import { mkdtemp, opendir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { watch as chokidarWatch } from 'chokidar';
import { note } from './bench_args.mjs';

const SELF = fileURLToPath(import.meta.url);
const FILES_PER_DIR = 100;
const INTERVAL_MS = 10; // 100 writes/s, as bench/capture.mjs
const WARMUP_MS = 500;

function percentile(sorted, q) {
  return sorted.length === 0
    ? NaN
    : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function parcel() {
  for (const from of [
    SELF,
    process.env.PARCEL_WATCHER_FROM && `${process.env.PARCEL_WATCHER_FROM}/`,
  ]) {
    try {
      if (from) return createRequire(from)('@parcel/watcher');
    } catch {
      // not installed there
    }
  }
  return undefined;
}

/**
 * Starts watching `root` with `kind`; `onPath(absolutePath)` for every event.
 * Resolves with a function that stops watching, once the watcher is ready.
 */
async function startWatching(kind, root, onPath) {
  switch (kind) {
    case 'chokidar':
    case 'chokidar-dirs': {
      const w = chokidarWatch(root, {
        ignoreInitial: true,
        followSymlinks: false,
        atomic: false,
        persistent: true,
        ...(kind === 'chokidar-dirs' ? { ignored: (_p, st) => st?.isFile() ?? false } : {}),
      });
      // As WatchCapture's ChokidarWatcher: raw events (unthrottled) and chokidar's own.
      w.on('raw', (_ev, name, details) => {
        if (details?.watchedPath && name) onPath(join(details.watchedPath, name));
      });
      for (const ev of ['add', 'addDir', 'unlink', 'unlinkDir']) w.on(ev, onPath);
      await new Promise((res) => w.once('ready', res));
      return () => w.close();
    }
    case 'fs.watch': {
      const watchers = [];
      const walk = async (dir) => {
        // Watch first, then list: an entry made in between is listed or makes an event.
        watchers.push(fsWatch(dir, { persistent: true }, (_ev, name) => onPath(join(dir, name))));
        for await (const e of await opendir(dir, { bufferSize: 256 }))
          if (e.isDirectory()) await walk(join(dir, e.name));
      };
      await walk(root);
      return async () => watchers.forEach((w) => w.close());
    }
    case '@parcel/watcher': {
      const sub = await parcel().subscribe(root, (_err, events) => {
        for (const e of events) onPath(e.path);
      });
      return () => sub.unsubscribe();
    }
    default:
      throw new Error(`unknown watcher ${kind}`);
  }
}

/** Child: start-up cost of watching `root`. */
async function startupChild(kind, root) {
  const t0 = performance.now();
  const stop = await startWatching(kind, root, () => undefined);
  const readyMs = performance.now() - t0;
  const m = process.memoryUsage();
  await stop();
  return { readyMs: Math.round(readyMs), rssMb: round(m.rss / 2 ** 20, 1) };
}

/**
 * Child: 100 small writes/s into one folder (half create a file, half
 * overwrite one not written for 250 ms); latency = event naming the path −
 * write returned.
 */
async function latencyChild(kind, root, seconds) {
  mkdirSync(root, { recursive: true });
  for (let i = 0; i < 100; i++) writeFileSync(join(root, `f${i}`), 'seed');
  const waiting = new Map();
  const samples = [];
  const stop = await startWatching(kind, root, (abs) => {
    const w = waiting.get(abs);
    if (w === undefined) return;
    waiting.delete(abs);
    if (w.measured) samples.push(performance.now() - w.at);
  });
  const files = Array.from({ length: 100 }, (_, i) => ({ path: join(root, `f${i}`), at: -1e9 }));
  const start = performance.now();
  const total = ((WARMUP_MS + seconds * 1000) / INTERVAL_MS) | 0;
  for (let seq = 0; seq < total; seq++) {
    const wait = start + seq * INTERVAL_MS - performance.now();
    if (wait >= 1) await sleep(wait);
    else await new Promise((res) => setImmediate(res));
    let f;
    for (let k = 0; k < 8 && !f && Math.random() < 0.5; k++) {
      const c = files[(Math.random() * files.length) | 0];
      if (performance.now() - c.at >= 250 && !waiting.has(c.path)) f = c;
    }
    if (!f) files.push((f = { path: join(root, `f${files.length}`), at: -1e9 }));
    writeFileSync(f.path, `seq=${seq};`.padEnd(100, '.'));
    f.at = performance.now();
    waiting.set(f.path, { at: f.at, measured: seq * INTERVAL_MS >= WARMUP_MS });
  }
  await sleep(1000);
  await stop();
  const sorted = Float64Array.from(samples).sort();
  return {
    samples: sorted.length,
    missed: [...waiting.values()].filter((w) => w.measured).length,
    p50Ms: round(percentile(sorted, 0.5), 3),
    p99Ms: round(percentile(sorted, 0.99), 3),
    maxMs: round(sorted[sorted.length - 1] ?? NaN, 3),
  };
}

function runChild(args) {
  const r = spawnSync(process.execPath, [SELF, '--child', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`child ${args.join(' ')} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

async function main(argv) {
  if (argv[0] === '--child') {
    const [, what, kind, root, seconds] = argv;
    const out =
      what === 'startup'
        ? await startupChild(kind, root)
        : await latencyChild(kind, root, Number(seconds));
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const quick = argv.includes('--quick');
  const opt = (name, dflt) => {
    const i = argv.indexOf(name);
    return i < 0 ? dflt : Number(argv[i + 1]);
  };
  const files = opt('--files', quick ? 10_000 : 100_000);
  const seconds = opt('--seconds', quick ? 3 : 10);
  const kinds = ['chokidar', 'chokidar-dirs', 'fs.watch', ...(parcel() ? ['@parcel/watcher'] : [])];
  const root = await mkdtemp(join(tmpdir(), 'fsjournal-watchers-bench-'));
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  try {
    const tree = join(root, 'tree');
    const dirs = Math.ceil(files / FILES_PER_DIR);
    for (let d = 0, made = 0; d < dirs; d++) {
      mkdirSync(join(tree, `d${d}`), { recursive: true });
      for (let f = 0; f < FILES_PER_DIR && made < files; f++, made++)
        writeFileSync(join(tree, `d${d}`, `f${f}`), `file ${made}\n`);
    }
    note(`${files} files in ${dirs} folders under ${root}; watchers: ${kinds.join(', ')}`);
    for (const kind of kinds) {
      const r = runChild(['startup', kind, tree]);
      process.stdout.write(
        `${JSON.stringify({ bench: 'watcher-startup', watcher: kind, files, ...r })}\n`,
      );
    }
    for (const kind of kinds) {
      const dir = join(root, `latency-${kind.replace(/\W/g, '')}`);
      const r = runChild(['latency', kind, dir, String(seconds)]);
      process.stdout.write(
        `${JSON.stringify({ bench: 'watcher-latency', watcher: kind, writesPerSec: 100, ...r })}\n`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main(process.argv.slice(2));
process.exit(0);
