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
import { constants as fsc } from 'node:fs';
import {
  chmod,
  lchown,
  link,
  lstat,
  lutimes,
  mkdir,
  open,
  rename,
  rm,
  rmdir,
  symlink,
  truncate,
  unlink,
} from 'node:fs/promises';
import { join } from 'node:path';
import { constants as osc } from 'node:os';
import { JournalError } from '../errors.js';
import { removeXattr, setXattr, xattrError, xattrsAvailable } from '../sys/xattr.js';
import { pathProblem } from '../record/path_rules.js';
import { kindName, RecordKind, type JournalEntry, type RecordBody } from '../record/record.js';
import { canChown, utimeSeconds } from './attrs.js';
import { SKIPPED_WHEN_MISSING } from './model.js';
import { TxnGate, type OpenTxn } from './txn_gate.js';

function seconds(t: { sec?: number | null; nsec?: number | null } | null | undefined): number {
  return utimeSeconds(t?.sec ?? 0, t?.nsec ?? 0);
}

function secondsFromNs(ns: bigint): number {
  return utimeSeconds(Number(ns / 1_000_000_000n), Number(ns % 1_000_000_000n));
}

/** Kinds that move or remove paths (see `TreeApplier.reshapes`). */
const RESHAPING = new Set<number>([
  RecordKind.RECORD_KIND_RENAME,
  RecordKind.RECORD_KIND_UNLINK,
  RecordKind.RECORD_KIND_RMDIR,
  RecordKind.RECORD_KIND_LINK,
]);

export interface TreeApplierOptions {
  /**
   * Write files created inside a transaction to a temp file beside them and
   * rename it into place at commit, so the new content appears whole
   * (replica). Default false (restore into an empty folder needs no such care).
   */
  atomicCreate?: boolean;
}

export class TreeApplier {
  private readonly gate = new TxnGate();
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
  private readonly atomicCreate: boolean;

  constructor(
    readonly target: string,
    options: TreeApplierOptions = {},
  ) {
    this.atomicCreate = options.atomicCreate ?? false;
  }

  /** The paths changed since the last call (files and directories), and forgets them. */
  takeTouched(): string[] {
    const out = [...this.touched];
    this.touched = new Set();
    return out;
  }

  /** LSN of the oldest open transaction's TXN_BEGIN, if any: a position must stay below it. */
  get oldestOpenTxn(): number | undefined {
    return this.gate.oldestBegin;
  }

  /**
   * Whether applying `entry` moves or removes paths: a RENAME, UNLINK, RMDIR
   * or LINK applied now, or the commit of a transaction holding one. Such a
   * record is idempotent over its own effect but not over the effects of the
   * records after it (a rename whose source was created again, an unlink of
   * a path that has since become a directory), so an applier that replays
   * records after a crash must not let it share a replay window with later
   * records. Creations, content and attributes may: applied again over
   * their own later effects, they leave the same tree.
   */
  reshapes(entry: JournalEntry): boolean {
    const r = entry.record;
    if (r.kind === RecordKind.RECORD_KIND_TXN_COMMIT)
      return this.gate.heldFor(r.txn).some((e) => RESHAPING.has(e.record.kind));
    if (r.txn && this.gate.isOpen(r.txn)) return false; // held until its commit
    return RESHAPING.has(r.kind);
  }

