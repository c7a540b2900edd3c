/**
 * A directory tree held in memory, built by applying journal records: what
 * a checkpoint is made from. File content lives in the content store as
 * blocks of `blockBytes`; blocks changed since the last `flush` are held in
 * memory (bounded by the caller flushing when `dirtyBytes` grows).
 *
 * Records mean here exactly what they mean to TreeApplier (the replay onto
 * a real folder): a change to a child leaves its directory's mtime alone
 * (the source's new mtime arrives as its own UTIMES), content and attribute
 * records for a missing path are skipped, and a record that cannot apply
 * (a parent that is not a directory, a write to a directory) is refused.
 * The restore tests check that both give the same tree.
 */
import type { BlockStore } from '../history/content_store.js';
import { JournalError } from '../errors.js';
import {
  attrsOf,
  type BlockNames,
  type EntryAttrs,
  type Timespec,
  type TreeEntry,
} from './entry.js';
import { kindName, RecordKind, type JournalEntry } from '../record/record.js';
import { allZeros } from './zeros.js';

export interface FileNode extends EntryAttrs {
  type: 'file';
  size: number;
  /** Block names in the store, `null` for a block of zeros (a hole). */
  blocks: BlockNames;
  /** Blocks changed since the last flush; bytes past a buffer's end (within size) are zeros. */
  dirty: Map<number, Buffer>;
}

export interface DirNode extends EntryAttrs {
  type: 'dir';
  children: Map<string, TreeNode>;
  /** The root's attributes are only known once a record sets them. */
  attrsKnown: boolean;
}

export interface SymlinkNode extends EntryAttrs {
  type: 'symlink';
  target: string;
}

export type TreeNode = FileNode | DirNode | SymlinkNode;

const ZERO_TIME: Timespec = { sec: 0, nsec: 0 };

function timespec(t: { sec?: number | null; nsec?: number | null } | null | undefined): Timespec {
  return { sec: Number(t?.sec ?? 0), nsec: t?.nsec ?? 0 };
}

function fromMicros(us: number): Timespec {
  return { sec: Math.floor(us / 1e6), nsec: (us % 1e6) * 1000 };
}

export function newDir(attrs: Partial<EntryAttrs> = {}, attrsKnown = true): DirNode {
  return {
    type: 'dir',
    children: new Map(),
    attrsKnown,
    mode: 0o755,
    uid: 0,
    gid: 0,
    atime: ZERO_TIME,
    mtime: ZERO_TIME,
    ...attrs,
  };
}

/**
 * Content and attribute kinds: skipped when their path is missing (a record
 * replayed after a crash, whose path a later record already moved or
 * removed; it comes right when that record is applied again).
 */
export const SKIPPED_WHEN_MISSING: ReadonlySet<number> = new Set<number>([
  RecordKind.RECORD_KIND_WRITE,
  RecordKind.RECORD_KIND_TRUNCATE,
  RecordKind.RECORD_KIND_CHMOD,
  RecordKind.RECORD_KIND_CHOWN,
  RecordKind.RECORD_KIND_UTIMES,
  RecordKind.RECORD_KIND_SETXATTR,
]);

export class TreeModel {
  readonly root: DirNode = newDir({}, false);
  /** Bytes held in dirty blocks. */
  dirtyBytes = 0;
  private readonly dirtyFiles = new Set<FileNode>();

  constructor(
    readonly store: BlockStore,
    readonly blockBytes: number,
  ) {}

  private refuse(entry: JournalEntry, why: string): never {
    throw new JournalError(
      'FSJ_ERR_CHECKPOINT_REPLAY',
      `lsn ${entry.lsn} ${kindName(entry.record.kind)}: ${why}`,
      { lsn: entry.lsn },
    );
  }

  /** The directory holding `path` and the last component, or undefined when a parent is missing. */
  private locate(path: string, entry?: JournalEntry): { dir: DirNode; name: string } | undefined {
    const parts = path.split('/');
    let dir = this.root;
    for (let i = 0; i < parts.length - 1; i++) {
      const next = dir.children.get(parts[i]!);
      if (!next) return undefined;
      if (next.type !== 'dir') {
        if (entry)
          this.refuse(entry, `parent ${parts.slice(0, i + 1).join('/')} is not a directory`);
        return undefined;
      }
      dir = next;
    }
    return { dir, name: parts[parts.length - 1]! };
  }

  get(path: string): TreeNode | undefined {
    if (path === '') return this.root;
    const at = this.locate(path);
    return at?.dir.children.get(at.name);
  }

  /** Puts `node` at `path` (parents must exist): used when loading a checkpoint. */
  put(path: string, node: TreeNode): boolean {
    const at = this.locate(path);
    if (!at || path === '') return false;
    at.dir.children.set(at.name, node);
    return true;
  }

