/**
 * File-system calls made on the JS thread while they are quick, and through
 * libuv's thread pool once one is not.
 *
 * A call that only touches the page cache (an lstat, a small write, a
 * chmod, a rename) takes microseconds in the kernel; sent to the thread
 * pool it costs several times that in hand-offs (a futex wake, a context
 * switch, an eventfd write and an epoll round on the way back). Applying a
 * tree of small files is mostly such calls: measured on a 2-core machine,
 * 11,000 files of 4 KB built with open/write/fchown/fchmod/futimes/close/
 * rename took 767 ms of wall and 1,068 ms of CPU through `fs/promises`
 * with 64 in flight, and 158 ms / 168 ms with the same calls made inline
 * (docs/architecture.md, "Calls on the JS thread").
 *
 * A call made inline blocks the event loop while it runs, so this stays
 * inline only while calls are quick: one that takes `slowMs` or more (a
 * slow or network file system, writeback throttling) sends every call to
 * the thread pool for `coolOffMs`. Calls that wait for the disk by nature
 * (fsync) and large writes always go to the thread pool.
 *
 * Every method is async whatever the mode, so callers keep one shape; the
 * errors are Node's own (`code`, `syscall`, `path`) either way.
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { lchmod, lchmodSync } from './lchmod.js';

/** Reads and writes at or below this size may go inline; larger ones always go to the thread pool. */
export const INLINE_WRITE_BYTES = 256 * 1024;

/** Inline calls without a turn of the event loop, ms, after which the next waits for one. */
const YIELD_MS = 4;

export interface InlineFsOptions {
  /** Never inline (every call through the thread pool). Default false. */
  threadPoolOnly?: boolean;
  /**
   * An inline call this slow (ms) sends calls to the thread pool for
   * `coolOffMs`. Default 50: well above what a page-cache call takes even
   * when the thread is preempted on a busy machine (10 ms was seen then),
   * below what blocks the event loop noticeably.
   */
  slowMs?: number;
  /** Default 10 s. */
  coolOffMs?: number;
  /** Told of each slow inline call (how long it took, ms): for a log line. */
  onSlow?: (ms: number, coolOffMs: number) => void;
}

export class InlineFs {
  private readonly threadPoolOnly: boolean;
  private readonly slowMs: number;
  private readonly coolOffMs: number;
  private readonly onSlow: ((ms: number, coolOffMs: number) => void) | undefined;
  /** `performance.now()` before which calls go to the thread pool. */
  private poolUntil = 0;
  /** Inline calls that took `slowMs` or more (each started a cool-off). */
  slowCalls = 0;

  constructor(o: InlineFsOptions = {}) {
    this.threadPoolOnly = o.threadPoolOnly ?? false;
    this.slowMs = o.slowMs ?? 50;
    this.coolOffMs = o.coolOffMs ?? 10_000;
    this.onSlow = o.onSlow;
  }

  /** Whether calls are made on the JS thread now. */
  get inline(): boolean {
    return !this.threadPoolOnly && performance.now() >= this.poolUntil;
  }

  /**
   * Runs `call` on the JS thread, noting one that was slow. Calls made
   * inline resolve without the event loop turning (an await of them is a
   * microtask), so a loop of them would hold off everything else: timers,
   * sockets, and the inotify queue, which overflows (and drops events)
   * while it is not read. After YIELD_MS of calls without a turn, the next
   * waits for one (setImmediate).
   */
  private async now<T>(call: () => T): Promise<T> {
    await this.pace();
    const started = performance.now();
    try {
      return call();
    } finally {
      const ms = performance.now() - started;
      if (ms >= this.slowMs) {
        this.slowCalls++;
        this.poolUntil = performance.now() + this.coolOffMs;
        this.onSlow?.(ms, this.coolOffMs);
      }
    }
  }

  /** When the current stretch of inline calls began (no turn of the loop since); -1: none. */
  private stretchFrom = -1;

