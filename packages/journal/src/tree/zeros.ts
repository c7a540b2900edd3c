/**
 * Zeros: what a hole reads as. A shared buffer of zeros (never written to)
 * and the test that a block holds nothing else, for capture (a hole's block
 * is hashed, not read), checkpoints (a block of zeros is stored as none) and
 * the writer of restores (pages of zeros left unwritten).
 */
let ZERO = Buffer.alloc(64 * 1024);

/** `n` zero bytes (a view of one shared buffer: read it, never write it). */
export function zeroBytes(n: number): Buffer {
  if (ZERO.length < n) ZERO = Buffer.alloc(n);
  return ZERO.subarray(0, n);
}

/** Whether every byte of `data` is zero (true for an empty one). */
export function allZeros(data: Uint8Array): boolean {
  const step = ZERO.length;
  for (let at = 0; at < data.length; at += step) {
    const part = data.subarray(at, at + step);
    if (Buffer.compare(part, ZERO.subarray(0, part.length)) !== 0) return false;
  }
  return true;
}
