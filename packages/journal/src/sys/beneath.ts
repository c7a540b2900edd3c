/**
 * Paths of a target folder, resolved beneath it without following a symlink
 * at any component: what every writer of a target (the applier, restore, a
 * replica's bootstrap and its fsyncs) acts through, so that someone who can
 * write into the target cannot send a change outside it by swapping a name
 * for a symlink between a check and a call (docs/security.md).
 *
 * A path's parent is opened as an `O_PATH` descriptor with openat2(2)
 * (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, through
 * the native binding: Node has no openat), and the call then names the
 * final component through `/proc/self/fd/N/name`. The kernel resolves the
 * `/proc/self/fd/N` magic link to the descriptor's directory itself (no path
 * is looked up again), so Node's own calls that do not follow a final
 * symlink (lstat, lchown, lutimes, unlink, rmdir, rename, link, mkdir,
 * symlink, open with O_NOFOLLOW) act on that name in that directory and
 * nowhere else. Calls that would follow a final symlink (chmod, truncate,
 * utimes of a directory) go through a descriptor of the entry itself
 * (`openFd`) instead. Measured here: 0.55 us more per call than an absolute
 * path, 0.7 us per openat2 and close.
 *
 * Without openat2 (a kernel before 5.6, or a build without the binding) the
 * components are walked one by one, each opened `O_PATH | O_NOFOLLOW`
 * through the descriptor of the one before it: the same guarantee, a call
 * per component. `method` says which.
 *
 * Not covered: the target folder itself is opened by its path once (the
 * operator names it), and a descriptor pins a directory, not its place: a
 * directory moved elsewhere after it was resolved is acted on where it is
 * (openat2's own semantics).
 */
import * as fs from 'node:fs';
import { JournalError } from '../errors.js';
import { errnoError } from './errno_error.js';
import { fuseBinding } from './fuse_native.js';
import { O_PATH } from './lchmod.js';
import type { InlineFs } from './inline_fs.js';

const DIR = O_PATH | fs.constants.O_DIRECTORY;

/** Where a descriptor's directory is reached without a lookup. */
function procPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** A path of the target with its parent directory held open. */
export class Place {
  private released = false;

  constructor(
    private readonly owner: Beneath,
    /** The path in the target ('' is the target). */
    readonly rel: string,
    /** A descriptor of the parent directory (-1 for the target itself). */
    readonly dirFd: number,
    /** The final component ('' for the target itself). */
    readonly name: string,
  ) {}

  /** The entry, for calls that do not follow a final symlink. */
  get path(): string {
    return this.dirFd < 0 ? this.owner.root : `${procPath(this.dirFd)}/${this.name}`;
  }

  /** The parent directory itself (follows to it), or undefined for the target. */
  get parent(): string | undefined {
    return this.dirFd < 0 ? undefined : procPath(this.dirFd);
  }

  /** The parent's path in the target (undefined for the target). */
  get parentRel(): string | undefined {
    if (this.dirFd < 0) return undefined;
    const slash = this.rel.lastIndexOf('/');
    return slash < 0 ? '' : this.rel.slice(0, slash);
  }

  /** Another entry of the same directory (a temp name beside this one). */
  sibling(name: string): Place {
    return this.owner.place(this.parentRel === '' ? name : `${this.parentRel}/${name}`);
  }

  /** Closes the parent's descriptor (once). */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.dirFd >= 0) this.owner.closeDir(this.dirFd);
  }
}

export class Beneath {
  /** How paths are resolved: openat2, or component by component. */
  readonly method: 'openat2' | 'walk';
  private readonly rootFd: number;
  private readonly openat2:
    ((dir: number, p: string, flags: number, mode: number) => number) | undefined;
  /** Open directory descriptors and the target path each stands for (for messages). */
  private readonly dirs = new Map<number, string>();

  /**
   * Opens the target `root` (an absolute path); throws when it cannot be
   * resolved safely. `o.method: 'walk'` forces the fallback (tests, and a
   * check of it on a kernel that has openat2).
   */
  constructor(
    readonly root: string,
    o: { method?: 'walk' } = {},
  ) {
    if (!fs.existsSync('/proc/self/fd')) {
      throw new JournalError(
        'FSJ_ERR_TARGET_UNSAFE',
        `${root}: /proc is not mounted, so paths of the target cannot be resolved without following symlinks`,
      );
    }
    this.rootFd = fs.openSync(root, DIR);
    const b = fuseBinding();
    let method: 'openat2' | 'walk' = 'walk';
    // FSJOURNAL_TARGET_PATHS=walk forces the fallback (to check it where openat2 exists).
    const forced = o.method === 'walk' || process.env.FSJOURNAL_TARGET_PATHS === 'walk';
    if (!forced && b && typeof b.openBeneath === 'function') {
      const probe = b.openBeneath(this.rootFd, '', DIR, 0);
      if (probe >= 0) {
        fs.closeSync(probe);
        method = 'openat2';
      }
    }
    this.method = method;
    this.openat2 = method === 'openat2' ? b!.openBeneath.bind(b) : undefined;
  }

  /** Closes the target's descriptor; places still held stay usable until released. */
  close(): void {
    fs.closeSync(this.rootFd);
  }

  /** The absolute path `rel` stands for, as messages name it. */
  display(rel: string): string {
    return rel === '' ? this.root : `${this.root}/${rel}`;
  }

