/**
 * Memory while capturing one big file: a file of --gib GiB (default 4) is
 * written into a watched tree, and the capture's process RSS is sampled every
 * 100 ms until the file is journaled and durable. The capture streams the
 * file in 64 KiB blocks with at most 16 MiB of record data in flight, so RSS
 * should stay flat whatever the size.
 *
 *   npm run bench:capture-bigfile              # 4 GiB (needs ~9 GiB of free disk)
 *   node bench/capture-bigfile.mjs --gib 1     # smaller
 *
 * stdout: one JSON line
 *   {"bench":"capture-bigfile","gib":4,"seconds":s,"mbPerSec":x,"rssBeforeMb":a,"rssPeakMb":b,
 *    "writeRecords":n,"journalGib":g}
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Journal, RecordKind, WatchCapture } from '../packages/journal/dist/mod.js';
import { positiveNumber, readArgs } from './bench_args.mjs';

const USAGE = 'usage: node bench/capture-bigfile.mjs [--gib N]';
const gib =
  positiveNumber(
    readArgs(process.argv.slice(2), USAGE, { gib: { type: 'string' } }),
    'gib',
    USAGE,
  ) ?? 4;

const root = await mkdtemp(join(tmpdir(), 'fsjournal-bigfile-'));
const source = join(root, 'source');
await (await import('node:fs/promises')).mkdir(source);
const journal = await Journal.open({ dir: join(root, 'journal'), sync: 'batch' });
const capture = await WatchCapture.start({ source, journal });
const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;
const rssBefore = process.memoryUsage().rss;
let peak = rssBefore;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 100);

// Write the file from this process in 1 MiB pieces (the write is not timed).
const bytes = gib * 1024 * 1024 * 1024;
const piece = Buffer.alloc(1024 * 1024);
const fh = await open(join(source, 'big.bin'), 'w');
for (let off = 0; off < bytes; off += piece.length) {
  piece.writeDoubleLE(off, 0); // distinct content per MiB
  await fh.write(piece, 0, piece.length, off);
}
await fh.close();
const t0 = performance.now();
const startLsn = journal.lastLsn + 1;
// Settle: idle, and no new watcher events for a second.
let seen = -1;
for (;;) {
  await capture.idle();
  if (capture.stats.events === seen) break;
  seen = capture.stats.events;
  await new Promise((r) => setTimeout(r, 1000));
}
const seconds = (performance.now() - t0) / 1000 - 1;
clearInterval(sampler);
let writeRecords = 0;
let dataBytes = 0;
for await (const e of journal.read({ fromLsn: startLsn })) {
  if (e.record.kind === RecordKind.RECORD_KIND_WRITE) {
    writeRecords++;
    dataBytes += e.record.data.length;
  }
}
await capture.stop();
await journal.close();
await rm(root, { recursive: true, force: true });
process.stdout.write(
  `${JSON.stringify({
    bench: 'capture-bigfile',
    gib,
    seconds: Math.round(seconds * 10) / 10,
    mbPerSec: Math.round(bytes / 1024 / 1024 / seconds),
    rssBeforeMb: mb(rssBefore),
    rssPeakMb: mb(peak),
    writeRecords,
    journalGib: Math.round((dataBytes / 1024 ** 3) * 100) / 100,
  })}\n`,
);
