/**
 * Journal append throughput per sync policy and record size, next to the raw
 * fdatasync rate of the same disk measured in the same run.
 *
 *   npm run bench:journal              # builds, then runs (~30 s)
 *   node bench/journal.mjs --quick     # short runs, for a smoke check
 *
 * stdout: one JSON line per configuration (see bench/README.md for the
 * fields); everything meant for humans goes to stderr.
 */
import { Buffer } from 'node:buffer';
import { randomFillSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal, RecordKind } from '../packages/journal/dist/mod.js';
import { emit, note, readArgs, round } from './bench_args.mjs';

const USAGE = 'usage: node bench/journal.mjs [--quick] [--json]';
const RECORD_SIZES = [100, 65536];
/** Slices the raw fdatasync and `always` measurements are interleaved in. */
const ROUNDS = 10;
/** Appends outstanding per window under batch/none are capped by bytes as well as count. */
const WINDOW_RECORDS = 4096;
const WINDOW_BYTES = 16 * 1024 * 1024;
/**
 * Under `always` each append is its own write+fdatasync whatever the
 * concurrency; a few queued are enough to keep the journal's flush loop busy,
 * and small windows keep the time check fine-grained.
 */
const ALWAYS_WINDOW = 8;

const SETTINGS = {
  full: { warmupMs: 300, measureMs: 2500, maxDataBytes: 1024 ** 3, maxCount: 2_000_000 },
  quick: { warmupMs: 50, measureMs: 300, maxDataBytes: 128 * 1024 ** 2, maxCount: 200_000 },
};

function parseBenchArgs(argv) {
  const { quick = false } = readArgs(argv, USAGE, { quick: { type: 'boolean' } });
  return { quick };
}

/** Random bytes, so nothing along the way can profit from compressible data. */
function payload(bytes) {
  return randomFillSync(Buffer.allocUnsafe(bytes));
}

/** How long a run may last and how much it may write, whichever ends it first. */
function budget(settings, recordBytes, ms) {
  return {
    ms,
    maxCount: Math.min(settings.maxCount, Math.floor(settings.maxDataBytes / recordBytes)),
  };
}

function windowSize(sync, recordBytes) {
  if (sync === 'always') return ALWAYS_WINDOW;
  return Math.max(16, Math.min(WINDOW_RECORDS, Math.floor(WINDOW_BYTES / recordBytes)));
}

/**
 * Appends `record` over and over, `window` calls at a time without awaiting
 * each, with two windows outstanding: the next window is issued (and encoded)
 * while the previous one is being written and synced, so group commit always
 * has a queue to gather. Stops issuing once the budget is spent, then drains.
 */
async function pumpAppends(journal, record, window, { ms, maxCount }) {
  const issueWindow = () => {
    const pending = new Array(window);
    for (let i = 0; i < window; i++) pending[i] = journal.append(record);
    return Promise.all(pending);
  };
  const start = performance.now();
  const outstanding = [issueWindow()];
  let count = window;
  try {
    while (performance.now() - start < ms && count < maxCount) {
      outstanding.push(issueWindow());
      count += window;
      await outstanding.shift();
    }
    while (outstanding.length > 0) await outstanding.shift();
  } catch (err) {
    await Promise.allSettled(outstanding);
    throw err;
  }
  return { count, ms: performance.now() - start };
}