  /** Applies one entry (or holds it, inside a transaction). Throws JournalError on a refused record. */
  async apply(entry: JournalEntry): Promise<void> {
    const admitted = this.gate.admit(entry);
    if (admitted.kind === 'one') await this.applyOne(admitted.entry);
    else if (admitted.kind === 'commit') {
      await this.applyTransaction(admitted.entries);
      this.gate.applied(admitted.txn);
    }
    this.appliedLsn = entry.lsn;
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
      const st = await lstat(abs).catch(() => undefined);
      if (st && !st.isDirectory())
        this.refuse(entry, `parent ${parts.slice(0, i + 1).join('/')} is not a directory`);
    }
    return join(this.target, path);
  }

  /**
   * Applies a committed transaction. With atomicCreate, a file created in it
   * is built in a temp file beside it (content, mode, owner, times) and
   * renamed into place once whole and fsynced.
   */
  private async applyTransaction(held: JournalEntry[]): Promise<void> {
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
      const inPlace = new Set([
        RecordKind.RECORD_KIND_CREATE,
        RecordKind.RECORD_KIND_WRITE,
        RecordKind.RECORD_KIND_TRUNCATE,
        RecordKind.RECORD_KIND_CHMOD,
        RecordKind.RECORD_KIND_CHOWN,
        RecordKind.RECORD_KIND_UTIMES,
      ]);
      for (const e of held) {
        if (!inPlace.has(e.record.kind) || (e.record.path2 && redirect.has(e.record.path2))) {
          redirect.delete(e.record.path);
          redirect.delete(e.record.path2);
        }
      }
    }
    try {
      for (const e of held) await this.applyOne(e, redirect.get(e.record.path));
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
      const fh = await open(from, fsc.O_RDONLY | fsc.O_NOFOLLOW);
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      this.touched.delete(from);
      await this.keepingParentTime(to, async () => {
        const there = await lstat(to).catch(() => undefined);
        if (there?.isDirectory()) await rm(to, { recursive: true, force: true });
        await rename(from, to);
      });
    }
  }

  /** Runs a change to a directory's entries without moving the directory's mtime. */
  private async keepingParentTime(abs: string, change: () => Promise<void>): Promise<void> {
    const parent = join(abs, '..');
    this.touched.add(parent);
    const before = await lstat(parent, { bigint: true }).catch(() => undefined);
    await change();
    if (before?.isDirectory()) {
      await lutimes(parent, secondsFromNs(before.atimeNs), secondsFromNs(before.mtimeNs)).catch(
        () => undefined,
      );
    }
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
    const st = await lstat(abs, { bigint: true });
    const us = entry.timeUs;
    await lutimes(
      abs,
      secondsFromNs(st.atimeNs),
      utimeSeconds(Math.floor(us / 1e6), (us % 1e6) * 1000),
    );
  }

  /** Applies one record; `pathOverride` redirects its path (a transaction's temp file). */
  private async applyOne(entry: JournalEntry, pathOverride?: string): Promise<void> {
    const r: RecordBody = entry.record;
    const abs = await this.resolvePath(entry, pathOverride ?? r.path);
    const existing = await lstat(abs).catch(() => undefined);
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
          if (existing) await rm(abs, { recursive: existing.isDirectory(), force: true });
          const fh = await open(
            abs,
            fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW,
            r.mode || 0o644,
          );
          await fh.close();
          // Owner before mode: chown(2) clears set-user-ID and set-group-ID bits.
          if (canChown) await lchown(abs, r.uid, r.gid);
          await chmod(abs, r.mode);
        });
        return;
      case RecordKind.RECORD_KIND_WRITE: {
        if (!existing?.isFile()) this.refuse(entry, 'not a regular file on the target');
        const fh = await open(abs, fsc.O_WRONLY | fsc.O_NOFOLLOW);
        try {
          let done = 0;
          while (done < r.data.length) {
            const { bytesWritten } = await fh.write(
              r.data,
              done,
              r.data.length - done,
              r.offset + done,
            );
            done += bytesWritten;
          }
        } finally {
          await fh.close();
        }
        await this.stampContentTime(abs, entry);
        return;
      }
      case RecordKind.RECORD_KIND_TRUNCATE:
        if (!existing?.isFile()) this.refuse(entry, 'not a regular file on the target');
        await truncate(abs, r.size);
        await this.stampContentTime(abs, entry);
        return;
      case RecordKind.RECORD_KIND_UNLINK:
        if (!existing) return;
        if (existing.isDirectory()) this.refuse(entry, 'is a directory');
        await this.keepingParentTime(abs, () => unlink(abs));
        return;
      case RecordKind.RECORD_KIND_MKDIR:
        await this.keepingParentTime(abs, async () => {
          if (existing && !existing.isDirectory()) await rm(abs, { force: true });
          if (!existing?.isDirectory()) await mkdir(abs, { mode: r.mode });
        });
        if (canChown) await lchown(abs, r.uid, r.gid);
        await chmod(abs, r.mode);
        if (r.mtime) await lutimes(abs, seconds(r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_RMDIR:
        if (!existing) return;
        if (!existing.isDirectory()) this.refuse(entry, 'not a directory');
        await this.keepingParentTime(abs, () => rmdir(abs));
        return;
      case RecordKind.RECORD_KIND_RENAME: {
        const to = await this.resolvePath(entry, r.path2);
        if (!existing) {
          // Applied before (a replay after a crash): the source is already moved.
          if (await lstat(to).catch(() => undefined)) return;
          this.refuse(entry, 'source of the rename is missing');
        }
        await this.keepingParentTime(abs, () =>
          this.keepingParentTime(to, async () => {
            const over = await lstat(to).catch(() => undefined);
            // rename(2) replaces files and empty directories; a type flip needs the old one gone.
            if (over && over.isDirectory() !== existing.isDirectory())
              await rm(to, { recursive: true, force: true });
            await rename(abs, to);
          }),
        );
        return;
      }
      case RecordKind.RECORD_KIND_SYMLINK:
        await this.keepingParentTime(abs, async () => {
          if (existing) await rm(abs, { recursive: existing.isDirectory(), force: true });
          await symlink(r.target, abs);
        });
        if (canChown) await lchown(abs, r.uid, r.gid);
        if (r.mtime) await lutimes(abs, seconds(r.mtime), seconds(r.mtime));
        return;
      case RecordKind.RECORD_KIND_LINK: {
        const to = await this.resolvePath(entry, r.path2);
        if (!existing?.isFile()) this.refuse(entry, 'link source is not a regular file');
        await this.keepingParentTime(to, async () => {
          await rm(to, { force: true });
          await link(abs, to);
        });
        return;
      }
      case RecordKind.RECORD_KIND_CHMOD:
        if (!existing) this.refuse(entry, 'missing on the target');
        if (!existing.isSymbolicLink()) await chmod(abs, r.mode);
        return;
      case RecordKind.RECORD_KIND_CHOWN:
        if (!existing) this.refuse(entry, 'missing on the target');
        if (canChown) {
          await lchown(abs, r.uid, r.gid);
          // A CHOWN changes the owner only: put back set-ID bits chown(2) cleared.
          if (!existing.isSymbolicLink()) await chmod(abs, existing.mode & 0o7777);
        }
        return;
      case RecordKind.RECORD_KIND_UTIMES:
        if (!existing) this.refuse(entry, 'missing on the target');
        await lutimes(abs, seconds(r.atime ?? r.mtime), seconds(r.mtime));
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
