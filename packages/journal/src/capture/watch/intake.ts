/**
 * Watcher intake: what the capture makes of the watcher's events
 * (dir_watcher.ts) before looking at the disk. An event becomes the paths it
 * may concern (marked dirty); paths left out (ignore globs, the journal's
 * own folders) never become dirty; events are counted, and a read of the
 * kernel's queue big enough that it may have overflowed means some may have
 * been dropped (the capture then records a GAP and rescans; OverflowWatch).
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
 * The overflow threshold by default: 7/8 of the kernel's inotify queue
 * (fs.inotify.max_queued_events, 16,384 where it cannot be read: 14,336), at
 * least 1,024. A read of a queue that overflowed returns the whole queue
 * (see OverflowWatch); the eighth left is room for the events libuv drops
 * unseen (those of a watch closed while they waited in the queue). Half the
 * queue was too low: on a busy 2-core machine the capture's thread can stall
 * long enough for a read of 8,192 events without any overflow.
 */
export async function defaultBurstThreshold(): Promise<number> {
  const text = await readFile('/proc/sys/fs/inotify/max_queued_events', 'utf8').catch(
    () => '16384',
  );
  const n = Number.parseInt(text, 10);
  return Math.max(1024, Math.floor(((Number.isFinite(n) ? n : 16384) * 7) / 8));
}

/**
 * Says when the kernel's inotify queue may have overflowed, from the events
 * one read of it returns. libuv does not report `IN_Q_OVERFLOW` (its event
 * has no watch; libuv skips it), so the volume of a read is what is left:
 * libuv reads the queue until it is empty and calls every watcher's callback
 * from that one read, in one poll phase of the loop, before any
 * `setImmediate`. The kernel only overflows a queue that holds
 * max_queued_events events, and the read that follows returns every one of
 * them, so a read below the threshold rules an overflow out, however many
 * events the burst makes in all: events the capture takes in read after
 * read, coalesced into dirty paths, are not at risk. (Counting events "since
 * the capture was last quiet" instead, as before, made every burst longer
 * than half the queue a GAP and a full rescan, `npm ci` among them.)
 */
export class OverflowWatch {
  /** Events of the read under way (all callbacks before the next check phase). */
  private inRead = 0;
  private armed = false;
  /** The size of a read at or beyond the threshold, not yet taken. */
  private overflowed: number | undefined;

  constructor(
    /** Events in one read at or beyond which some may have been dropped (WatchCaptureOptions.burstThreshold). */
    public threshold: number,
    private readonly stats: CaptureStats,
    /** Called when a read reached the threshold (the capture wakes to record the GAP). */
    private readonly onOverflow: () => void,
  ) {}

  /** One inotify event, as a watcher callback reports it. */
  event(): void {
    this.stats.events++;
    this.inRead++;
    if (this.armed) return;
    this.armed = true;
    // Runs in the check phase, after every callback of this poll phase's reads.
    setImmediate(() => this.endRead());
  }

  private endRead(): void {
    const n = this.inRead;
    this.inRead = 0;
    this.armed = false;
    if (n > this.stats.largestRead) this.stats.largestRead = n;
    if (n < this.threshold) return;
    this.overflowed = Math.max(this.overflowed ?? 0, n);
    this.onOverflow();
  }

  /** Whether a read that may have overflowed the queue waits to be taken. */
  get pending(): boolean {
    return this.overflowed !== undefined;
  }

  /** The size of a read that may have overflowed the queue, once; else undefined. */
  takeOverflow(): number | undefined {
    const n = this.overflowed;
    this.overflowed = undefined;
    return n;
  }

  /** The capture starts afresh (a resume rescans the whole tree): a pending overflow is covered. */
  forget(): void {
    this.overflowed = undefined;
  }
}
