/**
 * The data extents of an open file, by lseek(SEEK_DATA) / lseek(SEEK_HOLE)
 * (Node has neither): where a sparse file has bytes, so that capture reads
 * and journals only those and leaves the holes as holes.
 *
 * The call comes with the FUSE binding (`fuse_native.ts`); a build without
 * it, like a file system without hole support, sees every file as one data
 * extent (lseek's own documented fallback), which is correct, only not
 * sparse. Extents are fetched in chunks (`CHUNK`), so a file with many
 * extents costs bounded memory.
 *
 * Not guaranteed: extents are a hint of the moment. A file written while it
 * is listed may gain data in what was listed as a hole; capture notices by
 * its size and times and reads it again, as it does for any write during a
 * read. File systems may also report written zeros as data, or (rarely, for
 * unwritten preallocated extents) data as a hole: either way the bytes read
 * as listed.
 */
import { constants as osc } from 'node:os';
import { errnoError } from './errno_error.js';
import { loadFuseBinding } from './fuse_native.js';

/** Errors by which lseek says it cannot find holes here (not a failure of the file). */
const NO_HOLES = new Set([
  osc.errno.EINVAL,
  osc.errno.ENOTSUP,
  osc.errno.EOPNOTSUPP,
  osc.errno.ESPIPE,
]);

/** Extents asked of the kernel per call. */
const CHUNK = 256;

/** One data extent: bytes [start, end) may hold data; the rest reads as zeros. */
export interface Extent {
  start: number;
  end: number;
}

/**
 * Walks the data extents of `fd` in order, from offset 0 up to `size` (the
 * size the caller read the file at; extents are cut there). Without the
 * binding, or where lseek answers EINVAL, ENOTSUP or ESPIPE (no hole
 * support): one extent to the end. Throws an Error with `code` (EBADF, EIO...)
 * when lseek fails for another reason than reaching the end.
 */
export class ExtentCursor {
  private chunk: number[] = [];
  private index = 0;
  private from = 0;
  private done = false;

  constructor(
    private readonly fd: number,
    private readonly size: number,
  ) {}

  /** The next data extent below `size`, or undefined at the end. */
  next(): Extent | undefined {
    if (this.index >= this.chunk.length) {
      if (this.done || this.from >= this.size) return undefined;
      this.fetch();
      if (this.chunk.length === 0) return undefined;
    }
    const start = this.chunk[this.index]!;
    const end = Math.min(this.chunk[this.index + 1]!, this.size);
    this.index += 2;
    if (start >= this.size) {
      this.done = true;
      this.chunk = [];
      return undefined;
    }
    return { start, end };
  }

  private fetch(): void {
    const b = loadFuseBinding();
    this.index = 0;
    if (b instanceof Error) {
      this.chunk = [0, this.size];
      this.done = true;
      return;
    }
    const res = b.dataExtents(this.fd, this.from, CHUNK);
    if (typeof res === 'number' && NO_HOLES.has(-res)) {
      // This file system cannot say where holes are: the rest is data.
      this.chunk = [this.from, this.size];
      this.done = true;
      return;
    }
    if (typeof res === 'number') throw errnoError('lseek', 'lseek SEEK_DATA', res);
    this.chunk = res;
    if (res.length < CHUNK * 2) this.done = true;
    else this.from = res[res.length - 1]!;
  }
}
