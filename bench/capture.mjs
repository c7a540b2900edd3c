/**
 * Watch-mode capture: event-to-durable-record latency for small writes, and
 * the start-up cost (time, RSS, records) of watching a large tree.
 *
 *   npm run bench:capture                  # builds, then runs (100k files; a few minutes)
 *   node bench/capture.mjs --quick         # 3 s of writes, 10k files: a smoke check
 *   node bench/capture.mjs --seconds 30 --files 200000
 *
 * stdout: one JSON line per measurement (see bench/README.md for the
 * fields); everything meant for humans goes to stderr.
 */
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Journal, RecordKind, WatchCapture } from '../packages/journal/dist/mod.js';
import { emit, note, positiveNumber, readArgs, round } from './bench_args.mjs';

const USAGE =
  'usage: node bench/capture.mjs [--quick] [--seconds N] [--files N] [--cpu-prof DIR] [--json]';
const HERE = dirname(fileURLToPath(import.meta.url));
const CHILD = join(HERE, 'capture-startup-child.mjs');

const SETTINGS = {
  full: { seconds: 10, files: 100_000 },
  quick: { seconds: 3, files: 10_000 },
};
/** One write every INTERVAL_MS: 100 writes/s. */
const INTERVAL_MS = 10;
const WRITES_PER_SEC = 1000 / INTERVAL_MS;
/** Writes made before the measured ones (JIT, first segment pages), not counted. */
const WARMUP_MS = 500;
/** Files present before capture starts, so overwrites have targets from the first write. */
const SEED_FILES = 100;
const FILE_BYTES = 100;
/**
 * An overwrite never picks a file written less than this long ago: chokidar
 * (the watcher off Linux) drops a second `change` for a path within 50 ms of the first, and this bench
 * measures latency, not that.
 */
const REWRITE_AFTER_MS = 250;
/** How long to wait after the last write for the records still outstanding. */
const DRAIN_MS = 3000;
const FILES_PER_DIR = 100;
/** A start-up child taking longer than this is killed and the bench fails. */
const CHILD_TIMEOUT_MS = 15 * 60 * 1000;

const TARGETS = { p99Ms: 5, readyMs: 10_000, rssMb: 300 };

