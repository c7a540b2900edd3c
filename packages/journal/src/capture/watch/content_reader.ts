/**
 * The content reader: reads a changed file after its event, block by block,
 * hashing each block and journaling the blocks whose hash differs from the
 * manifest's, as one transaction when that takes several records. A file
 * that changes while it is read is read again; one that keeps changing is
 * given up and tried later. Up to CONTENT_READERS files are read at once.
 *
 * Not guaranteed: a consistent picture of a file written during the read
 * without changing its size or time stamps within one clock tick; such an
 * entry is marked racy (ManifestEntry.racy) so that its next event reads it
 * again.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import { xxh3 } from '@node-rs/xxhash';
import type { Logger } from '../../logger.js';
import {
  BlockHashes,
  sameTime,
  type Manifest,
  type ManifestEntry,
  type Observed,
} from '../../tree/manifest.js';
import { RecordKind, type RecordInput } from '../../record/record.js';
import { attributeRecords, createRecord, entryFor, WriteCoalescer } from './reconcile.js';
import { ChangeWriter, type RecordSink } from './change_writer.js';
import { identity, settled, toTimespec } from './observation.js';
import { ExtentCursor, type Extent } from '../../sys/extents.js';
import { zeroBytes } from '../../tree/zeros.js';
import type { CaptureStats } from './watch_capture.js';
import type { InlineFile, InlineFs } from '../../sys/inline_fs.js';

const HASH_BYTES = 16;
const CONTENT_READERS = 8;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

/**
 * The records a content change opens with, and the file's length on the
 * replica after them: CREATE for a file the manifest does not have (length
 * 0); TRUNCATE to the new size when the manifest has no hashes for it (every
 * block is written again) or it shrank; none otherwise (the old size). A
 * file with holes whose old content is unknown is cut to 0 first, so that
 * its holes need no writes (`sparse`: the file has a hole below its size).
 */
export function openingRecords(
  path: string,
  old: ManifestEntry | undefined,
  now: Observed,
  sparse = false,
): { records: RecordInput[]; length: number } {
  if (!old) return { records: [createRecord(path, now)], length: 0 };
  if (old.hashes === undefined && sparse && now.size > 0)
    return { records: [{ kind: RecordKind.RECORD_KIND_TRUNCATE, path, size: 0 }], length: 0 };
  if (old.hashes === undefined || now.size < old.size)
    return {
      records: [{ kind: RecordKind.RECORD_KIND_TRUNCATE, path, size: now.size }],
      length: now.size,
    };
  return { records: [], length: old.size };
}

/**
 * The ranges of a changed block to journal as WRITEs: its data parts, and
 * its holes only where they lie below `zeroFrom` (where the replica's file
 * may hold older bytes, as zeros). A hole at or past `zeroFrom` is left out:
 * the replica's file reads zeros there, as a hole, once extended.
 */
export function blockWrites(
  offset: number,
  block: Buffer,
  parts: readonly Extent[],
  zeroFrom: number,
): Extent[] {
  const end = offset + block.length;
  const out: Extent[] = [];
  const add = (start: number, stop: number): void => {
    if (stop <= start) return;
    const last = out[out.length - 1];
    if (last && last.end === start) last.end = stop;
    else out.push({ start, end: stop });
  };
  const hole = (start: number, stop: number): void => add(start, Math.min(stop, zeroFrom));
  let at = offset;
  for (const p of parts) {
    hole(at, p.start);
    add(p.start, p.end);
    at = p.end;
  }
  hole(at, end);
  return out;
}

/** Whether block `i` of the old content (hashes `oldHashes`, `oldSize` bytes) was all zeros. */
function oldBlockZero(
  oldHashes: Buffer | undefined,
  i: number,
  oldSize: number,
  blockBytes: number,
): boolean {
  const n = Math.min(blockBytes, oldSize - i * blockBytes);
  if (oldHashes === undefined || n <= 0 || oldHashes.length < (i + 1) * HASH_BYTES) return false;
  const h = zeroHash(n);
  return (
    oldHashes.readBigUInt64LE(i * HASH_BYTES) === (h & 0xffff_ffff_ffff_ffffn) &&
    oldHashes.readBigUInt64LE(i * HASH_BYTES + 8) === h >> 64n
  );
}

const zeroHashes = new Map<number, bigint>();
/** The block hash of `n` zero bytes (what reading a hole gives). */
function zeroHash(n: number): bigint {
  let h = zeroHashes.get(n);
  if (h === undefined) {
    h = xxh3.xxh128(zeroBytes(n));
    if (zeroHashes.size > 64) zeroHashes.clear();
    zeroHashes.set(n, h);
  }
  return h;
}

/**
 * Whether block `i` of `blocks` is unchanged: its hash equals the old one
 * at the same index, and, for the last block, the old file was as long (a
 * changed last block may hash equal only if equally long).
 */
