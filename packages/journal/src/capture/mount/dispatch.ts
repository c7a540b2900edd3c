/**
 * The requests of a mount: each modifying request from the FUSE binding is
 * done on `source`, journaled, and answered.
 *
 * The rule (docs/capture.md, "Mount mode"): the backing operation runs
 * first; only if it succeeds are its records appended, and the reply waits
 * until they are durable under the journal's sync policy (and, with
 * `syncReplicas`, acknowledged by replicas). So the journal never claims a
 * change that did not happen, and no caller sees success for a change the
 * journal could lose. The window left is a crash between the backing
 * operation and the append: that change is on `source` but not journaled,
 * and its caller never got an answer (the next start writes a GAP for it).
 *
 * Order: modifying operations run their backing step and append their
 * records one at a time (`ordered`), so records are in the order the
 * changes happened on `source`; the waits for durability overlap (group
 * commit). libfuse's path locks keep an operation on a path from racing a
 * rename of it. The binding serves reads, getattr and readdir itself.
 *
 * Once an append fails, every change is answered EIO, before source is
 * touched, until the capture resumes (`clearFailure`); what the journal
 * lost is kept in `LostChanges` meanwhile.
 */
import { constants as osc } from 'node:os';
import fs, { constants as fsc, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import {
  FuseOp,
  type FuseBinding,
  type FuseHandler,
  type FuseRequest,
} from '../../sys/fuse_native.js';
import { removeXattr, setXattr } from '../../sys/xattr.js';
import type { Appended, Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { pathProblem } from '../../record/path_rules.js';
import type { RecordInput } from '../../record/record.js';
import type { SyncGate } from './sync_gate.js';
import { Callers } from './caller.js';
import { InodeNames } from './inode_names.js';
import { operationRecords } from './operation_records.js';
import { parentOf } from '../../record/path_rules.js';
import { utimeSeconds } from '../../tree/attrs.js';
import { lostOf, ownData, type LostChanges } from './rejournal.js';

/** Counters for status and tests. */
export interface MountStats {
  /** Requests answered. */
  requests: number;
  /** Modifying operations that succeeded and were journaled. */
  changes: number;
  /** Records appended. */
  records: number;
  /** Requests answered with an error. */
  errors: number;
}

/** One request as the binding handed it over. */
interface Op {
  req: FuseRequest;
  code: number;
  uid: number;
  gid: number;
  pid: number;
  path: string | null;
  path2: string | null;
  n0: number;
  n1: number;
  n2: number;
  n3: number;
  buf: Buffer | null;
  fh: number;
}

/** What a modifying operation did: its records and how to answer. */
interface Change {
  records: RecordInput[];
  /** Default: reply(0). */
  answer?: () => void;
  /** Undo what the caller will not be told about (a created fd when the journal fails). */
  onFailure?: () => void;
}

const O_ACCMODE = 3;
const S_ISGID = 0o2000;
const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const EIO = -osc.errno.EIO;

/** The negative errno for a failed fs call (libuv's errno is already negative on Linux). */
export function errnoOf(err: unknown): number {
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.errno === 'number' && e.errno < 0) return e.errno;
  const byCode = e?.code ? (osc.errno as Record<string, number>)[e.code] : undefined;
  return byCode ? -byCode : EIO;
}

/** Mount paths (`/a/b`) as journal paths (`a/b`; the root is `""`). */
export function journalPath(p: string): string {
  return p === '/' ? '' : p.slice(1);
}

/**
 * Backing calls of modifying operations, GETATTR and the like are synchronous:
 * on a local disk a metadata call takes microseconds, a trip through libuv's
 * thread pool ten times that, and modifying operations run one at a time
 * anyway (`ordered`). READ and FSYNC, which may wait on the disk, stay
 * asynchronous.
 */
const p = {
  lstat: (path: string): BigIntStats => fs.lstatSync(path, { bigint: true }),
  fstat: (fd: number): BigIntStats => fs.fstatSync(fd, { bigint: true }),
  open: (path: string, flags: number, mode?: number): number => fs.openSync(path, flags, mode),
  close: (fd: number): void => fs.closeSync(fd),
  write: (fd: number, buf: Buffer, off: number, len: number, pos: number): number =>
    fs.writeSync(fd, buf, off, len, pos),
};

export interface DispatchOptions {
  /** The backing folder (absolute). */
  source: string;
  binding: FuseBinding;
  journal: Journal;
  logger?: Logger | undefined;
  /** Synchronous replication: answers wait for replicas too. */
  gate?: SyncGate | undefined;
  /** Where changes the failed journal lost are kept. */
  lost: LostChanges;
  /** Whether the capture is stopping: changes are then answered EIO. */
  stopped: () => boolean;
  /** The binding's EXIT request: libfuse's loop ended. */
  onExit: () => void;
  /** An append failed: called once per failure, before the first EIO for it. */
  onFailed: (error: Error) => void;
}

/** Turns the binding's requests into backing operations, records and replies. */
export class Dispatcher {
  readonly stats: MountStats = { requests: 0, changes: 0, records: 0, errors: 0 };
  private readonly source: string;
  private readonly binding: FuseBinding;
  private readonly journal: Journal;
  private readonly o: DispatchOptions;
  private readonly callers = new Callers();
  private readonly names: InodeNames;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly work = new Set<Promise<void>>();
  private failed: Error | undefined;
  private changeSeq = 0;

  constructor(o: DispatchOptions) {
    this.o = o;
    this.source = o.source;
    this.binding = o.binding;
    this.journal = o.journal;
    this.names = new InodeNames(o.source);
  }

  /** The error that stopped taking changes, until clearFailure(). */
  get failure(): Error | undefined {
    return this.failed;
  }

  /** Takes changes again (the capture resumed: what was lost is journaled). */
  clearFailure(): void {
    this.failed = undefined;
  }

  /** Requests being handled (their promises never reject). */
  get inflight(): ReadonlySet<Promise<void>> {
    return this.work;
  }

  /** Runs `fn` after every earlier ordered call (changes, barriers, resume) has finished. */
  ordered<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** The handler given to `FuseBinding.mount`. */
  readonly onRequest: FuseHandler = (
    op,
    req,
    uid,
    gid,
    pid,
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
      this.o.onExit();
      return;
    }
    this.stats.requests++;
    // Only modifying operations reach JS (the binding serves the others).
    this.track(this.change({ req, code: op, uid, gid, pid, path, path2, n0, n1, n2, n3, buf, fh }));
  };

  private track(work: Promise<void>): void {
    this.work.add(work);
    void work.finally(() => this.work.delete(work));
  }

  /**
   * A modifying operation: backing step and append in order, then the wait
   * for durability (and replicas), then the answer.
   */
  private async change(o: Op): Promise<void> {
    const b = this.binding;
    const { req, path, path2 } = o;
    // While the journal cannot take records, nothing is changed: EIO.
    if (this.failed || this.o.stopped() || this.journal.failure) {
      this.stats.errors++;
      b.reply(req, EIO);
      return;
    }
    for (const q of [path, o.code === FuseOp.RENAME || o.code === FuseOp.LINK ? path2 : null]) {
      if (q !== null && pathProblem(journalPath(q), true)) {
        this.stats.errors++;
        b.reply(req, -osc.errno.EINVAL);
        return;
      }
    }
    let appended: Promise<Appended> | undefined;
    let change: Change;
    let seq = 0;
    let firstLsn = 0;
    try {
      change = await this.ordered(async () => {
        // Failed while this waited its turn: refused before source is touched.
        if (this.failed || this.journal.failure) throw { errno: EIO };
        const ch = await this.perform(o);
        if (ch.records.length > 0) {
          const c = this.callers.of(o.uid, o.gid, o.pid);
          for (const r of ch.records) r.cred = c;
          seq = ++this.changeSeq;
          if (this.failed || this.journal.failure) {
            // Failed while this change was made on source: appended now it
            // could land after a recovery and ahead of an earlier lost
            // change. resume() journals it in its turn; the caller gets EIO.
            this.o.lost.add({ seq, records: ch.records.map(ownData) });
            ch.onFailure?.();
            throw { errno: EIO };
          }
          firstLsn = this.journal.lastLsn + 1; // the LSN the append's first record gets
          appended = this.journal.appendMany(ch.records);
          // Handled below; a rejection must not go unhandled meanwhile.
          appended.catch(() => undefined);
        }
        return ch;
      });
    } catch (err) {
      this.stats.errors++;
      b.reply(req, errnoOf(err));
      return;
    }
    if (appended) {
      let journaled = false;
      try {
        const at = await appended;
        journaled = true;
        this.stats.records += change.records.length;
        if (this.o.gate) await this.o.gate.wait(at.firstLsn, at.lastLsn);
      } catch (err) {
        // The change is on source but the journal cannot hold it now: no
        // further change is taken until resume().
        if (!this.failed) {
          this.failed = err as Error;
          this.o.logger?.warn(
            { err, path },
            'journal append failed: mount answers EIO to changes until the journal is recovered',
          );
          this.o.onFailed(this.failed);
        }
        // Lost by a failed journal: journaled again by resume(). (A record
        // the journal refuses as invalid never can be: the GAP says so.)
        const lost = journaled ? undefined : lostOf(seq, change.records, firstLsn, err);
        if (lost) this.o.lost.add(lost);
        change.onFailure?.();
        this.stats.errors++;
        b.reply(req, EIO);
        return;
      }
    }
    this.stats.changes++;
    if (change.answer) change.answer();
    else b.reply(req, 0);
  }

  /** The backing step of a modifying operation and the records that say what it did. */
  private async perform(o: Op): Promise<Change> {
    const b = this.binding;
    const { path, path2, n0, n1, n2, n3, buf, fh } = o;
    // A handle whose name was unlinked may still be reachable under another
    // name (a hard link): then the change is journaled under that name.
    const rel = path === null ? (fh >= 0 ? this.names.nameOfOpen(fh) : null) : journalPath(path);
    const abs = (r: string): string => join(this.source, r);
    const parentStat = async (r: string): Promise<BigIntStats> => p.lstat(abs(parentOf(r)));
    switch (o.code) {
      case FuseOp.WRITE: {
        const data = buf!;
        let done = 0;
        while (done < n0) done += await p.write(fh, data, done, n0 - done, n1 + done);
        const answer = (): void => b.reply(o.req, done);
        if (rel === null) return { records: [], answer };
        const st = await p.fstat(fh);
        const nextLsn = this.journal.lastLsn + 1;
        return {
          records: operationRecords({ op: 'write', path: rel, offset: n1, data, st, nextLsn }),
          answer,
        };
      }
      case FuseOp.TRUNCATE: {
        if (fh >= 0) fs.ftruncateSync(fh, n0);
        else {
          const fd = await p.open(abs(rel!), fsc.O_WRONLY | fsc.O_NOFOLLOW);
          try {
            fs.ftruncateSync(fd, n0);
          } finally {
            await p.close(fd);
          }
        }
        if (rel === null) return { records: [] };
        const st = await p.lstat(abs(rel));
        return { records: operationRecords({ op: 'truncate', path: rel, size: n0, st }) };
      }
      case FuseOp.CREATE:
        return this.create(o, rel!);
      case FuseOp.MKDIR: {
        fs.mkdirSync(abs(rel!), n0 & 0o7777);
        const { st, dir } = await this.giveToCaller(o, rel!, n0);
        return { records: operationRecords({ op: 'mkdir', path: rel!, st, dir }) };
      }
      case FuseOp.SYMLINK: {
        fs.symlinkSync(path2!, abs(rel!));
        const { st, dir } = await this.giveToCaller(o, rel!);
        return {
          records: operationRecords({ op: 'symlink', path: rel!, target: path2!, st, dir }),
        };
      }
      case FuseOp.UNLINK: {
        fs.unlinkSync(abs(rel!));
        const dir = await parentStat(rel!);
        return { records: operationRecords({ op: 'unlink', path: rel!, dir }) };
      }
      case FuseOp.RMDIR: {
        fs.rmdirSync(abs(rel!));
        const dir = await parentStat(rel!);
        return { records: operationRecords({ op: 'rmdir', path: rel!, dir }) };
      }
      case FuseOp.RENAME: {
        const to = journalPath(path2!);
        if (n0 & RENAME_EXCHANGE) throw { errno: -osc.errno.EINVAL };
        if (n0 & RENAME_NOREPLACE) {
          if (fs.existsSync(abs(to))) throw { errno: -osc.errno.EEXIST };
        }
        fs.renameSync(abs(rel!), abs(to));
        const dir = await parentStat(rel!);
        if (parentOf(to) === parentOf(rel!)) {
          return { records: operationRecords({ op: 'rename', path: rel!, to, dir }) };
        }
        const toDir = await parentStat(to);
        const moved = await p.lstat(abs(to));
        return {
          records: operationRecords({ op: 'rename', path: rel!, to, dir, toDir, moved }),
        };
      }
      case FuseOp.LINK: {
        const to = journalPath(path2!);
        fs.linkSync(abs(rel!), abs(to));
        const st = p.lstat(abs(to));
        // A second name of a symlink is journaled as a symlink of its own.
        const target = st.isSymbolicLink() ? fs.readlinkSync(abs(to)) : undefined;
        const dir = await parentStat(to);
        return {
          records: operationRecords({ op: 'link', path: rel!, to, st, dir, target }),
        };
      }
      case FuseOp.CHMOD: {
        const mode = n0 & 0o7777;
        if (fh >= 0) fs.fchmodSync(fh, mode);
        else {
          const st = await p.lstat(abs(rel!));
          if (st.isSymbolicLink()) throw { errno: -osc.errno.EOPNOTSUPP };
          fs.chmodSync(abs(rel!), mode);
        }
        if (rel === null) return { records: [] };
        return { records: operationRecords({ op: 'chmod', path: rel, mode }) };
      }
      case FuseOp.CHOWN: {
        const before = fh >= 0 ? await p.fstat(fh) : await p.lstat(abs(rel!));
        const uid = n0 < 0 ? Number(before.uid) : n0;
        const gid = n1 < 0 ? Number(before.gid) : n1;
        if (fh >= 0) fs.fchownSync(fh, uid, gid);
        else fs.lchownSync(abs(rel!), uid, gid);
        if (rel === null) return { records: [] };
        const after = await p.lstat(abs(rel));
        const others = this.names.otherSymlinkNames(rel, after);
        return {
          records: operationRecords({ op: 'chown', path: rel, uid, gid, before, after, others }),
        };
      }
      case FuseOp.UTIMENS: {
        const before = fh >= 0 ? await p.fstat(fh) : await p.lstat(abs(rel!));
        const nowS = Date.now() / 1000;
        const pick = (sec: number, nsec: number, cur: bigint): number =>
          nsec === UTIME_NOW
            ? nowS
            : nsec === UTIME_OMIT
              ? utimeSeconds(Number(cur / 1_000_000_000n), Number(cur % 1_000_000_000n))
              : utimeSeconds(sec, nsec);
        const atime = pick(n0, n1, before.atimeNs);
        const mtime = pick(n2, n3, before.mtimeNs);
        if (fh >= 0) fs.futimesSync(fh, atime, mtime);
        else fs.lutimesSync(abs(rel!), atime, mtime);
        if (rel === null) return { records: [] };
        const st = p.lstat(abs(rel));
        const others = this.names.otherSymlinkNames(rel, st);
        return { records: operationRecords({ op: 'utimens', path: rel, st, others }) };
      }
      case FuseOp.SETXATTR: {
        const res = setXattr(abs(rel!), path2!, buf!, n0);
        if (res < 0) throw { errno: res };
        return {
          records: operationRecords({ op: 'setxattr', path: rel!, name: path2!, value: buf! }),
        };
      }
      case FuseOp.REMOVEXATTR: {
        const res = removeXattr(abs(rel!), path2!);
        if (res < 0) throw { errno: res };
        return { records: operationRecords({ op: 'removexattr', path: rel!, name: path2! }) };
      }
      default:
        throw { errno: -osc.errno.ENOSYS };
    }
  }

  /** CREATE: a new regular file, opened for the caller, owned by the caller. */
  private async create(o: Op, rel: string): Promise<Change> {
    const mode = o.n0;
    const flags = o.n1;
    const abs = join(this.source, rel);
    const access = (flags & O_ACCMODE) | fsc.O_NOFOLLOW;
    let fd: number;
    try {
      fd = await p.open(abs, access | fsc.O_CREAT | fsc.O_EXCL, mode & 0o7777);
    } catch (err) {
      // Created meanwhile by someone else: an ordinary open, nothing to journal.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || flags & fsc.O_EXCL) throw err;
      fd = await p.open(abs, access);
      return this.opened(o, fd, []);
    }
    try {
      // After the create: the folder's times are the ones to journal.
      const dir = p.lstat(join(this.source, parentOf(rel)));
      let st = p.fstat(fd);
      // A set-group-ID folder gives its group to new entries.
      const gid = Number(dir.mode) & S_ISGID ? Number(dir.gid) : o.gid;
      if (Number(st.uid) !== o.uid || Number(st.gid) !== gid) fs.fchownSync(fd, o.uid, gid);
      // The caller's umask is already applied by the kernel; ours must not be.
      if ((Number(st.mode) & 0o7777) !== (mode & 0o7777)) fs.fchmodSync(fd, mode & 0o7777);
      st = p.fstat(fd);
      return this.opened(o, fd, operationRecords({ op: 'create', path: rel, st, dir }));
    } catch (err) {
      fs.close(fd, () => undefined);
      throw err;
    }
  }

  private opened(o: Op, fd: number, records: RecordInput[]): Change {
    return {
      records,
      answer: () => this.binding.replyOpen(o.req, 0, fd),
      onFailure: () => fs.close(fd, () => undefined),
    };
  }

  /**
   * After MKDIR (`mkdirMode` given) and SYMLINK: the new entry's owner is the
   * caller (its group the folder's when that is set-group-ID), a folder's
   * mode the caller's. Returns the entry's stat and its parent's, after.
   */
  private async giveToCaller(
    o: Op,
    rel: string,
    mkdirMode?: number,
  ): Promise<{ st: BigIntStats; dir: BigIntStats }> {
    const abs = join(this.source, rel);
    const dirSt = await p.lstat(join(this.source, parentOf(rel)));
    const gid = Number(dirSt.mode) & S_ISGID ? Number(dirSt.gid) : o.gid;
    fs.lchownSync(abs, o.uid, gid);
    if (mkdirMode !== undefined) {
      // mkdir(2) applied our umask; the caller's was applied by the kernel.
      const keepSgid = Number(dirSt.mode) & S_ISGID;
      fs.chmodSync(abs, (mkdirMode & 0o7777) | keepSgid);
    }
    const st = await p.lstat(abs);
    return { st, dir: await p.lstat(join(this.source, parentOf(rel))) };
  }
}
