/**
 * What mount mode journals for each modifying operation, by table: one row
 * per operation (and per case that changes what is journaled), the records
 * in full. Pure: the stats are made up, nothing is mounted.
 */
import type { BigIntStats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_WRITE_DATA, RecordKind, type RecordInput } from '@fsjournal/journal';
import { operationRecords, type Operation } from '@fsjournal/journal/internal';

const K = RecordKind;

/** A made-up lstat: times from `sec` (atime sec.1, mtime sec.2), a type, a mode, an owner. */
function stat(
  sec: number,
  type: 'file' | 'dir' | 'symlink' = 'file',
  mode = 0o644,
  owner = { uid: 1000, gid: 100 },
): BigIntStats {
  const typeBits = { file: 0o100000, dir: 0o040000, symlink: 0o120000 }[type];
  return {
    atimeNs: BigInt(sec) * 1_000_000_000n + 1n,
    mtimeNs: BigInt(sec) * 1_000_000_000n + 2n,
    mode: BigInt(typeBits | mode),
    uid: BigInt(owner.uid),
    gid: BigInt(owner.gid),
    isDirectory: () => type === 'dir',
    isSymbolicLink: () => type === 'symlink',
  } as BigIntStats;
}

/** The UTIMES a stat made by `stat(sec)` gives. */
function times(path: string, sec: number): RecordInput {
  return {
    kind: K.RECORD_KIND_UTIMES,
    path,
    atime: { sec, nsec: 1 },
    mtime: { sec, nsec: 2 },
  };
}

const file = stat(10);
const dir = stat(20, 'dir', 0o755);
const toDir = stat(30, 'dir', 0o755);
const data = Buffer.from('hello');
const value = Buffer.from([0, 1, 255]);

