/**
 * The manifest: what the journal says the captured tree looks like, path by
 * path (type, size, mode, owner, mtime, inode, symlink target, block hashes).
 * Capture compares the disk with it to turn a change into the smallest
 * correct set of records, and updates it as records are appended.
 *
 * It is persisted beside the journal (`manifest.bin`) together with the LSN
 * it reflects. After a crash the snapshot may be older than the journal; the
 * records after it are replayed onto it (`applyRecord`), and paths whose
 * content those records changed lose their block hashes, so the next scan
 * re-reads them rather than trust a stale fingerprint.
 *
 * Memory: an entry is one small object plus its path. Block hashes are kept
 * as a latin1 string (a 16-byte string is about a tenth of a Buffer, which
 * carries an ArrayBuffer and a backing store), and the inode index holds a
 * plain path for an inode with one name, a Set only for hard links.
 */
import { readFile } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { writeFileDurable } from '../sys/durable_file.js';
import { JournalError } from '../errors.js';
import { parentOf } from '../record/path_rules.js';
import { RecordKind, type RecordBody } from '../record/record.js';
import type { Timespec } from './entry.js';

export type EntryType = 'file' | 'dir' | 'symlink';

/** What both the disk and the manifest say about a path. */
interface PathAttributes {
  type: EntryType;
  size: number;
  /** Permission bits (07777). */
  mode: number;
  uid: number;
  gid: number;
  mtime: Timespec;
  /**
   * `dev:ino[:birth time]`: the file's identity on this machine. In the
   * manifest, empty when unknown (an entry rebuilt from records): it then
   * never matches a disk inode.
   */
  ino: string;
  target?: string;
}

/** What lstat says about a path now (plus the target of a symlink). */
export interface Observed extends PathAttributes {
  /** Status change time: moves on every write, so a read can tell whether the file moved under it. */
  ctime: Timespec;
  nlink: number;
}

export interface ManifestEntry extends PathAttributes {
  /**
   * Files: 16 bytes (xxh3-128, low then high 64 bits, little-endian) per
   * block, as a latin1 string (one char per byte; see BlockHashes).
   * Undefined: content unknown, re-read all of it.
   */
  hashes?: string;
  /**
   * Files: the content was read within a clock tick of the file's last
   * change, so a later change may leave size and times as they were (git's
   * "racily clean"): compare the content next time even if lstat matches.
   */
  racy?: boolean;
}

/** Converts block hashes between the Buffer they are computed in and the string the manifest keeps. */
export const BlockHashes = {
  fromBuffer: (b: Buffer): string => b.toString('latin1'),
  toBuffer: (s: string): Buffer => Buffer.from(s, 'latin1'),
};

const FORMAT = 'fsjournal-manifest';
/** 2: hashes are latin1 strings. 1 (still read): hashes were Uint8Arrays. */
const VERSION = 2;

export function sameTime(a: Timespec, b: Timespec): boolean {
  return a.sec === b.sec && a.nsec === b.nsec;
}

export class Manifest {
  private readonly entries = new Map<string, ManifestEntry>();
  /** Paths by identity: the path itself for one name (nearly always), a Set for hard links. */
  private readonly byIno = new Map<string, string | Set<string>>();
  private readonly kids = new Map<string, Set<string>>();
  private changes = 0;
  /** The journal LSN this manifest reflects. */
  lsn = 0;

  get size(): number {
    return this.entries.size;
  }

  /** Moves on every change of an entry: equal revisions mean equal contents. */
  get revision(): number {
    return this.changes;
  }

  get(path: string): ManifestEntry | undefined {
    return this.entries.get(path);
  }

