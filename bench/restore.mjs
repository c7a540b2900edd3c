/**
 * Point-in-time restore of a 10,000-file tree, next to `cp -a` of the same
 * tree in the same run.
 *
 *   npm run bench:restore                                 # builds, then runs (~30 s)
 *   node bench/restore.mjs --files 2000 --records 10000   # smaller
 *   node bench/restore.mjs --keep                         # leave the temp folder behind
 *
 * A journal is filled through the public API with what a capture of a
 * realistic tree would write (folders, files of a few KB to 1 MB in
 * transactions, attributes), a checkpoint is built, and --records more
 * records follow it (patches, appends, truncations, renames, replaced and
 * new files, attribute changes). Then, each timed on its own after a
 * `sync`: a restore at the newest LSN (checkpoint + replay), a restore at
 * the checkpoint's LSN (no replay), and `cp -a` of the first restore. The
 * copy and the restore are compared with compareTrees.
 *
 * stdout: one JSON line per measurement (see bench/README.md); notes for
 * humans on stderr.
 */
import { execFile } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import {
  Checkpoints,
  compareTrees,
  Journal,
  MAX_WRITE_DATA,
  RecordKind,
  restoreTree,
} from '../packages/journal/dist/mod.js';
import { emit, note, positiveNumber, readArgs, round } from './bench_args.mjs';
import { rng } from './rng.mjs';

const USAGE = 'usage: node bench/restore.mjs [--files N] [--records N] [--keep] [--json]';
const K = RecordKind;
const run = promisify(execFile);

/** 10 top folders with 9 subfolders each: 100 folders, files spread over all of them. */
const TOP_DIRS = 10;
const SUB_DIRS = 9;
/** Appends are awaited one chunk at a time, a chunk holding this much at most. */
const CHUNK_RECORDS = 4096;
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Content is cut from this much random data at random offsets: files differ, setup stays cheap. */
const POOL_BYTES = 32 * 1024 * 1024;
/** Base of the synthetic clock the records' mtimes come from (2024-01-01). */
const EPOCH_SEC = 1_704_067_200;
const EXTENSIONS = ['txt', 'md', 'json', 'ts', 'js', 'png', 'pdf', 'csv', 'log', 'bin'];

function parseBenchArgs(argv) {
  const values = readArgs(argv, USAGE, {
    files: { type: 'string' },
    records: { type: 'string' },
    keep: { type: 'boolean' },
  });
  return {
    files: Math.floor(positiveNumber(values, 'files', USAGE) ?? 10_000),
    records: Math.floor(positiveNumber(values, 'records', USAGE) ?? 50_000),
    keep: values.keep ?? false,
  };
}

/**
 * Builds the records and appends them in chunks. Keeps what the tree
 * holds (live files and their sizes) so that every edit names a file that
 * exists, as a capture's would.
 */
class TreeWriter {
  constructor(journal, random) {
    this.journal = journal;
    this.random = random;
    this.pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    this.dirs = [];
    /** Live files: path -> size; `paths` holds the same keys for picking at random. */
    this.sizes = new Map();
    this.paths = [];
    this.nextName = 0;
    this.clock = 0;
    this.chunk = [];
    this.chunkBytes = 0;
    this.nextLsn = journal.lastLsn + 1;
    this.appended = 0;
  }

  int(lo, hi) {
    return lo + Math.floor(this.random() * (hi - lo + 1));
  }

  pick(list) {
    return list[Math.floor(this.random() * list.length)];
  }

  /** A file size: most a few KB, some tens of KB, one in a hundred 100 KB to 1 MB. */
  size() {
    const r = this.random();
    if (r < 0.9) return Math.round(2 ** (9 + this.random() * 5)); // 512 B .. 16 KiB
    if (r < 0.99) return this.int(16 * 1024, 100 * 1024);
    return this.int(100 * 1024, 1024 * 1024);
  }

  /** The synthetic clock: a few seconds further on each call, with nanoseconds. */
  time() {
    this.clock += this.int(1, 30);
    return { sec: EPOCH_SEC + this.clock, nsec: this.int(0, 999_999) * 1000 + this.int(0, 999) };
  }

