/**
 * The segments a journal holds, oldest first, as it tracks them in memory
 * (`Segment`), and the questions asked of that list: which segment holds an
 * LSN or a time, how many bytes lie after an LSN, whether the oldest segment
 * may be released. Pure: nothing here touches a file.
 *
 * The list is gap-free (each segment starts at the previous one's last LSN
 * + 1) and only its last segment is written to; these functions assume that
 * and do not check it.
 */
import { SEGMENT_HEADER_BYTES } from './segment.js';
import type { SegmentScan } from './segment_scan.js';
import type { SparseIndex } from './sparse_index.js';

/** One segment as the journal tracks it. */
export interface Segment {
  name: string;
  path: string;
  firstLsn: number;
  lastLsn: number;
  firstTimeUs: number;
  lastTimeUs: number;
  /** Bytes of the segment holding whole, written frames. */
  end: number;
  sealed: boolean;
  index: SparseIndex;
}

/** The segment a scan describes (its valid part: a torn tail is not counted). */
export function segmentFromScan(
  name: string,
  path: string,
  scan: SegmentScan,
  sealed: boolean,
): Segment {
  return {
    name,
    path,
    firstLsn: scan.header.firstLsn,
    lastLsn: scan.lastLsn,
    firstTimeUs: scan.firstTimeUs,
    lastTimeUs: scan.lastTimeUs,
    end: scan.validEnd,
    sealed,
    index: scan.index,
  };
}

/** The segment whose LSN range would hold `lsn` (binary search); undefined below the first. */
export function segmentFor(segments: readonly Segment[], lsn: number): Segment | undefined {
  let lo = 0;
  let hi = segments.length - 1;
  let found: Segment | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = segments[mid]!;
    if (s.firstLsn <= lsn) {
      found = s;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The first segment holding a record stamped at or after `timeUs`; undefined when all are older. */
export function segmentAtTime(segments: readonly Segment[], timeUs: number): Segment | undefined {
  return segments.find((s) => s.lastLsn >= s.firstLsn && s.lastTimeUs >= timeUs);
}

/** Bytes of the segments as written (headers included). */
export function totalBytes(segments: readonly Segment[]): number {
  let bytes = 0;
  for (const s of segments) bytes += s.end;
  return bytes;
}

/**
 * Bytes after `lsn` up to `lastEnd` in the last segment (the end of the
 * others), estimated from the sparse indexes: exact to within one index
 * interval per segment.
 */
export function approxBytesAfter(
  segments: readonly Segment[],
  lastEnd: number,
  lsn: number,
): number {
  let bytes = 0;
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!;
    const end = i === segments.length - 1 ? lastEnd : s.end;
    if (s.lastLsn <= lsn) break;
    const from =
      lsn < s.firstLsn
        ? SEGMENT_HEADER_BYTES
        : (s.index.floorByLsn(lsn + 1)?.offset ?? SEGMENT_HEADER_BYTES);
    bytes += Math.max(0, end - from);
  }
  return bytes;
}

/** The last LSN of the oldest segment when it is sealed (so could be released), else undefined. */
export function oldestSealedEnd(segments: readonly Segment[]): number | undefined {
  const s = segments[0];
  return segments.length > 1 && s?.sealed ? s.lastLsn : undefined;
}

/**
 * Whether the oldest segment may be released to free records below `lsn`:
 * it is sealed, not the only one, and every record in it is below `lsn`.
 */
export function canReleaseOldest(segments: readonly Segment[], lsn: number): boolean {
  const s = segments[0];
  return segments.length > 1 && s !== undefined && s.sealed && s.lastLsn < lsn;
}
