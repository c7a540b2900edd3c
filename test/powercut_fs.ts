/**
 * A file system that forgets what was not synced: the power-cut tests mount
 * it, run real fsjournal processes on it, kill them, and "cut the power".
 *
 * It is a FUSE pass-through over a backing folder (our own binding, mounted
 * with `MountFlag.SYNC_TO_JS` so that fsync and fsync of a folder reach this
 * code). Beside the live tree it keeps a model of what the disk holds for
 * sure, POSIX taken strictly (as on a file system that reorders freely):
 *   - a file's content is durable as of its last fsync/fdatasync; writes and
 *     truncates since are pending;
 *   - a folder's entries (creations, links, renames, removals) are durable as
 *     of its last fsync; a file whose name never reached a synced folder is
 *     gone after a cut, whatever was synced of its content;
 *   - modes, owners and times are kept as last seen (at a sync, or live at
 *     the cut): lenient, since what is tested is content and names; xattrs
 *     are refused (ENOTSUP).
 * `freeze()` is the moment the power goes: from then on every request that
 * would change something fails (EIO) and changes nothing, so writes in
 * flight are caught unsynced; the test then kills the processes using the
 * mount. `cut()` (freezing first if needed) unmounts, rebuilds the backing
 * folder from the model alone, and mounts again: what was not synced is gone. With `torn`, each file also
 * keeps a random prefix of its pending writes, the last one possibly cut at a
 * 512-byte sector: a disk that wrote some of the queue before the power went.
 *
 * The handler runs on this process's JS thread and does the backing
 * operations synchronously (on a real disk, never through the mount). So the
 * test process must never touch the mount with synchronous calls that
 * change it: the request would wait for the thread that is waiting for it.
 */
import { constants as fsc, promises as fsp } from 'node:fs';
import * as fs from 'node:fs';
import { constants as osc } from 'node:os';
import { join } from 'node:path';
import {
  FuseOp,
  MountFlag,
  loadFuseBinding,
  utimeSeconds,
  type FuseBinding,
  type FuseHandle,
  type FuseHandler,
} from '@fsjournal/journal/internal';

/** Mode, owner and times as last seen. */
interface Meta {
  mode: number;
  uid: number;
  gid: number;
  atimeNs: bigint;
  mtimeNs: bigint;
}

interface FileNode {
  kind: 'file';
  meta?: Meta;
  /** Content as of the last sync. */
  durable: Buffer;
  pending: PendingOp[];
  mode: number;
}
interface DirNode {
  kind: 'dir';
  meta?: Meta;
  /** Entries as of the last sync of this folder: name -> node id. */
  entries: Map<string, number>;
  mode: number;
}
interface LinkNode {
  kind: 'symlink';
  meta?: Meta;
  target: string;
}
type Node = FileNode | DirNode | LinkNode;
/** open(2)'s access-mode bits (Node's fs.constants lacks it). */
const O_ACCMODE = 3;
/** utimensat(2)'s special nanosecond values. */
const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

type PendingOp = { off: number; data: Buffer } | { size: number };

export interface CutReport {
  /** Files whose content lost pending writes or truncates. */
  filesRolledBack: number;
  /** Pending writes and truncates dropped. */
  opsDropped: number;
  /** Bytes of pending writes dropped (torn writes count what was cut off). */
  bytesDropped: number;
  /** Live names that did not survive (their folder was not synced since). */
  namesLost: number;
  /** Writes kept only in part (torn). */
  tornWrites: number;
}

export interface CutOptions {
  /** Keep a random prefix of each file's pending writes, the last one torn. */
  torn?: boolean;
  /** Random source in [0, 1); default Math.random. */
  random?: () => number;
}

/** A failure to answer instead of doing a request (see `inject`). */
export interface Fault {
  /** Which requests: writes, file fsyncs, creations, or any change. */
  op: 'write' | 'fsync' | 'create' | 'any';
  /** Only requests whose mount path (`/a/b`) matches. */
  path?: RegExp;
  errno: 'EIO' | 'ENOSPC';
  /** How many requests fail; default: until `clearFaults()`. */
  times?: number;
}

export class PowercutFs {
  /** Sync operations seen since the mount, for the tests' sanity checks. */
  readonly stats = { fsyncs: 0, fsyncdirs: 0, writes: 0 };