  /** Applies one record outside a transaction (or one of a committed transaction). */
  async apply(entry: JournalEntry): Promise<void> {
    const r = entry.record;
    if (r.kind >= RecordKind.RECORD_KIND_TXN_BEGIN || r.kind === RecordKind.RECORD_KIND_SETXATTR) {
      return; // control records; extended attributes are not kept in checkpoints
    }
    if (r.path === '') {
      this.setAttrs(entry, this.root);
      this.root.attrsKnown = true;
      return;
    }
    const at = this.locate(r.path, entry);
    const existing = at?.dir.children.get(at.name);
    if (!existing && SKIPPED_WHEN_MISSING.has(r.kind)) return;
    if (!at) this.refuse(entry, 'parent directory is missing');
    const { dir, name } = at;
    const cred = { uid: r.uid ?? 0, gid: r.gid ?? 0 };
    const born = r.mtime ? timespec(r.mtime) : fromMicros(entry.timeUs);
    switch (r.kind) {
      case RecordKind.RECORD_KIND_CREATE:
        dir.children.set(name, {
          type: 'file',
          size: 0,
          blocks: [],
          dirty: new Map(),
          mode: r.mode || 0o644,
          ...cred,
          atime: born,
          mtime: born,
        });
        return;
      case RecordKind.RECORD_KIND_WRITE:
        if (existing?.type !== 'file') this.refuse(entry, 'not a regular file');
        // A content change leaves mtime at the record's time (as TreeApplier does).
        existing.mtime = fromMicros(entry.timeUs);
        return this.write(existing, Number(r.offset ?? 0), r.data);
      case RecordKind.RECORD_KIND_TRUNCATE:
        if (existing?.type !== 'file') this.refuse(entry, 'not a regular file');
        existing.mtime = fromMicros(entry.timeUs);
        return this.truncate(existing, Number(r.size ?? 0));
      case RecordKind.RECORD_KIND_UNLINK:
        if (!existing) return;
        if (existing.type === 'dir') this.refuse(entry, 'is a directory');
        dir.children.delete(name);
        return;
      case RecordKind.RECORD_KIND_MKDIR:
        if (existing?.type === 'dir') {
          existing.mode = r.mode;
          existing.uid = cred.uid;
          existing.gid = cred.gid;
          if (r.mtime) existing.atime = existing.mtime = born;
        } else {
          dir.children.set(name, newDir({ mode: r.mode, ...cred, atime: born, mtime: born }));
        }
        return;
      case RecordKind.RECORD_KIND_RMDIR:
        if (!existing) return;
        if (existing.type !== 'dir') this.refuse(entry, 'not a directory');
        if (existing.children.size > 0) this.refuse(entry, 'directory not empty');
        dir.children.delete(name);
        return;
      case RecordKind.RECORD_KIND_RENAME: {
        const to = this.locate(r.path2, entry);
        if (!to) this.refuse(entry, 'parent of the rename target is missing');
        if (!existing) {
          if (to.dir.children.has(to.name)) return; // applied before
          this.refuse(entry, 'source of the rename is missing');
        }
        // rename(2) between two names of one file does nothing.
        if (to.dir.children.get(to.name) === existing) return;
        if (existing.type === 'dir' && this.isWithin(to.dir, existing))
          this.refuse(entry, 'a directory cannot move into itself');
        dir.children.delete(name);
        to.dir.children.set(to.name, existing);
        return;
      }
      case RecordKind.RECORD_KIND_SYMLINK:
        dir.children.set(name, {
          type: 'symlink',
          target: r.target,
          mode: 0o777,
          ...cred,
          atime: born,
          mtime: born,
        });
        return;
      case RecordKind.RECORD_KIND_LINK: {
        if (existing?.type !== 'file') this.refuse(entry, 'link source is not a regular file');
        const to = this.locate(r.path2, entry);
        if (!to) this.refuse(entry, 'parent of the link is missing');
        to.dir.children.set(to.name, existing);
        return;
      }
      default:
        if (existing) this.setAttrs(entry, existing);
    }
  }

  private setAttrs(entry: JournalEntry, node: TreeNode): void {
    const r = entry.record;
    if (r.kind === RecordKind.RECORD_KIND_CHMOD) {
      if (node.type !== 'symlink') node.mode = r.mode;
    } else if (r.kind === RecordKind.RECORD_KIND_CHOWN) {
      node.uid = r.uid;
      node.gid = r.gid;
    } else if (r.kind === RecordKind.RECORD_KIND_UTIMES) {
      node.mtime = timespec(r.mtime);
      node.atime = r.atime ? timespec(r.atime) : node.mtime;
    } else {
      this.refuse(entry, 'not valid on the root');
    }
  }

  private isWithin(dir: DirNode, ancestor: DirNode): boolean {
    if (dir === ancestor) return true;
    for (const child of ancestor.children.values()) {
      if (child.type === 'dir' && this.isWithin(dir, child)) return true;
    }
    return false;
  }

  /** Length block `i` has in a file of `size` bytes. */
  private blockLength(size: number, i: number): number {
    return Math.max(0, Math.min(this.blockBytes, size - i * this.blockBytes));
  }

