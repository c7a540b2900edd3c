/**
 * The other names of a file in `source`, for the two cases where the name a
 * request came with is not enough: a write through a handle whose own name
 * was unlinked (libfuse gives no path, the file may live on under a hard
 * link), and a symlink with hard links (journaled as separate symlinks, so
 * a change to one is journaled for each name).
 *
 * Found by walking the tree, which is slow on a big tree; both cases are
 * rare. Not guaranteed: a name made or removed during the walk may be
 * missed or reported.
 */
import fs, { type BigIntStats } from 'node:fs';
import { join } from 'node:path';

/** Names of inodes under one source folder. */
export class InodeNames {
  /** dev:ino -> a path, for hard-linked files (see nameOfOpen). */
  private readonly names = new Map<string, string>();

  constructor(private readonly source: string) {}

  /**
   * A name under which the open file `fd` is still in the tree, for a file
   * whose own name was unlinked while open (libfuse then gives no path): none
   * when no link is left. Cached per inode, checked before use; else found by
   * walking the tree (rare: a hard-linked file unlinked while written).
   */
  nameOfOpen(fd: number): string | null {
    const st = fs.fstatSync(fd, { bigint: true });
    if (st.nlink === 0n || !st.isFile()) return null;
    const key = `${st.dev}:${st.ino}`;
    const cached = this.names.get(key);
    const same = (rel: string): boolean => {
      try {
        const there = fs.lstatSync(join(this.source, rel), { bigint: true });
        return there.ino === st.ino && there.dev === st.dev;
      } catch {
        return false;
      }
    };
    if (cached !== undefined && same(cached)) return cached;
    const found = findInode(this.source, st.dev, st.ino);
    if (found !== null) this.names.set(key, found);
    else this.names.delete(key);
    return found;
  }

  /**
   * The other names of a symlink that has more than one (a hard link to a
   * symlink, journaled as a separate SYMLINK): found by walking the tree.
   * None for anything but a symlink.
   */
  otherSymlinkNames(rel: string, st: BigIntStats): string[] {
    if (!st.isSymbolicLink() || st.nlink <= 1n) return [];
    return findInodes(this.source, st.dev, st.ino).filter((r) => r !== rel);
  }
}

/** The journal path of a regular file with this identity under `root`, or null. Walks the tree. */
function findInode(root: string, dev: bigint, ino: bigint): string | null {
  return findInodes(root, dev, ino, true)[0] ?? null;
}

/** Every journal path of the file or symlink with this identity under `root` (all, or the first). Walks the tree. */
function findInodes(root: string, dev: bigint, ino: bigint, firstOnly = false): string[] {
  const found: string[] = [];
  const queue = [''];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) queue.push(rel);
      else if (e.isFile() || e.isSymbolicLink()) {
        try {
          const st = fs.lstatSync(join(root, rel), { bigint: true });
          if (st.ino === ino && st.dev === dev) {
            found.push(rel);
            if (firstOnly) return found;
          }
        } catch {
          // Gone meanwhile.
        }
      }
    }
  }
  return found;
}
