/**
 * Watcher intake: what the capture makes of the watcher's events
 * (dir_watcher.ts) before looking at the disk. An event becomes the paths it
 * may concern (marked dirty); paths left out (ignore globs, the journal's
 * own folders) never become dirty; events are counted, and a burst beyond
 * what the kernel's queue holds means some may have been dropped (the
 * capture then records a GAP and rescans).
 *
 * Events are hints, not facts: a wrong guess here costs one lstat; a missed
 * one is repaired only by a rescan (docs/capture.md).
 */
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { ManifestEntry } from '../../tree/manifest.js';
import { parentOf } from '../../record/path_rules.js';
import type { CaptureStats } from './watch_capture.js';

/**
 * The test for paths (relative to `source`, `/`-separated) left out of the
 * capture, with everything under them: those matching a glob (picomatch,
 * dotfiles included) and the folders in `own` (the journal's, the state's)
 * when they sit inside the source. Never the source itself.
 */
export function ignoreMatcher(
  source: string,
  own: readonly string[],
  globs: readonly string[],
): (rel: string) => boolean {
  const matchers = globs.map((g) => picomatch(g, { dot: true }));
  const inside = own
    .map((d) => relative(source, resolve(d)).split(sep).join('/'))
    .filter((r) => r !== '' && !r.startsWith('..') && !r.startsWith('/'));
  // Asked for every path marked dirty (and by chokidar for every entry it
  // lists): keep the common case (nothing to leave out) free.
  if (inside.length === 0 && matchers.length === 0) return () => false;
  return (rel) => {
    if (rel === '') return false;
    for (let p = rel; p !== ''; p = parentOf(p)) {
      if (inside.includes(p) || matchers.some((m) => m(p))) return true;
    }
    return false;
  };
}

/**
 * The paths one watcher event may concern. `at` is what the fs.watch
 * watches: a directory (events name a child, or the directory itself by its
 * own name `ownName`) or, under chokidar, a file (events name the file).
 * `atType` is what the manifest says `at` is; both candidates are returned
 * unless it says which.
 */
export function eventPaths(
  at: string,
  name: string | null,
  atType: ManifestEntry['type'] | undefined,
  ownName: string,
): string[] {
  const out: string[] = [];
  if (atType !== 'dir' || name === null || name === ownName) out.push(at);
  if (name !== null && atType !== 'file' && atType !== 'symlink')
    out.push(at === '' ? name : `${at}/${name}`);
  return out;
}

/**
 * The burst threshold by default: half the kernel's inotify queue
 * (fs.inotify.max_queued_events, 16,384 where it cannot be read), at least 1,024.
 */
export async function defaultBurstThreshold(): Promise<number> {
  const text = await readFile('/proc/sys/fs/inotify/max_queued_events', 'utf8').catch(
    () => '16384',
  );
  const n = Number.parseInt(text, 10);
  return Math.max(1024, Math.floor((Number.isFinite(n) ? n : 16384) / 2));
}

/** Counts the watcher's events and says when a burst may have overflowed the kernel's queue. */
export class BurstCounter {
  /** inotify events received since the capture was last quiet (or the last burst). */
  private sinceQuiet = 0;

  constructor(
    /** Events beyond which some may have been dropped (see WatchCaptureOptions.burstThreshold). */
    public threshold: number,
    private readonly stats: CaptureStats,
  ) {}

  /** One inotify event: these are what fill the kernel's queue. */
  event(): void {
    this.stats.events++;
    this.sinceQuiet++;
  }

  /** The events counted, when beyond the threshold (the count starts again); else undefined. */
  takeBurst(): number | undefined {
    if (this.sinceQuiet <= this.threshold) return undefined;
    const n = this.sinceQuiet;
    this.sinceQuiet = 0;
    return n;
  }

  /** The capture caught up (or starts afresh): the kernel's queue is empty again. */
  quiet(): void {
    this.sinceQuiet = 0;
  }
}
