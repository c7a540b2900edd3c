/**
 * The scheduler's data: the set of paths that may have changed (dirty),
 * taken a round at a time in an order that keeps records in order (parents
 * before children), the count of rounds begun and finished, and the waiters
 * of `idle()` woken as rounds finish. `Lookahead` runs a round's lstats
 * ahead of the path being processed.
 *
 * A path is in the set at most once however many events name it; the set
 * says nothing about what changed (the disk and the manifest decide).
 */

/** The order in which a round processes its paths: sorted, so parents come before children. */
export function roundOrder(paths: Iterable<string>): string[] {
  return [...paths].sort();
}

/**
 * The round an `idle()` called now waits for: paths dirty now go into the
 * next round begun; without any, the round under way (or last done) holds
 * everything seen.
 */
export function fenceRound(dirty: number, roundsStarted: number): number {
  return dirty > 0 ? roundsStarted + 1 : roundsStarted;
}

/** What `idle()` looks at each time it is woken. */
export interface ProgressState {
  dirty: number;
  /** Paths waiting in their rename window. */
  removals: number;
  /** Whether a processing run is under way (or about to start). */
  running: boolean;
  roundsDone: number;
}

/**
 * Whether an `idle()` fenced at round `fence` may return: the capture is
 * quiet, or that round is done and no removal found in it or before still
 * waits for its rename window (`waitsFromRound`).
 */
export function idleReached(
  s: ProgressState,
  fence: number,
  waitsFromRound: (round: number) => boolean,
): boolean {
  const quiet = s.dirty === 0 && s.removals === 0 && !s.running;
  return quiet || (s.roundsDone >= fence && !waitsFromRound(fence));
}

/** Paths that may have changed, and the rounds that process them. */
export class DirtySet {
  private readonly paths = new Set<string>();
  private waiters: (() => void)[] = [];
  /** Processing rounds begun and finished (a round takes every path dirty when it begins). */
  private started = 0;
  private done = 0;

  get size(): number {
    return this.paths.size;
  }

  get roundsStarted(): number {
    return this.started;
  }

  get roundsDone(): number {
    return this.done;
  }

  add(path: string): void {
    this.paths.add(path);
  }

  /** Begins a round: takes every dirty path, in roundOrder. */
  takeRound(): { round: number; paths: string[] } {
    const round = ++this.started;
    const paths = roundOrder(this.paths);
    this.paths.clear();
    return { round, paths };
  }

  /** Ends a round; waiters for what was dirty when they called need not wait for quiet. */
  finishRound(round: number): void {
    this.done = round;
    this.wake();
  }

  /** Resolves at the next wake(). */
  wait(): Promise<void> {
    return new Promise<void>((res) => this.waiters.push(res));
  }

  /** Wakes every waiter (they look again). */
  wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/**
 * How many lstats run ahead of the path being processed. One lstat at a time
 * waits a thread-pool round trip each (~44 us here); 32 in flight keep the
 * pool busy (100k paths: 4.4 s -> 0.4 s, see docs/capture.md).
 */
export const STAT_AHEAD = 32;

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs a lookup ahead of its turn: `take(i)` (i increasing) resolves with the
 * lookup of keys[i] while those of the next `depth` keys are already under
 * way. A failed lookup is kept, not left unhandled, and thrown by its `take`.
 */
export class Lookahead<T> {
  private readonly started = new Map<number, Promise<Settled<T>>>();
  private next = 0;

  constructor(
    private readonly keys: readonly string[],
    private readonly lookup: (key: string) => Promise<T>,
    private readonly depth: number,
  ) {}

  async take(i: number): Promise<T> {
    for (; this.next < this.keys.length && this.next <= i + this.depth; this.next++) {
      this.started.set(
        this.next,
        this.lookup(this.keys[this.next]!).then(
          (value): Settled<T> => ({ ok: true, value }),
          (error: unknown): Settled<T> => ({ ok: false, error }),
        ),
      );
    }
    const r = await this.started.get(i)!;
    this.started.delete(i);
    if (!r.ok) throw r.error;
    return r.value;
  }
}
