/**
 * Mount mode throughput: sequential write MB/s and small-file creates/s
 * through `fsjournal primary --mode mount`, beside the same workloads on the
 * backing folder directly and through bindfs (Debian's `bindfs`, a plain
 * FUSE pass-through in C) in the same run.
 *
 *   npm run bench:mount                 # builds, then runs (~1 min)
 *   node bench/mount.mjs --quick        # small runs, a smoke check
 *
 * stdout: JSON lines (see bench/README.md); notes for humans on stderr.
 * Needs root (or user_allow_other), /dev/fuse, and bindfs for its lines.
 */
/* global fetch */
import { spawn, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readArgs } from './bench_args.mjs';
import { freePort } from './free_port.mjs';

const USAGE = 'usage: node bench/mount.mjs [--quick] [--json]';
const CLI = fileURLToPath(new URL('../packages/cli/bin/fsjournal.js', import.meta.url));
const { quick = false } = readArgs(process.argv.slice(2), USAGE, { quick: { type: 'boolean' } });
const SEQ_BYTES = (quick ? 64 : 256) * 1024 * 1024;
const CHUNK = 1024 * 1024;
const SMALL_FILES = quick ? 400 : 1500;
const ROUNDS = quick ? 1 : 3;
const SMALL_BYTES = 4096;
const WRITERS = 4;

