/**
 * The writer: appends become frames with consecutive LSNs, queued and
 * written to the live segment, rolling to a new segment when one fills up,
 * and made durable under the sync policy before their promises resolve.
 *
 * - `always`: every append call is written and fdatasynced on its own before
 *   its promise resolves; calls are not grouped.
 * - `batch` (default): group commit. Appends that arrive while a write+sync
 *   is in flight are gathered and made durable by the next single fdatasync;
 *   every waiter is released only after the sync covering its record.
 * - `none`: resolved once handed to the OS; "durable" then means written, and
 *   a machine crash can lose the newest records (never corrupt older ones).
 *
 * One write or fsync that fails fails the journal (`markFailed`, in
 * `recovery.ts`): the batch in flight and everything queued behind it are
 * rejected, and no append is taken until recovery. Not guaranteed: that the
 * bytes of a rejected append are absent from the file (recovery cuts them).
 */
import { open } from 'node:fs/promises';
import { JournalError } from '../errors.js';
import { encodeFrame } from '../record/frame.js';
import { encodeRecord, type RecordInput } from '../record/record.js';
import type { IoStep } from './faults.js';
import type { JournalFailure, JournalState } from './journal_state.js';
import type { ObservedAppend } from './observer.js';
import type { SyncPolicy } from './options.js';
import { markFailed } from './recovery.js';
import { createSegment, nowUs, writeIndexFile } from './segment_files.js';
import type { Segment } from './segment_list.js';

/** Where an append landed. */
export interface Appended {
  firstLsn: number;
  lastLsn: number;
  /** The time stamped on the records, microseconds since the epoch. */
  timeUs: number;
}

/** One append call waiting in the queue for its write and sync. */
interface PendingAppend extends ObservedAppend {
  frames: Buffer[];
  firstLsn: number;
  lastLsn: number;
  timeUs: number;
  resolve: (a: Appended) => void;
  reject: (err: unknown) => void;
}

/**
 * Why an append of `count` records is refused before anything is encoded,
 * or undefined when it is taken: a failed journal repeats its failure.
 */
export function appendRefusal(
  journal: { failed: JournalFailure | undefined; closed: boolean; readOnly: boolean },
  count: number,
): JournalError | undefined {
  if (journal.failed) return journal.failed.error;
  if (journal.closed || journal.readOnly) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_CLOSED',
      journal.readOnly ? 'journal opened read-only' : 'journal closed',
    );
  }
  if (count === 0) return new JournalError('FSJ_ERR_JOURNAL_RECORD', 'append of no records');
  return undefined;
}

/** How many queued append calls the next write+sync takes: one under `always`, else all. */
export function batchSize(sync: SyncPolicy, queued: number): number {
  return sync === 'always' ? Math.min(1, queued) : queued;
}

/**
 * Whether a frame of `frameBytes` must go to a new segment: it would take
 * `seg` past `segmentBytes`, and `seg` already holds a record (an oversized
 * frame goes alone into a segment of its own).
 */
export function needsRoll(seg: Segment, frameBytes: number, segmentBytes: number): boolean {
  return seg.end + frameBytes > segmentBytes && seg.lastLsn >= seg.firstLsn;
}

