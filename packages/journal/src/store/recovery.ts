/**
 * Failure and in-place recovery. A failed write or fsync leaves the journal
 * failed (`markFailed`): every later append is rejected with the same
 * FSJ_ERR_JOURNAL_IO until `recover()` succeeds (or the journal is
 * reopened). After a failed fsync the page cache cannot be trusted, so
 * recovery keeps only what an fsync that succeeded covered: the live segment
 * is cut back to the durable end, and the LSNs after it, which no caller was
 * told were durable and no reader was given, are assigned again. A GAP
 * record then says where the journal failed.
 *
 * Not guaranteed: a reader that asked for undurable records may have seen
 * records that recovery discards; and a recovery can itself fail (the disk
 * still refusing), leaving the journal failed again.
 */
import { open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError, isJournalError } from '../errors.js';
import { RecordKind, type RecordInput } from '../record/record.js';
import { fsyncDir } from '../sys/durable_file.js';
import type { IoStep } from './faults.js';
import { SEGMENTS_DIR } from './journal_dir.js';
import type { JournalFailure, JournalState } from './journal_state.js';
import { indexPath } from './segment_files.js';
import { segmentFromScan } from './segment_list.js';
import { scanSegment, type SegmentScan } from './segment_scan.js';
import type { SegmentWriter } from './segment_writer.js';

/** What `recover()` did. */
export interface JournalRecovery {
  /** The error that failed the journal. */
  error: JournalError;
  /** When it failed, milliseconds since the epoch. */
  failedAtMs: number;
  /** The last durable LSN, where the journal was cut back to. */
  durableLsn: number;
  /** LSNs that had been assigned after it and were discarded (never durable, never acknowledged). */
  discarded: number;
  /** The LSN of the GAP record written on recovery (durableLsn + 1). */
  gapLsn: number;
}

/** The message of an error from the OS (`ENOSPC: no space left on device, write`). */
function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

/** The error a failed write or fsync leaves, `durableLsn` being the last durable LSN. */
export function writeFailure(cause: unknown, durableLsn: number): JournalError {
  return new JournalError(
    'FSJ_ERR_JOURNAL_IO',
    `journal write failed after lsn ${durableLsn}: ${causeText(cause)}`,
    // `lsn`: the last durable one; an append with records after it lost them.
    { cause, retryable: true, lsn: durableLsn },
  );
}

/** Fails the journal after a write or fsync threw `cause`: appends are refused until recovery. */
export function markFailed(state: JournalState, cause: unknown): void {
  const error = writeFailure(cause, state.durableLsn);
  state.failed = { error, atMs: Date.now() };
  state.logger.warn(
    { err: cause, dir: state.dir, durableLsn: state.durableLsn },
    'journal write failed: appends refused until it is recovered',
  );
  state.observers.notify((o) => o.onFailed?.(error));
  state.notifyAdvance();
}

/**
 * Segment files a roll left behind: any in `names` sorting after the live
 * segment `lastName` (a roll that failed after creating the next segment
 * but before it became the live one leaves a file the journal does not list).
 */
export function strayNames(names: readonly string[], lastName: string): string[] {
  return names.filter((n) => n.endsWith('.seg') && n > lastName);
}

/**
 * Why the live segment, cut back to `durableEnd`, does not end where it
 * should (at `durableLsn`, with nothing torn after it); undefined when it does.
 */
export function recoveredScanProblem(
  segment: string,
  scan: Pick<SegmentScan, 'stop' | 'validEnd' | 'lastLsn'>,
  durableLsn: number,
  durableEnd: number,
): JournalError | undefined {
  if (!scan.stop && scan.validEnd === durableEnd && scan.lastLsn === durableLsn) return undefined;
  return new JournalError(
    'FSJ_ERR_JOURNAL_CORRUPT',
    `segment ${segment}: ends at lsn ${scan.lastLsn} offset ${scan.validEnd} after recovery, expected lsn ${durableLsn} offset ${durableEnd}`,
    { segment, offset: scan.stop?.offset ?? scan.validEnd },
  );
}

