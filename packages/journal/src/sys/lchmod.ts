/**
 * chmod of a path itself, never through a final symlink: Linux's chmod(2)
 * follows one, and fchmodat(2) has no working AT_SYMLINK_NOFOLLOW before
 * 6.6 (fchmodat2). The entry is opened O_PATH | O_NOFOLLOW (no read
 * permission needed, a FIFO does not block), checked not to be a symlink,
 * and changed through `/proc/self/fd/N`, which leads to the opened inode
 * and no other (glibc's own fallback for lchmod). A symlink is left as it
 * is: Linux keeps no mode for one.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

/** O_PATH on Linux (not in Node's fs.constants). */
export const O_PATH = 0o10000000;

export function lchmodSync(p: string, mode: number): void {
  const fd = fs.openSync(p, O_PATH | fs.constants.O_NOFOLLOW);
  try {
    if (fs.fstatSync(fd).isSymbolicLink()) return;
    fs.chmodSync(`/proc/self/fd/${fd}`, mode);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.path?.startsWith('/proc/self/fd/')) {
      e.message = e.message.replace(e.path, p);
      e.path = p;
    }
    throw err;
  } finally {
    fs.closeSync(fd);
  }
}

/** lchmodSync's work through the thread pool. */
export async function lchmod(p: string, mode: number): Promise<void> {
  const fh = await fsp.open(p, O_PATH | fs.constants.O_NOFOLLOW);
  try {
    if (!(await fh.stat()).isSymbolicLink()) await fsp.chmod(`/proc/self/fd/${fh.fd}`, mode);
  } finally {
    await fh.close();
  }
}