/** The group-commit writer of one journal; the only code that writes to its live segment. */
export class SegmentWriter {
  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly state: JournalState,
    private readonly io: IoStep,
  ) {}

  /** The write+sync loop in progress, if any (recovery waits it out). */
  get inFlight(): Promise<void> | undefined {
    return this.flushing;
  }

  /**
   * Appends records with consecutive LSNs in one write; resolves when all are
   * durable. An invalid record rejects the whole call and nothing is written.
   */
  appendMany(records: readonly RecordInput[]): Promise<Appended> {
    const s = this.state;
    const refused = appendRefusal(s, records.length);
    if (refused) return Promise.reject(refused);
    let payloads: Uint8Array[];
    try {
      payloads = records.map((r) => encodeRecord(r));
    } catch (err) {
      return Promise.reject(err);
    }
    const timeUs = Math.max(nowUs(), s.lastTimeUs);
    s.lastTimeUs = timeUs;
    const firstLsn = s.nextLsn;
    const frames = payloads.map((p, i) => encodeFrame(firstLsn + i, timeUs, p));
    s.nextLsn += frames.length;
    return new Promise<Appended>((resolve, reject) => {
      this.queue.push({
        frames,
        firstLsn,
        lastLsn: firstLsn + frames.length - 1,
        timeUs,
        kinds: records.map((r) => r.kind),
        bytes: frames.reduce((n, f) => n + f.length, 0),
        startedMs: performance.now(),
        resolve,
        reject,
      });
      this.flushing ??= this.flushLoop();
    });
  }

  /** Resolves once everything appended so far is durable; rejects with the failure if any. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.state.failed) throw this.state.failed.error;
  }

  private async flushLoop(): Promise<void> {
    const s = this.state;
    try {
      while (this.queue.length > 0 && !s.failed) {
        const batch = this.queue.splice(0, batchSize(s.sync, this.queue.length));
        try {
          await this.writeBatch(batch);
          if (s.sync !== 'none') await this.datasync();
        } catch (cause) {
          markFailed(s, cause);
          for (const p of batch) p.reject(s.failed!.error);
          break;
        }
        const last = s.last;
        s.durableLsn = last.lastLsn;
        s.durableEnd = last.end;
        for (const p of batch)
          p.resolve({ firstLsn: p.firstLsn, lastLsn: p.lastLsn, timeUs: p.timeUs });
        s.observers.appended(batch);
        s.notifyAdvance();
      }
      if (s.failed) {
        for (const p of this.queue.splice(0)) p.reject(s.failed.error);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** fdatasyncs the active segment, timing it for observers. */
  private async datasync(): Promise<void> {
    const started = performance.now();
    this.io('datasync', this.state.last.name);
    await this.state.active!.datasync();
    const seconds = (performance.now() - started) / 1000;
    this.state.observers.notify((o) => o.onFsync?.(seconds));
  }

  /** Writes the batch's frames, rolling to new segments where a segment fills up. */
  private async writeBatch(batch: PendingAppend[]): Promise<void> {
    const s = this.state;
    let seg = s.last;
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    const writeOut = async (): Promise<void> => {
      if (pieceBytes === 0) return;
      const buf = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pieceBytes);
      let done = 0;
      this.io('write', seg.name);
      while (done < buf.length) {
        const { bytesWritten } = await s.active!.write(
          buf,
          done,
          buf.length - done,
          seg.end - pieceBytes + done,
        );
        done += bytesWritten;
      }
      pieces = [];
      pieceBytes = 0;
      s.writtenEnd = seg.end;
    };
    for (const p of batch) {
      for (const frame of p.frames) {
        if (needsRoll(seg, frame.length, s.segmentBytes)) {
          await writeOut();
          s.writtenLsn = seg.lastLsn;
          seg = await this.roll(seg);
        }
        const lsn = seg.lastLsn + 1;
        const timeUs = p.timeUs;
        seg.index.observe(lsn, timeUs, seg.end);
        if (seg.firstTimeUs === 0) seg.firstTimeUs = timeUs;
        seg.lastLsn = lsn;
        seg.lastTimeUs = timeUs;
        seg.end += frame.length;
        pieces.push(frame);
        pieceBytes += frame.length;
      }
    }
    await writeOut();
    s.writtenLsn = seg.lastLsn;
    if (s.sync === 'none') s.durableEnd = seg.end;
  }

  /** Seals `seg` (synced, index file written) and starts the next segment. */
  private async roll(seg: Segment): Promise<Segment> {
    const s = this.state;
    // Even under `none`: a segment is complete on disk before the next one
    // exists, so a power cut loses only the active segment's tail and never
    // leaves a hole between segments (one fdatasync per segment).
    await this.datasync();
    s.durableLsn = seg.lastLsn;
    s.durableEnd = seg.end;
    await s.active!.close();
    s.active = undefined;
    seg.sealed = true;
    this.io('index', seg.name);
    await writeIndexFile(s.dir, seg);
    const next = await createSegment(
      s.dir,
      s.journalId,
      seg.lastLsn + 1,
      s.indexEveryBytes,
      this.io,
    );
    // The new segment becomes the last one together with its own ends (no
    // await between): a reader must never take the sealed segment's end as
    // the durable limit of the new one, where unsynced frames follow.
    s.durableEnd = next.end;
    s.writtenEnd = next.end;
    s.segments.push(next);
    s.active = await open(next.path, 'r+');
    s.logger.info({ segment: next.name, sealed: seg.name }, 'journal segment rolled');
    return next;
  }
}
