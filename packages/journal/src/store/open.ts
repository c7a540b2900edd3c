/**
 * The open-time scan and repair: list the segment files, check each header,
 * take sealed segments from their index files (or scan them), scan the last
 * segment and cut a torn tail back, remove a segment whose creation a crash
 * cut short. What it finds wrong beyond a torn tail it refuses, with the
 * segment and offset in the error.
 *
 * A torn tail is bad bytes at the end of the last segment with no valid
 * record after them; bad bytes followed by a valid record are corruption,
 * never cut. Read-only opens repair nothing: a torn tail is treated as the
 * end and left on disk.
 */
import { open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError, isJournalError } from '../errors.js';
import type { Logger } from '../logger.js';
import { fsyncDir } from '../sys/durable_file.js';
import { SEGMENTS_DIR } from './journal_dir.js';
import type { JournalConfig } from './options.js';
import { decodeSegmentHeader, parseSegmentName, SEGMENT_HEADER_BYTES } from './segment.js';
import { createSegment, indexPath, writeIndexFile } from './segment_files.js';
import { segmentFromScan, type Segment } from './segment_list.js';
import {
  findValidFrameAfter,
  readFully,
  scanSegment,
  type ScanStop,
  type SegmentScan,
} from './segment_scan.js';
import { SparseIndex } from './sparse_index.js';

/**
 * The segment files among a folder's entries, oldest first; a `.seg` file
 * whose name is not a segment name is refused (FSJ_ERR_JOURNAL_FOREIGN_SEGMENT).
 */
export function segmentFileNames(entries: readonly string[]): string[] {
  const names = entries.filter((n) => n.endsWith('.seg')).sort();
  for (const n of names) {
    if (parseSegmentName(n) === undefined) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
        `segment ${n}: not a segment name`,
        { segment: n },
      );
    }
  }
  return names;
}

/**
 * Lists, checks and recovers the segments: every header is checked; sealed
 * segments are taken from their index files (or scanned when `verify` is
 * `full` or the index is missing or stale); the last segment is scanned and
 * a torn tail cut back. Corruption followed by valid records is an error.
 */
export async function openSegments(config: JournalConfig, journalId: string): Promise<Segment[]> {
  const { dir, readOnly, logger } = config;
  const indexEvery = config.indexEveryBytes;
  const segDir = join(dir, SEGMENTS_DIR);
  const names = segmentFileNames(await readdir(segDir).catch(() => [] as string[]));
  if (names.length === 0) {
    if (readOnly) throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: no segments`);
    return [await createSegment(dir, journalId, 1, indexEvery)];
  }

  const segments: Segment[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const path = join(segDir, name);
    const isLast = i === names.length - 1;
    let seg: Segment | undefined;
    if (!isLast && config.verify !== 'full') {
      seg = await loadSealedFromIndex(dir, name, path, journalId, indexEvery);
    }
    if (!seg) {
      let scan: SegmentScan;
      try {
        scan = await scanSegment(path, name, indexEvery);
      } catch (err) {
        if (isLast && isJournalError(err, 'FSJ_ERR_JOURNAL_CORRUPT') && err.offset === 0) {
          // A header that never became whole: the crash hit while this segment
          // was being created, before any record in it could be acknowledged.
          // Records that follow a damaged header (LSNs from the file's name
          // on) mean damage, not an unfinished creation.
          const named = parseSegmentName(name)!;
          if ((await findValidFrameAfter(path, SEGMENT_HEADER_BYTES - 1, named)) === undefined) {
            if (readOnly) {
              logger.warn(
                { segment: name },
                'journal has a segment whose creation was cut short (left as is)',
              );
              break;
            }
            logger.warn(
              { segment: name },
              'journal removed a segment whose creation was cut short',
            );
            await rm(path);
            await fsyncDir(segDir);
            if (i === 0) return [await createSegment(dir, journalId, 1, indexEvery)];
            break;
          }
        }
        throw err;
      }
      checkHeader(name, scan.header.journalId, scan.header.firstLsn, journalId);
      if (scan.stop) await handleStop(path, name, scan, isLast, readOnly, logger);
      seg = segmentFromScan(name, path, scan, !isLast);
      if (!isLast && !readOnly) await writeIndexFile(dir, seg);
    }
    const prev = segments[segments.length - 1];
    if (prev && seg.firstLsn !== prev.lastLsn + 1) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_LSN_GAP',
        `segment ${name}: starts at lsn ${seg.firstLsn}, previous ends at ${prev.lastLsn}`,
        { segment: name },
      );
    }
    segments.push(seg);
  }
  const last = segments[segments.length - 1];
  if (!last) {
    // Read-only, and the only segment never became whole: nothing to read.
    throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: no complete segment`);
  }
  if (last.sealed) {
    // The last file was a half-created segment and was removed: the previous
    // one is live again.
    last.sealed = false;
    if (!readOnly) await rm(indexPath(dir, last.name), { force: true });
  }
  return segments;
}

