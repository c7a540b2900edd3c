/**
 * The tree writer (tree/writer.ts) shared by restore and bootstrap: what it
 * refuses (paths outside the rules, a parent it did not create, a hard link
 * to anything but a file it finished, a name twice) and what it keeps
 * (content with holes, modes, times, directory mtimes set deepest last).
 */
import { lstat, mkdtemp, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  TreeWriter,
  type DirEntry,
  type FileEntry,
  type WriteRefusal,
} from '@fsjournal/journal/internal';

const T = { sec: 1_700_000_000, nsec: 123_456_789 };
const owner = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, atime: T, mtime: T };
const dir = (path: string): DirEntry => ({ type: 'dir', path, mode: 0o750, ...owner });
const file = (path: string, size: number): FileEntry<number> => ({
  type: 'file',
  path,
  mode: 0o640,
  ...owner,
  size,
  blocks: 1,
});

class Refused extends Error {
  constructor(readonly r: WriteRefusal) {
    super(r.why);
  }
}

let target: string;
let w: TreeWriter;
beforeEach(async () => {
  target = await mkdtemp(join(tmpdir(), 'fsj-writer-'));
  w = new TreeWriter(target, { fsync: true, refuse: (r) => new Refused(r) });
});
afterEach(async () => {
  await rm(target, { recursive: true, force: true });
});

async function refusal(p: Promise<unknown>): Promise<WriteRefusal> {
  try {
    await p;
  } catch (err) {
    if (err instanceof Refused) return err.r;
    throw err;
  }
  throw new Error('not refused');
}

describe('refuses', () => {
  it.for([
    ['a .. component', '../outside', 'path'],
    ['an absolute path', '/etc/x', 'path'],
    ['an empty path', '', 'path'],
    ['a parent it did not create', 'nowhere/x', 'parent'],
  ] as const)('%s', async ([, path, why]) => {
    expect((await refusal(w.dir(dir(path)))).why).toBe(why);
    expect((await refusal(w.file(file(path, 1)))).why).toBe(why);
  });

  it('a hard link to a file not finished, or to a directory', async () => {
    await w.dir(dir('d'));
    const sink = await w.file(file('f', 3));
    const early = await refusal(w.hardlink({ type: 'hardlink', path: 'l', linkTo: 'f' }));
    expect(early).toEqual({ why: 'link', path: 'l', linkTo: 'f' });
    await sink.close();
    const toDir = await refusal(w.hardlink({ type: 'hardlink', path: 'l', linkTo: 'd' }));
    expect(toDir.why).toBe('link');
    await w.hardlink({ type: 'hardlink', path: 'l', linkTo: 'f' });
    expect((await lstat(join(target, 'l'))).nlink).toBe(2);
  });

  it('a name written twice', async () => {
    await w.dir(dir('d'));
    expect(await refusal(w.dir(dir('d')))).toEqual({ why: 'exists', path: 'd' });
    await w.symlink({ type: 'symlink', path: 's', target: 'd', ...owner });
    expect((await refusal(w.file(file('s', 1)))).why).toBe('exists');
  });
});

describe('writes', () => {
  it('content with a hole and a tail of zeros, mode and times', async () => {
    const sink = await w.file(file('f', 10));
    expect(await sink.write(Buffer.from('abcdef'), 2)).toBe(6);
    // Cut at the size.
    expect(await sink.write(Buffer.from('xyz'), 9)).toBe(1);
    await sink.close();
    const data = await readFile(join(target, 'f'));
    expect(data).toEqual(Buffer.from('\0\0abcdef\0x', 'latin1'));
    const st = await lstat(join(target, 'f'), { bigint: true });
    expect(st.mode & 0o7777n).toBe(0o640n);
    expect(st.mtimeNs).toBe(1_700_000_000_123_456_000n);
  });

  it('directory attributes in finish, deepest last, the root when known', async () => {
    await w.dir(dir('a'));
    await w.dir(dir('a/b'));
    const sink = await w.file(file('a/b/f', 0));
    await sink.close();
    await w.symlink({ type: 'symlink', path: 'a/s', target: '../x', ...owner });
    await w.finish({ mode: 0o711, ...owner });
    for (const p of ['a', 'a/b', '']) {
      const st = await lstat(join(target, p), { bigint: true });
      expect(st.mtimeNs, p).toBe(1_700_000_000_123_456_000n);
      expect(Number(st.mode & 0o7777n), p).toBe(p === '' ? 0o711 : 0o750);
    }
    expect(await readlink(join(target, 'a/s'))).toBe('../x');
    expect((await lstat(join(target, 'a/s'), { bigint: true })).mtimeNs).toBe(
      1_700_000_000_123_456_000n,
    );
  });
});
