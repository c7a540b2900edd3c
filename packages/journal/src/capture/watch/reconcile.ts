/**
 * The pure core of capture: given what the manifest says about a path and
 * what the disk shows now, decide what happened, and build the records that
 * say so. Nothing here touches a disk (STYLE.md 2); path_processor.ts
 * carries the decisions out.
 */
import { MAX_WRITE_DATA, RecordKind, type RecordInput } from '../../record/record.js';
import { sameTime, type ManifestEntry, type Observed } from '../../tree/manifest.js';

/** What to do about one path. */
export type Plan =
  | { kind: 'none' }
  /** The path is gone from disk: remove it (after the rename window). */
  | { kind: 'remove' }
  /** The path is new: create it (unless an inode match makes it a rename). */
  | { kind: 'add' }
  /** The path changed type or symlink target: remove the old, create the new. */
  | { kind: 'replace' }
  | { kind: 'update'; content: boolean; chmod: boolean; chown: boolean; utimes: boolean };

/** Compares a manifest entry with the disk. */
export function planPath(old: ManifestEntry | undefined, now: Observed | undefined): Plan {
  if (!old) return now ? { kind: 'add' } : { kind: 'none' };
  if (!now) return { kind: 'remove' };
  if (old.type !== now.type) return { kind: 'replace' };
  if (now.type === 'symlink' && old.target !== now.target) return { kind: 'replace' };
  const content =
    now.type === 'file' &&
    (old.hashes === undefined ||
      old.racy === true ||
      old.size !== now.size ||
      !sameTime(old.mtime, now.mtime) ||
      old.ino !== now.ino);
  const chmod = old.mode !== now.mode;
  const chown = old.uid !== now.uid || old.gid !== now.gid;
  const utimes = !sameTime(old.mtime, now.mtime);
  if (!content && !chmod && !chown && !utimes) return { kind: 'none' };
  return { kind: 'update', content, chmod, chown, utimes };
}

/** The manifest entry for what the disk shows (hashes filled in by the content reader). */
export function entryFor(now: Observed, hashes?: string): ManifestEntry {
  const e: ManifestEntry = {
    type: now.type,
    size: now.size,
    mode: now.mode,
    uid: now.uid,
    gid: now.gid,
    mtime: now.mtime,
    ino: now.ino,
  };
  if (now.target !== undefined) e.target = now.target;
  if (hashes) e.hashes = hashes;
  return e;
}

/** The record that creates `path` as `now` shows it (content follows separately). */
export function createRecord(path: string, now: Observed): RecordInput {
  const base = { path, mode: now.mode, uid: now.uid, gid: now.gid, mtime: now.mtime };
  switch (now.type) {
    case 'dir':
      return { kind: RecordKind.RECORD_KIND_MKDIR, ...base };
    case 'symlink':
      return { kind: RecordKind.RECORD_KIND_SYMLINK, ...base, target: now.target ?? '' };
    default:
      return { kind: RecordKind.RECORD_KIND_CREATE, ...base, size: now.size };
  }
}

/** Records that remove the paths given deepest first (as Manifest.subtree reversed gives them). */
export function removeRecords(
  paths: readonly string[],
  typeOf: (p: string) => ManifestEntry['type'],
): RecordInput[] {
  return paths.map((path) => ({
    kind: typeOf(path) === 'dir' ? RecordKind.RECORD_KIND_RMDIR : RecordKind.RECORD_KIND_UNLINK,
    path,
  }));
}

/** Attribute records for an update, in the order a replica must apply them (times last). */
export function attributeRecords(
  path: string,
  now: Observed,
  what: { chmod: boolean; chown: boolean; utimes: boolean },
): RecordInput[] {
  const out: RecordInput[] = [];
  // Owner before mode: chown(2) clears set-id bits that chmod then restores.
  if (what.chown)
    out.push({ kind: RecordKind.RECORD_KIND_CHOWN, path, uid: now.uid, gid: now.gid });
  if (what.chmod) out.push({ kind: RecordKind.RECORD_KIND_CHMOD, path, mode: now.mode });
  if (what.utimes)
    out.push({ kind: RecordKind.RECORD_KIND_UTIMES, path, mtime: now.mtime, atime: now.mtime });
  return out;
}

/**
 * Turns changed blocks, offered in file order, into WRITE records of at most
 * MAX_WRITE_DATA bytes; consecutive changed blocks share a record.
 */
export class WriteCoalescer {
  private parts: Buffer[] = [];
  private start = 0;
  private bytes = 0;

  constructor(private readonly path: string) {}

  /** Offers one changed block; returns a record when one is full. */
  add(offset: number, data: Buffer): RecordInput | undefined {
    let out: RecordInput | undefined;
    if (
      this.bytes > 0 &&
      (offset !== this.start + this.bytes || this.bytes + data.length > MAX_WRITE_DATA)
    ) {
      out = this.flush();
    }
    if (this.bytes === 0) this.start = offset;
    this.parts.push(data);
    this.bytes += data.length;
    return out;
  }

  /** The pending record, if any. */
  flush(): RecordInput | undefined {
    if (this.bytes === 0) return undefined;
    const data = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.bytes);
    const record: RecordInput = {
      kind: RecordKind.RECORD_KIND_WRITE,
      path: this.path,
      offset: this.start,
      data,
    };
    this.parts = [];
    this.bytes = 0;
    return record;
  }
}