export function blockUnchanged(
  oldHashes: Buffer | undefined,
  hashes: Buffer,
  i: number,
  blocks: number,
  oldSize: number | undefined,
  size: number,
): boolean {
  const oldHash = oldHashes?.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  return (
    oldHash !== undefined &&
    oldHash.length === HASH_BYTES &&
    oldHash.equals(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)) &&
    (i < blocks - 1 || oldSize === size)
  );
}

/**
 * The attribute records a content change ends with. Owner and mode only
 * when they moved (a new file's are in its CREATE); times whenever a block
 * was written, since a write moves the replica's mtime too.
 */
export function contentAttributes(
  old: ManifestEntry | undefined,
  after: Observed,
  wrote: boolean,
): { chmod: boolean; chown: boolean; utimes: boolean } {
  return {
    chown: old !== undefined && (old.uid !== after.uid || old.gid !== after.gid),
    chmod: old !== undefined && old.mode !== after.mode,
    utimes: wrote || old === undefined || !sameTime(old.mtime, after.mtime),
  };
}

/** What the content reader needs of the capture. */
export interface ContentReaderHost {
  readonly source: string;
  /** Where the reads go (on the JS thread while they are quick). */
  readonly io: InlineFs;
  readonly stats: CaptureStats;
  readonly logger: Logger | undefined;
  readonly blockBytes: number;
  readonly maxReadRetries: number;
  /** The manifest now (the capture replaces it when it resumes). */
  manifest(): Manifest;
  observe(path: string): Promise<Observed | undefined>;
  markDirty(path: string): void;
  /** Where the records go (throws while the capture is failed). */
  readonly sink: RecordSink;
  /** Waits while too much data is in flight to the journal. */
  throttle(): Promise<void>;
  /** A read failed beyond what a re-read can repair: the capture fails. */
  fail(err: unknown): void;
}

/** Reads files whose content changed, several at once. */
export class ContentReader {
  private readonly readers = new Set<Promise<void>>();

  constructor(private readonly host: ContentReaderHost) {}

  /** Content reads in progress. */
  get size(): number {
    return this.readers.size;
  }

  /** The content reads in progress now. */
  promises(): Promise<void>[] {
    return [...this.readers];
  }

  /**
   * Starts reading a file's content, up to CONTENT_READERS files at once:
   * reading is I/O-bound, and records of different files carry their own
   * transaction ids. Structural changes (renames, removals) drain the readers
   * first, so no record names a path that an earlier record moved away.
   */
  async start(path: string, old: ManifestEntry | undefined, now: Observed): Promise<void> {
    while (this.readers.size >= CONTENT_READERS) await Promise.race(this.readers);
    const p: Promise<void> = this.capture(path, old, now)
      .catch((err: unknown) => this.host.fail(err))
      .finally(() => this.readers.delete(p));
    this.readers.add(p);
  }

  /** Waits for every content read in progress. */
  async drain(): Promise<void> {
    while (this.readers.size > 0) await Promise.all(this.readers);
  }

  /**
   * Reads a file, with creation/truncation first and attributes last. If the
   * file changes while it is read (size, mtime or ctime move), the partial
   * change is aborted and the file read again.
   */
  private async capture(
    path: string,
    old: ManifestEntry | undefined,
    first: Observed,
  ): Promise<void> {
    const { stats, maxReadRetries } = this.host;
    let now = first;
    for (let attempt = 0; attempt <= maxReadRetries; attempt++) {
      if (attempt > 0) stats.rereads++;
      const result = await this.readOnce(path, old, now);
      if (result === 'gone') {
        this.host.markDirty(path);
        return;
      }
      if (result !== 'changed') return;
      const again = await this.host.observe(path);
      if (!again || again.type !== 'file') {
        this.host.markDirty(path);
        return;
      }
      now = again;
    }
    // Still changing: try again once the writer pauses (its next event, or this timer).
    this.host.logger?.warn(
      { path, attempts: maxReadRetries + 1 },
      'file kept changing while read; retrying later',
    );
    setTimeout(() => this.host.markDirty(path), 50).unref();
  }

