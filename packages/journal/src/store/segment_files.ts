/**
 * A segment's files on disk: creating a segment (header written and synced,
 * folder synced), the index file written when a segment is sealed, and
 * deleting released segments with their index files.
 *
 * Not guaranteed: a crash inside `createSegment` can leave an empty or
 * half-headed file (the open-time scan and recovery remove it), and one
 * inside `releaseBefore` a segment without its index (rebuilt by a scan).
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, writeFileDurable } from '../sys/durable_file.js';
import type { Logger } from '../logger.js';
import type { IoStep } from './faults.js';
import { INDEX_DIR, SEGMENTS_DIR } from './journal_dir.js';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, segmentName } from './segment.js';
import { canReleaseOldest, type Segment } from './segment_list.js';
import { SparseIndex } from './sparse_index.js';

/** Now, microseconds since the epoch: the stamp on records and segment headers. */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** Where the index file of segment `segment` lives. */
export function indexPath(dir: string, segment: string): string {
  return join(dir, INDEX_DIR, `${segment}.idx`);
}

/** Writes (durably) the index file of `seg`, which must be sealed: it describes `seg.end`. */
export async function writeIndexFile(dir: string, seg: Segment): Promise<void> {
  const data = seg.index.encode({
    segmentBytes: seg.end,
    lastLsn: seg.lastLsn,
    firstTimeUs: seg.firstTimeUs,
    lastTimeUs: seg.lastTimeUs,
  });
  await writeFileDurable(indexPath(dir, seg.name), data);
}

/**
 * Creates the empty segment starting at `firstLsn`: the file (never an
 * existing one), its header, fsynced, and the folder fsynced. `io` is told
 * of the steps a test may fail.
 */
export async function createSegment(
  dir: string,
  journalId: string,
  firstLsn: number,
  indexEvery: number,
  io?: IoStep,
): Promise<Segment> {
  const name = segmentName(firstLsn);
  const path = join(dir, SEGMENTS_DIR, name);
  const fh = await open(path, 'wx', 0o644);
  try {
    io?.('segment-create', name);
    await fh.write(
      encodeSegmentHeader({ journalId, firstLsn, createdUs: nowUs() }),
      0,
      SEGMENT_HEADER_BYTES,
      0,
    );
    io?.('segment-sync', name);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(join(dir, SEGMENTS_DIR));
  return {
    name,
    path,
    firstLsn,
    lastLsn: firstLsn - 1,
    firstTimeUs: 0,
    lastTimeUs: 0,
    end: SEGMENT_HEADER_BYTES,
    sealed: false,
    index: new SparseIndex(indexEvery),
  };
}

/**
 * Deletes the oldest segments (and their index files) while
 * `canReleaseOldest` allows, removing each from `segments` once its files
 * are gone; then fsyncs the folder. Returns the names released.
 */
export async function releaseSegmentsBefore(
  dir: string,
  segments: Segment[],
  lsn: number,
  logger: Logger,
): Promise<string[]> {
  const released: string[] = [];
  while (canReleaseOldest(segments, lsn)) {
    const s = segments[0]!;
    await rm(s.path, { force: true });
    await rm(indexPath(dir, s.name), { force: true });
    segments.shift();
    released.push(s.name);
  }
  if (released.length > 0) {
    await fsyncDir(join(dir, SEGMENTS_DIR));
    logger.info({ released, firstLsn: segments[0]!.firstLsn }, 'journal segments released');
  }
  return released;
}
