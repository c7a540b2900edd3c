/**
 * One path of a tree as a flat entry: what a checkpoint lists, what the
 * tree writer writes (restore and bootstrap), and what a snapshot carries
 * over the stream. Entries come parents first, and a file's second and
 * later names are hard links to its first.
 *
 * One shape in memory; conversions only where bytes are fixed: the
 * checkpoint file keeps times as `[sec, nsec]` (history/checkpoint.ts), the
 * stream as protobuf Timespec messages (wire/protocol.ts). The two users
 * differ in one field, named by the type parameter: a checkpoint's file
 * names its blocks, a snapshot's file says how many blocks follow it.
 * Nothing here checks an entry: readers check at their boundary.
 */

/** Seconds since the epoch and nanoseconds within the second, as in a record. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** Owner and times: what every entry but a hard link has. */
export interface Ownership {
  uid: number;
  gid: number;
  atime: Timespec;
  mtime: Timespec;
}

/** Permission bits (07777), owner and times. */
export interface EntryAttrs extends Ownership {
  mode: number;
}

export interface DirEntry extends EntryAttrs {
  type: 'dir';
  path: string;
}

/** A regular file; `B` is how its content is named (BlockNames or BlockCount). */
export interface FileEntry<B> extends EntryAttrs {
  type: 'file';
  path: string;
  size: number;
  blocks: B;
}

export interface SymlinkEntry extends Ownership {
  type: 'symlink';
  path: string;
  target: string;
  /** Kept by checkpoints (always there); the stream does not carry it (Linux ignores it). */
  mode?: number;
}

/** Another name of the file entry at `linkTo`, which came before it. */
export interface HardlinkEntry {
  type: 'hardlink';
  path: string;
  linkTo: string;
}

export type TreeEntry<B> = DirEntry | FileEntry<B> | SymlinkEntry | HardlinkEntry;

/** A checkpoint's file content: one store name per block, `null` for a block of zeros. */
export type BlockNames = (string | null)[];

/** A snapshot's file content: how many blocks follow the entry (holes are not sent). */
export type BlockCount = number;

/** The attributes of `a` alone (no path, type or other fields). */
export function attrsOf(a: EntryAttrs): EntryAttrs {
  return { mode: a.mode, uid: a.uid, gid: a.gid, atime: a.atime, mtime: a.mtime };
}

/** A checkpoint entry as a snapshot sends it: the block count for the names. */
export function withBlockCount(e: TreeEntry<BlockNames>): TreeEntry<BlockCount> {
  if (e.type !== 'file') return e;
  return { ...e, blocks: e.blocks.filter((b) => b !== null).length };
}
