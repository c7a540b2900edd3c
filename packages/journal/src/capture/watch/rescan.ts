/**
 * The rescan: when events may have been missed (start-up, a GAP, a resume
 * after a failure, a barrier, a new or renamed directory), every path under
 * a root, on disk and in the manifest, is marked dirty, and every directory
 * listed is watched before it is listed, so that an entry made in between
 * is listed or makes an event.
 *
 * A rescan only marks paths: it decides nothing (processing compares each
 * with the manifest). Paths that appear after their directory was listed
 * are found by their event, not by the rescan.
 */
import { opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { sameTime, type Manifest, type Observed } from '../../tree/manifest.js';
import type { Timespec } from '../../tree/entry.js';
import type { TreeWatcher } from './dir_watcher.js';
import type { DirtySet } from './dirty_set.js';
import { settled } from './observation.js';

/** A directory's identity and ctime, taken just before a rescan listed it. */
export interface Listing {
  ino: string;
  ctime: Timespec;
}

/**
 * Whether a rescan's listing still stands for the directory now at its path:
 * same inode, same ctime, so no entry was created or removed in it since.
 */
export function listingStands(listed: Listing | undefined, now: Observed): boolean {
  return listed !== undefined && listed.ino === now.ino && sameTime(listed.ctime, now.ctime);
}

/** What a rescan needs of the capture. */
export interface RescanHost {
  readonly source: string;
  ignored(rel: string): boolean;
  /** The manifest now (the capture replaces it when it resumes). */
  manifest(): Manifest;
  watcher(): TreeWatcher | undefined;
  observe(path: string): Promise<Observed | undefined>;
  readonly dirty: DirtySet;
}

/** Walks subtrees into the dirty set, remembering the new directories it listed. */
export class TreeRescan {
  /**
   * Directories a rescan listed while the manifest did not have them, with
   * their identity and ctime taken just before the listing. When such a
   * directory is added and both are unchanged, the listing (whose children
   * are already dirty) stands and it is not listed again.
   */
  private readonly listed = new Map<string, Listing>();

  constructor(private readonly host: RescanHost) {}

  /**
   * Marks every path under `root` on disk and in the manifest as dirty,
   * watching each directory before listing it. `fresh`: the directories are
   * new at their paths (created, renamed there), so a watch left under the
   * same path (on an inode since removed or moved) is replaced.
   */
  async walk(root: string, fresh: boolean): Promise<void> {
    const { dirty, source } = this.host;
    for (const p of this.host.manifest().subtree(root)) dirty.add(p);
    const walk = async (rel: string): Promise<void> => {
      dirty.add(rel);
      // A directory new to the manifest: note what it looks like before
      // listing it, so that adding it need not list it again (see `listed`).
      const known = this.host.manifest().get(rel);
      const before = known ? undefined : await this.host.observe(rel).catch(() => undefined);
      // Watched after `before` is taken: if the directory is replaced in
      // between, its identity at the add differs and it is listed (and
      // watched) again.
      if ((known ?? before)?.type === 'dir' && !this.host.ignored(rel))
        this.host.watcher()?.watchDir(rel, fresh);
      let dir;
      try {
        dir = await opendir(join(source, rel), { bufferSize: 256 });
      } catch {
        return; // gone or not a directory: the dirty path will say so
      }
      for await (const d of dir) {
        const child = rel === '' ? d.name : `${rel}/${d.name}`;
        if (this.host.ignored(child)) continue;
        if (d.isDirectory()) await walk(child);
        else dirty.add(child);
      }
      if (before?.type === 'dir' && settled(before.ctime))
        this.listed.set(rel, { ino: before.ino, ctime: before.ctime });
    };
    await walk(root);
  }

  /**
   * Whether a rescan listed the directory now at `path` after its last
   * change of entries (then it need not be listed again); forgets the listing.
   */
  takeListing(path: string, now: Observed): boolean {
    const listed = this.listed.get(path);
    this.listed.delete(path);
    return listingStands(listed, now);
  }

  /** Forgets every listing: each listed directory has been processed (or the manifest rebuilt). */
  forget(): void {
    this.listed.clear();
  }
}