  data(length) {
    const off = this.int(0, POOL_BYTES - length);
    return this.pool.subarray(off, off + length);
  }

  newPath() {
    const dir = this.pick(this.dirs);
    const n = this.nextName++;
    return `${dir}/file-${String(n).padStart(6, '0')}.${EXTENSIONS[n % EXTENSIONS.length]}`;
  }

  async push(record) {
    this.chunk.push(record);
    this.chunkBytes += record.data?.length ?? 0;
    this.nextLsn++;
    if (this.chunk.length >= CHUNK_RECORDS || this.chunkBytes >= CHUNK_BYTES) await this.flush();
  }

  async flush() {
    if (this.chunk.length === 0) return;
    const chunk = this.chunk;
    this.chunk = [];
    this.chunkBytes = 0;
    await this.journal.appendMany(chunk);
    this.appended += chunk.length;
  }

  /** Records pushed so far, appended or not. */
  get count() {
    return this.appended + this.chunk.length;
  }

  track(path, size) {
    if (!this.sizes.has(path)) this.paths.push(path);
    this.sizes.set(path, size);
  }

  untrack(path) {
    if (!this.sizes.delete(path)) return;
    const i = this.paths.indexOf(path);
    this.paths[i] = this.paths[this.paths.length - 1];
    this.paths.pop();
  }

  async mkdirs() {
    for (let t = 0; t < TOP_DIRS; t++) {
      const top = `d${String(t).padStart(2, '0')}`;
      const subs = [];
      for (let s = 0; s < SUB_DIRS; s++) subs.push(`${top}/s${String(s).padStart(2, '0')}`);
      for (const path of [top, ...subs]) {
        await this.push({ kind: K.RECORD_KIND_MKDIR, path, mode: 0o755, uid: 1000, gid: 1000 });
        this.dirs.push(path);
      }
    }
  }

  /** Data of `size` bytes as WRITE records of at most MAX_WRITE_DATA from `offset`. */
  async writes(path, offset, size, txn) {
    for (let done = 0; done < size; done += MAX_WRITE_DATA) {
      const length = Math.min(MAX_WRITE_DATA, size - done);
      await this.push({
        kind: K.RECORD_KIND_WRITE,
        path,
        offset: offset + done,
        data: this.data(length),
        txn,
      });
    }
  }

  /** A file written whole, as a capture journals one: CREATE, WRITEs, UTIMES in a transaction. */
  async createFile(path, size = this.size()) {
    const txn = this.nextLsn; // a capture names a transaction after its TXN_BEGIN's LSN
    const mode = this.random() < 0.05 ? 0o755 : this.random() < 0.1 ? 0o600 : 0o644;
    const uid = this.random() < 0.1 ? 0 : 1000;
    await this.push({ kind: K.RECORD_KIND_TXN_BEGIN, txn });
    await this.push({ kind: K.RECORD_KIND_CREATE, path, mode, uid, gid: uid, txn });
    await this.writes(path, 0, size, txn);
    await this.push({ kind: K.RECORD_KIND_UTIMES, path, mtime: this.time(), txn });
    await this.push({ kind: K.RECORD_KIND_TXN_COMMIT, txn });
    this.track(path, size);
  }

  async utimes(path) {
    await this.push({ kind: K.RECORD_KIND_UTIMES, path, mtime: this.time() });
  }

  /** The tree before the checkpoint: 100 folders and `files` files. */
  async initial(files) {
    await this.mkdirs();
    for (let i = 0; i < files; i++) {
      await this.createFile(this.newPath());
      if (this.random() < 0.05) {
        await this.push({ kind: K.RECORD_KIND_CHMOD, path: this.paths.at(-1), mode: 0o640 });
      }
    }
    // Folder times last, as a capture's scan leaves them.
    for (const path of this.dirs) await this.utimes(path);
    await this.flush();
  }

