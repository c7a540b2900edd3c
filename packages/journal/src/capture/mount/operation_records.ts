/**
 * What to journal for a modifying operation done on `source`: a pure
 * function from the operation, its arguments and what the stat calls after
 * it found, to records. Nothing here touches a disk; `dispatch.ts` does the
 * operation and the stats, then asks for its records.
 *
 * Each change carries the times it left behind: a UTIMES for the changed
 * file after WRITE and TRUNCATE, and for the parent folder(s) after a name
 * is added or removed, so a replica's times match the source's. Not here:
 * the caller's `cred` (set on every record by the dispatch) and what a
 * failed journal lost (`rejournal.ts`).
 */
import type { BigIntStats } from 'node:fs';
import { MAX_WRITE_DATA, RecordKind, type RecordInput } from '../../record/record.js';
import { parentOf } from '../../record/path_rules.js';

/**
 * A modifying operation as done on source. Paths are journal paths (`a/b`,
 * the root `""`); `st` is the entry's lstat (fstat for an open file) after
 * the operation, `dir` its parent folder's lstat after it.
 */
export type Operation =
  | {
      op: 'write';
      path: string;
      offset: number;
      data: Buffer;
      st: BigIntStats;
      /** The LSN the first record will get (the id of a transaction, when split). */
      nextLsn: number;
    }
  | { op: 'truncate'; path: string; size: number; st: BigIntStats }
  | { op: 'create'; path: string; st: BigIntStats; dir: BigIntStats }
  | { op: 'mkdir'; path: string; st: BigIntStats; dir: BigIntStats }
  | { op: 'symlink'; path: string; target: string; st: BigIntStats; dir: BigIntStats }
  | { op: 'unlink'; path: string; dir: BigIntStats }
  | { op: 'rmdir'; path: string; dir: BigIntStats }
  | {
      op: 'rename';
      path: string;
      to: string;
      /** The old parent. */
      dir: BigIntStats;
      /** Present when `to` is in another folder: the new parent. */
      toDir?: BigIntStats;
      /** Present when `to` is in another folder: the moved entry. */
      moved?: BigIntStats;
    }
  | {
      op: 'link';
      path: string;
      to: string;
      /** The new name's lstat. */
      st: BigIntStats;
      /** Present when the linked entry is a symlink: its target. */
      target?: string;
      /** The new name's parent. */
      dir: BigIntStats;
    }
  | { op: 'chmod'; path: string; mode: number }
  | {
      op: 'chown';
      path: string;
      uid: number;
      gid: number;
      before: BigIntStats;
      after: BigIntStats;
      /** The entry's other names when it is a symlink with hard links. */
      others: string[];
    }
  | {
      op: 'utimens';
      path: string;
      st: BigIntStats;
      /** The entry's other names when it is a symlink with hard links. */
      others: string[];
    }
  | { op: 'setxattr'; path: string; name: string; value: Buffer }
  | { op: 'removexattr'; path: string; name: string };

