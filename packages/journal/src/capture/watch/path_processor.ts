/**
 * Carrying out reconcile.ts's decisions for one dirty path: look at the
 * path (and its parent), tell a rename from a creation by inode, and
 * journal the creation, update, replacement or removal, keeping the
 * manifest and the watches in step. Removals go through the rename window
 * first; content goes to the content reader.
 *
 * Not guaranteed: that a path is processed once per change. Events are
 * hints, so a path may be processed with nothing to do, and what changed
 * along with a rename is found by comparing again.
 */
import { JournalError } from '../../errors.js';
import type { Manifest, Observed } from '../../tree/manifest.js';
import { parentOf } from '../../record/path_rules.js';
import { RecordKind, type RecordInput } from '../../record/record.js';
import { attributeRecords, createRecord, entryFor, planPath, removeRecords } from './reconcile.js';
import type { TreeWatcher } from './dir_watcher.js';
import { ChangeWriter, type RecordSink } from './change_writer.js';
import type { ContentReader } from './content_reader.js';
import type { DirtySet } from './dirty_set.js';
import type { RenameWindow } from './rename_window.js';
import type { TreeRescan } from './rescan.js';
import type { CaptureStats } from './watch_capture.js';

/** What processing needs of the capture and its parts. */
export interface ProcessorHost {
  readonly source: string;
  readonly stats: CaptureStats;
  /** The manifest now (the capture replaces it when it resumes). */
  manifest(): Manifest;
  watcher(): TreeWatcher | undefined;
  observe(path: string): Promise<Observed | undefined>;
  markDirty(path: string): void;
  /** The capture's rescan (marks, logs unless quiet, wakes processing). */
  rescan(root: string, why: string, quiet: boolean, fresh: boolean): Promise<void>;
  /** Appends records (throws while the capture is failed). */
  append(records: RecordInput[], bytes: number): void;
  readonly sink: RecordSink;
  readonly content: ContentReader;
  readonly window: RenameWindow;
  readonly dirty: DirtySet;
  readonly scan: TreeRescan;
}

/** Compares dirty paths with the manifest and journals the difference. */
export class PathProcessor {
  constructor(private readonly host: ProcessorHost) {}