  /** One edit to the tree: 1 to 6 records. */
  async edit() {
    const path = this.pick(this.paths);
    const size = this.sizes.get(path);
    const r = this.random();
    if (r < 0.3) {
      // Patch in place, perhaps past the end.
      const offset = this.int(0, size);
      const length = this.int(64, 8192);
      await this.writes(path, offset, length);
      await this.utimes(path);
      this.track(path, Math.max(size, offset + length));
    } else if (r < 0.42) {
      const length = this.int(256, 32 * 1024);
      await this.writes(path, size, length);
      await this.utimes(path);
      this.track(path, size + length);
    } else if (r < 0.46) {
      const to = Math.floor(size * this.random());
      await this.push({ kind: K.RECORD_KIND_TRUNCATE, path, size: to });
      await this.utimes(path);
      this.track(path, to);
    } else if (r < 0.52) {
      await this.push({ kind: K.RECORD_KIND_CHMOD, path, mode: this.pick([0o600, 0o640, 0o664]) });
    } else if (r < 0.6) {
      await this.utimes(path);
    } else if (r < 0.66) {
      // A move to another folder, under a new name.
      const path2 = this.newPath();
      await this.push({ kind: K.RECORD_KIND_RENAME, path, path2 });
      this.untrack(path);
      this.track(path2, size);
    } else if (r < 0.72) {
      // Deleted and written again from scratch.
      await this.push({ kind: K.RECORD_KIND_UNLINK, path });
      this.untrack(path);
      await this.createFile(path);
    } else if (r < 0.8) {
      // An editor's safe save: a temp file renamed over the original.
      const tmp = `${path}.tmp`;
      await this.createFile(tmp);
      await this.push({ kind: K.RECORD_KIND_RENAME, path: tmp, path2: path });
      this.track(path, this.sizes.get(tmp));
      this.untrack(tmp);
    } else if (r < 0.9) {
      await this.createFile(this.newPath());
    } else if (this.random() < 0.5) {
      await this.push({ kind: K.RECORD_KIND_UNLINK, path });
      this.untrack(path);
    } else {
      // Rewritten whole: truncated to zero and written again.
      const txn = this.nextLsn;
      const length = this.size();
      await this.push({ kind: K.RECORD_KIND_TXN_BEGIN, txn });
      await this.push({ kind: K.RECORD_KIND_TRUNCATE, path, size: 0, txn });
      await this.writes(path, 0, length, txn);
      await this.push({ kind: K.RECORD_KIND_UTIMES, path, mtime: this.time(), txn });
      await this.push({ kind: K.RECORD_KIND_TXN_COMMIT, txn });
      this.track(path, length);
    }
  }

  /** Exactly `records` more records of edits. */
  async edits(records) {
    const target = this.count + records;
    while (this.count < target) {
      // An edit takes up to 6 records: keep to one-record edits at the very end.
      if (target - this.count < 7) await this.utimes(this.pick(this.paths));
      else await this.edit();
    }
    await this.flush();
  }

  get totalBytes() {
    let n = 0;
    for (const s of this.sizes.values()) n += s;
    return n;
  }
}

/** Seconds `fn` takes, after a `sync` so that earlier dirty pages are not charged to it. */
async function timed(fn) {
  await run('sync');
  const t0 = performance.now();
  const result = await fn();
  return { result, seconds: (performance.now() - t0) / 1000 };
}

/** restoreTree with its phases timed from its progress reports. */
async function restoreTimed(journalDir, to, lsn) {
  const marks = {};
  let t0 = 0;
  const onProgress = (p) => {
    const now = performance.now();
    if (p.phase === 'replay' && p.done === p.total) marks.replayed = now;
    if (p.phase === 'write' && p.done === p.total) marks.written = now;
  };
  const { result, seconds } = await timed(async () => {
    t0 = performance.now();
    return restoreTree({ journalDir, to, lsn, onProgress });
  });
  const end = t0 + seconds * 1000;
  // No replay report when the point is the checkpoint's: loading it then counts as writing.
  const replayEnd = marks.replayed ?? t0;
  const writeEnd = marks.written ?? end;
  const phases = {
    // Open, load the checkpoint, replay, store the replayed content.
    replayS: marks.replayed === undefined ? null : round((replayEnd - t0) / 1000, 3),
    // Write files, folders, links and attributes.
    writeS: round((writeEnd - replayEnd) / 1000, 3),
    // Folder attributes, remove the scratch store, syncfs.
    finishS: round((end - writeEnd) / 1000, 3),
  };
  return { result, seconds, phases };
}

