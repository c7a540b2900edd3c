/**
 * Extended attributes of a path, by l*xattr(2): a final symlink is never
 * followed (the attribute, or the error, is the symlink's own). Node has no
 * xattr calls; these come with the FUSE binding (`fuse_native.ts`), so a
 * build without it has none: `xattrsAvailable()` says which, and the calls
 * then answer -ENOTSUP.
 *
 * Errors are negative errno numbers, as the system call gave them (callers
 * decide which are fine: a missing attribute is ENODATA); `xattrError` turns
 * one into a thrown Error with its `code`. Not guaranteed: what a file
 * system accepts (names outside `user.` usually need privileges; some file
 * systems have no xattrs at all and answer ENOTSUP).
 */
import { constants as osc } from 'node:os';
import { fuseBinding } from './fuse_native.js';
import { errnoError } from './errno_error.js';

const ENOTSUP = -osc.errno.ENOTSUP;

/** Whether this build has xattr calls (the FUSE binding loads). */
export function xattrsAvailable(): boolean {
  return fuseBinding() !== undefined;
}

/** lgetxattr(2): the value of `name`, or -errno (-ENODATA: no such attribute). */
export function getXattr(path: string, name: string): Buffer | number {
  return fuseBinding()?.xattrGet(path, name) ?? ENOTSUP;
}

/** lsetxattr(2): 0 or -errno. `flags`: XATTR_CREATE (1) / XATTR_REPLACE (2), or 0. */
export function setXattr(path: string, name: string, value: Buffer, flags = 0): number {
  return fuseBinding()?.xattrSet(path, name, value, flags) ?? ENOTSUP;
}

/** lremovexattr(2): 0 or -errno (-ENODATA: there was none). */
export function removeXattr(path: string, name: string): number {
  return fuseBinding()?.xattrRemove(path, name) ?? ENOTSUP;
}

/** llistxattr(2): the attribute names (decoded as UTF-8), or -errno. */
export function listXattrs(path: string): string[] | number {
  const res = fuseBinding()?.xattrList(path) ?? ENOTSUP;
  if (typeof res === 'number') return res;
  return res
    .toString()
    .split('\0')
    .filter((n) => n !== '');
}

/**
 * The Error for a failed xattr call: message `<syscall> <name>: <CODE>`,
 * `code` the errno's name (EIO when unknown), `errno` the negative number.
 */
export function xattrError(
  syscall: string,
  name: string,
  res: number,
): Error & { code: string; errno: number } {
  return errnoError(syscall, `${syscall} ${name}`, res);
}
