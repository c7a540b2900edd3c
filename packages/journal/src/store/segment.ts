/**
 * Segment files: naming and the 64-byte header.
 *
 *   0  8  magic "FSJSEG\r\n"
 *   8  u16 format version (1)
 *  10  u16 header length (64)
 *  12  u32 flags (0)
 *  16  16  journal id (UUID bytes)
 *  32  u64 first LSN (the name of the file)
 *  40  u64 creation time, microseconds since the epoch
 *  48  12  reserved, zero
 *  60  u32 CRC32C of bytes 0..60
 */
import { crc32c } from '@node-rs/crc32';
import { JournalError } from '../errors.js';
import { readU64, writeU64 } from '../record/frame.js';

export const SEGMENT_MAGIC = Buffer.from('FSJSEG\r\n', 'latin1');
export const SEGMENT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 64;
export const SEGMENT_SUFFIX = '.seg';

export interface SegmentHeader {
  journalId: string;
  firstLsn: number;
  createdUs: number;
}

/** `0000000000000001.seg` for first LSN 1. */
export function segmentName(firstLsn: number): string {
  return `${firstLsn.toString(16).padStart(16, '0')}${SEGMENT_SUFFIX}`;
}

/** The first LSN a segment file name stands for, or undefined if it is not a segment name. */
export function parseSegmentName(name: string): number | undefined {
  const m = /^([0-9a-f]{16})\.seg$/.exec(name);
  if (!m?.[1]) return undefined;
  const lsn = Number.parseInt(m[1], 16);
  return Number.isSafeInteger(lsn) && lsn >= 1 ? lsn : undefined;
}

export function uuidToBytes(id: string): Buffer {
  const hex = id.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/i.test(hex))
    throw new JournalError('FSJ_ERR_JOURNAL_META', `journal id ${id}`);
  return Buffer.from(hex, 'hex');
}

export function bytesToUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function encodeSegmentHeader(h: SegmentHeader): Buffer {
  const out = Buffer.alloc(SEGMENT_HEADER_BYTES);
  SEGMENT_MAGIC.copy(out, 0);
  out.writeUInt16LE(SEGMENT_VERSION, 8);
  out.writeUInt16LE(SEGMENT_HEADER_BYTES, 10);
  uuidToBytes(h.journalId).copy(out, 16);
  writeU64(out, 32, h.firstLsn);
  writeU64(out, 40, h.createdUs);
  out.writeUInt32LE(crc32c(out.subarray(0, 60)), 60);
  return out;
}

/** Why the bytes are not a segment header, as an error to throw; or the header. */
export function decodeSegmentHeader(buf: Buffer, segment: string): SegmentHeader | JournalError {
  if (buf.length < SEGMENT_HEADER_BYTES) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_CORRUPT',
      `segment ${segment}: header is ${buf.length} bytes`,
      {
        segment,
        offset: 0,
      },
    );
  }
  if (!buf.subarray(0, 8).equals(SEGMENT_MAGIC)) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_BAD_MAGIC',
      `segment ${segment}: not an fsjournal segment`,
      {
        segment,
        offset: 0,
      },
    );
  }
  if (crc32c(buf.subarray(0, 60)) !== buf.readUInt32LE(60)) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_CORRUPT',
      `segment ${segment} offset 0: header checksum`,
      {
        segment,
        offset: 0,
      },
    );
  }
  const version = buf.readUInt16LE(8);
  // Flags or reserved bytes set: written by a newer format this build does not know.
  const extras = buf.readUInt32LE(12) !== 0 || buf.subarray(48, 60).some((b) => b !== 0);
  if (version !== SEGMENT_VERSION || buf.readUInt16LE(10) !== SEGMENT_HEADER_BYTES || extras) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_VERSION',
      `segment ${segment}: format version ${version}`,
      {
        segment,
        offset: 8,
      },
    );
  }
  return {
    journalId: bytesToUuid(buf.subarray(16, 32)),
    firstLsn: readU64(buf, 32),
    createdUs: readU64(buf, 40),
  };
}
