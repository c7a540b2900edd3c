/**
 * What the writer, recovery and the readers of one open journal share: the
 * segment list, the live segment's file handle, the LSN and byte positions,
 * whether it is failed or closed, its observers, and the wake-ups tailing
 * readers wait on. A holder, not an actor: which module moves which field
 * is said at each field.
 *
 * Kept by the writer and recovery, not checked here: durableLsn <=
 * writtenLsn <= nextLsn - 1; durableEnd <= writtenEnd, both offsets in the
 * last segment; a new last segment and its ends are set with no await in
 * between.
 */
import type { FileHandle } from 'node:fs/promises';
import type { JournalError } from '../errors.js';
import type { Logger } from '../logger.js';
import { ObserverSet } from './observer.js';
import type { JournalConfig, SyncPolicy } from './options.js';
import type { Segment } from './segment_list.js';

/** Why and when the journal failed (see `recovery.ts`). */
export interface JournalFailure {
  error: JournalError;
  /** Milliseconds since the epoch. */
  atMs: number;
}

/** The shared state of one open journal. */
export class JournalState {
  readonly dir: string;
  readonly journalId: string;
  readonly sync: SyncPolicy;
  readonly readOnly: boolean;
  readonly segmentBytes: number;
  readonly indexEveryBytes: number;
  readonly logger: Logger;
  /** Oldest first; the writer pushes (roll), retention shifts (release). */
  readonly segments: Segment[];
  /** The last segment opened for writing; undefined when read-only, closed, or mid-roll/recovery. */
  active: FileHandle | undefined;

  /** The LSN the next append gets (writer; recovery moves it back). */
  nextLsn: number;
  /** The newest record time stamped: times never decrease. */
  lastTimeUs: number;
  /** Newest LSN handed to the OS (readers of undurable records stop here). */
  writtenLsn: number;
  /** Newest LSN fsynced (under `sync: none`, written). */
  durableLsn: number;
  /** Bytes of the last segment that are durable (readers of durable records stop here). */
  durableEnd: number;
  /** Bytes of the last segment handed to the OS. */
  writtenEnd: number;

  /** Set by a failed write or fsync; cleared by a recovery that succeeded. */
  failed: JournalFailure | undefined;
  /** Set once close() has begun. */
  closed = false;
  readonly observers = new ObserverSet();
  private readonly advanceWaiters = new Set<() => void>();

  constructor(
    config: JournalConfig,
    journalId: string,
    segments: Segment[],
    active: FileHandle | undefined,
  ) {
    this.dir = config.dir;
    this.journalId = journalId;
    this.sync = config.sync;
    this.readOnly = config.readOnly;
    this.segmentBytes = config.segmentBytes;
    this.indexEveryBytes = config.indexEveryBytes;
    this.logger = config.logger;
    this.segments = segments;
    this.active = active;
    const last = segments[segments.length - 1]!;
    this.nextLsn = last.lastLsn + 1;
    this.writtenLsn = last.lastLsn;
    this.durableLsn = last.lastLsn;
    this.durableEnd = last.end;
    this.writtenEnd = last.end;
    this.lastTimeUs = last.lastTimeUs;
  }

  /** The segment being written (the list is never empty). */
  get last(): Segment {
    return this.segments[this.segments.length - 1]!;
  }

  /** Wakes everyone in `waitForAdvance`: positions moved, or the journal failed or closed. */
  notifyAdvance(): void {
    for (const w of this.advanceWaiters) w();
    this.advanceWaiters.clear();
  }

  /** Resolves at the next `notifyAdvance`, or when `signal` aborts. */
  waitForAdvance(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        this.advanceWaiters.delete(done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
      this.advanceWaiters.add(done);
    });
  }
}
