/**
 * Writes a tree, entry by entry (tree/entry.ts, parents first), into an
 * empty or emptied folder: what a restore and a replica's bootstrap do.
 *
 * Nothing is written outside the target: every path obeys the record path
 * rules, its parent is a directory this writer created, every call is made
 * beneath the target without following a symlink at any component
 * (sys/beneath.ts), even one swapped in while the tree is written, files are
 * created with O_CREAT, O_EXCL and O_NOFOLLOW, and a hard link names a
 * regular file this writer finished. Directories are created 0700 and get their owner, mode
 * and times in `finish`, deepest first, so that no later change inside one
 * moves its mtime again. With `fsync`, every file is fsynced as it is
 * finished and every directory in `finish`; without, the caller makes the
 * tree durable (restore: one syncfs).
 *
 * Several files may be open at once; the caller orders the entries (a hard
 * link after its file is finished). `finish` or `close` releases the
 * target's descriptor.
 */
import { constants as fsc } from 'node:fs';
import { link, mkdir, open, symlink, type FileHandle } from 'node:fs/promises';
import { fsyncDir } from '../sys/durable_file.js';
import { Beneath } from '../sys/beneath.js';
import { errnoCode } from '../sys/errno_error.js';
import { InlineFs } from '../sys/inline_fs.js';
import { parentOf, pathProblem } from '../record/path_rules.js';
import { setAttrs, setFileAttrs, setLinkAttrs } from './attrs.js';
import type { DirEntry, EntryAttrs, FileEntry, HardlinkEntry, SymlinkEntry } from './entry.js';
import { allZeros } from './zeros.js';

/** Why the writer refused an entry; the caller words the error. */
export type WriteRefusal =
  | { why: 'path'; path: string; problem: string }
  | { why: 'parent'; path: string }
  | { why: 'link'; path: string; linkTo: string }
  | { why: 'exists'; path: string };

export interface TreeWriterOptions {
  /** fsync each file when finished and each directory in `finish`. */
  fsync: boolean;
  /** The error thrown for a refused entry. */
  refuse: (r: WriteRefusal) => Error;
  /**
   * The mode an entry's `mode` is set as (a replica's `--preserve`,
   * preserve.ts); default: as it is.
   */
  mode?: (path: string, mode: number, isDir: boolean) => number;
}

/**
 * Removes everything inside `dir` and makes that durable; nothing is
 * followed on the way (a symlink is removed, not what it names).
 */
export async function emptyDir(dir: string): Promise<void> {
  const beneath = new Beneath(dir);
  try {
    await beneath.removeTree('', new InlineFs());
  } finally {
    beneath.close();
  }
  await fsyncDir(dir);
}

/** Writes entries into `target`, which must be empty when the first one comes. */
export class TreeWriter {
  /** Directories created ('' is the target). */
  private readonly dirs = new Set<string>(['']);
  /** Their attributes, in creation order (parents first). */
  private readonly dirAttrs: DirEntry[] = [];
  /** Regular files finished: what a hard link may name. */
  private readonly files = new Set<string>();
  private readonly beneath: Beneath;
  private closed = false;

  constructor(
    readonly target: string,
    private readonly o: TreeWriterOptions,
  ) {
    this.beneath = new Beneath(target);
  }

  /** Releases the target's descriptor (once; `finish` does too). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.beneath.close();
  }

  /** Throws unless `path` may be written now: path rules, parent made by this writer. */
  check(path: string): void {
    const problem = pathProblem(path, false);
    if (problem) throw this.o.refuse({ why: 'path', path, problem });
    if (!this.dirs.has(parentOf(path))) throw this.o.refuse({ why: 'parent', path });
  }

  /** Runs `make` on the checked path; an existing name is refused. */
  private async create<T>(path: string, make: (at: string) => Promise<T>): Promise<T> {
    this.check(path);
    try {
      return await this.beneath.with(path, (p) => make(p.path));
    } catch (err) {
      if (errnoCode(err) === 'EEXIST') throw this.o.refuse({ why: 'exists', path });
      throw err;
    }
  }

  /** Creates a directory (0700 until `finish`). */
  async dir(e: DirEntry): Promise<void> {
    await this.create(e.path, (at) => mkdir(at, { mode: 0o700 }));
    this.dirs.add(e.path);
    this.dirAttrs.push(this.o.mode ? { ...e, mode: this.o.mode(e.path, e.mode, true) } : e);
  }

