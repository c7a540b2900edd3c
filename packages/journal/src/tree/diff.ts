/**
 * Compares two directory trees path by path: type, content (streamed in
 * blocks, never whole files in memory), permission bits, symlink target,
 * mtime (to the millisecond, what every applier can set), and optionally
 * owner. The root folders' own attributes are compared too, except their
 * names. Used by `fsjournal verify` and by tests.
 */
import { lstat, open, opendir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeDifference {
  path: string;
  what:
    'missing-in-a' | 'missing-in-b' | 'type' | 'content' | 'mode' | 'target' | 'mtime' | 'owner';
  a?: string;
  b?: string;
}

export interface CompareOptions {
  /** Compare mtimes (default true). Directory mtimes are compared too. */
  mtime?: boolean;
  /** Compare uid/gid (default false). */
  owner?: boolean;
  /** Relative paths to leave out, with everything under them. */
  skip?: (path: string) => boolean;
}

async function listDir(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const d of await opendir(dir)) names.push(d.name);
  return names.sort();
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const [fa, fb] = await Promise.all([open(a, 'r'), open(b, 'r')]);
  try {
    const ba = Buffer.alloc(256 * 1024);
    const bb = Buffer.alloc(256 * 1024);
    for (let pos = 0; ;) {
      const [ra, rb] = await Promise.all([
        fa.read(ba, 0, ba.length, pos),
        fb.read(bb, 0, bb.length, pos),
      ]);
      if (ra.bytesRead !== rb.bytesRead) return false;
      if (ra.bytesRead === 0) return true;
      if (!ba.subarray(0, ra.bytesRead).equals(bb.subarray(0, rb.bytesRead))) return false;
      pos += ra.bytesRead;
    }
  } finally {
    await Promise.all([fa.close(), fb.close()]);
  }
}

function typeOf(st: {
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}): string {
  return st.isFile()
    ? 'file'
    : st.isDirectory()
      ? 'dir'
      : st.isSymbolicLink()
        ? 'symlink'
        : 'other';
}

/** Every difference between trees `a` and `b`; empty when they are identical. */
export async function compareTrees(
  a: string,
  b: string,
  options: CompareOptions = {},
): Promise<TreeDifference[]> {
  const diffs: TreeDifference[] = [];
  const checkMtime = options.mtime ?? true;
  const visit = async (rel: string): Promise<void> => {
    if (rel !== '' && options.skip?.(rel)) return;
    const pa = join(a, rel);
    const pb = join(b, rel);
    const [sa, sb] = await Promise.all([
      lstat(pa, { bigint: true }).catch(() => undefined),
      lstat(pb, { bigint: true }).catch(() => undefined),
    ]);
    if (!sa || !sb) {
      if (sa || sb) diffs.push({ path: rel, what: sa ? 'missing-in-b' : 'missing-in-a' });
      return;
    }
    const [ta, tb] = [typeOf(sa), typeOf(sb)];
    if (ta !== tb) {
      diffs.push({ path: rel, what: 'type', a: ta, b: tb });
      return;
    }
    if (ta === 'file' && (sa.size !== sb.size || !(await sameContent(pa, pb)))) {
      diffs.push({ path: rel, what: 'content', a: `${sa.size} bytes`, b: `${sb.size} bytes` });
    }
    if (ta === 'symlink') {
      const [la, lb] = await Promise.all([readlink(pa), readlink(pb)]);
      if (la !== lb) diffs.push({ path: rel, what: 'target', a: la, b: lb });
    } else if ((sa.mode & 0o7777n) !== (sb.mode & 0o7777n)) {
      diffs.push({
        path: rel,
        what: 'mode',
        a: (sa.mode & 0o7777n).toString(8),
        b: (sb.mode & 0o7777n).toString(8),
      });
    }
    if (options.owner && (sa.uid !== sb.uid || sa.gid !== sb.gid)) {
      diffs.push({ path: rel, what: 'owner', a: `${sa.uid}:${sa.gid}`, b: `${sb.uid}:${sb.gid}` });
    }
    if (ta === 'dir') {
      const [na, nb] = await Promise.all([listDir(pa), listDir(pb)]);
      for (const name of [...new Set([...na, ...nb])].sort())
        await visit(rel === '' ? name : `${rel}/${name}`);
    }
    // Compared after the children: visiting them must not be what moved a time.
    // Whole milliseconds from the exact nanoseconds: mtimeMs is a double,
    // and rounding can carry x.999999 ms up into the next millisecond.
    const [ma, mb] = [sa.mtimeNs / 1_000_000n, sb.mtimeNs / 1_000_000n];
    if (checkMtime && rel !== '' && ma !== mb) {
      diffs.push({
        path: rel,
        what: 'mtime',
        a: new Date(Number(ma)).toISOString(),
        b: new Date(Number(mb)).toISOString(),
      });
    }
  };
  await visit('');
  return diffs;
}