const rows: { name: string; op: Operation; want: RecordInput[] }[] = [
  {
    name: 'write at an offset: WRITE, then the file times',
    op: { op: 'write', path: 'd/f', offset: 4096, data, st: file, nextLsn: 7 },
    want: [{ kind: K.RECORD_KIND_WRITE, path: 'd/f', offset: 4096, data }, times('d/f', 10)],
  },
  {
    name: 'truncate: TRUNCATE, then the file times',
    op: { op: 'truncate', path: 'f', size: 3, st: file },
    want: [{ kind: K.RECORD_KIND_TRUNCATE, path: 'f', size: 3 }, times('f', 10)],
  },
  {
    name: 'create: CREATE with mode, owner and mtime, the file times, the folder times',
    op: { op: 'create', path: 'd/f', st: stat(10, 'file', 0o4640), dir },
    want: [
      {
        kind: K.RECORD_KIND_CREATE,
        path: 'd/f',
        mode: 0o4640,
        uid: 1000,
        gid: 100,
        mtime: { sec: 10, nsec: 2 },
      },
      times('d/f', 10),
      times('d', 20),
    ],
  },
  {
    name: 'mkdir: MKDIR with mode, owner and times, then the parent times',
    op: { op: 'mkdir', path: 'd/e', st: stat(10, 'dir', 0o2750), dir },
    want: [
      {
        kind: K.RECORD_KIND_MKDIR,
        path: 'd/e',
        mode: 0o2750,
        uid: 1000,
        gid: 100,
        mtime: { sec: 10, nsec: 2 },
        atime: { sec: 10, nsec: 1 },
      },
      times('d', 20),
    ],
  },
  {
    name: 'symlink: SYMLINK with target, owner and times (no mode), then the parent times',
    op: { op: 'symlink', path: 'l', target: '../x', st: stat(10, 'symlink', 0o777), dir },
    want: [
      {
        kind: K.RECORD_KIND_SYMLINK,
        path: 'l',
        target: '../x',
        uid: 1000,
        gid: 100,
        mtime: { sec: 10, nsec: 2 },
        atime: { sec: 10, nsec: 1 },
      },
      times('', 20),
    ],
  },
  {
    name: 'unlink: UNLINK, then the parent times',
    op: { op: 'unlink', path: 'd/f', dir },
    want: [{ kind: K.RECORD_KIND_UNLINK, path: 'd/f' }, times('d', 20)],
  },
  {
    name: 'rmdir: RMDIR, then the parent times',
    op: { op: 'rmdir', path: 'd/e', dir },
    want: [{ kind: K.RECORD_KIND_RMDIR, path: 'd/e' }, times('d', 20)],
  },
  {
    name: 'rename within a folder: RENAME, then the folder times once',
    op: { op: 'rename', path: 'd/a', to: 'd/b', dir },
    want: [{ kind: K.RECORD_KIND_RENAME, path: 'd/a', path2: 'd/b' }, times('d', 20)],
  },
  {
    name: 'rename of a file to another folder: RENAME, the old then the new parent times',
    op: { op: 'rename', path: 'd/a', to: 'e/a', dir, toDir, moved: file },
    want: [
      { kind: K.RECORD_KIND_RENAME, path: 'd/a', path2: 'e/a' },
      times('d', 20),
      times('e', 30),
    ],
  },
  {
    name: 'rename of a folder to another folder: and the moved folder times (its ".." changed)',
    op: { op: 'rename', path: 'd/sub', to: 'sub', dir, toDir, moved: stat(40, 'dir') },
    want: [
      { kind: K.RECORD_KIND_RENAME, path: 'd/sub', path2: 'sub' },
      times('d', 20),
      times('', 30),
      times('sub', 40),
    ],
  },
  {
    name: 'link of a file: LINK, then the new parent times',
    op: { op: 'link', path: 'a', to: 'd/b', st: file, dir },
    want: [{ kind: K.RECORD_KIND_LINK, path: 'a', path2: 'd/b' }, times('d', 20)],
  },
  {
    name: 'link of a symlink: a SYMLINK of its own, same target, owner and times',
    op: { op: 'link', path: 'l', to: 'd/l2', st: stat(10, 'symlink'), target: 'x', dir },
    want: [
      {
        kind: K.RECORD_KIND_SYMLINK,
        path: 'd/l2',
        target: 'x',
        uid: 1000,
        gid: 100,
        mtime: { sec: 10, nsec: 2 },
        atime: { sec: 10, nsec: 1 },
      },
      times('d', 20),
    ],
  },
  {
    name: 'chmod: CHMOD, nothing else',
    op: { op: 'chmod', path: 'f', mode: 0o600 },
    want: [{ kind: K.RECORD_KIND_CHMOD, path: 'f', mode: 0o600 }],
  },
  {
    name: 'chown that keeps the mode: CHOWN only',
    op: { op: 'chown', path: 'f', uid: 0, gid: 0, before: file, after: file, others: [] },
    want: [{ kind: K.RECORD_KIND_CHOWN, path: 'f', uid: 0, gid: 0 }],
  },
  {
    name: 'chown that clears set-user-ID: CHOWN, then CHMOD with what is left',
    op: {
      op: 'chown',
      path: 'f',
      uid: 5,
      gid: 6,
      before: stat(10, 'file', 0o4755),
      after: stat(10, 'file', 0o755),
      others: [],
    },
    want: [
      { kind: K.RECORD_KIND_CHOWN, path: 'f', uid: 5, gid: 6 },
      { kind: K.RECORD_KIND_CHMOD, path: 'f', mode: 0o755 },
    ],
  },
  {
    name: 'chown of a symlink with other names: a CHOWN for each name, no CHMOD',
    op: {
      op: 'chown',
      path: 'l',
      uid: 5,
      gid: 6,
      before: stat(10, 'symlink', 0o777),
      after: stat(10, 'symlink', 0o755),
      others: ['d/l2'],
    },
    want: [
      { kind: K.RECORD_KIND_CHOWN, path: 'l', uid: 5, gid: 6 },
      { kind: K.RECORD_KIND_CHOWN, path: 'd/l2', uid: 5, gid: 6 },
    ],
  },
  {
    name: 'utimens: UTIMES with the times after',
    op: { op: 'utimens', path: 'f', st: file, others: [] },
    want: [times('f', 10)],
  },
  {
    name: 'utimens of a symlink with other names: UTIMES for each name',
    op: { op: 'utimens', path: 'l', st: stat(10, 'symlink'), others: ['d/l2'] },
    want: [times('l', 10), times('d/l2', 10)],
  },
  {
    name: 'setxattr: SETXATTR with name and value',
    op: { op: 'setxattr', path: 'f', name: 'user.color', value },
    want: [{ kind: K.RECORD_KIND_SETXATTR, path: 'f', xattrName: 'user.color', xattrValue: value }],
  },
  {
    name: 'removexattr: SETXATTR that removes',
    op: { op: 'removexattr', path: 'f', name: 'user.color' },
    want: [{ kind: K.RECORD_KIND_SETXATTR, path: 'f', xattrName: 'user.color', xattrRemove: true }],
  },
];

describe('operationRecords', () => {
  it.each(rows)('$name', ({ op, want }) => {
    expect(operationRecords(op)).toEqual(want);
  });

  it('has a row for every operation', () => {
    // A Record over Operation['op']: a new operation fails to compile until listed here.
    const every: Record<Operation['op'], true> = {
      write: true,
      truncate: true,
      create: true,
      mkdir: true,
      symlink: true,
      unlink: true,
      rmdir: true,
      rename: true,
      link: true,
      chmod: true,
      chown: true,
      utimens: true,
      setxattr: true,
      removexattr: true,
    };
    expect(new Set(rows.map((r) => r.op.op))).toEqual(new Set(Object.keys(every)));
  });

  it('a write over MAX_WRITE_DATA is a transaction whose id is nextLsn', () => {
    const big = Buffer.alloc(MAX_WRITE_DATA + 1);
    const out = operationRecords({
      op: 'write',
      path: 'f',
      offset: 0,
      data: big,
      st: file,
      nextLsn: 42,
    });
    expect(out[0]).toEqual({ kind: K.RECORD_KIND_TXN_BEGIN, txn: 42 });
    expect(out.at(-1)).toEqual({ kind: K.RECORD_KIND_TXN_COMMIT, txn: 42 });
  });
});
