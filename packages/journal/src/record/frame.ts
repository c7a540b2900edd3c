/**
 * Record frames: the unit written to a segment and shipped on the stream.
 *
 *   0  u32  CRC32C of bytes 4 .. end of frame
 *   4  u32  payload length N (at most MAX_PAYLOAD)
 *   8  u8   frame type (FRAME_TYPE_RECORD)
 *   9  3    reserved, zero
 *  12  u64  LSN
 *  20  u64  time, microseconds since the Unix epoch
 *  28  N    payload (protobuf Record)
 *
 * All integers little-endian. docs/JOURNAL_FORMAT.md is the specification.
 */
import { crc32c } from '@node-rs/crc32';
import { JournalError } from '../errors.js';

export const FRAME_HEADER_BYTES = 28;
/** Largest payload a frame may declare: 1 MiB of data plus generous room for fields. */
export const MAX_PAYLOAD = 4 * 1024 * 1024;
export const FRAME_TYPE_RECORD = 1;

const TWO_32 = 0x1_0000_0000;

/** One decoded frame. `frame` is the whole frame's bytes (header included). */
export interface Frame {
  lsn: number;
  timeUs: number;
  payload: Buffer;
  frame: Buffer;
}

/** Why bytes at an offset are not a valid frame. */
export type FrameProblem =
  'short-header' | 'short-payload' | 'bad-length' | 'checksum' | 'unknown-type' | 'reserved';

export type FrameParse =
  { ok: true; frame: Frame; end: number } | { ok: false; problem: FrameProblem; offset: number };

export function readU64(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) + buf.readUInt32LE(at + 4) * TWO_32;
}

export function writeU64(buf: Buffer, at: number, value: number): void {
  buf.writeUInt32LE(value % TWO_32, at);
  buf.writeUInt32LE(Math.floor(value / TWO_32), at + 4);
}

/** Frames one payload. The payload is copied into the returned buffer. */
export function encodeFrame(lsn: number, timeUs: number, payload: Uint8Array): Buffer {
  if (payload.length > MAX_PAYLOAD) {
    throw new JournalError('FSJ_ERR_FRAME_TOO_LARGE', `payload of ${payload.length} bytes`, {
      lsn,
    });
  }
  const out = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  out.writeUInt32LE(payload.length, 4);
  out.writeUInt32LE(FRAME_TYPE_RECORD, 8); // type byte + three zero bytes
  writeU64(out, 12, lsn);
  writeU64(out, 20, timeUs);
  out.set(payload, FRAME_HEADER_BYTES);
  out.writeUInt32LE(crc32c(out.subarray(4)), 0);
  return out;
}

/**
 * Parses the frame that starts at `offset` of `buf`. Pure: says what is wrong
 * rather than throwing, so recovery can decide whether it is a torn tail.
 */
export function parseFrame(buf: Buffer, offset: number, maxPayload = MAX_PAYLOAD): FrameParse {
  if (buf.length - offset < FRAME_HEADER_BYTES) {
    return { ok: false, problem: 'short-header', offset };
  }
  const length = buf.readUInt32LE(offset + 4);
  if (length > maxPayload) return { ok: false, problem: 'bad-length', offset };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > buf.length) return { ok: false, problem: 'short-payload', offset };
  const frame = buf.subarray(offset, end);
  if (crc32c(frame.subarray(4)) !== frame.readUInt32LE(0)) {
    return { ok: false, problem: 'checksum', offset };
  }
  if (frame[8] !== FRAME_TYPE_RECORD) return { ok: false, problem: 'unknown-type', offset };
  if (frame[9] !== 0 || frame[10] !== 0 || frame[11] !== 0) {
    return { ok: false, problem: 'reserved', offset };
  }
  return {
    ok: true,
    end,
    frame: {
      lsn: readU64(frame, 12),
      timeUs: readU64(frame, 20),
      payload: frame.subarray(FRAME_HEADER_BYTES),
      frame,
    },
  };
}

/** A frame problem that a newer writer could have produced on purpose (valid checksum). */
export function isForeignFrame(problem: FrameProblem): boolean {
  return problem === 'unknown-type' || problem === 'reserved';
}