  private readonly nodes = new Map<number, Node>();
  /** Backing inode -> node id, for what is live now. */
  private readonly live = new Map<number, number>();
  private nextId = 1;
  private rootId = 0;
  private handle: FuseHandle | undefined;
  private frozen = false;
  /** Armed by freezeAfterWrites: writes left before the freeze, and who waits. */
  private freezeIn: { writes: number; done: () => void } | undefined;
  private faults: Fault[] = [];
  /** Requests failed by an injected fault. */
  injected = 0;
  private exited: (() => void) | undefined;

  private constructor(
    private readonly binding: FuseBinding,
    /** The real folder below. */
    readonly backing: string,
    /** Where the test's processes see it. */
    readonly mountpoint: string,
  ) {}

  /** Mounts `<dir>/mnt` over `<dir>/backing` (both created). */
  static async mount(dir: string): Promise<PowercutFs> {
    const binding = loadFuseBinding();
    if (binding instanceof Error) throw binding;
    const fsys = new PowercutFs(binding, join(dir, 'backing'), join(dir, 'mnt'));
    await fsp.mkdir(fsys.backing, { recursive: true });
    await fsp.mkdir(fsys.mountpoint, { recursive: true });
    fsys.attach();
    return fsys;
  }

  /**
   * Cuts the power: unmounts (the processes using the mount must be dead),
   * replaces the backing folder with what the model says survived, mounts
   * again.
   */
  async cut(options: CutOptions = {}): Promise<CutReport> {
    this.freeze();
    await this.detach();
    const report = await this.rebuild(options.torn === true, options.random ?? Math.random);
    this.attach();
    return report;
  }

  /**
   * Fails matching requests with `fault.errno` from now on. A failed fsync
   * also drops the file's unsynced writes for good, as Linux does after a
   * writeback error: reads still show them (from the live folder), the disk
   * never gets them, and a later fsync does not bring them back.
   */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** The power goes: nothing changes any more until the cut is over. */
  freeze(): void {
    this.frozen = true;
    this.freezeIn?.done();
    this.freezeIn = undefined;
  }

  /**
   * Freezes at the `writes`-th write request from now (that one fails): the
   * power goes while something is being written. Resolves once frozen; a
   * `freeze()` meanwhile resolves it too.
   */
  freezeAfterWrites(writes: number): Promise<void> {
    return new Promise((resolve) => (this.freezeIn = { writes, done: resolve }));
  }

  /** Unmounts for good. */
  async unmount(): Promise<void> {
    await this.detach();
  }

  // --- mounting ---------------------------------------------------------

  /** Takes everything in the backing folder as durable, and mounts. */
  private attach(): void {
    this.nodes.clear();
    this.live.clear();
    this.frozen = false;
    this.rootId = this.adopt(this.backing);
    this.handle = this.binding.mount(
      this.mountpoint,
      'fsname=powercut,default_permissions',
      this.backing,
      this.onRequest,
      MountFlag.SYNC_TO_JS,
    );
  }

  private async detach(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    this.handle = undefined;
    const exited = new Promise<void>((resolve) => (this.exited = resolve));
    this.binding.unmount(handle);
    await exited;
    this.binding.finish(handle);
  }

  /** Registers the live tree under `abs` as durable, as it is now. */
  private adopt(abs: string): number {
    const st = fs.lstatSync(abs);
    const known = this.live.get(st.ino);
    if (known !== undefined) return known;
    const id = this.nextId++;
    this.live.set(st.ino, id);
    if (st.isDirectory()) {
      const entries = new Map<string, number>();
      this.nodes.set(id, { kind: 'dir', entries, mode: st.mode & 0o7777 });
      for (const name of fs.readdirSync(abs)) entries.set(name, this.adopt(join(abs, name)));
    } else if (st.isSymbolicLink()) {
      this.nodes.set(id, { kind: 'symlink', target: fs.readlinkSync(abs) });
    } else {
      const durable = fs.readFileSync(abs);
      this.nodes.set(id, { kind: 'file', durable, pending: [], mode: st.mode & 0o7777 });
    }
    return id;
  }

  // --- the model ----------------------------------------------------------