function checkHeader(name: string, headerId: string, firstLsn: number, journalId: string): void {
  if (headerId !== journalId) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
      `segment ${name}: journal id ${headerId}`,
      {
        segment: name,
      },
    );
  }
  if (parseSegmentName(name) !== firstLsn) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
      `segment ${name}: header says first lsn ${firstLsn}`,
      {
        segment: name,
      },
    );
  }
}

/**
 * What a scan of segment `name` that stopped at `stop` means, before looking
 * past it: an LSN out of sequence or a frame type this version does not know
 * is refused whatever follows; undefined when it may be a torn tail.
 */
export function stopProblem(
  name: string,
  stop: ScanStop,
  lastLsn: number,
): JournalError | undefined {
  const location = { segment: name, offset: stop.offset };
  if (stop.problem === 'lsn') {
    return new JournalError(
      'FSJ_ERR_JOURNAL_LSN_GAP',
      `segment ${name} offset ${stop.offset}: lsn ${stop.foundLsn}, expected ${lastLsn + 1}`,
      location,
    );
  }
  if (stop.problem === 'unknown-type' || stop.problem === 'reserved') {
    return new JournalError(
      'FSJ_ERR_JOURNAL_UNKNOWN_FRAME',
      `segment ${name} offset ${stop.offset}: unknown frame type (written by a newer version?)`,
      location,
    );
  }
  return undefined;
}

/**
 * Whether bad bytes at `stop` are corruption rather than a torn tail:
 * always in a sealed segment, and in the last one when a valid record
 * follows (at `validAfter`). Undefined means: cut the tail at `stop.offset`.
 */
export function tornTailProblem(
  name: string,
  stop: ScanStop,
  isLast: boolean,
  validAfter: number | undefined,
): JournalError | undefined {
  if (validAfter === undefined) return undefined;
  const detail = isLast
    ? `; a valid record follows at offset ${validAfter}`
    : ' in a sealed segment';
  return new JournalError(
    'FSJ_ERR_JOURNAL_CORRUPT',
    `segment ${name} offset ${stop.offset}: ${stop.problem}${detail}`,
    { segment: name, offset: stop.offset },
  );
}

/** Decides what a scan that stopped early means: torn tail (cut it) or corruption (refuse). */
async function handleStop(
  path: string,
  name: string,
  scan: SegmentScan,
  isLast: boolean,
  readOnly: boolean,
  logger: Logger,
): Promise<void> {
  const stop = scan.stop!;
  const refused = stopProblem(name, stop, scan.lastLsn);
  if (refused) throw refused;
  const validAfter = isLast
    ? await findValidFrameAfter(path, stop.offset, scan.lastLsn + 1)
    : stop.offset;
  const corrupt = tornTailProblem(name, stop, isLast, validAfter);
  if (corrupt) throw corrupt;
  const cut = scan.fileBytes - stop.offset;
  if (readOnly) {
    logger.warn(
      { segment: name, offset: stop.offset, bytes: cut, cause: stop.problem },
      'journal has a torn tail (read-only: left as is)',
    );
    return;
  }
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(stop.offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
  logger.warn(
    { segment: name, offset: stop.offset, bytes: cut, cause: stop.problem, lastLsn: scan.lastLsn },
    'journal cut a torn tail back to the last good record',
  );
}

/** A sealed segment described by its index file, after checking its header and size. */
async function loadSealedFromIndex(
  dir: string,
  name: string,
  path: string,
  journalId: string,
  indexEvery: number,
): Promise<Segment | undefined> {
  const fh = await open(path, 'r');
  let size: number;
  try {
    size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(SEGMENT_HEADER_BYTES, size));
    await readFully(fh, head, 0);
    const header = decodeSegmentHeader(head, name);
    if (header instanceof JournalError) throw header;
    checkHeader(name, header.journalId, header.firstLsn, journalId);
  } finally {
    await fh.close();
  }
  const raw = await readFile(indexPath(dir, name)).catch(() => undefined);
  const decoded = raw ? SparseIndex.decode(raw, indexEvery) : undefined;
  const first = parseSegmentName(name)!;
  if (
    !decoded ||
    decoded.summary.segmentBytes !== size ||
    decoded.index.floorByLsn(first)?.lsn !== first
  ) {
    return undefined;
  }
  return {
    name,
    path,
    firstLsn: first,
    lastLsn: decoded.summary.lastLsn,
    firstTimeUs: decoded.summary.firstTimeUs,
    lastTimeUs: decoded.summary.lastTimeUs,
    end: size,
    sealed: true,
    index: decoded.index,
  };
}
