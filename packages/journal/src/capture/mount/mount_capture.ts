/**
 * Mount-mode capture: `mountpoint` serves `source` through FUSE, and every
 * modifying operation is journaled before it returns to its caller, with the
 * caller's uid, gid, pid and command name.
 *
 * The rule (docs/capture.md, "Mount mode"): the backing operation runs
 * first; only if it succeeds are its records appended, and the reply waits
 * until they are durable under the journal's sync policy (and, with
 * `syncReplicas`, acknowledged by replicas). So the journal never claims a
 * change that did not happen, and no caller sees success for a change the
 * journal could lose. The window left is a crash between the backing
 * operation and the append: that change is on `source` but not journaled,
 * and its caller never got an answer; the next start writes a GAP for it.
 *
 * Order: modifying operations run their backing step and append their
 * records one at a time (`ordered`), so records are in the order the
 * changes happened on `source`; the waits for durability overlap (group
 * commit). libfuse's path locks keep an operation on a path from racing a
 * rename of it. Reads, getattr and readdir run concurrently.
 *
 * Each change carries the times it left behind: a UTIMES for the changed
 * file after WRITE and TRUNCATE, and for the parent folder(s) after a name
 * is added or removed, so a replica's times match the source's.
 */
import { constants as osc } from 'node:os';
import fs, { constants as fsc, type BigIntStats } from 'node:fs';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Capture } from '../capture.js';
import { writeFileDurable } from '../../sys/durable_file.js';
import { JournalError, isJournalError } from '../../errors.js';
import {
  FuseOp,
  loadFuseBinding,
  type FuseBinding,
  type FuseHandle,
  type FuseHandler,
  type FuseRequest,
} from '../../sys/fuse_native.js';
import type { Appended, Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { MOUNT_FSTYPE, prepareMountpoint } from './mount_point.js';
import { parentOf, pathProblem } from '../../record/path_rules.js';
import { utimeSeconds } from '../../tree/attrs.js';
import { MAX_WRITE_DATA, RecordKind, type RecordInput } from '../../record/record.js';
import { SyncGate, type SyncReplicationOptions, type SyncReplicationStatus } from './sync_gate.js';

export interface MountCaptureOptions {
  /** The backing folder. */
  source: string;
  /** Where the journaled view of `source` is mounted (an empty folder). */
  mountpoint: string;
  journal: Journal;
  logger?: Logger;
  /** Synchronous replication (`--sync-replicas`); absent or 0: asynchronous. */
  syncReplication?: SyncReplicationOptions;
  /** How long stop() waits for libfuse's loop to end after unmounting. Default 5 s. */
  exitTimeoutMs?: number;
}

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

interface Cred {
  uid: number;
  gid: number;
  pid: number;
  comm: string;
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
const COMM_TTL_MS = 1000;
/** The marker a running mount keeps beside the journal; found at start, it means a crash. */
const ACTIVE_MARKER = 'mount.active';

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

function timespec(ns: bigint): { sec: number; nsec: number } {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/** UTIMES for a path from its stat. */
function utimesRecord(path: string, st: BigIntStats): RecordInput {
  return {
    kind: RecordKind.RECORD_KIND_UTIMES,
    path,
    atime: timespec(st.atimeNs),
    mtime: timespec(st.mtimeNs),
  };
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
  read: (fd: number, buf: Buffer, len: number, pos: number) =>
    new Promise<number>((res, rej) =>
      fs.read(fd, buf, 0, len, pos, (e, n) => (e ? rej(e) : res(n))),
    ),
};

export class MountCapture implements Capture {
  readonly stats: MountStats = { requests: 0, changes: 0, records: 0, errors: 0 };
  readonly source: string;
  readonly mountpoint: string;
  private readonly journal: Journal;
  private readonly logger: Logger | undefined;
  private readonly binding: FuseBinding;
  private readonly gate: SyncGate | undefined;
  private handle: FuseHandle | undefined;
  private exited!: Promise<void>;
  private onExit!: () => void;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly inflight = new Set<Promise<void>>();
  private readonly comms = new Map<number, { comm: string; at: number }>();
  /** dev:ino -> a path, for hard-linked files (see otherName). */
  private readonly inodeNames = new Map<string, string>();
  private failed: Error | undefined;
  private readonly failureListeners = new Set<(error: Error) => void>();
  /**
   * Changes made on source whose records the failed journal lost (their
   * callers got EIO), in the order they were made: journaled by resume().
   */
  private unjournaled: Lost[] = [];
  private changeSeq = 0;
  private stopped = false;
  private readonly exitTimeoutMs: number;

  private constructor(o: MountCaptureOptions, binding: FuseBinding) {
    this.source = resolve(o.source);
    this.mountpoint = resolve(o.mountpoint);
    this.journal = o.journal;
    this.logger = o.logger;
    this.binding = binding;
    this.exitTimeoutMs = o.exitTimeoutMs ?? 5000;
    if (o.syncReplication && o.syncReplication.required > 0) {
      this.gate = new SyncGate(o.syncReplication, () => this.journal.lastLsn, o.logger);
    }
    this.exited = new Promise((res) => (this.onExit = res));
  }

  /**
   * Checks and prepares the mountpoint (a stale mount from a crashed run is
   * detached), then mounts. Resolves once mounted.
   */
  static async start(o: MountCaptureOptions): Promise<MountCapture> {
    const binding = loadFuseBinding();
    if (binding instanceof Error) {
      throw new JournalError(
        'FSJ_ERR_MOUNT_UNAVAILABLE',
        `FUSE binding not available: ${binding.message.split('\n')[0]}`,
        { cause: binding },
      );
    }
    await prepareMountpoint(o.source, o.mountpoint, o.logger);
    const c = new MountCapture(o, binding);
    await c.noteEarlierCrash();
    const options = [
      'fsname=fsjournal',
      `subtype=${MOUNT_FSTYPE.slice('fuse.'.length)}`,
      // Callers other than the mounting user; the kernel checks permissions
      // against the attributes the pass-through reports (those of source).
      'allow_other',
      'default_permissions',
    ].join(',');
    try {
      c.handle = binding.mount(c.mountpoint, options, c.source, c.onRequest);
    } catch (cause) {
      await rm(join(o.journal.dir, ACTIVE_MARKER), { force: true });
      throw new JournalError(
        'FSJ_ERR_MOUNT_FAILED',
        `mount ${c.mountpoint}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    o.logger?.info({ source: c.source, mountpoint: c.mountpoint }, 'mounted');
    return c;
  }

  /** The state of synchronous replication, when `syncReplication` asks for it. */
  syncStatus(): SyncReplicationStatus | undefined {
    return this.gate?.status();
  }

  /**
   * A run that crashed may have changed source without journaling it (the
   * window between a backing operation and its append): say so with a GAP.
   */
  private async noteEarlierCrash(): Promise<void> {
    const marker = join(this.journal.dir, ACTIVE_MARKER);
    let earlier: string | undefined;
    try {
      earlier = readFileSync(marker, 'utf8').trim();
    } catch {
      earlier = undefined;
    }
    if (earlier !== undefined) {
      this.logger?.warn({ marker }, 'the previous mount-mode run did not stop cleanly');
      await this.journal.append({
        kind: RecordKind.RECORD_KIND_GAP,
        path: '',
        text: `mount-mode run ${earlier} stopped without unmounting: operations in flight then may be on the source and not in the journal`,
      });
    }
    await writeFileDurable(marker, `pid ${process.pid}\n`);
  }

  async barrier(barrierId: string): Promise<number> {
    if (this.stopped) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped');
    // Every change that returned before this call has its records appended;
    // the order lock puts the barrier after those in progress too.
    // (Wrapped: the lock is held for the append call, not for its durability.)
    const { appended } = await this.ordered(async () => ({
      appended: this.journal.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId }),
    }));
    return (await appended).lastLsn;
  }

  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.journal.flush();
    if (this.failed) throw this.failed;
  }

  /** The error that stopped taking changes, until resume() succeeds. */
  get failure(): Error | undefined {
    return this.failed;
  }

  onFailed(listener: (error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Takes changes again once the journal does. A change whose backing step
   * was done but whose records the failed journal lost is on source; its
   * caller got EIO. Its records are appended again now, in the order the
   * changes were made (none was made after them: every later change was
   * refused before touching source), so the journal, and the replicas, end
   * as source is. Only what was lost is appended: the failure names the last
   * durable LSN, so records of a change that a segment roll made durable are
   * not repeated; a transaction cut there is aborted first and journaled
   * whole under a new id.
   */
  async resume(options: { gap?: string } = {}): Promise<void> {
    if (this.stopped) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped');
    await this.ordered(async () => {
      if (options.gap !== undefined) {
        await this.journal.append({
          kind: RecordKind.RECORD_KIND_GAP,
          path: '',
          text: options.gap,
        });
      }
      const changes = this.unjournaled.sort((a, b) => a.seq - b.seq);
      let records = 0;
      while (changes.length > 0) {
        const change = changes[0]!;
        await this.journalAgain(change);
        records += change.records.length;
        changes.shift();
      }
      this.failed = undefined;
      this.logger?.info(
        { records, lsn: this.journal.lastLsn },
        'mount takes changes again; changes the failed journal lost are journaled',
      );
    });
  }

  /**
   * Appends what the journal lost of one change again (see resume), a
   * transaction under a new id. If that fails too, `change` is left saying
   * what is still lost.
   */
  private async journalAgain(change: Lost): Promise<void> {
    if (change.abortTxn !== undefined) {
      await this.journal.append({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn: change.abortTxn });
      change.abortTxn = undefined;
    }
    if (change.records.length === 0) return;
    // No await from here to the append: the id is the LSN its TXN_BEGIN gets.
    const firstLsn = this.journal.lastLsn + 1;
    const old = change.records[0]?.txn ?? undefined;
    if (change.records[0]?.kind === RecordKind.RECORD_KIND_TXN_BEGIN && old !== undefined) {
      for (const r of change.records) if (r.txn === old) r.txn = firstLsn;
    }
    try {
      await this.journal.appendMany(change.records);
    } catch (err) {
      Object.assign(change, lostOf(change.seq, change.records, firstLsn, err) ?? { records: [] });
      throw err;
    }
  }

  /** Unmounts (lazily: open files keep working until closed), waits for the loop to end. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle) {
      this.binding.unmount(this.handle);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(true), this.exitTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut)
        this.logger?.warn({ mountpoint: this.mountpoint }, 'FUSE loop still busy after unmount');
    }
    await Promise.allSettled([...this.inflight]);
    await this.journal.flush().catch(() => undefined);
    if (!this.failed) await rm(join(this.journal.dir, ACTIVE_MARKER), { force: true });
    this.logger?.info({ mountpoint: this.mountpoint, ...this.stats }, 'unmounted');
  }

  // ---------------------------------------------------------------------------
  // Requests

  private readonly onRequest: FuseHandler = (
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
      if (!this.stopped) {
        this.logger?.warn(
          { mountpoint: this.mountpoint },
          'the mount went away (unmounted from outside?): no more changes can be journaled',
        );
      }
      if (this.handle) this.binding.finish(this.handle);
      this.onExit();
      return;
    }
    this.stats.requests++;
    // Only modifying operations reach JS (the binding serves the others).
    this.track(this.change({ req, code: op, uid, gid, pid, path, path2, n0, n1, n2, n3, buf, fh }));
  };

  private track(work: Promise<void>): void {
    this.inflight.add(work);
    void work.finally(() => this.inflight.delete(work));
  }

  /** The caller's command name from /proc/<pid>/comm, cached briefly per pid. */
  private comm(pid: number): string {
    if (pid <= 0) return '';
    const now = Date.now();
    const hit = this.comms.get(pid);
    if (hit && now - hit.at < COMM_TTL_MS) return hit.comm;
    let comm = '';
    try {
      comm = readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
    } catch {
      comm = '';
    }
    if (this.comms.size > 4096) this.comms.clear();
    this.comms.set(pid, { comm, at: now });
    return comm;
  }

  /**
   * A name under which the open file `fd` is still in the tree, for a file
   * whose own name was unlinked while open (libfuse then gives no path): none
   * when no link is left. Cached per inode, checked before use; else found by
   * walking the tree (rare: a hard-linked file unlinked while written).
   */
  private otherName(fd: number): string | null {
    const st = p.fstat(fd);
    if (st.nlink === 0n || !st.isFile()) return null;
    const key = `${st.dev}:${st.ino}`;
    const cached = this.inodeNames.get(key);
    const same = (rel: string): boolean => {
      try {
        const there = p.lstat(join(this.source, rel));
        return there.ino === st.ino && there.dev === st.dev;
      } catch {
        return false;
      }
    };
    if (cached !== undefined && same(cached)) return cached;
    const found = findInode(this.source, st.dev, st.ino);
    if (found !== null) this.inodeNames.set(key, found);
    else this.inodeNames.delete(key);
    return found;
  }

  /**
   * The other names of a symlink that has more than one (a hard link to a
   * symlink, journaled as a separate SYMLINK): found by walking the tree.
   */
  private otherSymlinkNames(rel: string, st: BigIntStats): string[] {
    if (!st.isSymbolicLink() || st.nlink <= 1n) return [];
    return findInodes(this.source, st.dev, st.ino).filter((r) => r !== rel);
  }

  /** Runs `fn` after every earlier ordered call has finished. */
  private ordered<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * A modifying operation: backing step and append in order, then the wait
   * for durability (and replicas), then the answer.
   */
  private async change(o: Op): Promise<void> {
    const b = this.binding;
    const { req, path, path2 } = o;
    // While the journal cannot take records, nothing is changed: EIO.
    if (this.failed || this.stopped || this.journal.failure) {
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
          const c: Cred = { uid: o.uid, gid: o.gid, pid: o.pid, comm: this.comm(o.pid) };
          for (const r of ch.records) r.cred = c;
          seq = ++this.changeSeq;
          if (this.failed || this.journal.failure) {
            // Failed while this change was made on source: appended now it
            // could land after a recovery and ahead of an earlier lost
            // change. resume() journals it in its turn; the caller gets EIO.
            this.unjournaled.push({ seq, records: ch.records.map(ownData) });
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
        if (this.gate) await this.gate.wait(at.firstLsn, at.lastLsn);
      } catch (err) {
        // The change is on source but the journal cannot hold it now: no
        // further change is taken until resume().
        if (!this.failed) {
          this.failed = err as Error;
          this.logger?.warn(
            { err, path },
            'journal append failed: mount answers EIO to changes until the journal is recovered',
          );
          for (const l of this.failureListeners) l(this.failed);
        }
        // Lost by a failed journal: journaled again by resume(). (A record
        // the journal refuses as invalid never can be: the GAP says so.)
        const lost = journaled ? undefined : lostOf(seq, change.records, firstLsn, err);
        if (lost) this.unjournaled.push(lost);
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
    const rel = path === null ? (fh >= 0 ? this.otherName(fh) : null) : journalPath(path);
    const abs = (r: string): string => join(this.source, r);
    const parentTimes = async (r: string): Promise<RecordInput> => {
      const dir = parentOf(r);
      return utimesRecord(dir, await p.lstat(abs(dir)));
    };
    switch (o.code) {
      case FuseOp.WRITE: {
        const data = buf!;
        let done = 0;
        while (done < n0) done += await p.write(fh, data, done, n0 - done, n1 + done);
        const answer = (): void => b.reply(o.req, done);
        if (rel === null) return { records: [], answer };
        const st = await p.fstat(fh);
        return { records: writeRecords(this.journal.lastLsn + 1, rel, n1, data, st), answer };
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
        return {
          records: [
            { kind: RecordKind.RECORD_KIND_TRUNCATE, path: rel, size: n0 },
            utimesRecord(rel, st),
          ],
        };
      }
      case FuseOp.CREATE:
        return this.create(o, rel!);
      case FuseOp.MKDIR: {
        fs.mkdirSync(abs(rel!), n0 & 0o7777);
        return this.created(o, rel!, RecordKind.RECORD_KIND_MKDIR, n0);
      }
      case FuseOp.SYMLINK: {
        fs.symlinkSync(path2!, abs(rel!));
        return this.created(o, rel!, RecordKind.RECORD_KIND_SYMLINK, 0, path2!);
      }
      case FuseOp.UNLINK:
        fs.unlinkSync(abs(rel!));
        return {
          records: [{ kind: RecordKind.RECORD_KIND_UNLINK, path: rel! }, await parentTimes(rel!)],
        };
      case FuseOp.RMDIR:
        fs.rmdirSync(abs(rel!));
        return {
          records: [{ kind: RecordKind.RECORD_KIND_RMDIR, path: rel! }, await parentTimes(rel!)],
        };
      case FuseOp.RENAME: {
        const to = journalPath(path2!);
        if (n0 & RENAME_EXCHANGE) throw { errno: -osc.errno.EINVAL };
        if (n0 & RENAME_NOREPLACE) {
          if (fs.existsSync(abs(to))) throw { errno: -osc.errno.EEXIST };
        }
        fs.renameSync(abs(rel!), abs(to));
        const records: RecordInput[] = [
          { kind: RecordKind.RECORD_KIND_RENAME, path: rel!, path2: to },
          await parentTimes(rel!),
        ];
        if (parentOf(to) !== parentOf(rel!)) {
          records.push(await parentTimes(to));
          // A moved folder's ".." changed: some file systems move its times too.
          const moved = await p.lstat(abs(to));
          if (moved.isDirectory()) records.push(utimesRecord(to, moved));
        }
        return { records };
      }
      case FuseOp.LINK: {
        const to = journalPath(path2!);
        fs.linkSync(abs(rel!), abs(to));
        const st = p.lstat(abs(to));
        // Appliers refuse a LINK of a symlink (link(2) follows it on some
        // systems): a second name of a symlink is journaled as a symlink of
        // its own with the same target, owner and times.
        const linked: RecordInput = st.isSymbolicLink()
          ? {
              kind: RecordKind.RECORD_KIND_SYMLINK,
              path: to,
              target: fs.readlinkSync(abs(to)),
              uid: Number(st.uid),
              gid: Number(st.gid),
              mtime: timespec(st.mtimeNs),
              atime: timespec(st.atimeNs),
            }
          : { kind: RecordKind.RECORD_KIND_LINK, path: rel!, path2: to };
        return { records: [linked, await parentTimes(to)] };
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
        return { records: [{ kind: RecordKind.RECORD_KIND_CHMOD, path: rel, mode }] };
      }
      case FuseOp.CHOWN: {
        const before = fh >= 0 ? await p.fstat(fh) : await p.lstat(abs(rel!));
        const uid = n0 < 0 ? Number(before.uid) : n0;
        const gid = n1 < 0 ? Number(before.gid) : n1;
        if (fh >= 0) fs.fchownSync(fh, uid, gid);
        else fs.lchownSync(abs(rel!), uid, gid);
        if (rel === null) return { records: [] };
        const after = await p.lstat(abs(rel));
        const records: RecordInput[] = [
          { kind: RecordKind.RECORD_KIND_CHOWN, path: rel, uid, gid },
        ];
        // A symlink with other names: journaled as separate symlinks (LINK), so each gets the change.
        for (const other of this.otherSymlinkNames(rel, after)) {
          records.push({ kind: RecordKind.RECORD_KIND_CHOWN, path: other, uid, gid });
        }
        // chown clears set-user-ID and set-group-ID bits: journal what is left.
        if (after.mode !== before.mode && !after.isSymbolicLink()) {
          records.push({
            kind: RecordKind.RECORD_KIND_CHMOD,
            path: rel,
            mode: Number(after.mode) & 0o7777,
          });
        }
        return { records };
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
        const after = p.lstat(abs(rel));
        return {
          records: [rel, ...this.otherSymlinkNames(rel, after)].map((r) => utimesRecord(r, after)),
        };
      }
      case FuseOp.SETXATTR: {
        const res = b.xattrSet(abs(rel!), path2!, buf!, n0);
        if (res < 0) throw { errno: res };
        return {
          records: [
            {
              kind: RecordKind.RECORD_KIND_SETXATTR,
              path: rel!,
              xattrName: path2!,
              xattrValue: buf!,
            },
          ],
        };
      }
      case FuseOp.REMOVEXATTR: {
        const res = b.xattrRemove(abs(rel!), path2!);
        if (res < 0) throw { errno: res };
        return {
          records: [
            {
              kind: RecordKind.RECORD_KIND_SETXATTR,
              path: rel!,
              xattrName: path2!,
              xattrRemove: true,
            },
          ],
        };
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
      const dirSt = p.lstat(join(this.source, parentOf(rel)));
      let st = p.fstat(fd);
      // A set-group-ID folder gives its group to new entries.
      const gid = Number(dirSt.mode) & S_ISGID ? Number(dirSt.gid) : o.gid;
      if (Number(st.uid) !== o.uid || Number(st.gid) !== gid) fs.fchownSync(fd, o.uid, gid);
      // The caller's umask is already applied by the kernel; ours must not be.
      if ((Number(st.mode) & 0o7777) !== (mode & 0o7777)) fs.fchmodSync(fd, mode & 0o7777);
      st = p.fstat(fd);
      return this.opened(o, fd, [
        {
          kind: RecordKind.RECORD_KIND_CREATE,
          path: rel,
          mode: Number(st.mode) & 0o7777,
          uid: Number(st.uid),
          gid: Number(st.gid),
          mtime: timespec(st.mtimeNs),
        },
        utimesRecord(rel, st),
        utimesRecord(parentOf(rel), dirSt),
      ]);
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

  /** MKDIR and SYMLINK: the new entry's owner is the caller; its record carries mode and times. */
  private async created(
    o: Op,
    rel: string,
    kind: RecordKind,
    mode: number,
    target?: string,
  ): Promise<Change> {
    const abs = join(this.source, rel);
    const dirSt = await p.lstat(join(this.source, parentOf(rel)));
    const gid = Number(dirSt.mode) & S_ISGID ? Number(dirSt.gid) : o.gid;
    fs.lchownSync(abs, o.uid, gid);
    if (kind === RecordKind.RECORD_KIND_MKDIR) {
      // mkdir(2) applied our umask; the caller's was applied by the kernel.
      const keepSgid = Number(dirSt.mode) & S_ISGID;
      fs.chmodSync(abs, (mode & 0o7777) | keepSgid);
    }
    const st = await p.lstat(abs);
    const rec: RecordInput = {
      kind,
      path: rel,
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: timespec(st.mtimeNs),
      atime: timespec(st.atimeNs),
    };
    if (kind === RecordKind.RECORD_KIND_MKDIR) rec.mode = Number(st.mode) & 0o7777;
    if (target !== undefined) rec.target = target;
    return {
      records: [rec, utimesRecord(parentOf(rel), await p.lstat(join(this.source, parentOf(rel))))],
    };
  }
}

/** What a failed journal lost of one change: journaled again by resume(). */
interface Lost {
  /** The change's place in the order changes were made. */
  seq: number;
  records: RecordInput[];
  /** A transaction whose TXN_BEGIN was made durable before the failure: abort it first. */
  abortTxn?: number;
}

/**
 * What of `records`, appended in one call from `firstLsn` on and refused
 * with `err`, the journal lost: none when `err` is not a failure of the
 * journal (a record it refuses as invalid can never be journaled), the
 * records after the last durable LSN the failure names (a segment roll
 * inside the call made the ones before it durable), or, for a transaction
 * cut there, all of it again with the transaction to abort.
 */
export function lostOf(
  seq: number,
  records: RecordInput[],
  firstLsn: number,
  err: unknown,
): Lost | undefined {
  if (!isJournalError(err, 'FSJ_ERR_JOURNAL_IO')) return undefined;
  const kept = Math.max(0, (err.lsn ?? 0) - firstLsn + 1);
  if (kept >= records.length) return undefined;
  const txn = records[0]?.kind === RecordKind.RECORD_KIND_TXN_BEGIN ? records[0].txn : undefined;
  if (kept > 0 && txn) return { seq, records: records.map(ownData), abortTxn: txn };
  return { seq, records: records.slice(kept).map(ownData) };
}

/** A record whose data no longer points into a buffer of the binding's (kept past the reply). */
function ownData(r: RecordInput): RecordInput {
  const out = { ...r };
  if (r.data) out.data = Buffer.from(r.data);
  if (r.xattrValue) out.xattrValue = Buffer.from(r.xattrValue);
  return out;
}

/** The journal path of a regular file with this identity under `root`, or null. Walks the tree. */
function findInode(root: string, dev: bigint, ino: bigint): string | null {
  return findInodes(root, dev, ino, true)[0] ?? null;
}

/** Every journal path of the file or symlink with this identity under `root` (all, or the first). Walks the tree. */
function findInodes(root: string, dev: bigint, ino: bigint, firstOnly = false): string[] {
  const found: string[] = [];
  const queue = [''];
  while (queue.length > 0) {
    const dir = queue.shift()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const rel = dir === '' ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory()) queue.push(rel);
      else if (e.isFile() || e.isSymbolicLink()) {
        try {
          const st = fs.lstatSync(join(root, rel), { bigint: true });
          if (st.ino === ino && st.dev === dev) {
            found.push(rel);
            if (firstOnly) return found;
          }
        } catch {
          // Gone meanwhile.
        }
      }
    }
  }
  return found;
}

/**
 * WRITE records for `data` written at `offset`, then the file's times: one
 * WRITE when it fits in MAX_WRITE_DATA, else a transaction (its id is the
 * LSN its TXN_BEGIN will get, `nextLsn`). Pure.
 */
export function writeRecords(
  nextLsn: number,
  path: string,
  offset: number,
  data: Buffer,
  st: BigIntStats,
): RecordInput[] {
  if (data.length <= MAX_WRITE_DATA) {
    return [{ kind: RecordKind.RECORD_KIND_WRITE, path, offset, data }, utimesRecord(path, st)];
  }
  const txn = nextLsn;
  const out: RecordInput[] = [{ kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn }];
  for (let at = 0; at < data.length; at += MAX_WRITE_DATA) {
    out.push({
      kind: RecordKind.RECORD_KIND_WRITE,
      path,
      offset: offset + at,
      data: data.subarray(at, Math.min(data.length, at + MAX_WRITE_DATA)),
      txn,
    });
  }
  out.push({ ...utimesRecord(path, st), txn }, { kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn });
  return out;
}