/** The GAP record recovery appends first, saying where and why the journal failed. */
export function gapRecord(
  failed: JournalFailure,
  durableLsn: number,
  discarded: number,
): RecordInput {
  return {
    kind: RecordKind.RECORD_KIND_GAP,
    path: '',
    text: `journal failed after lsn ${durableLsn} at ${new Date(failed.atMs).toISOString()} (${causeText(failed.error.cause)}); ${discarded} records never made durable were discarded`,
  };
}

/**
 * Recovers a failed journal in place (see `Journal.recover`): waits out the
 * write in flight, closes the live file, removes segment files a roll left
 * half made, truncates the live segment to its durable end, fsyncs and
 * scans it, resumes appends at `durableLsn + 1` and appends the GAP first.
 * Rejects (the journal failed again, or closed meanwhile) if any step fails.
 */
export async function recoverInPlace(
  state: JournalState,
  writer: SegmentWriter,
  io: IoStep,
): Promise<JournalRecovery> {
  while (writer.inFlight) await writer.inFlight;
  const failed = state.failed!;
  const durableLsn = state.durableLsn;
  const durableEnd = state.durableEnd;
  const discarded = state.nextLsn - 1 - durableLsn;
  const segDir = join(state.dir, SEGMENTS_DIR);
  try {
    await state.active?.close().catch(() => undefined);
    state.active = undefined;
    const last = state.last;
    const strays = strayNames(await readdir(segDir), last.name);
    for (const n of strays) {
      await rm(join(segDir, n), { force: true });
      await rm(indexPath(state.dir, n), { force: true });
    }
    if (strays.length > 0) await fsyncDir(segDir);
    // A roll that failed at the index file left the live segment sealed;
    // an index file of the live segment is never used, but is not left.
    if (last.sealed) await rm(indexPath(state.dir, last.name), { force: true });
    io('recover', last.name);
    const fh = await open(last.path, 'r+');
    try {
      await fh.truncate(durableEnd);
      await fh.sync();
    } finally {
      await fh.close();
    }
    const scan = await scanSegment(last.path, last.name, state.indexEveryBytes);
    const problem = recoveredScanProblem(last.name, scan, durableLsn, durableEnd);
    if (problem) throw problem;
    const active = await open(last.path, 'r+');
    if (state.closed) {
      await active.close();
      throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'journal closed');
    }
    Object.assign(last, segmentFromScan(last.name, last.path, scan, false));
    state.active = active;
    state.nextLsn = durableLsn + 1;
    state.writtenLsn = durableLsn;
    state.writtenEnd = durableEnd;
    if (strays.length > 0) {
      state.logger.warn({ removed: strays }, 'journal removed segments a failed roll left');
    }
  } catch (cause) {
    if (isJournalError(cause)) throw cause;
    throw new JournalError(
      'FSJ_ERR_JOURNAL_IO',
      `recover after lsn ${durableLsn}: ${causeText(cause)}`,
      { cause, retryable: true },
    );
  }
  // Appends are taken again from here on; the GAP is queued first.
  state.failed = undefined;
  const gap = writer.appendMany([gapRecord(failed, durableLsn, discarded)]);
  state.notifyAdvance();
  const at = await gap; // rejects with the new failure if the disk still refuses
  const recovery: JournalRecovery = {
    error: failed.error,
    failedAtMs: failed.atMs,
    durableLsn,
    discarded,
    gapLsn: at.firstLsn,
  };
  state.logger.info(
    { durableLsn, discarded, gapLsn: at.firstLsn, failedMs: Date.now() - failed.atMs },
    'journal recovered: appends resume after a GAP',
  );
  state.observers.notify((o) => o.onRecovered?.(recovery));
  return recovery;
}
