/**
 * At most one run of an expensive job at a time (a checkpoint, a barrier's
 * rescan), shared by the callers who ask while one runs: like a group
 * commit. A caller who asks while a run is in flight is served by the
 * *next* run, which starts once the current one ends (and not sooner than
 * `minIntervalMs` after it began), so what it returns still covers every
 * change made before the call. However many ask at once, at most two runs
 * happen: the one in flight and the one they share. Callers beyond
 * `maxWaiting` are refused at once (429) rather than queued without bound.
 */
import { ApiError } from './errors.js';

export interface NextRunOptions {
  /** What is run: for the messages. */
  what: string;
  /** Callers that may wait for the next run; more are refused. */
  maxWaiting: number;
  /** A run starts no sooner than this after the previous one began (ms). Default 0. */
  minIntervalMs?: number;
}

export class NextRun<T> {
  private running: Promise<T> | undefined;
  private next: Promise<T> | undefined;
  private waiting = 0;
  private lastStartMs = -Infinity;
  /** Runs started so far (metrics, tests). */
  runs = 0;

  constructor(
    private readonly job: () => Promise<T>,
    private readonly o: NextRunOptions,
  ) {}

  /** The result of a run that starts after this call. */
  run(): Promise<T> {
    const interval = this.o.minIntervalMs ?? 0;
    if (!this.next && !this.running && Date.now() - this.lastStartMs >= interval) {
      return this.start();
    }
    if (this.waiting >= this.o.maxWaiting) {
      return Promise.reject(
        new ApiError(
          'FSJ_ERR_API_BUSY',
          `${this.o.what}: ${this.waiting} requests already wait for the next one; try again later`,
          429,
        ),
      );
    }
    this.waiting++;
    this.next ??= (this.running ?? Promise.resolve())
      .catch(() => undefined)
      .then(async () => {
        const wait = this.lastStartMs + interval - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        this.next = undefined;
        this.waiting = 0;
        return this.start();
      });
    return this.next;
  }

  private start(): Promise<T> {
    this.runs++;
    this.lastStartMs = Date.now();
    const p = this.job().finally(() => {
      if (this.running === p) this.running = undefined;
    });
    this.running = p;
    return p;
  }
}
