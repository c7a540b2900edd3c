/**
 * Reading segments front to back: the scan that recovery, verification and
 * index rebuilding share, the search for valid frames after a bad one that
 * tells a torn tail from corruption, and the ranged frame reader.
 *
 * A scan never changes a file; recovery decides what to do with its result.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { crc32c } from '@node-rs/crc32';
import { JournalError } from '../errors.js';
import {
  FRAME_HEADER_BYTES,
  FRAME_TYPE_RECORD,
  FrameDecoder,
  MAX_PAYLOAD,
  parseFrame,
  readU64,
  type Frame,
  type FrameProblem,
} from '../record/frame.js';
import { decodeSegmentHeader, SEGMENT_HEADER_BYTES, type SegmentHeader } from './segment.js';
import { SparseIndex } from './sparse_index.js';

const CHUNK = 1024 * 1024;

/** Where and why a scan stopped before the end of the file. */
export interface ScanStop {
  offset: number;
  problem: FrameProblem | 'lsn';
  /** For 'lsn': the LSN found where another was expected. */
  foundLsn?: number;
}

export interface SegmentScan {
  header: SegmentHeader;
  /** Bytes in the file. */
  fileBytes: number;
  /** End of the last good frame (the header's end when there is none). */
  validEnd: number;
  /** LSN of the last good frame (firstLsn - 1 when there is none). */
  lastLsn: number;
  firstTimeUs: number;
  lastTimeUs: number;
  index: SparseIndex;
  /** Set when something other than the end of the file stopped the scan. */
  stop?: ScanStop;
}

/**
 * Scans a segment: header, then every frame in order while each is whole,
 * checksummed and numbered one past the previous. Throws only for an
 * unreadable header; frame problems are returned in `stop`.
 */
export async function scanSegment(
  path: string,
  name: string,
  indexEveryBytes: number,
): Promise<SegmentScan> {
  const fh = await open(path, 'r');
  try {
    const fileBytes = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(SEGMENT_HEADER_BYTES, fileBytes));
    await readFully(fh, head, 0);
    const header = decodeSegmentHeader(head, name);
    if (header instanceof JournalError) throw header;

    const index = new SparseIndex(indexEveryBytes);
    const result: SegmentScan = {
      header,
      fileBytes,
      validEnd: SEGMENT_HEADER_BYTES,
      lastLsn: header.firstLsn - 1,
      firstTimeUs: 0,
      lastTimeUs: 0,
      index,
    };
    let buf = Buffer.alloc(0);
    let bufStart = SEGMENT_HEADER_BYTES; // file offset of buf[0]
    let at = 0;
    for (;;) {
      const parsed = parseFrame(buf, at);
      if (parsed.ok) {
        const { lsn, timeUs } = parsed.frame;
        if (lsn !== result.lastLsn + 1) {
          result.stop = { offset: bufStart + at, problem: 'lsn', foundLsn: lsn };
          return result;
        }
        index.observe(lsn, timeUs, bufStart + at);
        if (result.firstTimeUs === 0) result.firstTimeUs = timeUs;
        result.lastLsn = lsn;
        result.lastTimeUs = timeUs;
        at = parsed.end;
        result.validEnd = bufStart + at;
        continue;
      }
      const short = parsed.problem === 'short-header' || parsed.problem === 'short-payload';
      const remaining = fileBytes - (bufStart + buf.length);
      if (short && remaining > 0) {
        const need =
          parsed.problem === 'short-payload'
            ? FRAME_HEADER_BYTES + buf.readUInt32LE(at + 4)
            : FRAME_HEADER_BYTES;
        const more = Buffer.alloc(Math.min(remaining, Math.max(CHUNK, need)));
        await readFully(fh, more, bufStart + buf.length);
        buf = Buffer.concat([buf.subarray(at), more]);
        bufStart += at;
        at = 0;
        continue;
      }
      if (!(short && at === buf.length))
        result.stop = { offset: bufStart + at, problem: parsed.problem };
      return result;
    }
  } finally {
    await fh.close();
  }
}

/**
 * Looks for a frame that passes every check and whose LSN is at least
 * `minLsn` anywhere after `from` in the segment. Used once a bad frame is
 * found: when one exists, the damage is not a torn tail. Reads the rest of
 * the segment, which is bounded by the segment size.
 */
export async function findValidFrameAfter(
  path: string,
  from: number,
  minLsn: number,
): Promise<number | undefined> {
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    if (size <= from + 1) return undefined;
    const buf = Buffer.alloc(size - from - 1);
    await readFully(fh, buf, from + 1);
    const maxLsn = minLsn + Math.ceil(buf.length / FRAME_HEADER_BYTES) + 1;
    for (let p = 0; p + FRAME_HEADER_BYTES <= buf.length; p++) {
      if (
        buf[p + 8] !== FRAME_TYPE_RECORD ||
        buf[p + 9] !== 0 ||
        buf[p + 10] !== 0 ||
        buf[p + 11] !== 0
      )
        continue;
      const length = buf.readUInt32LE(p + 4);
      if (length > MAX_PAYLOAD || p + FRAME_HEADER_BYTES + length > buf.length) continue;
      const lsn = readU64(buf, p + 12);
      if (lsn < minLsn || lsn > maxLsn) continue;
      const frame = buf.subarray(p, p + FRAME_HEADER_BYTES + length);
      if (crc32c(frame.subarray(4)) === frame.readUInt32LE(0)) return from + 1 + p;
    }
    return undefined;
  } finally {
    await fh.close();
  }
}

/** A frame read from a segment, with where it sits. */
export interface LocatedFrame extends Frame {
  offset: number;
}

/**
 * Reads the frames in byte range [start, end) of a segment, which must begin
 * and end on frame boundaries. Every frame's checksum is checked; a bad one
 * throws a JournalError naming segment and offset. Memory stays within one
 * chunk plus one frame.
 */
export async function* readSegmentFrames(
  path: string,
  name: string,
  start: number,
  end: number,
): AsyncGenerator<LocatedFrame> {
  const fh = await open(path, 'r');
  try {
    const decoder = new FrameDecoder(MAX_PAYLOAD, start, name);
    let pos = start;
    while (pos < end) {
      const chunk = Buffer.alloc(Math.min(CHUNK, end - pos));
      const n = await readFully(fh, chunk, pos);
      if (n < chunk.length) {
        throw new JournalError(
          'FSJ_ERR_JOURNAL_CORRUPT',
          `segment ${name} offset ${pos + n}: file shorter than expected`,
          {
            segment: name,
            offset: pos + n,
          },
        );
      }
      let offset = decoder.offset;
      for (const frame of decoder.push(chunk)) {
        yield { ...frame, offset };
        offset += frame.frame.length;
      }
      pos += chunk.length;
    }
    decoder.end();
  } finally {
    await fh.close();
  }
}

/** Reads until `buf` is full or the file ends; returns bytes read. */
export async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<number> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done;
}