  /** The node of a live inode; a new, never-synced one when unknown. */
  private nodeOf(st: fs.Stats, abs: string): [number, Node] {
    const known = this.live.get(st.ino);
    if (known !== undefined) return [known, this.nodes.get(known)!];
    const id = this.nextId++;
    this.live.set(st.ino, id);
    const node: Node = st.isDirectory()
      ? { kind: 'dir', entries: new Map(), mode: st.mode & 0o7777 }
      : st.isSymbolicLink()
        ? { kind: 'symlink', target: fs.readlinkSync(abs) }
        : { kind: 'file', durable: Buffer.alloc(0), pending: [], mode: st.mode & 0o7777 };
    this.nodes.set(id, node);
    return [id, node];
  }

  private fileOfFd(fd: number): FileNode | undefined {
    const [, node] = this.nodeOf(fs.fstatSync(fd), '');
    return node.kind === 'file' ? node : undefined;
  }

  /** What `abs` is before a name goes, or undefined when there is none. */
  private before(abs: string): fs.Stats | undefined {
    try {
      return fs.lstatSync(abs);
    } catch {
      return undefined;
    }
  }

  /** A name went: its inode is no longer live if that was its last link. */
  private gone(st: fs.Stats | undefined): void {
    if (st && (st.isDirectory() || st.nlink <= 1)) this.live.delete(st.ino);
  }

  /** fsync of a file: its pending operations reach the disk. */
  private syncFile(node: FileNode, fd: number): void {
    node.durable = applyOps(node.durable, node.pending);
    node.pending = [];
    node.meta = metaOf(fs.fstatSync(fd, { bigint: true }));
  }

  /** fsync of a folder: its entries as they are now reach the disk. */
  private syncDir(abs: string): void {
    const [, node] = this.nodeOf(fs.lstatSync(abs), abs);
    if (node.kind !== 'dir') return;
    const entries = new Map<string, number>();
    for (const name of fs.readdirSync(abs)) {
      const child = join(abs, name);
      const [id, childNode] = this.nodeOf(fs.lstatSync(child), child);
      childNode.meta = metaOf(fs.lstatSync(child, { bigint: true }));
      entries.set(name, id);
    }
    node.entries = entries;
    node.meta = metaOf(fs.lstatSync(abs, { bigint: true }));
  }

  // --- the cut --------------------------------------------------------------

  private async rebuild(torn: boolean, random: () => number): Promise<CutReport> {
    const report: CutReport = {
      filesRolledBack: 0,
      opsDropped: 0,
      bytesDropped: 0,
      namesLost: 0,
      tornWrites: 0,
    };
    report.namesLost = this.countLiveNames(this.backing) - this.countDurableNames(this.rootId);
    this.captureLiveMeta(this.backing);
    await fsp.rm(this.backing, { recursive: true, force: true });
    await fsp.mkdir(this.backing);
    const written = new Map<number, string>();
    const placedDirs = new Set<number>([this.rootId]);
    const place = async (dirId: number, dirAbs: string): Promise<void> => {
      const dir = this.nodes.get(dirId) as DirNode;
      for (const [name, id] of dir.entries) {
        const abs = join(dirAbs, name);
        const node = this.nodes.get(id)!;
        if (node.kind === 'dir') {
          // Folders synced at different moments can describe a cycle; a
          // folder is placed once.
          if (placedDirs.has(id)) continue;
          placedDirs.add(id);
          await fsp.mkdir(abs, { mode: node.mode });
          await place(id, abs);
        } else if (node.kind === 'symlink') {
          await fsp.symlink(node.target, abs);
        } else if (written.has(id)) {
          await fsp.link(written.get(id)!, abs);
          continue;
        } else {
          await fsp.writeFile(abs, this.survivingContent(node, torn, random, report), {
            mode: node.mode,
          });
          written.set(id, abs);
        }
        await applyMeta(abs, node);
      }
    };
    await place(this.rootId, this.backing);
    await applyMeta(this.backing, this.nodes.get(this.rootId)!);
    return report;
  }

  private survivingContent(
    node: FileNode,
    torn: boolean,
    random: () => number,
    report: CutReport,
  ): Buffer {
    const ops = node.pending;
    if (ops.length === 0) return node.durable;
    report.filesRolledBack++;
    const kept = torn ? Math.floor(random() * (ops.length + 1)) : 0;
    const survivors = ops.slice(0, kept);
    if (torn && kept < ops.length && random() < 0.5) {
      const op = ops[kept]!;
      if ('data' in op && op.data.length > 0) {
        // The write reached the disk up to a sector boundary.
        const end = Math.floor((op.off + random() * op.data.length) / 512) * 512;
        if (end > op.off) {
          survivors.push({ off: op.off, data: op.data.subarray(0, end - op.off) });
          report.tornWrites++;
          report.bytesDropped += op.data.length - (end - op.off);
        }
      }
    }
    for (const op of ops.slice(survivors.length)) {
      report.opsDropped++;
      if ('data' in op) report.bytesDropped += op.data.length;
    }
    // A torn write counts as kept above; its cut-off part is in bytesDropped.
    return applyOps(node.durable, survivors);
  }

