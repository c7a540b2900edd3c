/**
 * What the disk shows of one path now: an lstat (and readlink) turned into
 * the `Observed` picture that reconcile.ts compares with the manifest, plus
 * the file identity and time-stamp rules the comparison relies on.
 *
 * An observation is a snapshot: the path may change the moment after it is
 * taken; the capture relies on the next event (or the content reader's
 * fstat) to notice.
 */
import * as fs from 'node:fs';
import { join } from 'node:path';
import type { Observed } from '../../tree/manifest.js';
import type { Timespec } from '../../tree/entry.js';
import type { InlineFs } from '../../sys/inline_fs.js';

// The callback API, promisified by hand: fs/promises costs about twice the
// CPU per call (FileHandle bookkeeping), which on a small machine is most of
// the start-up scan.

/** lstat with nanosecond times (bigint). */
export const lstatNs = (p: string): Promise<fs.BigIntStats> =>
  new Promise((res, rej) => fs.lstat(p, { bigint: true }, (e, st) => (e ? rej(e) : res(st))));

/** A nanosecond stamp as seconds and nanoseconds. */
export function toTimespec(ns: bigint): Timespec {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/**
 * Many kernels stamp times from a clock that ticks every 4-10 ms (Linux
 * before 6.13's fine-grained stamps): a change in the same tick as the one
 * before leaves mtime and ctime as they were. A stamp older than this
 * cannot be given again to a change made now.
 */
const RACY_MS = 50;

/** Whether a time stamp is old enough that a change made now gets a different one. */
export function settled(t: Timespec, nowMs = Date.now()): boolean {
  return nowMs - (t.sec * 1000 + t.nsec / 1e6) > RACY_MS;
}

/**
 * A file's identity: device and inode, plus birth time where the file system
 * keeps one, so that an inode number reused by a new file is not mistaken for
 * the old file renamed.
 */
export function identity(st: { dev: bigint; ino: bigint; birthtimeNs: bigint }): string {
  return st.birthtimeNs > 0n ? `${st.dev}:${st.ino}:${st.birthtimeNs}` : `${st.dev}:${st.ino}`;
}

/**
 * Lstat of `path` (relative) under `source`; undefined when it is gone or
 * not a file, directory or symlink. Other errors (EACCES, EIO) are thrown.
 * The calls go through `io` (on the JS thread while they are quick).
 */
export async function observe(
  io: InlineFs,
  source: string,
  path: string,
): Promise<Observed | undefined> {
  const abs = join(source, path);
  let st;
  try {
    st = await io.lstatNs(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
  const type = st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? 'symlink'
        : undefined;
  if (!type) return undefined;
  const o: Observed = {
    type,
    size: type === 'dir' ? 0 : Number(st.size),
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    mtime: toTimespec(st.mtimeNs),
    ctime: toTimespec(st.ctimeNs),
    ino: identity(st),
    nlink: Number(st.nlink),
  };
  if (type === 'symlink') {
    try {
      o.target = await io.readlink(abs);
    } catch {
      return undefined;
    }
  }
  return o;
}