  paths(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Paths holding the inode `ino` (hard links share one). */
  pathsWithIno(ino: string): string[] {
    const held = this.byIno.get(ino);
    if (held === undefined) return [];
    return typeof held === 'string' ? [held] : [...held];
  }

  /** Direct children of a directory path. */
  childrenOf(path: string): string[] {
    return [...(this.kids.get(path) ?? [])];
  }

  set(path: string, entry: ManifestEntry): void {
    this.unindex(path);
    this.changes++;
    this.entries.set(path, entry);
    if (entry.ino) {
      const held = this.byIno.get(entry.ino);
      if (held === undefined) this.byIno.set(entry.ino, path);
      else if (typeof held !== 'string') held.add(path);
      else if (held !== path) this.byIno.set(entry.ino, new Set([held, path]));
    }
    if (path !== '') {
      const parent = parentOf(path);
      let set = this.kids.get(parent);
      if (!set) this.kids.set(parent, (set = new Set()));
      set.add(path);
    }
  }

  /** Removes a path and everything under it; returns the removed paths, deepest first. */
  removeSubtree(path: string): string[] {
    const order = this.subtree(path).reverse();
    for (const p of order) this.unindex(p);
    return order;
  }

  /** Moves a path and everything under it to `to` (replacing what was at `to`). */
  moveSubtree(from: string, to: string): void {
    if (this.entries.has(to)) this.removeSubtree(to);
    const moved = this.subtree(from).map((p) => [p, this.entries.get(p)!] as const);
    for (const [p] of [...moved].reverse()) this.unindex(p);
    for (const [p, entry] of moved) this.set(to + p.slice(from.length), entry);
  }

  /** A path and all paths under it, parents before children. */
  subtree(path: string): string[] {
    if (!this.entries.has(path)) return [];
    const out: string[] = [];
    const stack = [path];
    while (stack.length > 0) {
      const p = stack.pop()!;
      out.push(p);
      for (const child of this.kids.get(p) ?? []) stack.push(child);
    }
    return out;
  }

  private unindex(path: string): void {
    const old = this.entries.get(path);
    if (!old) return;
    this.changes++;
    this.entries.delete(path);
    if (old.ino) {
      const held = this.byIno.get(old.ino);
      if (held === path) {
        this.byIno.delete(old.ino);
      } else if (held !== undefined && typeof held !== 'string') {
        held.delete(path);
        // Back to one name: keep the plain path again.
        if (held.size === 1) this.byIno.set(old.ino, held.values().next().value!);
      }
    }
    if (path !== '') {
      const parent = parentOf(path);
      const set = this.kids.get(parent);
      set?.delete(path);
      if (set?.size === 0) this.kids.delete(parent);
    }
  }

  /**
   * Brings the manifest forward over one journaled record, for records past
   * the persisted snapshot. What a record cannot tell exactly (content,
   * inode) is left unknown so the next scan re-reads it.
   */
  applyRecord(lsn: number, r: RecordBody): void {
    this.lsn = lsn;
    const e = this.entries.get(r.path);
    const time = (
      t: { sec?: number | null; nsec?: number | null } | null | undefined,
    ): Timespec => ({
      sec: t?.sec ?? 0,
      nsec: t?.nsec ?? 0,
    });
    switch (r.kind) {
      case RecordKind.RECORD_KIND_CREATE:
      case RecordKind.RECORD_KIND_MKDIR:
      case RecordKind.RECORD_KIND_SYMLINK: {
        const type: EntryType =
          r.kind === RecordKind.RECORD_KIND_CREATE
            ? 'file'
            : r.kind === RecordKind.RECORD_KIND_MKDIR
              ? 'dir'
              : 'symlink';
        const entry: ManifestEntry = {
          type,
          size: 0,
          mode: r.mode,
          uid: r.uid,
          gid: r.gid,
          mtime: time(r.mtime),
          ino: '',
        };
        if (type === 'symlink') entry.target = r.target;
        if (type === 'file') entry.hashes = undefined;
        this.set(r.path, entry);
        return;
      }
      case RecordKind.RECORD_KIND_WRITE:
      case RecordKind.RECORD_KIND_TRUNCATE:
        if (e) this.set(r.path, { ...e, hashes: undefined, ino: '' });
        return;
      case RecordKind.RECORD_KIND_UNLINK:
      case RecordKind.RECORD_KIND_RMDIR:
        this.removeSubtree(r.path);
        return;
      case RecordKind.RECORD_KIND_RENAME:
        this.moveSubtree(r.path, r.path2);
        return;
      case RecordKind.RECORD_KIND_CHMOD:
        if (e) this.set(r.path, { ...e, mode: r.mode });
        return;
      case RecordKind.RECORD_KIND_CHOWN:
        if (e) this.set(r.path, { ...e, uid: r.uid, gid: r.gid });
        return;
      case RecordKind.RECORD_KIND_UTIMES:
        if (e) this.set(r.path, { ...e, mtime: time(r.mtime) });
        return;
      case RecordKind.RECORD_KIND_LINK: {
        const src = this.entries.get(r.path);
        if (src) this.set(r.path2, { ...src, hashes: undefined, ino: '' });
        return;
      }
      default:
        return; // control records and xattrs do not change the manifest
    }
  }

  /** Persists the manifest durably, stamped with the journal it belongs to. */
  async save(path: string, journalId: string): Promise<void> {
    const data = serialize({
      format: FORMAT,
      version: VERSION,
      journalId,
      lsn: this.lsn,
      entries: [...this.entries],
    });
    await writeFileDurable(path, data);
  }

  /** Loads a saved manifest; undefined when there is none. A foreign or damaged one is an error. */
  static async load(path: string, journalId: string): Promise<Manifest | undefined> {
    let raw: Buffer;
    try {
      raw = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `read manifest ${path}`, {
        cause: err,
        retryable: true,
      });
    }
    let value: {
      format?: unknown;
      version?: unknown;
      journalId?: unknown;
      lsn?: unknown;
      entries?: unknown;
    };
    try {
      value = deserialize(raw) as typeof value;
    } catch (cause) {
      throw new JournalError('FSJ_ERR_JOURNAL_META', `manifest ${path}: unreadable`, { cause });
    }
    if (
      value.format !== FORMAT ||
      (value.version !== VERSION && value.version !== 1) ||
      !Array.isArray(value.entries)
    ) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_META',
        `manifest ${path}: not a version 1 or ${VERSION} manifest`,
      );
    }
    if (value.journalId !== journalId) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_META',
        `manifest ${path}: belongs to journal ${String(value.journalId)}`,
      );
    }
    const m = new Manifest();
    m.lsn = Number(value.lsn);
    for (const [p, e] of value.entries as [string, ManifestEntry][]) {
      // Deserialized objects are fresh: kept as they are, but for version 1's Uint8Array hashes.
      const h: unknown = e.hashes;
      if (h instanceof Uint8Array) {
        e.hashes = BlockHashes.fromBuffer(Buffer.from(h.buffer, h.byteOffset, h.byteLength));
      } else if (h !== undefined && typeof h !== 'string') {
        throw new JournalError('FSJ_ERR_JOURNAL_META', `manifest ${path}: bad hashes for ${p}`);
      }
      m.set(p, e);
    }
    return m;
  }
}