  /** Creates a symlink with its owner and times. */
  async symlink(e: SymlinkEntry): Promise<void> {
    await this.create(e.path, async (at) => {
      await symlink(e.target, at);
      await setLinkAttrs(at, e);
    });
  }

  /** Links `e.path` to a file this writer finished. */
  async hardlink(e: HardlinkEntry): Promise<void> {
    if (!this.files.has(e.linkTo)) {
      this.check(e.path);
      throw this.o.refuse({ why: 'link', path: e.path, linkTo: e.linkTo });
    }
    await this.create(e.path, (at) => this.beneath.with(e.linkTo, (from) => link(from.path, at)));
  }

  /** Creates a regular file; its content goes through the returned sink. */
  async file(e: FileEntry<unknown>): Promise<FileSink> {
    const fh = await this.create(e.path, (at) =>
      open(at, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600),
    );
    const entry = this.o.mode ? { ...e, mode: this.o.mode(e.path, e.mode, false) } : e;
    return new FileSink(fh, entry, this.o.fsync, () => this.files.add(e.path));
  }

  /** Directory attributes, deepest first, then the root's (when known); fsyncs with `fsync`. */
  async finish(root: EntryAttrs | null | undefined): Promise<void> {
    // Setting a directory's attributes never moves its parent's mtime.
    try {
      for (let i = this.dirAttrs.length - 1; i >= 0; i--) {
        const d = this.dirAttrs[i]!;
        await this.beneath.with(d.path, (p) => setAttrs(p.path, d));
        if (this.o.fsync) await this.beneath.fsync(d.path);
      }
      if (root) await setAttrs(this.target, root);
      if (this.o.fsync) await fsyncDir(this.target);
    } finally {
      this.close();
    }
  }
}

/** The content of one file being written; `close` finishes it. */
export class FileSink {
  /** End of the furthest byte written. */
  private end = 0;

  constructor(
    private readonly fh: FileHandle,
    readonly entry: FileEntry<unknown>,
    private readonly fsync: boolean,
    private readonly finished: () => void,
  ) {}

  /**
   * Writes `data` at `offset`, cut at the file's size; returns the bytes
   * taken. Pages (4 KiB of the file) of zeros are skipped: the file is new,
   * so they read as zeros already, and a sparse file stays sparse.
   */
  async write(data: Uint8Array, offset: number): Promise<number> {
    const want = Math.max(0, Math.min(data.length, this.entry.size - offset));
    let at = 0;
    while (at < want) {
      // The next run of pages that hold a byte other than zero.
      let start = at;
      while (start < want && isZero(data, start, pageEnd(offset, start, want))) {
        start = pageEnd(offset, start, want);
      }
      if (start >= want) break;
      let stop = pageEnd(offset, start, want);
      while (stop < want && !isZero(data, stop, pageEnd(offset, stop, want))) {
        stop = pageEnd(offset, stop, want);
      }
      let done = start;
      while (done < stop) {
        const { bytesWritten } = await this.fh.write(data, done, stop - done, offset + done);
        done += bytesWritten;
      }
      this.end = Math.max(this.end, offset + stop);
      at = stop;
    }
    return want;
  }

  /** Size (holes and a tail of zeros are not written), owner, mode, times, fsync; closes. */
  async close(): Promise<void> {
    try {
      if (this.end < this.entry.size) await this.fh.truncate(this.entry.size);
      await setFileAttrs(this.fh, this.entry);
      if (this.fsync) await this.fh.sync();
    } finally {
      await this.fh.close();
    }
    this.finished();
  }

  /** Closes without finishing (the file stays as far as it got). */
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Page size by which FileSink leaves zeros unwritten. */
const PAGE = 4096;

/** Index in `data` (written at file offset `offset`) where the page holding `i` ends, at most `max`. */
function pageEnd(offset: number, i: number, max: number): number {
  return Math.min(max, i + PAGE - ((offset + i) % PAGE));
}

/** Whether data[from, to) is all zeros. */
function isZero(data: Uint8Array, from: number, to: number): boolean {
  return allZeros(data.subarray(from, to));
}