function parseBenchArgs(argv) {
  const values = readArgs(argv, USAGE, {
    quick: { type: 'boolean' },
    seconds: { type: 'string' },
    files: { type: 'string' },
    'cpu-prof': { type: 'string' },
  });
  const quick = values.quick ?? false;
  const seconds = positiveNumber(values, 'seconds', USAGE);
  const filesFlag = positiveNumber(values, 'files', USAGE);
  const files = filesFlag === undefined ? undefined : Math.round(filesFlag);
  const cpuProfDir = values['cpu-prof'];
  const base = quick ? SETTINGS.quick : SETTINGS.full;
  return {
    quick,
    seconds: seconds ?? base.seconds,
    files: files ?? base.files,
    cpuProfDir: cpuProfDir && resolve(cpuProfDir),
  };
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(values) {
  const sorted = Float64Array.from(values).sort();
  return {
    n: sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
  };
}

function describe({ n, p50, p99, max }) {
  return `n=${n} p50=${p50.toFixed(2)} p99=${p99.toFixed(2)} max=${max.toFixed(2)} ms`;
}

/** FILE_BYTES of content that name the write (`seq=N;`), so a record is matched to its write. */
function content(seq) {
  const buf = Buffer.alloc(FILE_BYTES, 0x2e);
  buf.write(`seq=${seq};`, 0, 'latin1');
  return buf;
}

function seqOf(data) {
  if (!data || data.length === 0) return -1;
  const m = /^seq=(\d+);/.exec(
    Buffer.from(data.buffer, data.byteOffset, Math.min(24, data.length)).toString('latin1'),
  );
  return m ? Number(m[1]) : -1;
}

/**
 * The disk's floor for the latency figure: a 100-byte write plus fdatasync at
 * the end of a file, at the same 100/s, timed from before the write to after
 * the sync (what the journal's group commit pays at the very least).
 * Reported on stderr only.
 */
async function fdatasyncFloor(root, seconds) {
  const path = join(root, 'fdatasync-floor');
  const fh = await open(path, 'wx', 0o644);
  const buf = content(0);
  const times = [];
  let position = 0;
  try {
    const start = performance.now();
    for (let i = 0; performance.now() - start < seconds * 1000; i++) {
      const wait = start + i * INTERVAL_MS - performance.now();
      if (wait >= 1) await sleep(wait);
      const t = performance.now();
      await fh.write(buf, 0, buf.length, position);
      position += buf.length;
      await fh.datasync();
      times.push(performance.now() - t);
    }
  } finally {
    await fh.close();
    await rm(path, { force: true });
  }
  return summary(times);
}

/**
 * Small writes at 100/s into a captured folder; for each, the time from the
 * write returning to a tailing reader of durable records yielding its first
 * record (CREATE for a new file, else the WRITE carrying its content).
 */
async function latencyBench(root, seconds) {
  const source = join(root, 'latency', 'source');
  const journalDir = join(root, 'latency', 'journal');
  mkdirSync(source, { recursive: true });
  const files = []; // { name, lastWriteAt }
  for (let i = 0; i < SEED_FILES; i++) {
    writeFileSync(join(source, `f${i}`), content(-1));
    files.push({ name: `f${i}`, lastWriteAt: -Infinity });
  }
  let nextName = SEED_FILES;

  const journal = await Journal.open({ dir: journalDir, sync: 'batch' });
  const capture = await WatchCapture.start({ source, journal });
  const fromLsn = journal.lastLsn + 1;

  /** Writes waiting for their record, by path; at most one per path (see pickTarget). */
  const pending = new Map();
  const samples = { create: [], overwrite: [] };
  /** WRITE records that showed an older write than the one waiting for the path. */
  let staleWrites = 0;
  const reader = (async () => {
    // Ends when the journal is closed.
    for await (const e of journal.read({ tail: true, fromLsn })) {
      const yieldedAt = performance.now();
      const r = e.record;
      const isCreate = r.kind === RecordKind.RECORD_KIND_CREATE;
      if (!isCreate && r.kind !== RecordKind.RECORD_KIND_WRITE) continue;
      const w = pending.get(r.path);
      // An older write's records may still come through: only a record that
      // shows this write counts.
      if (!w) continue; // a later record of a write already matched, or a seed file's
      if (isCreate ? !w.create : seqOf(r.data) < w.seq) {
        if (!isCreate) staleWrites++;
        continue;
      }
      pending.delete(r.path);
      if (w.measured) samples[w.create ? 'create' : 'overwrite'].push(yieldedAt - w.doneAt);
    }
  })();

  const pickTarget = (now) => {
    // About half the writes create a new file; the rest overwrite one not written lately.
    if (files.length > 0 && Math.random() < 0.5) {
      for (let attempt = 0; attempt < 8; attempt++) {
        const f = files[Math.floor(Math.random() * files.length)];
        if (now - f.lastWriteAt >= REWRITE_AFTER_MS && !pending.has(f.name)) return [f, false];
      }
    }
    const f = { name: `f${nextName++}`, lastWriteAt: -Infinity };
    files.push(f);
    return [f, true];
  };

  note(`latency: ${WRITES_PER_SEC} writes/s for ${seconds} s (+${WARMUP_MS} ms warm-up)`);
  const start = performance.now();
  const total = Math.round(((WARMUP_MS + seconds * 1000) * WRITES_PER_SEC) / 1000);
  const warmupWrites = Math.round((WARMUP_MS * WRITES_PER_SEC) / 1000);
  let late = 0;
  for (let seq = 0; seq < total; seq++) {
    const wait = start + seq * INTERVAL_MS - performance.now();
    if (wait >= 1) {
      await sleep(wait);
    } else {
      // Behind schedule: still let the capture and the reader run.
      if (wait < -INTERVAL_MS) late++;
      await new Promise((res) => setImmediate(res));
    }
    const now = performance.now();
    const [f, create] = pickTarget(now);
    writeFileSync(join(source, f.name), content(seq));
    const doneAt = performance.now();
    f.lastWriteAt = doneAt;
    pending.set(f.name, { seq, doneAt, create, measured: seq >= warmupWrites });
  }
  const writesMs = performance.now() - start;
  const drainUntil = performance.now() + DRAIN_MS;
  while (pending.size > 0 && performance.now() < drainUntil) await sleep(10);
  const missed = [...pending.values()].filter((w) => w.measured).length;

  await capture.stop();
  await journal.close();
  await reader;

  const all = summary([...samples.create, ...samples.overwrite]);
  note(
    `latency: ${total} writes in ${writesMs.toFixed(0)} ms (${late} issued over ${INTERVAL_MS} ms late); ` +
      `${SEED_FILES} seed files, ${nextName - SEED_FILES} created`,
  );
  note(`latency all:       ${describe(all)}`);
  note(`latency creates:    ${describe(summary(samples.create))}`);
  note(`latency overwrites: ${describe(summary(samples.overwrite))}`);
  note(
    `latency: capture stats ${JSON.stringify(capture.stats)}, ` +
      `${staleWrites} WRITE records showed an older write than the one waiting`,
  );
  if (missed > 0) note(`latency: ${missed} measured writes got no record within ${DRAIN_MS} ms`);
  emit({
    bench: 'capture-latency',
    writesPerSec: WRITES_PER_SEC,
    samples: all.n,
    p50Ms: round(all.p50, 3),
    p99Ms: round(all.p99, 3),
    maxMs: round(all.max, 3),
    targetP99Ms: TARGETS.p99Ms,
  });
  if (!(all.p99 <= TARGETS.p99Ms))
    note(`capture-latency p99 is over the ${TARGETS.p99Ms} ms target`);
  await rm(join(root, 'latency'), { recursive: true, force: true });
}

/** `files` small files, FILES_PER_DIR per folder. Not timed. */
function makeTree(source, files) {
  const dirs = Math.ceil(files / FILES_PER_DIR);
  const width = String(dirs - 1).length;
  let made = 0;
  for (let d = 0; d < dirs; d++) {
    const dir = join(source, `d${String(d).padStart(width, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < FILES_PER_DIR && made < files; f++, made++) {
      writeFileSync(join(dir, `f${f}`), `file ${made}\n`);
    }
  }
  return dirs;
}

/** Runs one start-up in a fresh node process; resolves with its JSON line. */
function runChild(source, journalDir, cpuProfDir, run) {
  const nodeArgs = cpuProfDir
    ? [
        '--cpu-prof',
        '--cpu-prof-dir',
        cpuProfDir,
        '--cpu-prof-name',
        `capture-startup-${run}.cpuprofile`,
      ]
    : [];
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, [...nodeArgs, CHILD, source, journalDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => (out += chunk));
    const timer = setTimeout(() => {
      note(`startup ${run}: child ${child.pid} over ${CHILD_TIMEOUT_MS / 1000} s, killing it`);
      child.kill('SIGKILL');
    }, CHILD_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      rej(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop();
      if (code !== 0 || !line) {
        rej(new Error(`startup ${run}: child exited with ${signal ?? code}`));
        return;
      }
      try {
        res(JSON.parse(line));
      } catch (err) {
        rej(new Error(`startup ${run}: child printed ${JSON.stringify(line)}`, { cause: err }));
      }
    });
  });
}

async function startupBench(root, files, cpuProfDir) {
  const source = join(root, 'startup', 'source');
  const journalDir = join(root, 'startup', 'journal');
  const madeAt = performance.now();
  const dirs = makeTree(source, files);
  note(
    `startup: made ${files} files in ${dirs} folders in ${((performance.now() - madeAt) / 1000).toFixed(1)} s`,
  );
  if (cpuProfDir) note(`startup: CPU profiles go to ${cpuProfDir}`);
  for (const run of ['first', 'restart']) {
    const r = await runChild(source, journalDir, cpuProfDir, run);
    const mb = (bytes) => round(bytes / 1024 ** 2, 1);
    note(
      `startup ${run}: ready ${(r.readyMs / 1000).toFixed(2)} s, rss ${mb(r.rssBytes)} MB ` +
        `(peak ${mb(r.maxRssBytes)}, heap used ${mb(r.heapUsedBytes)}, external ${mb(r.externalBytes)}), ` +
        `${r.records} records, manifest ${r.manifestSize} paths, journal open ${r.journalOpenMs.toFixed(0)} ms, ` +
        `stop ${r.stopMs.toFixed(0)} ms, stats ${JSON.stringify(r.stats)}`,
    );
    emit({
      bench: 'capture-startup',
      files,
      run,
      readyMs: Math.round(r.readyMs),
      rssMb: mb(r.rssBytes),
      records: r.records,
      targetReadyMs: TARGETS.readyMs,
      targetRssMb: TARGETS.rssMb,
    });
    if (r.readyMs > TARGETS.readyMs)
      note(`startup ${run}: ready is over the ${TARGETS.readyMs} ms target`);
    if (mb(r.rssBytes) > TARGETS.rssMb)
      note(`startup ${run}: RSS is over the ${TARGETS.rssMb} MB target`);
  }
  await rm(join(root, 'startup'), { recursive: true, force: true });
}

async function main() {
  const { quick, seconds, files, cpuProfDir } = parseBenchArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), 'fsjournal-capture-bench-'));
  // Ctrl-C must not leave 100k files behind.
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  note(
    `node ${process.version}, dir ${root}, ${quick ? 'quick' : 'full'} run: ${seconds} s of writes, ${files} files`,
  );
  // Other work on the machine moves every figure here: say how busy it was.
  note(
    `${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const startedAt = performance.now();
  try {
    const floor = await fdatasyncFloor(root, Math.min(seconds, 3));
    note(`write+fdatasync alone at ${WRITES_PER_SEC}/s (the disk's floor): ${describe(floor)}`);
    await latencyBench(root, seconds);
    await startupBench(root, files, cpuProfDir);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  note(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  note(`done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

try {
  await main();
  // Every watcher and journal is closed by now; this only guards against a stray handle.
  process.exit(0);
} catch (err) {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}