  /**
   * Compares one path with the manifest and journals the difference.
   * `seen`: an lstat of the path already taken after the event that marked it.
   */
  async process(path: string, seen?: { now: Observed | undefined }): Promise<void> {
    const h = this.host;
    h.stats.pathsProcessed++;
    if (path !== '') {
      // Never look through a parent that is not (or no longer) a real directory.
      const parent = parentOf(path);
      const p = h.manifest().get(parent);
      if (!p || p.type !== 'dir') {
        const seen = await h.observe(parent);
        if (seen?.type !== 'dir') return;
        await this.process(parent);
        if (h.manifest().get(parent)?.type !== 'dir') return;
      }
    }
    const now = seen ? seen.now : await h.observe(path);
    // A watched directory gone or replaced: its watch (on the old inode) goes.
    const watcher = h.watcher();
    if (now?.type !== 'dir' && path !== '' && watcher?.watching(path)) watcher.unwatchTree(path);
    if (path === '' && now?.type !== 'dir') {
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `source ${h.source}: no longer a directory`);
    }
    if (
      now &&
      path !== '' &&
      h.manifest().get(path)?.ino !== now.ino &&
      (await this.renamedHere(path, now))
    ) {
      // Anything else that changed with the rename is found by comparing again.
      await this.process(path);
      return;
    }
    const old = h.manifest().get(path);
    const plan = planPath(old, now);
    switch (plan.kind) {
      case 'none':
        return;
      case 'remove':
        h.window.open(path, h.dirty.roundsStarted);
        return;
      case 'replace':
        await h.content.drain();
        this.removeNow(path);
        await this.add(path, now!);
        return;
      case 'add':
        h.window.close(path);
        await this.add(path, now!);
        return;
      case 'update':
        h.window.close(path);
        if (plan.content) {
          await h.content.start(path, old, now!);
        } else {
          h.append(attributeRecords(path, now!, plan), 0);
          h.manifest().set(path, entryFor(now!, old!.hashes));
        }
        return;
    }
  }

  /**
   * A path whose rename window ended: still gone, it is removed (after the
   * content reads in progress); back, it is compared again.
   */
  async processRemoval(path: string): Promise<void> {
    const h = this.host;
    h.window.close(path);
    const old = h.manifest().get(path);
    if (!old) return;
    const now = await h.observe(path);
    if (now) {
      h.markDirty(path); // it is back (or something else is there): compare again
      return;
    }
    await h.content.drain();
    this.removeNow(path);
  }

  /**
   * When the inode now at `path` is one the manifest knows under another path
   * that no longer holds it, the change is a rename (over whatever `path`
   * held): journal it, move the manifest entries, and return true.
   */
  private async renamedHere(path: string, now: Observed): Promise<boolean> {
    const h = this.host;
    for (const from of h.manifest().pathsWithIno(now.ino)) {
      if (from === path || path.startsWith(`${from}/`) || from === '') continue;
      if (h.manifest().get(from)?.type !== now.type) continue;
      const there = await h.observe(from);
      if (there && there.ino === now.ino) continue; // still there: a hard link, not a rename
      h.stats.renames++;
      await h.content.drain();
      // rename(2) replaces only a file by a file, or a directory by an empty
      // one. Whatever else the manifest still has at `path` (a directory
      // whose entries' removals wait in the rename window, a file where a
      // directory arrives) is journaled as removed first, or the replica's
      // rename fails (ENOTEMPTY, EISDIR, ENOTDIR).
      const old = h.manifest().get(path);
      if (old && (old.type === 'dir' || now.type === 'dir')) this.removeNow(path);
      h.append([{ kind: RecordKind.RECORD_KIND_RENAME, path: from, path2: path }], 0);
      for (const p of h.manifest().subtree(from)) h.window.close(p);
      // fs.watch watches by path: the watches under the old path go, and the
      // rescan below watches the new one (before listing it).
      if (now.type === 'dir') h.watcher()?.unwatchTree(from);
      h.manifest().moveSubtree(from, path);
      h.markDirty(parentOf(from));
      h.markDirty(parentOf(path));
      if (now.type === 'dir') await h.rescan(path, 'renamed directory', true, true);
      return true;
    }
    return false;
  }

  /** A path the manifest does not have: a creation (renames were ruled out before). */
  private async add(path: string, now: Observed): Promise<void> {
    const h = this.host;
    if (path === '') {
      // The root always exists on both sides: only its attributes are journaled.
      h.append(attributeRecords('', now, { chmod: true, chown: true, utimes: true }), 0);
      h.manifest().set('', entryFor(now));
      return;
    }
    h.markDirty(parentOf(path));
    if (now.type === 'file') {
      await h.content.start(path, undefined, now);
      return;
    }
    h.append([createRecord(path, now)], 0);
    h.manifest().set(path, entryFor(now));
    if (now.type !== 'dir') return;
    // Entries made in a new directory before the watcher watched it had no
    // event: list it, unless a rescan listed it after its last change of
    // entries (a first start lists the tree once, not twice).
    if (h.scan.takeListing(path, now)) return;
    await h.rescan(path, 'new directory', true, true);
  }

  /** Journals the removal of a path and everything the manifest has under it. */
  private removeNow(path: string): void {
    const h = this.host;
    const manifest = h.manifest();
    const types = new Map(manifest.subtree(path).map((p) => [p, manifest.get(p)!.type] as const));
    const removed = manifest.removeSubtree(path);
    if (types.get(path) === 'dir') h.watcher()?.unwatchTree(path);
    if (removed.length === 0) return;
    const records = removeRecords(removed, (p) => types.get(p)!);
    if (records.length === 1) {
      h.append(records, 0);
    } else {
      const w = new ChangeWriter(h.sink);
      for (const r of records) w.push(r);
      w.commit();
    }
    for (const p of removed) h.window.close(p);
    h.markDirty(parentOf(path));
  }
}