  /**
   * Opens `rel` beneath the target with open(2) `flags` (O_NOFOLLOW is
   * implied: no component, the last included, may be a symlink). Throws
   * Node's kind of errno error (`code`, `syscall`, `path`): ELOOP where a
   * component is a symlink, ENOTDIR where a parent is not a directory.
   */
  openFd(rel: string, flags: number, mode = 0): number {
    // The same paths either way: no empty, `.` or `..` component (openat2
    // would read `a//b` as `a/b` and allow a `..` that stays beneath).
    if (rel !== '' && rel.split('/').some((p) => p === '' || p === '.' || p === '..')) {
      throw this.fail('open', rel, -22);
    }
    if (this.openat2) {
      const fd = this.openat2(this.rootFd, rel, flags, mode);
      if (fd < 0) throw this.fail('openat2', rel, fd);
      return fd;
    }
    return this.walk(rel, flags | fs.constants.O_NOFOLLOW, mode);
  }

  /** `rel` with its parent held open (ENOENT when the parent is missing). Release it after use. */
  place(rel: string): Place {
    if (rel === '') return new Place(this, '', -1, '');
    const slash = rel.lastIndexOf('/');
    const parent = slash < 0 ? '' : rel.slice(0, slash);
    const fd = this.openFd(parent, DIR);
    this.dirs.set(fd, this.display(parent));
    return new Place(this, rel, fd, rel.slice(slash + 1));
  }

  /**
   * The first folder on the way to `rel` that is not a directory beneath the
   * target (a symlink, a file), for a message: undefined when every parent
   * is one, or is missing. Looked up again, so only for explaining an error.
   */
  blocker(rel: string): string | undefined {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      try {
        fs.closeSync(this.openFd(prefix, DIR));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return undefined;
        return prefix;
      }
    }
    return undefined;
  }

  /** Runs `use` with the place of `rel`, released after; errors name target paths. */
  async with<T>(rel: string, use: (p: Place) => Promise<T>): Promise<T> {
    const p = this.place(rel);
    try {
      return await use(p);
    } catch (err) {
      throw this.explain(err);
    } finally {
      p.release();
    }
  }

  /**
   * Removes `rel` and everything under it (what `rm -rf` does), each entry
   * through its parent's descriptor: a directory swapped for a symlink on
   * the way makes this fail (ELOOP), never follow. Nothing there is done.
   * A directory's descriptor is held only while its names are read, so
   * depth costs no descriptors.
   */
  async removeTree(rel: string, io: InlineFs): Promise<void> {
    let st: fs.Stats | undefined;
    try {
      st = await this.with(rel, (p) => io.lstatOrNone(p.path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    if (!st) return;
    if (st.isDirectory()) {
      const fd = this.openFd(rel, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      let names: string[];
      try {
        names = await io.readdir(procPath(fd));
      } finally {
        fs.closeSync(fd);
      }
      for (const n of names) await this.removeTree(rel === '' ? n : `${rel}/${n}`, io);
      if (rel === '') return; // the target itself stays
    }
    await this.with(rel, (p) => (st!.isDirectory() ? io.rmdir(p.path) : io.unlink(p.path)));
  }

  /**
   * fsyncs `rel`, opened beneath the target (O_NONBLOCK: a FIFO swapped in
   * does not block), on the thread pool: it waits for the disk.
   */
  async fsync(rel: string): Promise<void> {
    const fd = this.openFd(rel, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    try {
      await new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e ? rej(e) : res())));
    } finally {
      fs.closeSync(fd);
    }
  }

  /** For Place.release. */
  closeDir(fd: number): void {
    this.dirs.delete(fd);
    fs.closeSync(fd);
  }

  /**
   * `err` with `/proc/self/fd/N` in its message and path replaced by the
   * target path N stands for, while N is still open: what an operator reads.
   */
  explain(err: unknown): unknown {
    if (!(err instanceof Error)) return err;
    const swap = (s: string): string =>
      s.replace(/\/proc\/self\/fd\/(\d+)/g, (all, n: string) => this.dirs.get(Number(n)) ?? all);
    err.message = swap(err.message);
    const e = err as NodeJS.ErrnoException & { dest?: unknown };
    if (typeof e.path === 'string') e.path = swap(e.path);
    if (typeof e.dest === 'string') e.dest = swap(e.dest);
    return err;
  }

  private fail(syscall: string, rel: string, res: number): Error {
    return Object.assign(errnoError(syscall, `${syscall} ${this.display(rel)}`, res), {
      path: this.display(rel),
    });
  }

  /** The fallback: each component opened O_PATH | O_NOFOLLOW through the one before. */
  private walk(rel: string, flags: number, mode: number): number {
    const parts = rel === '' ? [] : rel.split('/');
    let dir = this.rootFd;
    try {
      for (let i = 0; i < parts.length; i++) {
        const last = i === parts.length - 1;
        const part = parts[i]!;
        const next = fs.openSync(
          `${procPath(dir)}/${part}`,
          last ? flags : DIR | fs.constants.O_NOFOLLOW,
          mode,
        );
        if (dir !== this.rootFd) fs.closeSync(dir);
        dir = next;
      }
      // The target itself: through its descriptor's magic link, which must be followed.
      if (parts.length === 0) {
        return fs.openSync(procPath(this.rootFd), flags & ~fs.constants.O_NOFOLLOW, mode);
      }
      return dir;
    } catch (err) {
      if (dir !== this.rootFd) fs.closeSync(dir);
      throw this.explainWalk(err, rel);
    }
  }

  private explainWalk(err: unknown, rel: string): unknown {
    const e = err as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && e.path?.startsWith('/proc/self/fd/')) {
      e.message = e.message.replace(e.path, this.display(rel));
      e.path = this.display(rel);
    }
    return err;
  }
}