/** The records that say what `o` did, in the order to journal them. Pure. */
export function operationRecords(o: Operation): RecordInput[] {
  switch (o.op) {
    case 'write':
      return writeRecords(o.nextLsn, o.path, o.offset, o.data, o.st);
    case 'truncate':
      return [
        { kind: RecordKind.RECORD_KIND_TRUNCATE, path: o.path, size: o.size },
        utimesRecord(o.path, o.st),
      ];
    case 'create':
      return [
        {
          kind: RecordKind.RECORD_KIND_CREATE,
          path: o.path,
          mode: Number(o.st.mode) & 0o7777,
          uid: Number(o.st.uid),
          gid: Number(o.st.gid),
          mtime: timespec(o.st.mtimeNs),
        },
        utimesRecord(o.path, o.st),
        utimesRecord(parentOf(o.path), o.dir),
      ];
    case 'mkdir':
    case 'symlink': {
      const rec: RecordInput = {
        kind: o.op === 'mkdir' ? RecordKind.RECORD_KIND_MKDIR : RecordKind.RECORD_KIND_SYMLINK,
        path: o.path,
        uid: Number(o.st.uid),
        gid: Number(o.st.gid),
        mtime: timespec(o.st.mtimeNs),
        atime: timespec(o.st.atimeNs),
      };
      if (o.op === 'mkdir') rec.mode = Number(o.st.mode) & 0o7777;
      else rec.target = o.target;
      return [rec, utimesRecord(parentOf(o.path), o.dir)];
    }
    case 'unlink':
      return [
        { kind: RecordKind.RECORD_KIND_UNLINK, path: o.path },
        utimesRecord(parentOf(o.path), o.dir),
      ];
    case 'rmdir':
      return [
        { kind: RecordKind.RECORD_KIND_RMDIR, path: o.path },
        utimesRecord(parentOf(o.path), o.dir),
      ];
    case 'rename': {
      const records: RecordInput[] = [
        { kind: RecordKind.RECORD_KIND_RENAME, path: o.path, path2: o.to },
        utimesRecord(parentOf(o.path), o.dir),
      ];
      if (o.toDir) records.push(utimesRecord(parentOf(o.to), o.toDir));
      // A moved folder's ".." changed: some file systems move its times too.
      if (o.moved?.isDirectory()) records.push(utimesRecord(o.to, o.moved));
      return records;
    }
    case 'link': {
      // Appliers refuse a LINK of a symlink (link(2) follows it on some
      // systems): a second name of a symlink is journaled as a symlink of
      // its own with the same target, owner and times.
      const linked: RecordInput =
        o.target !== undefined
          ? {
              kind: RecordKind.RECORD_KIND_SYMLINK,
              path: o.to,
              target: o.target,
              uid: Number(o.st.uid),
              gid: Number(o.st.gid),
              mtime: timespec(o.st.mtimeNs),
              atime: timespec(o.st.atimeNs),
            }
          : { kind: RecordKind.RECORD_KIND_LINK, path: o.path, path2: o.to };
      return [linked, utimesRecord(parentOf(o.to), o.dir)];
    }
    case 'chmod':
      return [{ kind: RecordKind.RECORD_KIND_CHMOD, path: o.path, mode: o.mode }];
    case 'chown': {
      const { uid, gid } = o;
      const records: RecordInput[] = [
        { kind: RecordKind.RECORD_KIND_CHOWN, path: o.path, uid, gid },
      ];
      // A symlink with other names: journaled as separate symlinks (LINK), so each gets the change.
      for (const other of o.others) {
        records.push({ kind: RecordKind.RECORD_KIND_CHOWN, path: other, uid, gid });
      }
      // chown clears set-user-ID and set-group-ID bits: journal what is left.
      if (o.after.mode !== o.before.mode && !o.after.isSymbolicLink()) {
        records.push({
          kind: RecordKind.RECORD_KIND_CHMOD,
          path: o.path,
          mode: Number(o.after.mode) & 0o7777,
        });
      }
      return records;
    }
    case 'utimens':
      return [o.path, ...o.others].map((r) => utimesRecord(r, o.st));
    case 'setxattr':
      return [
        {
          kind: RecordKind.RECORD_KIND_SETXATTR,
          path: o.path,
          xattrName: o.name,
          xattrValue: o.value,
        },
      ];
    case 'removexattr':
      return [
        {
          kind: RecordKind.RECORD_KIND_SETXATTR,
          path: o.path,
          xattrName: o.name,
          xattrRemove: true,
        },
      ];
  }
}

/**
 * WRITE records for `data` written at `offset`, then the file's times: one
 * WRITE when it fits in MAX_WRITE_DATA, else a transaction (its id is the
 * LSN its TXN_BEGIN will get, `nextLsn`). Pure.
 */
export function writeRecords(
  nextLsn: number,
  path: string,
  offset: number,
  data: Buffer,
  st: BigIntStats,
): RecordInput[] {
  if (data.length <= MAX_WRITE_DATA) {
    return [{ kind: RecordKind.RECORD_KIND_WRITE, path, offset, data }, utimesRecord(path, st)];
  }
  const txn = nextLsn;
  const out: RecordInput[] = [{ kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn }];
  for (let at = 0; at < data.length; at += MAX_WRITE_DATA) {
    out.push({
      kind: RecordKind.RECORD_KIND_WRITE,
      path,
      offset: offset + at,
      data: data.subarray(at, Math.min(data.length, at + MAX_WRITE_DATA)),
      txn,
    });
  }
  out.push({ ...utimesRecord(path, st), txn }, { kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn });
  return out;
}

function timespec(ns: bigint): { sec: number; nsec: number } {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/** UTIMES for a path from its stat. */
function utimesRecord(path: string, st: BigIntStats): RecordInput {
  return {
    kind: RecordKind.RECORD_KIND_UTIMES,
    path,
    atime: timespec(st.atimeNs),
    mtime: timespec(st.mtimeNs),
  };
}