  private async readOnce(
    path: string,
    old: ManifestEntry | undefined,
    now: Observed,
  ): Promise<'done' | 'changed' | 'gone'> {
    const { blockBytes } = this.host;
    this.host.stats.contentReads++;
    let file: InlineFile;
    try {
      file = await this.host.io.open(join(this.host.source, path), OPEN_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'EISDIR')
        return 'gone';
      throw err;
    }
    const w = new ChangeWriter(this.host.sink);
    try {
      // `now` (the lstat before opening) is the "before" picture: if the file
      // is replaced or written between it and the end of the read, the fstat
      // after the read differs from it and the read is done again.
      const size = now.size;
      // Holes are not read: only the data extents are (sys/extents.ts).
      const extents = new ExtentCursor(file.fd, size);
      let extent = extents.next();
      const sparse = extent === undefined ? size > 0 : extent.start > 0 || extent.end < size;
      const opening = openingRecords(path, old, now, sparse);
      for (const r of opening.records) w.push(r);
      // Below `zeroFrom` the replica's file may hold old bytes, so a hole
      // there in a changed block is written as zeros; at or past it, the
      // file reads as zeros already and a hole costs nothing.
      const zeroFrom = opening.length;
      let length = opening.length;
      const blocks = Math.ceil(size / blockBytes);
      // Every byte is written below before the buffer is kept (as a string).
      const hashes = Buffer.allocUnsafe(blocks * HASH_BYTES);
      const oldHashes = old?.hashes === undefined ? undefined : BlockHashes.toBuffer(old.hashes);
      const coalescer = new WriteCoalescer(path);
      let wrote = opening.records.length > 0;
      let offset = 0;
      for (let i = 0; i < blocks; i++) {
        const want = Math.min(blockBytes, size - offset);
        const blockEnd = offset + want;
        // The parts of this block that hold data, in order.
        const parts: Extent[] = [];
        while (extent !== undefined && extent.start < blockEnd) {
          if (extent.end > offset) {
            parts.push({
              start: Math.max(extent.start, offset),
              end: Math.min(extent.end, blockEnd),
            });
          }
          if (extent.end > blockEnd) break;
          extent = extents.next();
        }
        let block: Buffer;
        let h: bigint;
        if (parts.length === 0) {
          block = zeroBytes(want);
          h = zeroHash(want);
        } else {
          block =
            parts.length === 1 && parts[0]!.start === offset && parts[0]!.end === blockEnd
              ? Buffer.allocUnsafe(want)
              : Buffer.alloc(want);
          for (const part of parts) {
            const at = part.start - offset;
            const n = part.end - part.start;
            let got = 0;
            while (got < n) {
              const bytesRead = await file.read(block, at + got, n - got, part.start + got);
              if (bytesRead === 0) break;
              got += bytesRead;
            }
            if (got < n) {
              w.abort();
              return 'changed'; // shrank under us
            }
          }
          h = xxh3.xxh128(block);
        }
        hashes.writeBigUInt64LE(h & 0xffff_ffff_ffff_ffffn, i * HASH_BYTES);
        hashes.writeBigUInt64LE(h >> 64n, i * HASH_BYTES + 8);
        if (!blockUnchanged(oldHashes, hashes, i, blocks, old?.size, size)) {
          // A block that was all zeros before is zeros on the replica too.
          const from = oldBlockZero(oldHashes, i, old?.size ?? 0, blockBytes) ? offset : zeroFrom;
          for (const r of blockWrites(offset, block, parts, from)) {
            w.push(coalescer.add(r.start, block.subarray(r.start - offset, r.end - offset)));
            length = Math.max(length, r.end);
            wrote = true;
          }
        }
        offset += want;
        if (i % 16 === 15) await this.host.throttle();
        // A file still being written (a large copy) is given up early, not
        // read to the end: at most ~4 MiB is journaled per aborted attempt.
        if (i % 64 === 63) {
          const mid = await file.statNs();
          if (Number(mid.size) !== size || !sameTime(toTimespec(mid.ctimeNs), now.ctime)) {
            w.abort();
            return 'changed';
          }
        }
      }
      const st1 = await file.statNs();
      const mtime = toTimespec(st1.mtimeNs);
      const ctime = toTimespec(st1.ctimeNs);
      if (
        !st1.isFile() ||
        identity(st1) !== now.ino ||
        Number(st1.size) !== size ||
        !sameTime(mtime, now.mtime) ||
        !sameTime(ctime, now.ctime)
      ) {
        w.abort();
        return 'changed';
      }
      w.push(coalescer.flush());
      // A hole at the end: the file is extended to its size, not written.
      if (length < size) {
        w.push({ kind: RecordKind.RECORD_KIND_TRUNCATE, path, size });
        wrote = true;
      }
      const after: Observed = {
        ...now,
        size,
        mode: Number(st1.mode & 0o7777n),
        uid: Number(st1.uid),
        gid: Number(st1.gid),
        mtime,
        ctime,
      };
      for (const r of attributeRecords(path, after, contentAttributes(old, after, wrote))) {
        w.push(r);
      }
      w.commit();
      const entry = entryFor(after, BlockHashes.fromBuffer(hashes));
      // Read within a tick of the last change: a same-size write in that tick
      // (or one during the read) left no trace in lstat. Its event must not be
      // dismissed by comparing stats: see ManifestEntry.racy.
      if (!settled(ctime)) entry.racy = true;
      this.host.manifest().set(path, entry);
      return 'done';
    } catch (err) {
      w.abort();
      // Replaced under us (by a directory, say) between the open and the read:
      // look at the path again rather than stop the capture.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOENT' || code === 'ESTALE') return 'gone';
      throw err;
    } finally {
      await file.close();
    }
  }
}