  /** Block `i` as a dirty buffer at least `minLength` long. */
  private async dirtyBlock(f: FileNode, i: number, minLength: number): Promise<Buffer> {
    let buf = f.dirty.get(i);
    if (!buf) {
      const name = f.blocks[i];
      buf = name ? await this.store.get(name) : Buffer.alloc(0);
      this.dirtyBytes += buf.length;
      f.dirty.set(i, buf);
      this.dirtyFiles.add(f);
    }
    if (buf.length < minLength) {
      const grown = Buffer.alloc(minLength);
      buf.copy(grown);
      this.dirtyBytes += minLength - buf.length;
      buf = grown;
      f.dirty.set(i, buf);
    }
    return buf;
  }

  private async write(f: FileNode, offset: number, data: Uint8Array): Promise<void> {
    const end = offset + data.length;
    if (end > f.size) {
      f.size = end;
      while (f.blocks.length < Math.ceil(end / this.blockBytes)) f.blocks.push(null);
    }
    const bs = this.blockBytes;
    for (let i = Math.floor(offset / bs); i * bs < end; i++) {
      const from = Math.max(offset, i * bs) - i * bs;
      const to = Math.min(end, (i + 1) * bs) - i * bs;
      const src = data.subarray(i * bs + from - offset, i * bs + to - offset);
      if (from === 0 && to === this.blockLength(f.size, i)) {
        // The whole block is new: no need to read the old one.
        this.dirtyBytes += to - (f.dirty.get(i)?.length ?? 0);
        f.dirty.set(i, Buffer.from(src));
        this.dirtyFiles.add(f);
        continue;
      }
      const buf = await this.dirtyBlock(f, i, to);
      buf.set(src, from);
    }
  }

  private async truncate(f: FileNode, size: number): Promise<void> {
    const count = Math.ceil(size / this.blockBytes);
    for (const i of [...f.dirty.keys()]) {
      if (i >= count) {
        this.dirtyBytes -= f.dirty.get(i)!.length;
        f.dirty.delete(i);
      }
    }
    f.blocks.length = Math.min(f.blocks.length, count);
    while (f.blocks.length < count) f.blocks.push(null);
    if (size < f.size && count > 0) {
      // The new last block must not keep bytes past the new end.
      const last = count - 1;
      const keep = this.blockLength(size, last);
      const stored = f.blocks[last];
      const held = f.dirty.get(last);
      if (held ? held.length > keep : stored && this.store.lengthOf(stored) > keep) {
        const buf = await this.dirtyBlock(f, last, 0);
        f.dirty.set(last, Buffer.from(buf.subarray(0, keep)));
        this.dirtyBytes -= buf.length - keep;
      }
    }
    f.size = size;
  }

  /** Stores every dirty block and names it in its file. */
  async flush(): Promise<void> {
    for (const f of this.dirtyFiles) {
      for (const [i, buf] of f.dirty) {
        if (i >= f.blocks.length) continue;
        const data = buf.subarray(0, Math.min(buf.length, this.blockLength(f.size, i)));
        // A block of zeros is a hole: stored as none, restored unwritten.
        f.blocks[i] = allZeros(data) ? null : await this.store.put(data);
      }
      f.dirty.clear();
    }
    this.dirtyFiles.clear();
    this.dirtyBytes = 0;
  }

  /**
   * Every path as an entry, in walk order; a file's second and later names
   * are hard links to its first. A file's `blocks` name only what was
   * flushed: `content` reads the rest.
   */
  *entries(): Generator<TreeEntry<BlockNames>> {
    const firstPath = new Map<FileNode, string>();
    for (const [path, node] of this.walk()) {
      const a = attrsOf(node);
      if (node.type === 'dir') yield { path, type: 'dir', ...a };
      else if (node.type === 'symlink') yield { path, type: 'symlink', ...a, target: node.target };
      else if (firstPath.has(node)) yield { path, type: 'hardlink', linkTo: firstPath.get(node)! };
      else {
        firstPath.set(node, path);
        yield { path, type: 'file', ...a, size: node.size, blocks: node.blocks };
      }
    }
  }

  /**
   * The content of the file at `path`, block by block (blocks of zeros left
   * out), from the dirty blocks or the store; each cut to the file's size.
   */
  async *content(path: string): AsyncGenerator<{ offset: number; data: Buffer }> {
    const f = this.get(path);
    if (f?.type !== 'file') return;
    const bs = this.blockBytes;
    for (let i = 0; i < f.blocks.length; i++) {
      const name = f.blocks[i];
      const data = f.dirty.get(i) ?? (name ? await this.store.get(name) : undefined);
      if (!data) continue;
      const want = Math.min(bs, f.size - i * bs, data.length);
      if (want > 0) yield { offset: i * bs, data: data.subarray(0, want) };
    }
  }

  /** Every path and node, parents before children, names sorted. */
  *walk(dir: DirNode = this.root, prefix = ''): Generator<[string, TreeNode]> {
    const names = [...dir.children.keys()].sort();
    for (const name of names) {
      const node = dir.children.get(name)!;
      const path = prefix === '' ? name : `${prefix}/${name}`;
      yield [path, node];
      if (node.type === 'dir') yield* this.walk(node, path);
    }
  }
}
