/**
 * syncfs(2): every change on one file system made durable in one call, where
 * fsyncing each file would be a call (and a journal commit) per file. Node
 * has no syncfs; the call comes with the FUSE binding (`fuse_native.ts`) and
 * runs on a thread of libuv's pool. A build without the binding has none:
 * `syncfsAvailable()` says which, and callers fsync each file instead.
 *
 * Only where it is known to: a FUSE or network file system may take syncfs
 * as a no-op (FUSE forwards it only to servers that implement SYNCFS), so
 * `syncfsCovers` names the local journaling file systems whose syncfs
 * commits everything, and elsewhere callers fsync each file.
 *
 * Errors: since Linux 5.8 syncfs reports a writeback error of the file
 * system that happened since the descriptor was opened, once per
 * descriptor, so the descriptor must be opened before the writes it is to
 * vouch for, and kept open.
 */
import { statfs } from 'node:fs/promises';
import { constants as osc } from 'node:os';
import { errnoError } from './errno_error.js';
import { fuseBinding } from './fuse_native.js';

export function syncfsAvailable(): boolean {
  return fuseBinding() !== undefined;
}

/** statfs(2) `f_type` of the file systems whose syncfs makes every change on them durable. */
const SYNCFS_DURABLE = new Set<number>([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0xf2f52010, // f2fs
  0x01021994, // tmpfs: nothing is durable there; fsync is no more
]);

/**
 * Whether one syncfs on the file system holding `dir` makes durable what
 * an fsync of each changed file and folder would: the binding is there and
 * the file system is one of SYNCFS_DURABLE.
 */
export async function syncfsCovers(dir: string): Promise<boolean> {
  if (!syncfsAvailable()) return false;
  const st = await statfs(dir).catch(() => undefined);
  return st !== undefined && SYNCFS_DURABLE.has(st.type);
}

/** syncfs(2) on the file system that holds `fd`; throws an Error with `code` when it fails. */
export async function syncFileSystem(fd: number, what: string): Promise<void> {
  const b = fuseBinding();
  if (!b) throw errnoError('syncfs', what, -osc.errno.EOPNOTSUPP); // built without the binding
  const res = await b.syncfs(fd);
  if (res !== 0) throw errnoError('syncfs', what, res);
}
