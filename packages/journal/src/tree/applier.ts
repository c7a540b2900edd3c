/**
 * Applies journal records to a directory tree: the redo half of the journal,
 * shared by replay/restore and the replica daemon.
 *
 * - Records of a transaction are held until its TXN_COMMIT and then applied
 *   together; TXN_ABORT drops them (txn_gate.ts).
 * - Applying a record twice leaves the same tree (idempotent), so a crash
 *   between applying and persisting the position is harmless.
 * - A path never leads outside the target: record paths obey path_rules.ts,
 *   and every call is made beneath the target (sys/beneath.ts): no
 *   component, the final one included, is followed if it is a symlink, even
 *   one swapped in between a check and a call (a record whose parent is not
 *   a directory is refused).
 * - A directory's mtime is kept across changes to its children: the source's
 *   new directory mtime arrives as its own UTIMES record.
 */
import { constants as fsc, type BigIntStats, type Stats } from 'node:fs';
import { constants as osc } from 'node:os';
import { JournalError } from '../errors.js';
import { removeXattr, setXattr, xattrError, xattrsAvailable } from '../sys/xattr.js';
import { pathProblem } from '../record/path_rules.js';
import { kindName, RecordKind, type JournalEntry, type RecordBody } from '../record/record.js';
import { canChown, utimeSeconds } from './attrs.js';
import { SKIPPED_WHEN_MISSING } from './model.js';
import { TxnGate, type OpenTxn } from './txn_gate.js';
import { Spool } from './spool.js';
import { InlineFs, type InlineFile } from '../sys/inline_fs.js';
import { Beneath, type Place } from '../sys/beneath.js';
import { errnoCode } from '../sys/errno_error.js';
import { allowedMode, leavesOutXattr, type NotPreserved, type PreservePolicy } from './preserve.js';
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
  /**
   * What is applied of set-ID bits and privileged xattrs (preserve.ts).
   * Default `privileged` (everything as recorded: restore, replay); a
   * replica passes its `--preserve`, `safe` unless the operator opts in.
   */
  preserve?: PreservePolicy;
  /** Told of each thing the policy left out. */
  onNotPreserved?: (n: NotPreserved) => void;
}

