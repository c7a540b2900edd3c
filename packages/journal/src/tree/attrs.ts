/**
 * Setting a path's owner, mode and times on disk, as every writer of a tree
 * does it (the applier, restore, a replica's bootstrap): owner before mode,
 * because chown(2) clears the set-user-ID and set-group-ID bits; times last,
 * because the other two move ctime only. Symlinks are never followed.
 *
 * Not guaranteed: owners are only set when this process is root
 * (`canChown`); elsewhere a path keeps the owner it was created with.
 * Times keep whole microseconds (what libuv passes to utimensat).
 */
import { lchown, lutimes, type FileHandle } from 'node:fs/promises';
import { lchmod } from '../sys/lchmod.js';
import type { EntryAttrs, Ownership, Timespec } from './entry.js';

/** Whether this process can set owners (root). */
export const canChown = typeof process.getuid === 'function' && process.getuid() === 0;

/**
 * A time as the seconds lutimes takes. Node passes a double and libuv keeps
 * whole microseconds (it truncates); a double of today's seconds is off by up
 * to 0.12 us, so x.491000044 s would land on x.490999: a millisecond early.
 * Aiming at the middle of the microsecond keeps the microsecond exact.
 */
export function utimeSeconds(sec: number, nsec: number): number {
  return sec + (Math.floor(nsec / 1000) + 0.5) / 1e6;
}

/** `utimeSeconds` of a Timespec. */
export function timeSeconds(t: Timespec): number {
  return utimeSeconds(t.sec, t.nsec);
}

/** Owner, mode and times of `abs`, a directory (a symlink there is not followed). */
export async function setAttrs(abs: string, a: EntryAttrs): Promise<void> {
  if (canChown) await lchown(abs, a.uid, a.gid);
  await lchmod(abs, a.mode);
  await lutimes(abs, timeSeconds(a.atime), timeSeconds(a.mtime));
}

/** Owner and times of the symlink `abs` itself (Linux has no mode for symlinks). */
export async function setLinkAttrs(abs: string, a: Ownership): Promise<void> {
  if (canChown) await lchown(abs, a.uid, a.gid);
  await lutimes(abs, timeSeconds(a.atime), timeSeconds(a.mtime));
}

/** Owner, mode and times of the open file `fh`. */
export async function setFileAttrs(fh: FileHandle, a: EntryAttrs): Promise<void> {
  if (canChown) await fh.chown(a.uid, a.gid);
  await fh.chmod(a.mode);
  await fh.utimes(timeSeconds(a.atime), timeSeconds(a.mtime));
}
