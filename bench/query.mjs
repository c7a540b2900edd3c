/**
 * Audit query latency over a journal of 1,000,000 records: a path glob
 * within a time window (the target: under 200 ms), the same glob over the
 * whole journal, and one `afterLsn` page.
 *
 *   npm run bench:query                          # builds, then runs (~30 s)
 *   node bench/query.mjs --records 200000        # smaller
 *   node bench/query.mjs --keep                  # leave the journal behind
 *
 * The journal is filled as fast as appends go, so its records span a few
 * seconds; the window is taken from the records' own times (those at 49%
 * and 51% of the journal), which gives it 2% of the records whatever the
 * machine. Queries run on the open journal with the page cache warm.
 *
 * stdout: one JSON line per query (see bench/README.md); notes for humans
 * on stderr.
 */
import { randomFillSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  formatTimeUs,
  Journal,
  parseQuery,
  queryJournal,
  RecordKind,
} from '../packages/journal/dist/mod.js';
import { emit, note, positiveNumber, readArgs, round } from './bench_args.mjs';
import { rng } from './rng.mjs';

const USAGE = 'usage: node bench/query.mjs [--records N] [--keep] [--json]';
const K = RecordKind;
const DIRS = 1000;
const FILES_PER_DIR = 100;
/** Records per appendMany; two calls are kept outstanding while building. */
const BATCH = 2000;
/** The window: records between these fractions of the journal. */
const WINDOW = [0.49, 0.51];
const GLOB = 'dir0042/**';
const PAGE = 1000;
const TARGET_MS = 200;
/** Runs per query (the full scan is slow: fewer). */
const RUNS = { 'path+window': 9, 'path-only': 3, page: 9 };

function parseBenchArgs(argv) {
  const values = readArgs(argv, USAGE, {
    records: { type: 'string' },
    keep: { type: 'boolean' },
  });
  return {
    records: Math.floor(positiveNumber(values, 'records', USAGE) ?? 1_000_000),
    keep: values.keep ?? false,
  };
}

/**
 * A mix of what a capture journals over a tree of DIRS × FILES_PER_DIR
 * files: mostly small writes and time changes, some creates, renames,
 * deletes, truncations and mode changes, each with credentials.
 */
function recordMaker(random) {
  const pool = randomFillSync(Buffer.allocUnsafe(1 << 20));
  const int = (n) => Math.floor(random() * n);
  const pathOf = (d, f) => `dir${String(d).padStart(4, '0')}/file${String(f).padStart(3, '0')}.txt`;
  let sec = 1_735_689_600;
  return () => {
    const d = int(DIRS);
    const path = pathOf(d, int(FILES_PER_DIR));
    const cred = { uid: 1000, gid: 1000, pid: 4000 + int(50), comm: 'editor' };
    const r = random();
    if (r < 0.45) {
      const length = 64 + int(960);
      const off = int(pool.length - length);
      return {
        kind: K.RECORD_KIND_WRITE,
        path,
        offset: int(65536),
        data: pool.subarray(off, off + length),
        cred,
      };
    }
    if (r < 0.65) {
      sec += int(3);
      return { kind: K.RECORD_KIND_UTIMES, path, mtime: { sec, nsec: int(1e9) }, cred };
    }
    if (r < 0.73)
      return { kind: K.RECORD_KIND_CREATE, path, mode: 0o644, uid: 1000, gid: 1000, cred };
    if (r < 0.78) return { kind: K.RECORD_KIND_CHMOD, path, mode: 0o600, cred };
    if (r < 0.83) return { kind: K.RECORD_KIND_TRUNCATE, path, size: int(65536), cred };
    if (r < 0.9) {
      const path2 = pathOf(d, int(FILES_PER_DIR));
      return {
        kind: K.RECORD_KIND_RENAME,
        path,
        path2: path2 === path ? `${path}.bak` : path2,
        cred,
      };
    }
    return { kind: K.RECORD_KIND_UNLINK, path, cred };
  };
}