/** Node's kind of ENOENT error, for a call whose parent folder is missing. */
function missingParent(display: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${display}`), {
    code: 'ENOENT',
    errno: -2,
    path: display,
  });
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
   * Paths (in the target) whose data or entries changed since the last
   * `takeTouched`: what must be fsynced before a position covering them is
   * persisted.
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
  /** The target, opened: every path is resolved beneath it. */
  readonly beneath: Beneath;
  private readonly preserve: PreservePolicy;
  private readonly onNotPreserved: (n: NotPreserved) => void;

  constructor(
    readonly target: string,
    options: TreeApplierOptions = {},
  ) {
    this.atomicCreate = options.atomicCreate ?? false;
    this.preserve = options.preserve ?? 'privileged';
    this.onNotPreserved = options.onNotPreserved ?? (() => undefined);
    this.fs = options.fs ?? new InlineFs();
    this.beneath = new Beneath(target);
    this.spool = options.spoolDir === undefined ? undefined : new Spool(options.spoolDir);
    this.gate = new TxnGate({ spool: this.spool });
  }

  /** The mode `mode` of `entry`'s path is set as under the policy; what it leaves out is reported. */
  private modeOf(entry: JournalEntry, mode: number, isDir: boolean): number {
    const a = allowedMode(this.preserve, mode, isDir);
    if (a.left) this.onNotPreserved({ path: entry.record.path, what: a.left, lsn: entry.lsn });
    return a.mode;
  }

  /** Frees what open transactions hold on disk; wait for records in flight first. */
  async close(): Promise<void> {
    await this.spool?.close();
    this.beneath.close();
  }

  /**
   * The paths changed since the last call (files and directories, paths
   * in the target; open them with `beneath`), and
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

  /**
   * The place of a record path (sys/beneath.ts): its parent held open,
   * resolved without following a symlink. Null when the parent is missing;
   * a record whose parent is not a directory (or a symlink) is refused.
   * Release it after use.
   */
  private at(entry: JournalEntry, path: string): Place | null {
    const problem = pathProblem(path, true);
    if (problem) this.refuse(entry, problem);
    try {
      return this.beneath.place(path);
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOENT') return null;
      if (code === 'ELOOP' || code === 'ENOTDIR' || code === 'EXDEV')
        this.refuse(
          entry,
          `parent ${this.beneath.blocker(path) ?? JSON.stringify(path)} is not a directory`,
        );
      throw err;
    }
  }

  /** `place`, or the error a call there would get (its parent is missing). */
  private need(place: Place | null, path: string): Place {
    if (!place) throw missingParent(this.beneath.display(path));
    return place;
  }

  /** Removes what is at `p` (`st`: its lstat), a whole subtree for a directory. */
  private async removeAt(p: Place, st: Stats): Promise<void> {
    if (st.isDirectory()) await this.beneath.removeTree(p.rel, this.fs);
    else await this.fs.unlink(p.path);
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
        const p = this.at(entry, tmp);
        if (p) await this.fs.unlink(p.path).catch(() => undefined);
        p?.release();
      }
      throw err;
    }
    for (const [path, tmp] of redirect) {
      const entry = held.find((e) => e.record.path === path)!;
      const from = this.need(this.at(entry, tmp), tmp);
      try {
        const to = this.need(this.at(entry, path), path);
        try {
          const there = await this.fs.lstatOrNone(to.path);
          this.touched.delete(tmp);
          if (there) {
            // Something is replaced: the new content is durable before the
            // rename, so a power cut leaves the old or the new, never neither.
            const fh = await this.fs.open(from.path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
            try {
              await fh.sync();
            } finally {
              await fh.close();
            }
          }
          await this.keepingParentTime(to, () => this.intoPlace(from, to, there));
        } finally {
          to.release();
        }
      } catch (err) {
        throw this.beneath.explain(err);
      } finally {
        from.release();
      }
    }
  }

  /**
   * Renames a whole temp file onto its destination (`there`: what the
   * destination held; a file there was fsynced first by the caller). A new
   * name replaces nothing: its content is made durable with the rest of the
   * group, before any position that covers it (a power cut before then
   * replays the transaction over what reached the disk).
   */
  private async intoPlace(from: Place, to: Place, there: Stats | undefined): Promise<void> {
    if (there?.isDirectory()) await this.removeAt(to, there);
    await this.fs.rename(from.path, to.path);
    if (!there) this.touched.add(to.rel);
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
    const to = this.need(this.at(first, path), path);
    const from = to.sibling(tmp.slice(tmp.lastIndexOf('/') + 1));
    try {
      await this.buildNewFile(first, records, from, to);
    } catch (err) {
      throw this.beneath.explain(err);
    } finally {
      from.release();
      to.release();
    }
  }

  private async buildNewFile(
    first: JournalEntry,
    records: () => AsyncIterable<JournalEntry>,
    from: Place,
    to: Place,
  ): Promise<void> {
    const there = await this.fs.lstatOrNone(to.path);
    await this.keepingParentTime(to, async () => {
      // The temp name is this transaction's own: one left by an earlier try is rebuilt.
      const fh = await this.fs.open(
        from.path,
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
              mode = this.modeOf(e, r.mode, false);
              await fh.chmod(mode);
              break;
            case RecordKind.RECORD_KIND_WRITE:
              await fh.writeAll(r.data, r.offset);
              break;
            case RecordKind.RECORD_KIND_TRUNCATE:
              await fh.truncate(r.size);
              break;
            case RecordKind.RECORD_KIND_CHMOD:
              mode = this.modeOf(e, r.mode, false);
              await fh.chmod(mode);
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
        await this.fs.unlink(from.path).catch(() => undefined);
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
    at: Place,
    change: () => Promise<void>,
    loses = false,
  ): Promise<void> {
    const parent = at.parentRel;
    const dir = at.parent;
    if (parent === undefined || dir === undefined) return change(); // the target itself
    if (!loses) this.onlyLost.delete(parent);
    else if (!this.touched.has(parent)) this.onlyLost.add(parent);
    this.touched.add(parent);
    const held = await this.holdTime(parent, dir);
    try {
      await change();
    } finally {
      await this.releaseTime(parent, dir, held);
    }
  }

  /** `key`: the folder's path in the target; `dir`: a path that leads to it (its descriptor). */
  private async holdTime(key: string, dir: string): Promise<HeldTime> {
    for (;;) {
      const h = this.heldTimes.get(key);
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
        noted: this.fs.statNs(dir).catch(() => undefined),
        restoring: undefined,
      };
      this.heldTimes.set(key, fresh);
      await fresh.noted;
      return fresh;
    }
  }

  private async releaseTime(key: string, dir: string, h: HeldTime): Promise<void> {
    if (--h.count > 0) return;
    h.restoring = h.noted.then(async (before) => {
      if (before?.isDirectory()) {
        await this.fs
          .utimes(dir, secondsFromNs(before.atimeNs), secondsFromNs(before.mtimeNs))
          .catch(() => undefined);
      }
      if (this.heldTimes.get(key) === h) this.heldTimes.delete(key);
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
   * (a UTIMES record that follows sets the source's exact time). `st`: the
   * file's stat, for its atime.
   */
  private async stampContentTime(
    fh: InlineFile,
    st: BigIntStats,
    entry: JournalEntry,
  ): Promise<void> {
    const us = entry.timeUs;
    await fh.utimes(
      secondsFromNs(st.atimeNs),
      utimeSeconds(Math.floor(us / 1e6), (us % 1e6) * 1000),
    );
  }

  /**
   * Opens the regular file at `p` for writing; refused when something else
   * is there now (swapped since it was looked at: O_NONBLOCK keeps a FIFO
   * from blocking, the stat refuses it and a device).
   */
  private async openFile(
    entry: JournalEntry,
    p: Place,
  ): Promise<{ fh: InlineFile; st: BigIntStats }> {
    const fh = await this.fs.open(p.path, fsc.O_WRONLY | fsc.O_NOFOLLOW | fsc.O_NONBLOCK);
    try {
      const st = await fh.statNs();
      if (!st.isFile()) this.refuse(entry, 'not a regular file on the target');
      return { fh, st };
    } catch (err) {
      await fh.close();
      throw err;
    }
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
    const place = this.at(entry, entry.record.path);
    try {
      const st = place ? await this.fs.lstatOrNone(place.path) : undefined;
      const key = st ? `${st.dev}:${st.ino}` : undefined;
      known(key);
      if (st && st.nlink > 1) {
        for (const f of earlier) if ((await f.inode) === key) await f.done;
      }
      await this.applyAt(entry, place, st ?? null);
    } catch (err) {
      throw this.beneath.explain(err);
    } finally {
      place?.release();
    }
  }

  /** Applies one record; `pathOverride` redirects its path (a transaction's temp file). */
  private async applyOne(entry: JournalEntry, pathOverride?: string): Promise<void> {
    const place = this.at(entry, pathOverride ?? entry.record.path);
    try {
      await this.applyAt(entry, place);
    } catch (err) {
      throw this.beneath.explain(err);
    } finally {
      place?.release();
    }
  }

  /**
   * Applies one record at `place` (null: its parent is missing); `seen`: the
   * path's lstat when the caller just took it (null: missing).
   */
  private async applyAt(
    entry: JournalEntry,
    place: Place | null,
    seen?: Stats | null,
  ): Promise<void> {
    const r: RecordBody = entry.record;
    const rel = place?.rel ?? r.path;
    const existing =
      seen === undefined
        ? place
          ? await this.fs.lstatOrNone(place.path)
          : undefined
        : (seen ?? undefined);
    if (!existing && SKIPPED_WHEN_MISSING.has(r.kind)) {
      // Replayed after a crash: a later record (already applied once) moved or
      // removed the path; it comes right when that record is applied again.
      this.skipped++;
      return;
    }
    if (r.kind === RecordKind.RECORD_KIND_WRITE || r.kind === RecordKind.RECORD_KIND_TRUNCATE) {
      this.touched.add(rel);
    }
    switch (r.kind) {
      case RecordKind.RECORD_KIND_CREATE: {
        const p = this.need(place, rel);
        await this.keepingParentTime(p, async () => {
          if (existing) await this.removeAt(p, existing);
          const fh = await this.fs.open(
            p.path,
            fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW,
            r.mode || 0o644,
          );
          try {
            // Owner before mode: chown(2) clears set-user-ID and set-group-ID bits.
            if (canChown) await fh.chown(r.uid, r.gid);
            await fh.chmod(this.modeOf(entry, r.mode, false));
          } finally {
            await fh.close();
          }
        });
        return;
      }
      case RecordKind.RECORD_KIND_WRITE:
      case RecordKind.RECORD_KIND_TRUNCATE: {
        if (!existing?.isFile()) this.refuse(entry, 'not a regular file on the target');
        const { fh, st } = await this.openFile(entry, place!);
        try {
          if (r.kind === RecordKind.RECORD_KIND_WRITE) await fh.writeAll(r.data, r.offset);
          else await fh.truncate(r.size);
          await this.stampContentTime(fh, st, entry);
        } finally {
          await fh.close();
        }
        return;
      }
      case RecordKind.RECORD_KIND_UNLINK: {
        if (!existing) return;
        if (existing.isDirectory()) this.refuse(entry, 'is a directory');
        const p = place!;
        await this.keepingParentTime(p, () => this.fs.unlink(p.path), true);
        return;
      }
      case RecordKind.RECORD_KIND_MKDIR: {
        const p = this.need(place, rel);
        await this.keepingParentTime(p, async () => {
          if (existing && !existing.isDirectory()) await this.removeAt(p, existing);
          if (!existing?.isDirectory()) await this.fs.mkdir(p.path, r.mode);
        });
        if (canChown) await this.fs.lchown(p.path, r.uid, r.gid);
        await this.fs.lchmod(p.path, this.modeOf(entry, r.mode, true));
        if (r.mtime) await this.fs.lutimes(p.path, seconds(r.mtime), seconds(r.mtime));
        return;
      }
      case RecordKind.RECORD_KIND_RMDIR: {
        if (!existing) return;
        if (!existing.isDirectory()) this.refuse(entry, 'not a directory');
        const p = place!;
        await this.keepingParentTime(p, () => this.fs.rmdir(p.path), true);
        return;
      }
      case RecordKind.RECORD_KIND_RENAME: {
        const to = this.at(entry, r.path2);
        try {
          if (!existing) {
            // Applied before (a replay after a crash): the source is already moved.
            if (to && (await this.fs.lstatOrNone(to.path))) return;
            this.refuse(entry, 'source of the rename is missing');
          }
          const p = place!;
          const dest = this.need(to, r.path2);
          await this.keepingParentTime(
            p,
            () =>
              this.keepingParentTime(dest, async () => {
                const over = await this.fs.lstatOrNone(dest.path);
                // rename(2) replaces files and empty directories; a type flip needs the old one gone.
                if (over && over.isDirectory() !== existing.isDirectory())
                  await this.removeAt(dest, over);
                await this.fs.rename(p.path, dest.path);
                this.moveTouched(rel, r.path2);
              }),
            true,
          );
        } finally {
          to?.release();
        }
        return;
      }
      case RecordKind.RECORD_KIND_SYMLINK: {
        const p = this.need(place, rel);
        await this.keepingParentTime(p, async () => {
          if (existing) await this.removeAt(p, existing);
          await this.fs.symlink(r.target, p.path);
        });
        if (canChown) await this.fs.lchown(p.path, r.uid, r.gid);
        if (r.mtime) await this.fs.lutimes(p.path, seconds(r.mtime), seconds(r.mtime));
        return;
      }
      case RecordKind.RECORD_KIND_LINK: {
        const to = this.at(entry, r.path2);
        try {
          if (!existing?.isFile()) this.refuse(entry, 'link source is not a regular file');
          const p = place!;
          const dest = this.need(to, r.path2);
          await this.keepingParentTime(dest, async () => {
            if (await this.fs.lstatOrNone(dest.path)) await this.fs.unlink(dest.path);
            await this.fs.link(p.path, dest.path);
          });
        } finally {
          to?.release();
        }
        return;
      }
      case RecordKind.RECORD_KIND_CHMOD:
        if (!existing) this.refuse(entry, 'missing on the target');
        await this.fs.lchmod(place!.path, this.modeOf(entry, r.mode, existing.isDirectory()));
        return;
      case RecordKind.RECORD_KIND_CHOWN:
        if (!existing) this.refuse(entry, 'missing on the target');
        if (canChown) {
          await this.fs.lchown(place!.path, r.uid, r.gid);
          // A CHOWN changes the owner only: put back set-ID bits chown(2) cleared.
          await this.fs.lchmod(place!.path, existing.mode & 0o7777);
        }
        return;
      case RecordKind.RECORD_KIND_UTIMES:
        if (!existing) this.refuse(entry, 'missing on the target');
        await this.fs.lutimes(place!.path, seconds(r.atime ?? r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_SETXATTR:
        if (leavesOutXattr(this.preserve, r.xattrName)) {
          const what = `${r.xattrRemove ? 'removal of ' : ''}extended attribute ${r.xattrName}`;
          this.onNotPreserved({ path: rel, what, lsn: entry.lsn });
          return;
        }
        this.applyXattr(this.need(place, rel).path, r);
        return;
      default:
        // Control records (GAP, ANNOTATE, BARRIER, CHECKPOINT) change nothing in the tree here.
        return;
    }
  }
}