/** A journal in a fresh folder under `root`; `run` appends WRITE records of `recordBytes`. */
async function openJournalRunner(root, sync, recordBytes) {
  const dir = await mkdtemp(join(root, `journal-${sync}-${recordBytes}-`));
  const journal = await Journal.open({ dir, sync });
  const record = {
    kind: RecordKind.RECORD_KIND_WRITE,
    path: 'bench/file',
    data: payload(recordBytes),
  };
  const window = windowSize(sync, recordBytes);
  return {
    run: (limits) => pumpAppends(journal, record, window, limits),
    close: async () => {
      await journal.close();
      // Each configuration starts from an empty journal, and disk use stays bounded.
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The journal's `always` path at its floor: append `recordBytes` at the end
 * of a file and fdatasync, one at a time, through the same FileHandle calls
 * the journal uses (write at a position, then datasync).
 */
async function openRawRunner(root, recordBytes) {
  const path = join(root, `raw-fdatasync-${recordBytes}`);
  const buf = payload(recordBytes);
  const fh = await open(path, 'wx', 0o644);
  let position = 0;
  return {
    run: async ({ ms, maxCount }) => {
      const start = performance.now();
      let count = 0;
      while (performance.now() - start < ms && count < maxCount) {
        let done = 0;
        while (done < buf.length) {
          const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
          done += bytesWritten;
        }
        position += buf.length;
        await fh.datasync();
        count++;
      }
      return { count, ms: performance.now() - start };
    },
    close: async () => {
      await fh.close();
      await rm(path, { force: true });
    },
  };
}

/**
 * Warms every runner up, then measures them for `measureMs` each. With several
 * runners the time is cut into ROUNDS slices taken in turn, so a drift in the
 * disk's speed during the run (common on VMs) hits each of them alike.
 */
async function measure(runners, settings, recordBytes) {
  const rounds = runners.length > 1 ? ROUNDS : 1;
  const slice = budget(settings, recordBytes, settings.measureMs);
  slice.ms /= rounds;
  slice.maxCount = Math.ceil(slice.maxCount / rounds);
  const totals = runners.map(() => ({ count: 0, ms: 0 }));
  try {
    for (const r of runners) await r.run(budget(settings, recordBytes, settings.warmupMs));
    for (let round = 0; round < rounds; round++) {
      for (const [i, r] of runners.entries()) {
        const { count, ms } = await r.run(slice);
        totals[i].count += count;
        totals[i].ms += ms;
      }
    }
  } finally {
    for (const r of runners) await r.close();
  }
  return totals;
}

function journalLine(sync, recordBytes, { count, ms }) {
  const recordsPerSec = (count * 1000) / ms;
  note(`${sync} ${recordBytes} B: ${count} records in ${ms.toFixed(0)} ms`);
  return {
    bench: 'journal-append',
    sync,
    recordBytes,
    recordsPerSec: Math.round(recordsPerSec),
    mbPerSec: round((recordsPerSec * recordBytes) / 1e6, 2),
  };
}

async function main() {
  const { quick } = parseBenchArgs(process.argv.slice(2));
  const settings = quick ? SETTINGS.quick : SETTINGS.full;
  const root = await mkdtemp(join(tmpdir(), 'fsjournal-bench-'));
  // Ctrl-C must not leave gigabytes of segments behind.
  process.once('SIGINT', () => {
    rmSync(root, { recursive: true, force: true });
    process.exit(130);
  });
  note(`node ${process.version}, dir ${root}, ${quick ? 'quick' : 'full'} runs`);
  const startedAt = performance.now();
  try {
    for (const recordBytes of RECORD_SIZES) {
      // `always` does one write+fdatasync per append: the raw rate is its ceiling,
      // so the two are measured together, interleaved.
      const [raw, always] = await measure(
        [
          await openRawRunner(root, recordBytes),
          await openJournalRunner(root, 'always', recordBytes),
        ],
        settings,
        recordBytes,
      );
      const syncsPerSec = (raw.count * 1000) / raw.ms;
      note(`raw-fdatasync ${recordBytes} B: ${raw.count} syncs in ${raw.ms.toFixed(0)} ms`);
      emit({ bench: 'raw-fdatasync', recordBytes, syncsPerSec: Math.round(syncsPerSec) });
      const alwaysLine = journalLine('always', recordBytes, always);
      alwaysLine.vsRawFdatasync = round((always.count * 1000) / always.ms / syncsPerSec, 2);
      emit(alwaysLine);
      if (alwaysLine.vsRawFdatasync < 0.8) {
        note(`always ${recordBytes} B is under 80% of the raw fdatasync rate`);
      }

      for (const sync of ['batch', 'none']) {
        const [result] = await measure(
          [await openJournalRunner(root, sync, recordBytes)],
          settings,
          recordBytes,
        );
        const line = journalLine(sync, recordBytes, result);
        emit(line);
        if (sync === 'batch' && recordBytes === 100 && line.recordsPerSec < 200_000) {
          note(`batch ${recordBytes} B is under the 200k records/s target`);
        }
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  note(`done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
}

await main();