/** Appends `count` records, BATCH at a time, two calls outstanding. */
async function fill(journal, count) {
  const make = recordMaker(rng(7).next);
  const outstanding = [];
  for (let done = 0; done < count;) {
    const n = Math.min(BATCH, count - done);
    const batch = new Array(n);
    for (let i = 0; i < n; i++) batch[i] = make();
    outstanding.push(journal.appendMany(batch));
    done += n;
    if (outstanding.length >= 2) await outstanding.shift();
  }
  await Promise.all(outstanding);
}

async function timeAt(journal, lsn) {
  for await (const e of journal.read({ fromLsn: lsn })) return e.timeUs;
  throw new Error(`no record at lsn ${lsn}`);
}

/** Runs a query `runs` times: min and median ms, the matches and the last LSN of the last run. */
async function measure(journal, input, runs) {
  const ms = [];
  let matches = 0;
  let lastLsn = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    // Parsed each run, as the API and the CLI parse each request.
    const q = parseQuery(input);
    let n = 0;
    for await (const r of queryJournal(journal, q)) {
      n++;
      lastLsn = r.lsn;
    }
    ms.push(performance.now() - t0);
    matches = n;
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    matches,
    lastLsn,
    runs,
    minMs: round(sorted[0], 1),
    medianMs: round(sorted[Math.floor((sorted.length - 1) / 2)], 1),
    firstMs: round(ms[0], 1),
  };
}

async function main() {
  const { records, keep } = parseBenchArgs(process.argv.slice(2));
  const root = await mkdtemp(join(tmpdir(), 'fsjournal-bench-query-'));
  if (!keep) {
    process.once('SIGINT', () => {
      rmSync(root, { recursive: true, force: true });
      process.exit(130);
    });
  }
  note(`node ${process.version}, dir ${root}, ${records} records`);
  note(
    `${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const startedAt = performance.now();
  const journal = await Journal.open({ dir: join(root, 'journal'), sync: 'batch' });
  try {
    const t = performance.now();
    await fill(journal, records);
    const total = journal.durableLsn;
    const firstUs = await timeAt(journal, 1);
    const lastUs = await timeAt(journal, total);
    note(
      `built ${total} records in ${((performance.now() - t) / 1000).toFixed(1)} s, ${journal.segmentNames().length} segments, spanning ${((lastUs - firstUs) / 1e6).toFixed(2)} s`,
    );

    const sinceUs = await timeAt(journal, Math.max(1, Math.floor(total * WINDOW[0])));
    const untilUs = await timeAt(journal, Math.max(1, Math.floor(total * WINDOW[1])));
    const since = formatTimeUs(sinceUs);
    const until = formatTimeUs(untilUs);
    const windowFrom = await journal.lsnAtTime(sinceUs);
    const windowRecords = (await journal.lsnAtTime(untilUs + 1)) - windowFrom;
    note(`window ${since} .. ${until}: lsn ${windowFrom}, ${windowRecords} records`);

    const inWindow = await measure(journal, { path: GLOB, since, until }, RUNS['path+window']);
    emit({
      bench: 'query',
      query: 'path+window',
      path: GLOB,
      records: total,
      windowRecords,
      ...inWindow,
      targetMs: TARGET_MS,
      met: inWindow.medianMs < TARGET_MS,
    });
    if (inWindow.medianMs >= TARGET_MS) note(`path+window is over the ${TARGET_MS} ms target`);

    const fullScan = await measure(journal, { path: GLOB }, RUNS['path-only']);
    emit({
      bench: 'query',
      query: 'path-only',
      path: GLOB,
      records: total,
      scanned: total,
      ...fullScan,
    });

    const afterLsn = Math.floor(total / 2);
    const page = await measure(journal, { afterLsn, limit: PAGE }, RUNS.page);
    emit({ bench: 'query', query: 'page', records: total, afterLsn, limit: PAGE, ...page });
  } finally {
    await journal.close();
    if (keep) note(`kept ${root}`);
    else await rm(root, { recursive: true, force: true });
  }
  note(
    `load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  note(`done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

await main();
