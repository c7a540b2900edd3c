/**
 * The sparse index of one segment: every few KiB, the LSN, time and byte
 * offset of the record that starts there. Seeking by LSN or by time reads
 * from the nearest entry at or before the target instead of from the start.
 * Record times never decrease within a journal (the writer clamps them), so
 * both columns are sorted. Sealed segments keep their index in
 * `index/<segment>.idx`; a missing or stale index file is rebuilt by a scan.
 *
 *   0  8  magic "FSJIDX\r\n"      16 u64 segment length in bytes
 *   8  u32 version (1)            24 u64 last LSN (first LSN - 1 when empty)
 *  12  u32 entry count N          32 u64 first record time (us)
 *                                 40 u64 last record time (us)
 *  48  N x (u64 LSN, u64 time us, u64 offset)
 *  end u32 CRC32C of everything before it
 */
import { crc32c } from '@node-rs/crc32';
import { readU64, writeU64 } from '../record/frame.js';

export const INDEX_MAGIC = Buffer.from('FSJIDX\r\n', 'latin1');
const INDEX_HEADER = 48;
const ENTRY = 24;

export interface IndexEntry {
  lsn: number;
  timeUs: number;
  offset: number;
}

/** What a sealed segment's index file says about the segment. */
export interface IndexSummary {
  segmentBytes: number;
  lastLsn: number;
  firstTimeUs: number;
  lastTimeUs: number;
}

export class SparseIndex {
  private readonly lsns: number[] = [];
  private readonly times: number[] = [];
  private readonly offsets: number[] = [];

  /** @param everyBytes minimum distance in bytes between two entries */
  constructor(readonly everyBytes: number) {}

  get size(): number {
    return this.lsns.length;
  }

  /** Notes a record; kept only if it starts far enough past the previous entry. */
  observe(lsn: number, timeUs: number, offset: number): void {
    const last = this.offsets.length - 1;
    if (last >= 0 && offset - this.offsets[last]! < this.everyBytes) return;
    this.lsns.push(lsn);
    this.times.push(timeUs);
    this.offsets.push(offset);
  }

  /** The last entry whose LSN is <= lsn. */
  floorByLsn(lsn: number): IndexEntry | undefined {
    return this.entry(lastAtOrBelow(this.lsns, lsn));
  }

  /** The last entry whose time is < timeUs (a record at timeUs may precede any later entry). */
  floorBeforeTime(timeUs: number): IndexEntry | undefined {
    return this.entry(lastAtOrBelow(this.times, timeUs - 1));
  }

  entries(): IndexEntry[] {
    return this.lsns.map((_, i) => this.entry(i)!);
  }

  private entry(i: number): IndexEntry | undefined {
    if (i < 0 || i >= this.lsns.length) return undefined;
    return { lsn: this.lsns[i]!, timeUs: this.times[i]!, offset: this.offsets[i]! };
  }

  encode(summary: IndexSummary): Buffer {
    const n = this.lsns.length;
    const out = Buffer.alloc(INDEX_HEADER + n * ENTRY + 4);
    INDEX_MAGIC.copy(out, 0);
    out.writeUInt32LE(1, 8);
    out.writeUInt32LE(n, 12);
    writeU64(out, 16, summary.segmentBytes);
    writeU64(out, 24, summary.lastLsn);
    writeU64(out, 32, summary.firstTimeUs);
    writeU64(out, 40, summary.lastTimeUs);
    for (let i = 0; i < n; i++) {
      const at = INDEX_HEADER + i * ENTRY;
      writeU64(out, at, this.lsns[i]!);
      writeU64(out, at + 8, this.times[i]!);
      writeU64(out, at + 16, this.offsets[i]!);
    }
    out.writeUInt32LE(crc32c(out.subarray(0, out.length - 4)), out.length - 4);
    return out;
  }

  /** Decodes an index file; undefined when it is damaged or not an index (rebuild it). */
  static decode(
    buf: Buffer,
    everyBytes: number,
  ): { index: SparseIndex; summary: IndexSummary } | undefined {
    if (buf.length < INDEX_HEADER + 4 || !buf.subarray(0, 8).equals(INDEX_MAGIC)) return undefined;
    if (buf.readUInt32LE(8) !== 1) return undefined;
    const n = buf.readUInt32LE(12);
    if (buf.length !== INDEX_HEADER + n * ENTRY + 4) return undefined;
    if (crc32c(buf.subarray(0, buf.length - 4)) !== buf.readUInt32LE(buf.length - 4))
      return undefined;
    const index = new SparseIndex(everyBytes);
    for (let i = 0; i < n; i++) {
      const at = INDEX_HEADER + i * ENTRY;
      index.lsns.push(readU64(buf, at));
      index.times.push(readU64(buf, at + 8));
      index.offsets.push(readU64(buf, at + 16));
    }
    return {
      index,
      summary: {
        segmentBytes: readU64(buf, 16),
        lastLsn: readU64(buf, 24),
        firstTimeUs: readU64(buf, 32),
        lastTimeUs: readU64(buf, 40),
      },
    };
  }
}

/** Index of the last element <= value in an ascending array, or -1. */
function lastAtOrBelow(sorted: number[], value: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
