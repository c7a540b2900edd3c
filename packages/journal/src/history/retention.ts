/**
 * Retention: whole segments are released once they are older than the
 * retention period, every known replica has acknowledged them durable, and
 * a checkpoint covers them (one is written when none does). Checkpoints
 * older than the one the journal now starts from go too, with the content
 * packs no remaining checkpoint names. A checkpoint is also written every
 * `checkpointBytes` of journal, so restores never replay far.
 */
import type { CheckpointInfo, Checkpoints } from './checkpoint.js';
import { replayStart } from './checkpoint.js';
import type { Journal } from '../store/journal.js';
import type { Logger } from '../logger.js';

export interface RetentionOptions {
  journal: Journal;
  checkpoints: Checkpoints;
  /** Keep records at least this long (ms). */
  retainMs: number;
  /** Write a checkpoint once this many journal bytes follow the newest. 0: never. */
  checkpointBytes: number;
  /**
   * The highest LSN every known replica has made durable, or undefined when
   * no replica is known: nothing above it is released.
   */
  holdLsn: () => number | undefined;
  logger?: Logger;
  /** How often to look. Default 60 s. */
  intervalMs?: number;
  now?: () => number;
}

export interface RetentionPass {
  checkpoint?: CheckpointInfo;
  releasedSegments: string[];
  releasedCheckpoints: string[];
}

export class Retention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: RetentionOptions) {}

  start(): void {
    const every = this.o.intervalMs ?? 60_000;
    this.timer = setInterval(() => {
      this.run().catch((err: unknown) =>
        this.o.logger?.warn({ err: (err as Error).message }, 'retention pass failed'),
      );
    }, every);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running.catch(() => undefined);
  }

  /** One pass; passes never overlap. */
  run(): Promise<RetentionPass> {
    const pass = this.running.then(() => this.pass());
    this.running = pass.catch(() => undefined);
    return pass;
  }

  private async pass(): Promise<RetentionPass> {
    const { journal, checkpoints } = this.o;
    const out: RetentionPass = { releasedSegments: [], releasedCheckpoints: [] };
    if (journal.isClosed || journal.failure || journal.durableLsn === 0) return out;
    const newest = checkpoints.newest;
    if (
      this.o.checkpointBytes > 0 &&
      journal.approxBytesAfter(newest?.lsn ?? 0) >= this.o.checkpointBytes
    ) {
      out.checkpoint = await checkpoints.create(journal, journal.durableLsn, { mark: true });
    }
    const now = (this.o.now ?? Date.now)();
    // Records stamped before the cut-off are old enough to go...
    let bound = (await journal.lsnAtTime((now - this.o.retainMs) * 1000)) - 1;
    // ...once every known replica has them.
    const hold = this.o.holdLsn();
    if (hold !== undefined) bound = Math.min(bound, hold);
    bound = Math.min(bound, journal.durableLsn);
    const oldestEnd = journal.oldestSealedEnd();
    if (oldestEnd === undefined || bound < oldestEnd) return out;
    // A checkpoint must cover what goes: the newest at or before the bound.
    let base = checkpoints.baseFor(bound, journal.firstLsn);
    if (!base || replayStart(base) - 1 < oldestEnd) {
      const made = await checkpoints.create(journal, bound, { mark: true });
      out.checkpoint ??= made;
      base = checkpoints.baseFor(bound, journal.firstLsn);
    }
    if (!base) return out;
    out.releasedSegments = await journal.releaseBefore(replayStart(base));
    out.releasedCheckpoints = await checkpoints.removeBefore(base.lsn);
    return out;
  }
}