/**
 * Incremental frame decoder: feed it bytes in chunks of any size, get whole
 * frames out. A declared length over the cap is refused as soon as the header
 * has arrived, before the payload is buffered. After an error the decoder
 * stays failed. `offset` counts bytes consumed so errors can name a position.
 */
export class FrameDecoder {
  /** Received bytes not yet decoded, kept as chunks until a whole frame is there. */
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes needed before decoding can progress: a header, then the whole frame. */
  private need = FRAME_HEADER_BYTES;
  private consumed = 0;
  private failed: JournalError | undefined;

  /**
   * @param baseOffset where the first pushed byte sits (for error offsets)
   * @param segment the segment being read, named in errors
   */
  constructor(
    private readonly maxPayload = MAX_PAYLOAD,
    private readonly baseOffset = 0,
    private readonly segment?: string,
  ) {}

  /** Offset (from the stream's start plus baseOffset) of the next undecoded byte. */
  get offset(): number {
    return this.baseOffset + this.consumed;
  }

  /** Bytes held that do not yet make a whole frame. */
  get buffered(): number {
    return this.pendingBytes;
  }

  /**
   * Decodes every whole frame that `chunk` completes. Frames are views into
   * the pushed bytes: a caller that reuses its buffers must copy them. Throws
   * JournalError on a bad frame. Bytes are joined only once a frame is
   * complete, so a frame trickling in byte by byte costs linear time.
   */
  push(chunk: Buffer): Frame[] {
    if (this.failed) throw this.failed;
    this.chunks.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.need) {
      // Held across calls: copy, since the caller may reuse its buffer.
      this.chunks[this.chunks.length - 1] = Buffer.from(chunk);
      return [];
    }
    const buf = this.chunks.length === 1 ? chunk : Buffer.concat(this.chunks, this.pendingBytes);
    const frames: Frame[] = [];
    let at = 0;
    for (;;) {
      const parsed = parseFrame(buf, at, this.maxPayload);
      if (parsed.ok) {
        frames.push(parsed.frame);
        at = parsed.end;
        continue;
      }
      if (parsed.problem === 'short-header' || parsed.problem === 'short-payload') break;
      this.consumed += at;
      if (frames.length === 0) return this.fail(parsed.problem);
      // Hand out the good frames first; the next push or end() throws.
      this.failed = frameError(parsed.problem, this.offset, this.segment);
      this.chunks = [];
      this.pendingBytes = 0;
      return frames;
    }
    this.consumed += at;
    const rest = buf.length - at;
    this.chunks = rest === 0 ? [] : [Buffer.from(buf.subarray(at))];
    this.pendingBytes = rest;
    this.need =
      rest >= FRAME_HEADER_BYTES
        ? FRAME_HEADER_BYTES + this.chunks[0]!.readUInt32LE(4)
        : FRAME_HEADER_BYTES;
    return frames;
  }

  /** Declares the end of input: leftover bytes are a truncated frame. */
  end(): void {
    if (this.failed) throw this.failed;
    if (this.pendingBytes > 0) {
      throw frameError(
        this.pendingBytes < FRAME_HEADER_BYTES ? 'short-header' : 'short-payload',
        this.offset,
        this.segment,
      );
    }
  }

  private fail(problem: FrameProblem): never {
    this.failed = frameError(problem, this.offset, this.segment);
    this.chunks = [];
    this.pendingBytes = 0;
    throw this.failed;
  }
}

/** The JournalError for a frame problem at an offset. */
export function frameError(problem: FrameProblem, offset: number, segment?: string): JournalError {
  const where = segment === undefined ? `offset ${offset}` : `segment ${segment} offset ${offset}`;
  switch (problem) {
    case 'bad-length':
      return new JournalError('FSJ_ERR_FRAME_TOO_LARGE', `${where}: frame length over the cap`, {
        segment,
        offset,
      });
    case 'unknown-type':
    case 'reserved':
      return new JournalError(
        'FSJ_ERR_JOURNAL_UNKNOWN_FRAME',
        `${where}: unknown frame type or flags (newer writer?)`,
        {
          segment,
          offset,
        },
      );
    default:
      return new JournalError('FSJ_ERR_JOURNAL_CORRUPT', `${where}: ${problem}`, {
        segment,
        offset,
      });
  }
}
