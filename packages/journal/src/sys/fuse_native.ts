/**
 * The FUSE binding (`native/fuse_binding.c`, built at install time against
 * libfuse3): how to load it, its operation codes and its reply functions.
 * Thin on purpose: what an operation means is `capture/mount/dispatch.ts`'s business.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Operation codes, as in fuse_binding.c. Only modifying operations reach JS;
 * the binding serves GETATTR, READLINK, OPEN, READ, STATFS, FLUSH, RELEASE,
 * GETXATTR, LISTXATTR and READDIR itself (their codes stay reserved), and
 * FSYNC and FSYNCDIR too unless mounted with `MountFlag.SYNC_TO_JS`.
 */
export const FuseOp = {
  EXIT: 0,
  GETATTR: 1,
  READLINK: 2,
  MKDIR: 3,
  UNLINK: 4,
  RMDIR: 5,
  SYMLINK: 6,
  RENAME: 7,
  LINK: 8,
  CHMOD: 9,
  CHOWN: 10,
  TRUNCATE: 11,
  OPEN: 12,
  READ: 13,
  WRITE: 14,
  STATFS: 15,
  FLUSH: 16,
  RELEASE: 17,
  FSYNC: 18,
  SETXATTR: 19,
  GETXATTR: 20,
  LISTXATTR: 21,
  REMOVEXATTR: 22,
  READDIR: 23,
  CREATE: 24,
  UTIMENS: 25,
  /** `n0`: 1 for fdatasync. `fh` is -1: the handler opens `path` itself. */
  FSYNCDIR: 26,
} as const;

/** Flags of `FuseBinding.mount`, as in fuse_binding.c. */
export const MountFlag = {
  /**
   * FSYNC (`n0`: 1 for fdatasync, `fh`: the backing fd) and FSYNCDIR go to
   * the handler instead of being passed through: for a test file system
   * that models what a power cut keeps.
   */
  SYNC_TO_JS: 1,
} as const;

/** An opaque request handle; valid until one reply function is called with it. */
export type FuseRequest = { readonly __fuseRequest: unique symbol };
/** An opaque mount handle. */
export type FuseHandle = { readonly __fuseHandle: unique symbol };

/**
 * Called on the JS thread for every modifying request: `path` is absolute
 * within the mount (`/a/b`), or null for a file unlinked while open; `path2`
 * is the second path (RENAME, LINK), the symlink target (SYMLINK) or the
 * xattr name; `buf` is libfuse's memory (WRITE, SETXATTR: the data), valid
 * until the reply; `fh` is the file handle (a backing fd), -1 when none.
 */
export type FuseHandler = (
  op: number,
  req: FuseRequest,
  uid: number,
  gid: number,
  pid: number,
  path: string | null,
  path2: string | null,
  n0: number,
  n1: number,
  n2: number,
  n3: number,
  buf: Buffer | null,
  fh: number,
) => void;

export interface FuseBinding {
  /**
   * Mounts `root` (absolute) at `mountpoint`; `options` is libfuse's `-o`
   * string; `flags`: `MountFlag` bits (default 0). Throws when the mount fails.
   */
  mount(
    mountpoint: string,
    options: string,
    root: string,
    handler: FuseHandler,
    flags?: number,
  ): FuseHandle;
  /** Ends the loop and detaches the mount lazily; an EXIT request follows. */
  unmount(handle: FuseHandle): void;
  /** After EXIT: joins the loop thread and frees the mount. */
  finish(handle: FuseHandle): void;
  /** Replies 0, a byte count, or a negative errno. */
  reply(req: FuseRequest, result: number): void;
  /** CREATE: the result and the file handle (the backing fd). */
  replyOpen(req: FuseRequest, result: number, fh: number): void;
  /** l*xattr(2): never follow a final symlink. Negative numbers are -errno. */
  xattrGet(path: string, name: string): Buffer | number;
  xattrSet(path: string, name: string, value: Buffer, flags: number): number;
  xattrRemove(path: string, name: string): number;
  xattrList(path: string): Buffer | number;
  /**
   * lseek(SEEK_DATA/SEEK_HOLE) on an open fd: up to `max` data extents at or
   * after `from`, flat as [start, end, start, end, ...] (fewer than `max`:
   * the end of the file), or -errno. Moves the fd's offset.
   */
  dataExtents(fd: number, from: number, max: number): number[] | number;
  /** syncfs(2) on the file system of `fd`, on a thread of libuv's pool: 0, or -errno. */
  syncfs(fd: number): Promise<number>;
  /** mallopt(3): M_MMAP_THRESHOLD, M_TRIM_THRESHOLD, M_ARENA_MAX; 1 when all took. */
  tuneMalloc(mmapThreshold: number, trimThreshold: number, arenas: number): number;
  /**
   * openat2(2) of `path` relative to `dirFd` with RESOLVE_BENEATH |
   * RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS, close-on-exec ('' opens
   * `dirFd`'s directory again): the fd, or -errno (-ENOSYS before Linux 5.6).
   */
  openBeneath(dirFd: number, path: string, flags: number, mode: number): number;
}

let cached: FuseBinding | Error | undefined;

/** The binding, or the Error saying why it cannot be loaded (not built, not Linux). */
export function loadFuseBinding(): FuseBinding | Error {
  if (cached) return cached;
  const file = fileURLToPath(
    new URL('../../native/build/Release/fsjournal_fuse.node', import.meta.url),
  );
  try {
    cached = createRequire(import.meta.url)(file) as FuseBinding;
  } catch (err) {
    cached = err instanceof Error ? err : new Error(String(err));
  }
  return cached;
}

/** The binding, or undefined where it cannot be loaded: for calls that have a fallback. */
export function fuseBinding(): FuseBinding | undefined {
  const b = loadFuseBinding();
  return b instanceof Error ? undefined : b;
}