  /** Mode, owner and times of everything live, as it is at the cut. */
  private captureLiveMeta(abs: string): void {
    const st = fs.lstatSync(abs, { bigint: true });
    const id = this.live.get(Number(st.ino));
    if (id !== undefined) this.nodes.get(id)!.meta = metaOf(st);
    if (st.isDirectory())
      for (const name of fs.readdirSync(abs)) this.captureLiveMeta(join(abs, name));
  }

  private countLiveNames(abs: string): number {
    let n = 0;
    for (const e of fs.readdirSync(abs, { withFileTypes: true })) {
      n++;
      if (e.isDirectory()) n += this.countLiveNames(join(abs, e.name));
    }
    return n;
  }

  private countDurableNames(dirId: number, seen = new Set<number>()): number {
    seen.add(dirId);
    let n = 0;
    for (const id of (this.nodes.get(dirId) as DirNode).entries.values()) {
      n++;
      const node = this.nodes.get(id)!;
      if (node.kind === 'dir' && !seen.has(id)) n += this.countDurableNames(id, seen);
    }
    return n;
  }

  // --- requests ---------------------------------------------------------------

  private faultFor(op: number, path: string | null): Fault | undefined {
    const kind =
      op === FuseOp.WRITE
        ? 'write'
        : op === FuseOp.FSYNC
          ? 'fsync'
          : op === FuseOp.CREATE
            ? 'create'
            : undefined;
    const f = this.faults.find(
      (f) =>
        (f.op === 'any' || f.op === kind) &&
        (f.path === undefined || (path !== null && f.path.test(path))),
    );
    if (f?.times !== undefined && --f.times <= 0) this.faults.splice(this.faults.indexOf(f), 1);
    return f;
  }

