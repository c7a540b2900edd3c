/**
 * Applies journal records to a directory tree: the redo half of the journal,
 * shared by replay/restore and the replica daemon.
 *
 * - Records of a transaction are held until its TXN_COMMIT and then applied
 *   together; TXN_ABORT drops them (txn_gate.ts).
 * - Applying a record twice leaves the same tree (idempotent), so a crash
 *   between applying and persisting the position is harmless.
 * - A path never leads outside the target: record paths obey path_rules.ts,
 *   every parent component must be a real directory (a symlink there is
 *   refused), and final components are not followed.
 * - A directory's mtime is kept across changes to its children: the source's
 *   new directory mtime arrives as its own UTIMES record.
 */
import { constants as fsc, type BigIntStats, type Stats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { constants as osc } from 'node:os';
import { JournalError } from '../errors.js';
import { removeXattr, setXattr, xattrError, xattrsAvailable } from '../sys/xattr.js';
import { pathProblem } from '../record/path_rules.js';
import { kindName, RecordKind, type JournalEntry, type RecordBody } from '../record/record.js';
import { canChown, utimeSeconds } from './attrs.js';
import { SKIPPED_WHEN_MISSING } from './model.js';
import { TxnGate, type OpenTxn } from './txn_gate.js';
import { Spool } from './spool.js';
import { InlineFs } from '../sys/inline_fs.js';
import { combinedEffect, pathEffect, ReplayWindow } from './replay_window.js';

function seconds(t: { sec?: number | null; nsec?: number | null } | null | undefined): number {
  return utimeSeconds(t?.sec ?? 0, t?.nsec ?? 0);
}

function secondsFromNs(ns: bigint): number {
  return utimeSeconds(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

/**
 * Kinds that keep to one file's own content and attributes: what a file
 * created in a transaction can have applied to its temp file, and what a
 * transaction that makes one file whole is made of (isWholeNewFile).
 */
const OWN_FILE_KINDS = new Set<number>([
  RecordKind.RECORD_KIND_CREATE,
  RecordKind.RECORD_KIND_WRITE,
  RecordKind.RECORD_KIND_TRUNCATE,
  RecordKind.RECORD_KIND_CHMOD,
  RecordKind.RECORD_KIND_CHOWN,
  RecordKind.RECORD_KIND_UTIMES,
]);

/**
 * Whether a transaction's records make one file whole and nothing else:
 * a CREATE of `path` first, then content and attributes of `path` only,
 * ending with its UTIMES (how watch capture journals a new or rewritten file).
 */
export function isWholeNewFile(held: readonly JournalEntry[], path: string): boolean {
  if (held[0]?.record.kind !== RecordKind.RECORD_KIND_CREATE) return false;
  if (held.at(-1)?.record.kind !== RecordKind.RECORD_KIND_UTIMES) return false;
  return held.every(
    (e, i) =>
      e.record.path === path &&
      !e.record.path2 &&
      OWN_FILE_KINDS.has(e.record.kind) &&
      (i === 0 || e.record.kind !== RecordKind.RECORD_KIND_CREATE),
  );
}

/** Kinds that move paths (see `TreeApplier.reshapes`). */
const MOVING = new Set<number>([RecordKind.RECORD_KIND_RENAME, RecordKind.RECORD_KIND_LINK]);

/** Paths equal, or one an ancestor of the other ('' is the root). */
function related(a: string, b: string): boolean {
  return a === b || a === '' || b === '' || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

/** A record submitted and not yet done: the paths it acts on. */
interface InFlight {
  paths: string[];
  done: Promise<void>;
  /**
   * For a record on a file's content or attributes: the file it acts on
   * (`dev:ino`), once looked at; undefined when missing or not such a record.
   */
  inode?: Promise<string | undefined>;
}

/**
 * Records that act on the file a path names, not on the path (content and
 * attributes: the kinds skipped when the path is missing): through a hard
 * link, two of them on unrelated paths can act on one file.
 */
const FOLLOWS_FILE = SKIPPED_WHEN_MISSING;

/** A folder whose times are kept while changes to its entries are in flight. */
interface HeldTime {
  count: number;
  noted: Promise<BigIntStats | undefined>;
  restoring: Promise<void> | undefined;
}

export interface TreeApplierOptions {
  /**
   * Write files created inside a transaction to a temp file beside them and
   * rename it into place at commit, so the new content appears whole
   * (replica). Default false (restore into an empty folder needs no such care).
   */
  atomicCreate?: boolean;
  /**
   * A folder for the data of open transactions past a few MiB (txn_gate.ts),
   * so a transaction as large as a file is held in bounded memory; on the
   * target's disk or one with as much room. None: held in memory. `close`
   * frees it.
   */
  spoolDir?: string;
  /**
   * Where the applier's file-system calls go (sys/inline_fs.ts): on the JS
   * thread while they are quick. Default: a new one of its own.
   */
  fs?: InlineFs;
}

export class TreeApplier {
  private readonly gate: TxnGate;
  private readonly spool: Spool | undefined;
  /** LSN of the last record applied (or dropped by an abort). */
  appliedLsn = 0;
  /** Records skipped because their path was missing (replayed after a crash). */
  skipped = 0;
  /** SETXATTR records not applied because this build has no xattr calls (no FUSE binding). */
  xattrsSkipped = 0;
  /**
   * Absolute paths whose data or entries changed since the last `takeTouched`:
   * what must be fsynced before a position covering them is persisted.
   */
  private touched = new Set<string>();
  /** Of `touched`, the folders that only lost entries since the last `takeTouched`. */
  private onlyLost = new Set<string>();
  private readonly atomicCreate: boolean;
  /** The file-system calls: inline while quick, else the thread pool. */
  readonly fs: InlineFs;
  /** The records applied since the durable position (see replay_window.ts). */
  private readonly window = new ReplayWindow();
  private readonly inFlight = new Set<InFlight>();
  private readonly heldTimes = new Map<string, HeldTime>();
  /**
   * Folders of the target this applier has seen to be real directories, so
   * each parent component is looked at once, not once per record. Only this
   * applier changes the target; anything it does that could turn a
   * directory into something else (RMDIR, RENAME, a type flip) forgets them all.
   */
  private readonly knownDirs = new Set<string>();

  constructor(
    readonly target: string,
    options: TreeApplierOptions = {},
  ) {
    this.atomicCreate = options.atomicCreate ?? false;
    this.fs = options.fs ?? new InlineFs();
    this.spool = options.spoolDir === undefined ? undefined : new Spool(options.spoolDir);
    this.gate = new TxnGate({ spool: this.spool });
  }

  /** Frees what open transactions hold on disk; wait for records in flight first. */
  async close(): Promise<void> {
    await this.spool?.close();
  }

  /**
   * The paths changed since the last call (files and directories), and
   * forgets them: `last` the folders that only lost entries, to be made
   * durable after the rest, so a power cut in between never loses a name
   * that moved (it may leave both).
   */
  takeTouched(): { first: string[]; last: string[] } {
    const first = [...this.touched].filter((p) => !this.onlyLost.has(p));
    const last = [...this.onlyLost];
    this.touched = new Set();
    this.onlyLost = new Set();
    return { first, last };
  }

  /**
   * What was touched at or below `from` is now at `to` (a rename): the data
   * written there is still to be made durable, under its new name.
   */
  private moveTouched(from: string, to: string): void {
    const below = `${from}/`;
    for (const p of [...this.touched]) {
      if (p !== from && !p.startsWith(below)) continue;
      const moved = to + p.slice(from.length);
      this.touched.delete(p);
      this.touched.add(moved);
      if (this.onlyLost.delete(p)) this.onlyLost.add(moved);
    }
  }

  /** LSN of the oldest open transaction's TXN_BEGIN, if any: a position must stay below it. */
  get oldestOpenTxn(): number | undefined {
    return this.gate.oldestBegin;
  }

  /**
   * Whether `entry` must have a replay window of its own (the position
   * persisted right before and right after it): the commit of a
   * transaction holding a RENAME or LINK, whose records' replay over one
   * another this applier does not reason about. Any other record is judged
   * by `closesWindow`.
   */
  reshapes(entry: JournalEntry): boolean {
    const r = entry.record;
    if (r.kind !== RecordKind.RECORD_KIND_TXN_COMMIT) return false;
    return this.gate.heldFor(r.txn).some((e) => MOVING.has(e.record.kind));
  }

  /**
   * Whether applying `entry` now would make the records applied since the
   * durable position unsafe to apply again after a crash
   * (replay_window.ts): the position must be made durable right before it.
   */
  closesWindow(entry: JournalEntry): boolean {
    const r = entry.record;
    if (r.kind === RecordKind.RECORD_KIND_TXN_COMMIT)
      return this.window.conflicts(combinedEffect(this.gate.heldFor(r.txn)));
    if (r.txn && this.gate.isOpen(r.txn)) return false; // held until its commit
    return this.window.conflicts(pathEffect(r));
  }

  /** The position is durable through `lsn`: those records leave the replay window. */
  durableThrough(lsn: number): void {
    this.window.closeThrough(lsn);
  }

  /** Data of open transactions' records held in memory, bytes (the rest is spooled). */
  get heldMemoryBytes(): number {
    return this.gate.heldMemoryBytes;
  }

  /** Records submitted and not yet done. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Applies one entry (or holds it, inside a transaction). Throws JournalError on a refused record. */
  async apply(entry: JournalEntry): Promise<void> {
    await this.submit(entry);
  }

  /**
   * Starts applying `entry`; the promise settles when it is done. Entries
   * must be submitted in LSN order. One starts at once unless a record in
   * flight acts on a related path (equal, ancestor or descendant), which it
   * then waits for, so the tree ends as if they were applied one by one; a
   * committed transaction counts as one record on all its paths (one that
   * renames or links waits for everything in flight). A record whose
   * wait ends in a failure fails too, without being applied.
   */
  submit(entry: JournalEntry): Promise<void> {
    const admitted = this.gate.admit(entry);
    if (admitted.kind === 'held') {
      this.appliedLsn = Math.max(this.appliedLsn, entry.lsn);
      return admitted.spooled ?? Promise.resolve();
    }
    let paths: string[];
    let deps: Promise<void>[];
    let work: () => Promise<void>;
    let inode: Promise<string | undefined> | undefined;
    let known: ((key: string | undefined) => void) | undefined;
    if (admitted.kind === 'one') {
      const effect = pathEffect(admitted.entry.record);
      const own = effect.touches;
      paths = own;
      this.window.add(entry.lsn, effect);
      deps = [...this.inFlight]
        .filter((f) => f.paths.some((p) => own.some((q) => related(p, q))))
        .map((f) => f.done);
      if (FOLLOWS_FILE.has(admitted.entry.record.kind)) {
        const earlier = [...this.inFlight].filter((f) => f.inode !== undefined);
        let resolve: (key: string | undefined) => void = () => undefined;
        inode = new Promise((res) => (resolve = res));
        known = resolve;
        work = () => this.applyToFile(admitted.entry, earlier, resolve);
      } else work = () => this.applyOne(admitted.entry);
    } else {
      const { txn, entries, records } = admitted;
      const effect = combinedEffect(entries);
      this.window.add(entry.lsn, effect);
      // A transaction that moves nothing (a file's creation, content and
      // attributes; a subtree's removals) acts on its own paths only, and
      // runs beside records on unrelated paths like a single record; one
      // with a RENAME or LINK waits for everything in flight.
      const moves = entries.some((e) => MOVING.has(e.record.kind));
      const own = moves ? [''] : effect.touches;
      paths = own;
      deps = [...this.inFlight]
        .filter((f) => f.paths.some((p) => own.some((q) => related(p, q))))
        .map((f) => f.done);
      work = async () => {
        await this.applyTransaction(entries, records);
        this.gate.applied(txn);
      };
    }
    const done = (deps.length > 0 ? Promise.all(deps).then(work) : work()).then(() => {
      this.appliedLsn = Math.max(this.appliedLsn, entry.lsn);
    });
    // Done, failed or never run (its wait failed): later records can look past it.
    const settle = known;
    if (settle)
      done.then(
        () => settle(undefined),
        () => settle(undefined),
      );
    if (paths.length > 0) {
      const f: InFlight = { paths, done, inode };
      this.inFlight.add(f);
      const gone = (): void => {
        this.inFlight.delete(f);
      };
      done.then(gone, gone);
    }
    return done;
  }

  /** Transactions begun but not yet committed or aborted. */
  get openTransactions(): number {
    return this.gate.open.length;
  }

  /** The transactions open now (begun, not committed or aborted). */
  get openTxns(): OpenTxn[] {
    return this.gate.open;
  }

  private refuse(entry: JournalEntry, why: string): never {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_RECORD',
      `lsn ${entry.lsn} ${kindName(entry.record.kind)}: ${why}`,
      {
        lsn: entry.lsn,
      },
    );
  }

  /** The absolute path for a record path, after checking every parent is a real directory. */
  private async resolvePath(entry: JournalEntry, path: string): Promise<string> {
    const problem = pathProblem(path, true);
    if (problem) this.refuse(entry, problem);
    const parts = path === '' ? [] : path.split('/');
    let abs = this.target;
    for (let i = 0; i < parts.length - 1; i++) {
      abs = join(abs, parts[i]!);
      if (this.knownDirs.has(abs)) continue;
      const st = await this.fs.lstatOrNone(abs);
      if (st && !st.isDirectory())
        this.refuse(entry, `parent ${parts.slice(0, i + 1).join('/')} is not a directory`);
      if (st) this.knownDirs.add(abs);
    }
    return join(this.target, path);
  }

  /**
   * Applies a committed transaction. With atomicCreate, a file created in it
   * is built in a temp file beside it (content, mode, owner, times) and
   * renamed into place once whole, fsynced first when it replaces something.
   */
  private async applyTransaction(
    held: readonly JournalEntry[],
    records: () => AsyncIterable<JournalEntry>,
  ): Promise<void> {
    const redirect = new Map<string, string>();
    if (this.atomicCreate) {
      for (const e of held) {
        const r = e.record;
        if (r.kind === RecordKind.RECORD_KIND_CREATE && !redirect.has(r.path)) {
          const slash = r.path.lastIndexOf('/');
          const name = `.fsj-${r.txn}-${r.path.slice(slash + 1)}`;
          // A name too long for the file system is applied in place instead.
          if (Buffer.byteLength(name) <= 255)
            redirect.set(r.path, `${r.path.slice(0, slash + 1)}${name}`);
        }
      }
      // Only records that keep to the created path's own content and attributes can go to the temp file.
      for (const e of held) {
        if (
          !OWN_FILE_KINDS.has(e.record.kind) ||
          (e.record.path2 && redirect.has(e.record.path2))
        ) {
          redirect.delete(e.record.path);
          redirect.delete(e.record.path2);
        }
      }
      const [only] = redirect;
      if (only && redirect.size === 1 && isWholeNewFile(held, only[0])) {
        await this.applyNewFile(held[0]!, records, only[0], only[1]);
        return;
      }
    }
    try {
      for await (const e of records()) await this.applyOne(e, redirect.get(e.record.path));
    } catch (err) {
      // Leave no half-built temp file behind; the transaction is applied again on retry.
      for (const [path, tmp] of redirect) {
        const entry = held.find((e) => e.record.path === path)!;
        await rm(await this.resolvePath(entry, tmp), { force: true }).catch(() => undefined);
      }
      throw err;
    }
    for (const [path, tmp] of redirect) {
      const entry = held.find((e) => e.record.path === path)!;
      const from = await this.resolvePath(entry, tmp);
      const to = await this.resolvePath(entry, path);
      const there = await this.fs.lstatOrNone(to);
      this.touched.delete(from);
      if (there) {
        // Something is replaced: the new content is durable before the
        // rename, so a power cut leaves the old or the new, never neither.
        const fh = await this.fs.open(from, fsc.O_RDONLY | fsc.O_NOFOLLOW);
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      }
      await this.keepingParentTime(to, () => this.intoPlace(from, to, there));
    }
  }

  /**
   * Renames a whole temp file onto its destination (`there`: what the
   * destination held; a file there was fsynced first by the caller). A new
   * name replaces nothing: its content is made durable with the rest of the
   * group, before any position that covers it (a power cut before then
   * replays the transaction over what reached the disk).
   */
  private async intoPlace(from: string, to: string, there: Stats | undefined): Promise<void> {
    if (there?.isDirectory()) {
      this.knownDirs.clear();
      await rm(to, { recursive: true, force: true });
    }
    await this.fs.rename(from, to);
    if (!there) this.touched.add(to);
  }

  /**
   * A transaction that makes one file whole (isWholeNewFile), built through
   * one descriptor of its temp file: the same tree as its records applied
   * one by one to the temp file, in a third of the calls, and no path looked
   * up again after the open (O_NOFOLLOW), so nothing else can be swapped in.
   */
  private async applyNewFile(
    first: JournalEntry,
    records: () => AsyncIterable<JournalEntry>,
    path: string,
    tmp: string,
  ): Promise<void> {
    const from = await this.resolvePath(first, tmp);
    const to = await this.resolvePath(first, path);
    const there = await this.fs.lstatOrNone(to);
    await this.keepingParentTime(to, async () => {
      // The temp name is this transaction's own: one left by an earlier try is rebuilt.
      const fh = await this.fs.open(
        from,
        fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | fsc.O_NOFOLLOW,
        first.record.mode || 0o644,
      );
      try {
        let mode = 0;
        let times: { atime: number; mtime: number } | undefined;
        for await (const e of records()) {
          const r = e.record;
          switch (r.kind) {
            case RecordKind.RECORD_KIND_CREATE:
              // Owner before mode: chown(2) clears set-user-ID and set-group-ID bits.
              if (canChown) await fh.chown(r.uid, r.gid);
              await fh.chmod(r.mode);
              mode = r.mode;
              break;
            case RecordKind.RECORD_KIND_WRITE:
              await fh.writeAll(r.data, r.offset);
              break;
            case RecordKind.RECORD_KIND_TRUNCATE:
              await fh.truncate(r.size);
              break;
            case RecordKind.RECORD_KIND_CHMOD:
              await fh.chmod(r.mode);
              mode = r.mode;
              break;
            case RecordKind.RECORD_KIND_CHOWN:
              if (canChown) {
                await fh.chown(r.uid, r.gid);
                await fh.chmod(mode & 0o7777); // set-ID bits chown(2) cleared
              }
              break;
            case RecordKind.RECORD_KIND_UTIMES:
              times = { atime: seconds(r.atime ?? r.mtime), mtime: seconds(r.mtime) };
              break;
          }
        }
        // The last record is a UTIMES (isWholeNewFile): content stamps before it are overwritten.
        if (times) await fh.utimes(times.atime, times.mtime);
        // Something is replaced: the new content is durable before the rename.
        if (there) await fh.sync();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await rm(from, { force: true }).catch(() => undefined);
        throw err;
      }
      await fh.close();
      await this.intoPlace(from, to, there);
    });
  }

  /**
   * Runs a change to a directory's entries without moving the directory's
   * mtime. Changes in flight at once in one folder share one note of its
   * times, taken before the first starts and put back when the last ends.
   */
  private async keepingParentTime(
    abs: string,
    change: () => Promise<void>,
    loses = false,
  ): Promise<void> {
    const parent = join(abs, '..');
    if (!loses) this.onlyLost.delete(parent);
    else if (!this.touched.has(parent)) this.onlyLost.add(parent);
    this.touched.add(parent);
    const held = await this.holdTime(parent);
    try {
      await change();
    } finally {
      await this.releaseTime(parent, held);
    }
  }

  private async holdTime(dir: string): Promise<HeldTime> {
    for (;;) {
      const h = this.heldTimes.get(dir);
      if (h?.restoring) {
        await h.restoring;
        continue;
      }
      if (h) {
        h.count++;
        await h.noted;
        return h;
      }
      const fresh: HeldTime = {
        count: 1,
        noted: this.fs.lstatNs(dir).catch(() => undefined),
        restoring: undefined,
      };
      this.heldTimes.set(dir, fresh);
      await fresh.noted;
      return fresh;
    }
  }

  private async releaseTime(dir: string, h: HeldTime): Promise<void> {
    if (--h.count > 0) return;
    h.restoring = h.noted.then(async (before) => {
      if (before?.isDirectory()) {
        await this.fs
          .lutimes(dir, secondsFromNs(before.atimeNs), secondsFromNs(before.mtimeNs))
          .catch(() => undefined);
      }
      if (this.heldTimes.get(dir) === h) this.heldTimes.delete(dir);
    });
    await h.restoring;
  }

  /**
   * Sets or removes an extended attribute, never through a final symlink.
   * Removing one that is not there is done (idempotent). The xattr calls come
   * with the FUSE binding; a build without it counts the record as skipped.
   */
  private applyXattr(abs: string, r: RecordBody): void {
    if (!xattrsAvailable()) {
      this.xattrsSkipped++;
      return;
    }
    const res = r.xattrRemove
      ? removeXattr(abs, r.xattrName)
      : setXattr(abs, r.xattrName, Buffer.from(r.xattrValue), 0);
    if (res === 0 || (r.xattrRemove && res === -osc.errno.ENODATA)) return;
    throw xattrError(r.xattrRemove ? 'removexattr' : 'setxattr', r.xattrName, res);
  }

  /**
   * A content change leaves the file's mtime at the record's time, not at
   * the time it is applied: the same on every replica and in every restore
   * (a UTIMES record that follows sets the source's exact time).
   */
  private async stampContentTime(abs: string, entry: JournalEntry): Promise<void> {
    const st = await this.fs.lstatNs(abs);
    const us = entry.timeUs;
    await this.fs.lutimes(
      abs,
      secondsFromNs(st.atimeNs),
      utimeSeconds(Math.floor(us / 1e6), (us % 1e6) * 1000),
    );
  }

  /**
   * Applies a record on a file's content or attributes. A file with more
   * than one name first waits for the records before it (in LSN order) that
   * act on the same file under another name: unrelated paths run at once,
   * and without this a WRITE and a TRUNCATE through two hard links of one
   * file could land in either order.
   */
  private async applyToFile(
    entry: JournalEntry,
    earlier: readonly InFlight[],
    known: (key: string | undefined) => void,
  ): Promise<void> {
    const abs = await this.resolvePath(entry, entry.record.path);
    const st = await this.fs.lstatOrNone(abs);
    const key = st ? `${st.dev}:${st.ino}` : undefined;
    known(key);
    if (st && st.nlink > 1) {
      for (const f of earlier) if ((await f.inode) === key) await f.done;
    }
    await this.applyOne(entry, undefined, st ?? null);
  }

  /**
   * Applies one record; `pathOverride` redirects its path (a transaction's
   * temp file); `seen`: the path's lstat when the caller just took it (null: missing).
   */
  private async applyOne(
    entry: JournalEntry,
    pathOverride?: string,
    seen?: Stats | null,
  ): Promise<void> {
    const r: RecordBody = entry.record;
    const abs = await this.resolvePath(entry, pathOverride ?? r.path);
    const existing = seen === undefined ? await this.fs.lstatOrNone(abs) : (seen ?? undefined);
    if (!existing && SKIPPED_WHEN_MISSING.has(r.kind)) {
      // Replayed after a crash: a later record (already applied once) moved or
      // removed the path; it comes right when that record is applied again.
      this.skipped++;
      return;
    }
    if (r.kind === RecordKind.RECORD_KIND_WRITE || r.kind === RecordKind.RECORD_KIND_TRUNCATE) {
      this.touched.add(abs);
    }
    switch (r.kind) {
      case RecordKind.RECORD_KIND_CREATE:
        await this.keepingParentTime(abs, async () => {
          if (existing?.isDirectory()) this.knownDirs.clear();
          if (existing) await rm(abs, { recursive: existing.isDirectory(), force: true });
          const fh = await this.fs.open(
            abs,
            fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW,
            r.mode || 0o644,
          );
          await fh.close();
          // Owner before mode: chown(2) clears set-user-ID and set-group-ID bits.
          if (canChown) await this.fs.lchown(abs, r.uid, r.gid);
          await this.fs.chmod(abs, r.mode);
        });
        return;
      case RecordKind.RECORD_KIND_WRITE: {
        if (!existing?.isFile()) this.refuse(entry, 'not a regular file on the target');
        const fh = await this.fs.open(abs, fsc.O_WRONLY | fsc.O_NOFOLLOW);
        try {
          await fh.writeAll(r.data, r.offset);
        } finally {
          await fh.close();
        }
        await this.stampContentTime(abs, entry);
        return;
      }
      case RecordKind.RECORD_KIND_TRUNCATE:
        if (!existing?.isFile()) this.refuse(entry, 'not a regular file on the target');
        await this.fs.truncate(abs, r.size);
        await this.stampContentTime(abs, entry);
        return;
      case RecordKind.RECORD_KIND_UNLINK:
        if (!existing) return;
        if (existing.isDirectory()) this.refuse(entry, 'is a directory');
        await this.keepingParentTime(abs, () => this.fs.unlink(abs), true);
        return;
      case RecordKind.RECORD_KIND_MKDIR:
        await this.keepingParentTime(abs, async () => {
          if (existing && !existing.isDirectory()) await rm(abs, { force: true });
          if (!existing?.isDirectory()) await this.fs.mkdir(abs, r.mode);
        });
        if (canChown) await this.fs.lchown(abs, r.uid, r.gid);
        await this.fs.chmod(abs, r.mode);
        if (r.mtime) await this.fs.lutimes(abs, seconds(r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_RMDIR:
        if (!existing) return;
        if (!existing.isDirectory()) this.refuse(entry, 'not a directory');
        this.knownDirs.clear();
        await this.keepingParentTime(abs, () => this.fs.rmdir(abs), true);
        return;
      case RecordKind.RECORD_KIND_RENAME: {
        const to = await this.resolvePath(entry, r.path2);
        if (!existing) {
          // Applied before (a replay after a crash): the source is already moved.
          if (await this.fs.lstatOrNone(to)) return;
          this.refuse(entry, 'source of the rename is missing');
        }
        this.knownDirs.clear();
        await this.keepingParentTime(
          abs,
          () =>
            this.keepingParentTime(to, async () => {
              const over = await this.fs.lstatOrNone(to);
              // rename(2) replaces files and empty directories; a type flip needs the old one gone.
              if (over && over.isDirectory() !== existing.isDirectory())
                await rm(to, { recursive: true, force: true });
              await this.fs.rename(abs, to);
              this.moveTouched(abs, to);
            }),
          true,
        );
        return;
      }
      case RecordKind.RECORD_KIND_SYMLINK:
        await this.keepingParentTime(abs, async () => {
          if (existing?.isDirectory()) this.knownDirs.clear();
          if (existing) await rm(abs, { recursive: existing.isDirectory(), force: true });
          await this.fs.symlink(r.target, abs);
        });
        if (canChown) await this.fs.lchown(abs, r.uid, r.gid);
        if (r.mtime) await this.fs.lutimes(abs, seconds(r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_LINK: {
        const to = await this.resolvePath(entry, r.path2);
        if (!existing?.isFile()) this.refuse(entry, 'link source is not a regular file');
        await this.keepingParentTime(to, async () => {
          await rm(to, { force: true });
          await this.fs.link(abs, to);
        });
        return;
      }
      case RecordKind.RECORD_KIND_CHMOD:
        if (!existing) this.refuse(entry, 'missing on the target');
        if (!existing.isSymbolicLink()) await this.fs.chmod(abs, r.mode);
        return;
      case RecordKind.RECORD_KIND_CHOWN:
        if (!existing) this.refuse(entry, 'missing on the target');
        if (canChown) {
          await this.fs.lchown(abs, r.uid, r.gid);
          // A CHOWN changes the owner only: put back set-ID bits chown(2) cleared.
          if (!existing.isSymbolicLink()) await this.fs.chmod(abs, existing.mode & 0o7777);
        }
        return;
      case RecordKind.RECORD_KIND_UTIMES:
        if (!existing) this.refuse(entry, 'missing on the target');
        await this.fs.lutimes(abs, seconds(r.atime ?? r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_SETXATTR:
        this.applyXattr(abs, r);
        return;
      default:
        // Control records (GAP, ANNOTATE, BARRIER, CHECKPOINT) change nothing in the tree here.
        return;
    }
  }
}
