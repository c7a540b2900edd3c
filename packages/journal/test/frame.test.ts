import { crc32c } from '@node-rs/crc32';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  FRAME_HEADER_BYTES,
  FrameDecoder,
  MAX_PAYLOAD,
  parseFrame,
  isJournalError,
} from '@fsjournal/journal/internal';

const payloads = [
  Buffer.from('alpha'),
  Buffer.alloc(0),
  Buffer.alloc(70_000, 7),
  Buffer.from('omega'),
];
const frames = payloads.map((p, i) => encodeFrame(i + 1, 1_700_000_000_000_000 + i, p));
const stream = Buffer.concat(frames);

describe('frame encoding', () => {
  it('round-trips LSN, time and payload', () => {
    const parsed = parseFrame(frames[0]!, 0);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.frame.lsn).toBe(1);
    expect(parsed.frame.timeUs).toBe(1_700_000_000_000_000);
    expect(parsed.frame.payload.toString()).toBe('alpha');
    expect(parsed.end).toBe(FRAME_HEADER_BYTES + 5);
  });

  it('keeps 53-bit LSNs and times exact', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const parsed = parseFrame(encodeFrame(big, big - 1, Buffer.from('x')), 0);
    expect(parsed.ok && [parsed.frame.lsn, parsed.frame.timeUs]).toEqual([big, big - 1]);
  });

  it('refuses to encode a payload over the cap', () => {
    expect(() => encodeFrame(1, 1, Buffer.alloc(MAX_PAYLOAD + 1))).toThrow(/payload/);
  });

  it.each([
    ['checksum', 0, 0x01],
    ['checksum', 30, 0x80],
    ['unknown-type', -1, 0],
    ['reserved', -2, 0],
  ] as const)('reports %s when byte %i is changed', (problem, at, mask) => {
    const f = Buffer.from(frames[0]!);
    if (at >= 0) {
      f[at]! ^= mask;
    } else {
      // Change the type or a reserved byte and re-checksum, as a newer writer would.
      f[at === -1 ? 8 : 10] = 7;
      f.writeUInt32LE(crc32c(f.subarray(4)), 0);
    }
    const parsed = parseFrame(f, 0);
    expect(parsed.ok ? 'ok' : parsed.problem).toBe(problem);
  });

  it('reports a declared length over the cap before the payload arrives', () => {
    const head = Buffer.from(frames[0]!.subarray(0, FRAME_HEADER_BYTES));
    head.writeUInt32LE(MAX_PAYLOAD + 1, 4);
    const parsed = parseFrame(head, 0);
    expect(parsed.ok ? 'ok' : parsed.problem).toBe('bad-length');
  });
});

describe('FrameDecoder', () => {
  it('decodes a stream fed one byte at a time, reusing one buffer', () => {
    const d = new FrameDecoder();
    const out: number[] = [];
    const one = Buffer.alloc(1);
    for (let i = 0; i < stream.length; i++) {
      one[0] = stream[i]!;
      for (const f of d.push(one)) out.push(f.lsn);
    }
    d.end();
    expect(out).toEqual([1, 2, 3, 4]);
  });

  it.each([1, 7, 27, 28, 29, 100, 4096, 70_000])('decodes frames split every %i bytes', (step) => {
    const d = new FrameDecoder();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i += step) {
      for (const f of d.push(stream.subarray(i, i + step))) got.push(Buffer.from(f.payload));
    }
    d.end();
    expect(got).toEqual(payloads);
  });

  it('refuses an oversized length as soon as the header is in, with the offset', () => {
    const d = new FrameDecoder(1024);
    const big = encodeFrame(9, 9, Buffer.alloc(2048));
    d.push(frames[0]!);
    let error: unknown;
    try {
      d.push(big.subarray(0, FRAME_HEADER_BYTES));
    } catch (err) {
      error = err;
    }
    expect(isJournalError(error, 'FSJ_ERR_FRAME_TOO_LARGE')).toBe(true);
    expect((error as { offset: number }).offset).toBe(frames[0]!.length);
    expect(() => d.push(Buffer.alloc(1))).toThrow();
  });

  it('names segment and offset of a bad checksum', () => {
    const bad = Buffer.from(stream);
    bad[frames[0]!.length + 3]! ^= 0xff;
    const d = new FrameDecoder(MAX_PAYLOAD, 64, '0000000000000001.seg');
    // The good frame before the damage comes out first; the error follows.
    expect(d.push(bad).map((f) => f.lsn)).toEqual([1]);
    expect(() => d.end()).toThrow(/segment 0000000000000001.seg offset 97: checksum/);
    expect(() => d.push(Buffer.alloc(1))).toThrow(/checksum/);
  });

  it('reports a truncated last frame at end()', () => {
    const d = new FrameDecoder();
    d.push(stream.subarray(0, stream.length - 1));
    expect(() => d.end()).toThrow(/short-payload/);
  });
});