  private readonly onRequest: FuseHandler = (
    op,
    req,
    _uid,
    _gid,
    _pid,
    path,
    path2,
    n0,
    n1,
    n2,
    n3,
    buf,
    fh,
  ) => {
    if (op === FuseOp.EXIT) {
      this.exited?.();
      return;
    }
    if (op === FuseOp.WRITE && this.freezeIn && --this.freezeIn.writes <= 0) this.freeze();
    if (this.frozen) {
      this.binding.reply(req, -osc.errno.EIO);
      return;
    }
    const fault = this.faultFor(op, path);
    if (fault) {
      this.injected++;
      if (op === FuseOp.FSYNC) {
        const node = this.fileOfFd(fh);
        if (node) node.pending = [];
      }
      this.binding.reply(req, -osc.errno[fault.errno]);
      return;
    }
    const abs = (p: string | null): string => join(this.backing, p ?? '/');
    try {
      switch (op) {
        case FuseOp.CREATE: {
          const fd = fs.openSync(
            abs(path),
            (n1 & O_ACCMODE) | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW,
            n0 & 0o7777,
          );
          this.nodeOf(fs.fstatSync(fd), abs(path));
          this.binding.replyOpen(req, 0, fd);
          return;
        }
        case FuseOp.WRITE: {
          const n = fs.writeSync(fh, buf!, 0, n0, n1);
          this.stats.writes++;
          this.fileOfFd(fh)?.pending.push({ off: n1, data: Buffer.from(buf!.subarray(0, n)) });
          this.binding.reply(req, n);
          return;
        }
        case FuseOp.TRUNCATE: {
          const fd = fh >= 0 ? fh : fs.openSync(abs(path), fsc.O_WRONLY | fsc.O_NOFOLLOW);
          try {
            fs.ftruncateSync(fd, n0);
            this.fileOfFd(fd)?.pending.push({ size: n0 });
          } finally {
            if (fd !== fh) fs.closeSync(fd);
          }
          break;
        }
        case FuseOp.FSYNC: {
          this.stats.fsyncs++;
          const node = this.fileOfFd(fh);
          if (node) this.syncFile(node, fh);
          break;
        }
        case FuseOp.FSYNCDIR:
          this.stats.fsyncdirs++;
          this.syncDir(abs(path));
          break;
        case FuseOp.MKDIR:
          fs.mkdirSync(abs(path), n0 & 0o7777);
          this.nodeOf(fs.lstatSync(abs(path)), abs(path));
          break;
        case FuseOp.SYMLINK:
          fs.symlinkSync(path2!, abs(path));
          this.nodeOf(fs.lstatSync(abs(path)), abs(path));
          break;
        case FuseOp.LINK:
          fs.linkSync(abs(path), abs(path2));
          break;
        case FuseOp.UNLINK: {
          const st = this.before(abs(path));
          fs.unlinkSync(abs(path));
          this.gone(st);
          break;
        }
        case FuseOp.RMDIR: {
          const st = this.before(abs(path));
          fs.rmdirSync(abs(path));
          this.gone(st);
          break;
        }
        case FuseOp.RENAME: {
          if (n0 !== 0) throw Object.assign(new Error('flags'), { code: 'EINVAL' });
          const from = this.before(abs(path));
          const replaced = this.before(abs(path2));
          fs.renameSync(abs(path), abs(path2));
          // A replaced target lost a link (rename between two names of one
          // file changes nothing).
          if (replaced && replaced.ino !== from?.ino) this.gone(replaced);
          break;
        }
        case FuseOp.CHMOD: {
          fs.chmodSync(abs(path), n0 & 0o7777);
          const [, node] = this.nodeOf(fs.lstatSync(abs(path)), abs(path));
          if (node.kind !== 'symlink') node.mode = n0 & 0o7777;
          break;
        }
        case FuseOp.CHOWN:
          fs.lchownSync(abs(path), n0, n1);
          break;
        case FuseOp.UTIMENS: {
          const st = fs.lstatSync(abs(path), { bigint: true });
          const time = (sec: number, nsec: number, current: bigint): number => {
            if (nsec === UTIME_NOW) return Date.now() / 1000;
            if (nsec !== UTIME_OMIT) return utimeSeconds(sec, nsec);
            return secondsOfNs(current);
          };
          fs.lutimesSync(abs(path), time(n0, n1, st.atimeNs), time(n2, n3, st.mtimeNs));
          break;
        }
        default:
          throw Object.assign(new Error('not supported'), { code: 'ENOTSUP' });
      }
      this.binding.reply(req, 0);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      const errno = (osc.errno as Record<string, number>)[code] ?? osc.errno.EIO;
      this.binding.reply(req, -errno);
    }
  };
}

/** `base` with writes and truncates applied in order (a new buffer). */
function applyOps(base: Buffer, ops: PendingOp[]): Buffer {
  let out = Buffer.from(base);
  let len = base.length;
  const room = (n: number): void => {
    if (n <= out.length) return;
    const grown = Buffer.alloc(Math.max(n, out.length * 2));
    out.copy(grown, 0, 0, len);
    out = grown;
  };
  for (const op of ops) {
    if ('data' in op) {
      room(op.off + op.data.length);
      op.data.copy(out, op.off);
      len = Math.max(len, op.off + op.data.length);
    } else {
      // Zeros past a shrink, so that a later extension reads zeros.
      if (op.size < len) out.fill(0, op.size, len);
      else room(op.size);
      len = op.size;
    }
  }
  return out.subarray(0, len);
}

/** A time in ns as the seconds lutimes takes, to the microsecond. */
function secondsOfNs(ns: bigint): number {
  return utimeSeconds(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

function metaOf(st: fs.BigIntStats): Meta {
  return {
    mode: Number(st.mode & 0o7777n),
    uid: Number(st.uid),
    gid: Number(st.gid),
    atimeNs: st.atimeNs,
    mtimeNs: st.mtimeNs,
  };
}

/** Sets what `node.meta` says on `abs` (after its content or children). */
async function applyMeta(abs: string, node: Node): Promise<void> {
  const m = node.meta;
  if (!m) return;
  await fsp.lchown(abs, m.uid, m.gid);
  if (node.kind !== 'symlink') await fsp.chmod(abs, node.mode);
  await fsp.lutimes(abs, secondsOfNs(m.atimeNs), secondsOfNs(m.mtimeNs));
}