  private async pace(): Promise<void> {
    const t = performance.now();
    if (this.stretchFrom < 0) {
      this.stretchFrom = t;
      setImmediate(() => (this.stretchFrom = -1));
      return;
    }
    if (t - this.stretchFrom >= YIELD_MS) await new Promise<void>((res) => setImmediate(res));
  }

  async lstat(p: string): Promise<fs.Stats> {
    return this.inline ? this.now(() => fs.lstatSync(p)) : fsp.lstat(p);
  }

  /** lstat, or undefined when nothing is there (any lstat error). */
  async lstatOrNone(p: string): Promise<fs.Stats | undefined> {
    if (!this.inline) return fsp.lstat(p).catch(() => undefined);
    try {
      return await this.now(() => fs.lstatSync(p, { throwIfNoEntry: false }));
    } catch {
      return undefined;
    }
  }

  async lstatNs(p: string): Promise<fs.BigIntStats> {
    return this.inline
      ? this.now(() => fs.lstatSync(p, { bigint: true }))
      : fsp.lstat(p, { bigint: true });
  }

  /** stat (follows symlinks: for `/proc/self/fd/N`, the descriptor's file itself). */
  async statNs(p: string): Promise<fs.BigIntStats> {
    return this.inline
      ? this.now(() => fs.statSync(p, { bigint: true }))
      : fsp.stat(p, { bigint: true });
  }

  /** utimes (follows symlinks: for `/proc/self/fd/N`, the descriptor's file itself). */
  async utimes(p: string, atime: number, mtime: number): Promise<void> {
    return this.inline
      ? this.now(() => fs.utimesSync(p, atime, mtime))
      : fsp.utimes(p, atime, mtime);
  }

  async readdir(p: string): Promise<string[]> {
    return this.inline ? this.now(() => fs.readdirSync(p)) : fsp.readdir(p);
  }

  /** chmod of `p` itself, never through a final symlink (a symlink is left as it is; sys/lchmod.ts). */
  async lchmod(p: string, mode: number): Promise<void> {
    return this.inline ? this.now(() => lchmodSync(p, mode)) : lchmod(p, mode);
  }

  async readlink(p: string): Promise<string> {
    if (this.inline) return this.now(() => fs.readlinkSync(p));
    return fsp.readlink(p);
  }

  async lutimes(p: string, atime: number, mtime: number): Promise<void> {
    return this.inline
      ? this.now(() => fs.lutimesSync(p, atime, mtime))
      : fsp.lutimes(p, atime, mtime);
  }

  async lchown(p: string, uid: number, gid: number): Promise<void> {
    return this.inline ? this.now(() => fs.lchownSync(p, uid, gid)) : fsp.lchown(p, uid, gid);
  }

  async chmod(p: string, mode: number): Promise<void> {
    return this.inline ? this.now(() => fs.chmodSync(p, mode)) : fsp.chmod(p, mode);
  }

  async rename(from: string, to: string): Promise<void> {
    return this.inline ? this.now(() => fs.renameSync(from, to)) : fsp.rename(from, to);
  }

  async unlink(p: string): Promise<void> {
    return this.inline ? this.now(() => fs.unlinkSync(p)) : fsp.unlink(p);
  }

  async rmdir(p: string): Promise<void> {
    return this.inline ? this.now(() => fs.rmdirSync(p)) : fsp.rmdir(p);
  }

  async mkdir(p: string, mode: number): Promise<void> {
    if (this.inline) await this.now(() => fs.mkdirSync(p, { mode }));
    else await fsp.mkdir(p, { mode });
  }

  async symlink(target: string, p: string): Promise<void> {
    return this.inline ? this.now(() => fs.symlinkSync(target, p)) : fsp.symlink(target, p);
  }

  async link(existing: string, p: string): Promise<void> {
    return this.inline ? this.now(() => fs.linkSync(existing, p)) : fsp.link(existing, p);
  }

