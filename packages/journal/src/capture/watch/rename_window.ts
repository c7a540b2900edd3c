/**
 * The rename window: a path that vanished is not journaled as removed at
 * once but waits `renameWindowMs` for its inode to turn up at another path,
 * so that an unlink + add of the same inode (what a rename looks like to the
 * watcher) becomes one RENAME. The capture closes a path's window when the
 * path is back, renamed or removed with its parent; when the window ends,
 * the path is looked at again and, still gone, removed.
 *
 * Not guaranteed: a rename whose add comes after the window is journaled as
 * a removal and a creation (the content is sent again).
 */

/** A path waiting in the window: when its window ends, and the round that found it gone. */
export interface Removal {
  /** When the window ends (ms since the epoch). */
  due: number;
  /** The processing round in which the path was found gone. */
  round: number;
}

/** The paths whose window has ended at `now`, sorted (parents before children). */
export function dueRemovals(removals: ReadonlyMap<string, Removal>, now: number): string[] {
  return [...removals]
    .filter(([, r]) => r.due <= now)
    .map(([p]) => p)
    .sort();
}

/** How long until the first window ends, at least 1 ms (removals must not be empty). */
export function nextWindowDelay(removals: ReadonlyMap<string, Removal>, now: number): number {
  let next = Infinity;
  for (const r of removals.values()) next = Math.min(next, r.due);
  return Math.max(1, next - now);
}

/** Whether a path found gone in round `round` or before still waits. */
export function waitsFromRound(removals: ReadonlyMap<string, Removal>, round: number): boolean {
  for (const r of removals.values()) if (r.round <= round) return true;
  return false;
}

/** The paths waiting in their rename window, and the timer that wakes the capture. */
export class RenameWindow {
  private readonly waiting = new Map<string, Removal>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    /** Called when the first window ends (the capture processes what is due). */
    private readonly wake: () => void,
  ) {}

  /** How many paths wait. */
  get size(): number {
    return this.waiting.size;
  }

  /** Starts the window of a path found gone in `round`; a path already waiting keeps its own. */
  open(path: string, round: number): void {
    if (this.waiting.has(path)) return;
    this.waiting.set(path, { due: Date.now() + this.windowMs, round });
  }

  /** Takes a path out of the window (it is back, renamed, removed, or being processed). */
  close(path: string): void {
    this.waiting.delete(path);
  }

  /** The paths whose window has ended, sorted. */
  due(): string[] {
    return dueRemovals(this.waiting, Date.now());
  }

  /** Whether a path found gone in round `round` or before still waits (see idle()). */
  waitsFromRound(round: number): boolean {
    return waitsFromRound(this.waiting, round);
  }

  /** Sets the timer for the first window to end, unless one is set. */
  arm(): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.wake();
      },
      nextWindowDelay(this.waiting, Date.now()),
    );
  }

  /**
   * Cancels the timer for good (the capture stops): the handle is kept, so
   * `arm()` sets no new one.
   */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
