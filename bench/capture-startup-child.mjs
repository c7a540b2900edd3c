/**
 * One capture start-up, measured in a process of its own so that its RSS is
 * its own: opens the journal, times `WatchCapture.start` until it resolves
 * (watcher ready, start-up scan durable, manifest saved), takes RSS right
 * after, stops the capture and closes the journal, and prints one JSON line
 * on stdout. bench/capture.mjs spawns it; it can be run by hand too, e.g.
 * under `node --cpu-prof`:
 *
 *   node bench/capture-startup-child.mjs SOURCE_DIR JOURNAL_DIR
 */
import { performance } from 'node:perf_hooks';
import { Journal, WatchCapture } from '../packages/journal/dist/mod.js';

const [source, journalDir] = process.argv.slice(2);
if (!source || !journalDir) {
  process.stderr.write('usage: node bench/capture-startup-child.mjs SOURCE_DIR JOURNAL_DIR\n');
  process.exit(2);
}

const openedAt = performance.now();
const journal = await Journal.open({ dir: journalDir, sync: 'batch' });
const journalOpenMs = performance.now() - openedAt;
const lsnBefore = journal.lastLsn;

const startedAt = performance.now();
const capture = await WatchCapture.start({ source, journal });
const readyMs = performance.now() - startedAt;
const mem = process.memoryUsage();
const records = journal.lastLsn - lsnBefore;
const manifestSize = capture.manifestSize;
const stats = { ...capture.stats };

const stoppingAt = performance.now();
await capture.stop();
await journal.close();
const stopMs = performance.now() - stoppingAt;

process.stdout.write(
  `${JSON.stringify({
    readyMs,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
    externalBytes: mem.external,
    // resourceUsage().maxRSS is in KiB: the peak, which may lie inside start().
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    records,
    manifestSize,
    stats,
    journalOpenMs,
    stopMs,
  })}\n`,
);
// Nothing should be left running, but a stray handle must not keep the bench waiting.
process.exit(0);