const note = (msg) => process.stderr.write(`# ${msg}\n`);
/** Every line emitted, for the summary. */
const lines = [];
const emit = (line) => {
  lines.push(line);
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const round = (v, d = 1) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Writes SEQ_BYTES in 1 MiB writes to one new file, then fsyncs it; MB/s (10^6). */
function seqWrite(dir) {
  const chunk = randomFillSync(Buffer.allocUnsafe(CHUNK));
  const t0 = performance.now();
  const fd = openSync(join(dir, 'seq.bin'), 'w');
  for (let done = 0; done < SEQ_BYTES; done += CHUNK) writeSync(fd, chunk, 0, CHUNK);
  const written = performance.now();
  fsyncSync(fd);
  closeSync(fd);
  const end = performance.now();
  return {
    mbPerSec: round(SEQ_BYTES / 1e6 / ((written - t0) / 1000)),
    withFsyncMbPerSec: round(SEQ_BYTES / 1e6 / ((end - t0) / 1000)),
  };
}

/** `writers` threads each create SMALL_FILES / writers files of 4 KiB (open, write, close). */
async function smallCreates(dir, writers) {
  const per = Math.floor(SMALL_FILES / writers);
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    const fs = require('node:fs');
    const { dir, count, bytes } = workerData;
    fs.mkdirSync(dir);
    const data = Buffer.alloc(bytes, 7);
    parentPort.postMessage('ready');
    parentPort.once('message', () => {
      for (let i = 0; i < count; i++) {
        const fd = fs.openSync(dir + '/f' + i, 'w');
        fs.writeSync(fd, data);
        fs.closeSync(fd);
      }
      parentPort.postMessage('done');
    });`;
  const workers = Array.from(
    { length: writers },
    (_, i) =>
      new Worker(code, {
        eval: true,
        workerData: { dir: join(dir, `w${writers}-${i}`), count: per, bytes: SMALL_BYTES },
      }),
  );
  await Promise.all(workers.map((w) => new Promise((r) => w.once('message', r))));
  const t0 = performance.now();
  await Promise.all(
    workers.map((w) => {
      const done = new Promise((r) => w.once('message', r));
      w.postMessage('go');
      return done;
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  return { filesPerSec: Math.round((per * writers) / secs) };
}

function unmount(mnt) {
  for (let i = 0; i < 5; i++) {
    const r = spawnSync('umount', ['-l', mnt]);
    if (r.status !== 0) break;
  }
}

/** bindfs over a fresh folder: the mountpoint, or undefined (with a note) when it cannot run. */
function startBindfs(root) {
  const backing = join(root, 'bindfs-backing');
  const mnt = join(root, 'bindfs-mnt');
  mkdirSync(backing);
  mkdirSync(mnt);
  const r = spawnSync('bindfs', [backing, mnt]);
  if (r.error || r.status !== 0) {
    note(
      `bindfs not run: ${r.error?.message ?? r.stderr.toString().trim()} (Debian: apt-get install bindfs)`,
    );
    return undefined;
  }
  return { mnt, stop: async () => unmount(mnt) };
}

/** `fsjournal primary --mode mount --sync SYNC` over a fresh folder; resolves once it answers. */
async function startFsjournal(root, sync) {
  const backing = join(root, `fsj-${sync}-backing`);
  const mnt = join(root, `fsj-${sync}-mnt`);
  mkdirSync(backing);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'primary',
      '--mode',
      'mount',
      '--source',
      backing,
      '--mountpoint',
      mnt,
      '--journal',
      join(root, `fsj-${sync}-journal`),
      '--listen',
      `127.0.0.1:${port}`,
      '--sync',
      sync,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, FSJOURNAL_LOG_LEVEL: 'warn' } },
  );
  let log = '';
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((r) => child.on('close', r));
  const stop = async () => {
    const status = await fetch(`http://127.0.0.1:${port}/v1/status`).then(
      (r) => r.json(),
      () => undefined,
    );
    if (status) note(`fsjournal --sync ${sync}: ${status.lastLsn} records journaled`);
    child.kill('SIGTERM');
    await exited;
    unmount(mnt);
  };
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/v1/status`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 200 || child.exitCode !== null) {
      await stop();
      throw new Error(`primary did not start:\n${log}`);
    }
    await sleep(50);
  }
  return { mnt, stop };
}

function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
}

/**
 * Every target is mounted at once and the workloads run in rounds, each
 * round over every target in turn: a change in the machine's load during
 * the run hits every target alike. Lines give the median over rounds.
 */
async function measure(targets) {
  const results = new Map();
  const add = (key, line) => {
    if (!results.has(key)) results.set(key, []);
    results.get(key).push(line);
  };
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      const dir = join(t.dir, `round${round}`);
      mkdirSync(dir);
      add(`seq ${t.name}`, { ...t.labels, ...seqWrite(dir) });
      for (const writers of [1, WRITERS]) {
        add(`small ${t.name} ${writers}`, {
          ...t.labels,
          writers,
          ...(await smallCreates(dir, writers)),
        });
      }
    }
  }
  for (const t of targets) {
    const seq = results.get(`seq ${t.name}`);
    emit({
      bench: 'mount-seq-write',
      ...t.labels,
      mib: SEQ_BYTES / 1048576,
      rounds: ROUNDS,
      mbPerSec: round(median(seq.map((l) => l.mbPerSec))),
      withFsyncMbPerSec: round(median(seq.map((l) => l.withFsyncMbPerSec))),
    });
  }
  for (const writers of [1, WRITERS]) {
    for (const t of targets) {
      const small = results.get(`small ${t.name} ${writers}`);
      emit({
        bench: 'mount-small-creates',
        ...t.labels,
        writers,
        files: SMALL_FILES,
        rounds: ROUNDS,
        filesPerSec: Math.round(median(small.map((l) => l.filesPerSec))),
      });
    }
  }
}

/** fsjournal's figures as fractions of bindfs's, against the targets (1.0 and 0.5). */
function summary() {
  const find = (bench, target, sync, writers) =>
    lines.find(
      (l) =>
        l.bench === bench &&
        l.target === target &&
        l.sync === sync &&
        (writers === undefined || l.writers === writers),
    );
  const ratio = (a, b) => (a && b ? round(a / b, 2) : null);
  const out = { bench: 'mount-vs-bindfs', seqWrite: {}, smallCreates: {} };
  for (const sync of ['batch', 'none']) {
    out.seqWrite[sync] = ratio(
      find('mount-seq-write', 'fsjournal', sync)?.mbPerSec,
      find('mount-seq-write', 'bindfs')?.mbPerSec,
    );
    for (const writers of [1, WRITERS]) {
      out.smallCreates[`${sync}-${writers}w`] = ratio(
        find('mount-small-creates', 'fsjournal', sync, writers)?.filesPerSec,
        find('mount-small-creates', 'bindfs', undefined, writers)?.filesPerSec,
      );
    }
  }
  emit({ ...out, targets: { seqWrite: 1, smallCreates: 0.5 } });
}

const root = await mkdtemp(join(tmpdir(), 'fsj-bench-mount-'));
const cleanup = () => rmSync(root, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
const started = [];
try {
  note(
    `temp folder ${root}; per round: ${SEQ_BYTES / 1048576} MiB sequential, ${SMALL_FILES} small files; ${ROUNDS} rounds`,
  );
  const direct = join(root, 'direct');
  mkdirSync(direct);
  const targets = [{ name: 'direct', dir: direct, labels: { target: 'direct' } }];
  const bindfs = startBindfs(root);
  if (bindfs) {
    started.push(bindfs);
    targets.push({ name: 'bindfs', dir: bindfs.mnt, labels: { target: 'bindfs' } });
  }
  for (const sync of ['batch', 'none']) {
    const f = await startFsjournal(root, sync);
    started.push(f);
    targets.push({ name: `fsjournal-${sync}`, dir: f.mnt, labels: { target: 'fsjournal', sync } });
  }
  await measure(targets);
  summary();
} finally {
  for (const t of started) await t.stop();
  cleanup();
}