  async truncate(p: string, size: number): Promise<void> {
    return this.inline ? this.now(() => fs.truncateSync(p, size)) : fsp.truncate(p, size);
  }

  /** Opens `p`; the file's calls choose inline or the thread pool each time, as these do. */
  async open(p: string, flags: number, mode?: number): Promise<InlineFile> {
    const fd = this.inline
      ? await this.now(() => fs.openSync(p, flags, mode))
      : await new Promise<number>((res, rej) =>
          fs.open(p, flags, mode, (e, fd) => (e ? rej(e) : res(fd))),
        );
    return new InlineFile(this, fd);
  }

  /**
   * For InlineFile: `call` inline when that is the mode (and `small`: large
   * reads and writes always go to the pool), else `pool` on the thread pool.
   */
  run<T>(
    call: () => T,
    pool: (done: (e: Error | null, v: T) => void) => void,
    small = true,
  ): Promise<T> {
    if (small && this.inline) return this.now(call);
    return new Promise<T>((res, rej) => pool((e, v) => (e ? rej(e) : res(v))));
  }
}

/** An open descriptor whose calls go inline or to the thread pool as its InlineFs says. */
export class InlineFile {
  private closed = false;

  constructor(
    private readonly io: InlineFs,
    readonly fd: number,
  ) {}

  /** Writes every byte of `data` at `position` (a short write is continued). */
  async writeAll(data: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < data.length) {
      const n = data.length - done;
      const at = position + done;
      done += await this.io.run(
        () => fs.writeSync(this.fd, data, done, n, at),
        (cb) => fs.write(this.fd, data, done, n, at, (e, w) => cb(e, w)),
        n <= INLINE_WRITE_BYTES,
      );
    }
  }

  /** Reads up to `n` bytes at `position` into `buf` at `at`; the bytes read (0 at the end). */
  read(buf: Uint8Array, at: number, n: number, position: number): Promise<number> {
    return this.io.run(
      () => fs.readSync(this.fd, buf, at, n, position),
      (cb) => fs.read(this.fd, buf, at, n, position, (e, got) => cb(e, got)),
      n <= INLINE_WRITE_BYTES,
    );
  }

  /** fstat with nanosecond times. */
  statNs(): Promise<fs.BigIntStats> {
    return this.io.run(
      () => fs.fstatSync(this.fd, { bigint: true }),
      (cb) => fs.fstat(this.fd, { bigint: true }, (e, st) => cb(e, st)),
    );
  }

  chown(uid: number, gid: number): Promise<void> {
    return this.io.run(
      () => fs.fchownSync(this.fd, uid, gid),
      (cb) => fs.fchown(this.fd, uid, gid, (e) => cb(e, undefined)),
    );
  }

  chmod(mode: number): Promise<void> {
    return this.io.run(
      () => fs.fchmodSync(this.fd, mode),
      (cb) => fs.fchmod(this.fd, mode, (e) => cb(e, undefined)),
    );
  }

  truncate(size: number): Promise<void> {
    return this.io.run(
      () => fs.ftruncateSync(this.fd, size),
      (cb) => fs.ftruncate(this.fd, size, (e) => cb(e, undefined)),
    );
  }

  utimes(atime: number, mtime: number): Promise<void> {
    return this.io.run(
      () => fs.futimesSync(this.fd, atime, mtime),
      (cb) => fs.futimes(this.fd, atime, mtime, (e) => cb(e, undefined)),
    );
  }

  /** fsync waits for the disk: always on the thread pool. */
  sync(): Promise<void> {
    return new Promise<void>((res, rej) => fs.fsync(this.fd, (e) => (e ? rej(e) : res())));
  }

  /** Closes the descriptor (once; a second call does nothing). */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.io.run(
      () => fs.closeSync(this.fd),
      (cb) => fs.close(this.fd, (e) => cb(e, undefined)),
    );
  }
}