function restoreLine(point, r, cp) {
  return {
    bench: 'restore',
    point,
    lsn: r.result.lsn,
    files: r.result.files,
    dirs: r.result.dirs,
    bytes: r.result.bytes,
    recordsReplayed: r.result.replayed,
    seconds: round(r.seconds, 3),
    mbPerSec: round(r.result.bytes / 1e6 / r.seconds, 1),
    phases: r.phases,
    vsCpA: round(r.seconds / cp.withSync, 2),
    vsCpANoSync: round(r.seconds / cp.alone, 2),
  };
}

async function main() {
  const { files, records, keep } = parseBenchArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), 'fsjournal-bench-restore-'));
  if (!keep) {
    // Ctrl-C must not leave three copies of the tree behind.
    process.once('SIGINT', () => {
      rmSync(root, { recursive: true, force: true });
      process.exit(130);
    });
  }
  note(
    `node ${process.version}, dir ${root}, ${files} files, ${records} records after the checkpoint`,
  );
  note(
    `${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const journalDir = join(root, 'journal');
  const startedAt = performance.now();
  try {
    const journal = await Journal.open({ dir: journalDir, sync: 'batch' });
    const cps = await Checkpoints.open(journalDir);
    const tree = new TreeWriter(journal, rng(42).next);
    let t = performance.now();
    await tree.initial(files);
    note(
      `initial tree: ${tree.count} records, ${tree.paths.length} files, ${tree.totalBytes} bytes, appended in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const built = await timed(() => cps.create(journal));
    const cp = built.result;
    emit({
      bench: 'checkpoint-build',
      lsn: cp.lsn,
      files: cp.files,
      dirs: cp.dirs,
      bytes: cp.bytes,
      recordsReplayed: cp.lsn,
      seconds: round(built.seconds, 3),
      mbPerSec: round(cp.bytes / 1e6 / built.seconds, 1),
    });

    t = performance.now();
    const before = tree.count;
    await tree.edits(records);
    const lastLsn = journal.lastLsn;
    note(
      `after the checkpoint: ${tree.count - before} records (lsn ${cp.lsn + 1}..${lastLsn}), ${tree.paths.length} files, ${tree.totalBytes} bytes, appended in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    await journal.close();
    await cps.close();

    const latestDir = join(root, 'restore-latest');
    const atCheckpointDir = join(root, 'restore-checkpoint');
    const copyDir = join(root, 'cp-a');
    const latest = await restoreTimed(journalDir, latestDir, lastLsn);
    if (latest.result.files !== tree.paths.length || latest.result.bytes !== tree.totalBytes) {
      note(
        `restore gave ${latest.result.files} files / ${latest.result.bytes} bytes, the bench wrote ${tree.paths.length} / ${tree.totalBytes}`,
      );
    }
    const atCheckpoint = await restoreTimed(journalDir, atCheckpointDir, cp.lsn);
    const copied = await timed(() => run('cp', ['-a', latestDir, copyDir]));
    // restoreTree ends with a syncfs; cp -a does not, so it is also timed with one.
    const synced = await timed(async () => {
      await run('cp', ['-a', latestDir, `${copyDir}-synced`]);
      await run('sync', ['-f', `${copyDir}-synced`]);
    });

    const cpTimes = { withSync: synced.seconds, alone: copied.seconds };
    emit(restoreLine('checkpoint+replay', latest, cpTimes));
    emit(restoreLine('checkpoint', atCheckpoint, cpTimes));
    const diffs = await compareTrees(latestDir, copyDir, { owner: true });
    for (const d of diffs.slice(0, 10)) note(`differs: ${JSON.stringify(d)}`);
    emit({
      bench: 'cp-a',
      files: latest.result.files,
      bytes: latest.result.bytes,
      seconds: round(copied.seconds, 3),
      mbPerSec: round(latest.result.bytes / 1e6 / copied.seconds, 1),
      secondsWithSync: round(synced.seconds, 3),
      identical: diffs.length === 0,
    });
  } finally {
    if (keep) note(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  note(`done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

await main();
