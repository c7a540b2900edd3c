/**
 * The journal: an append-only, checksummed, gap-free sequence of records in
 * segment files. One writer per folder (a pid lock); any number of readers
 * in the writer's process, which see records once they are durable (or once
 * written, if they ask), and can follow the live tail.
 *
 * This module is the facade: opening and closing, and the public methods,
 * which delegate to the parts of the store:
 * - `options.ts`: the options and sync policies;
 * - `open.ts`: the open-time scan and repair of the segments;
 * - `segment_writer.ts`: appends and group commit under the sync policy
 *   (`always`, `batch`, `none`), and rolling to new segments;
 * - `recovery.ts`: failing on a write or fsync error, and `recover()` in
 *   place (cut back to the durable end, GAP record);
 * - `reader.ts`: reads, tailing, waiting for durability;
 * - `segment_list.ts`, `segment_files.ts`: the segments held and their files
 *   (creation, index files, release);
 * - `journal_state.ts`: what those parts share; `faults.ts`: the test hook.
 *
 * A failed write or fsync leaves the journal failed: every later append is
 * rejected with the same FSJ_ERR_JOURNAL_IO until `recover()` succeeds (or
 * the journal is reopened).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { JournalError } from '../errors.js';
import type { JournalEntry, RecordInput } from '../record/record.js';
import { faultStep, type IoStep } from './faults.js';
import { acquireLock, ensureSubdirs, loadOrCreateMeta } from './journal_dir.js';
import { JournalState } from './journal_state.js';
import type { JournalObserver } from './observer.js';
import { openSegments } from './open.js';
import { resolveOptions, type JournalOptions, type SyncPolicy } from './options.js';
import {
  lsnAtTime,
  readEntries,
  readFrames,
  verifyFrames,
  waitForDurable,
  type ReadFrame,
  type ReadOptions,
} from './reader.js';
import { recoverInPlace, type JournalRecovery } from './recovery.js';
import { releaseSegmentsBefore } from './segment_files.js';
import { approxBytesAfter, oldestSealedEnd, totalBytes } from './segment_list.js';
import { SegmentWriter, type Appended } from './segment_writer.js';

/** Re-exported for callers that hold a Journal: the result of `append`. */
export type { Appended } from './segment_writer.js';

/** An open journal: the one writer of its folder, or a read-only view of it. */
export class Journal {
  readonly dir: string;
  readonly journalId: string;
  readonly sync: SyncPolicy;
  readonly readOnly: boolean;

  private readonly state: JournalState;
  private readonly writer: SegmentWriter;
  /** The test seam: see injectJournalFaults. */
  private readonly io: IoStep = (step, segment) => faultStep(this, step, segment);
  private releaseLock: (() => Promise<void>) | undefined;
  private recovering: Promise<JournalRecovery | undefined> | undefined;

  private constructor(state: JournalState, releaseLock: (() => Promise<void>) | undefined) {
    this.dir = state.dir;
    this.journalId = state.journalId;
    this.sync = state.sync;
    this.readOnly = state.readOnly;
    this.state = state;
    this.writer = new SegmentWriter(state, this.io);
    this.releaseLock = releaseLock;
  }

  /** Opens (and by default creates) the journal in `options.dir`, recovering its tail. */
  static async open(options: JournalOptions): Promise<Journal> {
    const config = resolveOptions(options);
    const { readOnly } = config;
    const { meta } = await loadOrCreateMeta(config.dir, !readOnly && config.create);
    const releaseLock = readOnly ? undefined : await acquireLock(config.dir);
    try {
      if (!readOnly) await ensureSubdirs(config.dir);
      const segments = await openSegments(config, meta.journalId);
      let active: FileHandle | undefined;
      if (!readOnly) {
        const last = segments[segments.length - 1]!;
        active = await open(last.path, 'r+');
        // A writer killed between write and fdatasync leaves records that may
        // live only in the page cache: sync them before calling them durable.
        await active.datasync();
      }
      return new Journal(new JournalState(config, meta.journalId, segments, active), releaseLock);
    } catch (err) {
      await releaseLock?.();
      throw err;
    }
  }

  /** Oldest LSN still held (records below it were released). */
  get firstLsn(): number {
    return this.state.segments[0]!.firstLsn;
  }

  /** Newest LSN assigned to an append (possibly not yet durable). */
  get lastLsn(): number {
    return this.state.nextLsn - 1;
  }

  /** Newest LSN fsynced (under `sync: none`, written). */
  get durableLsn(): number {
    return this.state.durableLsn;
  }

  /** The error a failed write or fsync left, until `recover()` succeeds; else undefined. */
  get failure(): JournalError | undefined {
    return this.state.failed?.error;
  }

  /** When the journal failed (ms since the epoch), while it is failed. */
  get failedAtMs(): number | undefined {
    return this.state.failed?.atMs;
  }

  /** Bytes of the retained segments as written (headers included). */
  get sizeBytes(): number {
    return totalBytes(this.state.segments);
  }

  /** True once close() has begun (a failed journal is not closed: see `failure`). */
  get isClosed(): boolean {
    return this.state.closed;
  }

  /** Adds an observer of appends and fsyncs; returns the function that removes it. */
  observe(observer: JournalObserver): () => void {
    return this.state.observers.add(observer);
  }

  /** Names of the segment files, oldest first. */
  segmentNames(): string[] {
    return this.state.segments.map((s) => s.name);
  }

  /** Appends one record; resolves when it is durable under the sync policy. */
  append(record: RecordInput): Promise<Appended> {
    return this.appendMany([record]);
  }

  /**
   * Appends records with consecutive LSNs in one write; resolves when all are
   * durable. An invalid record rejects the whole call and nothing is written.
   */
  appendMany(records: readonly RecordInput[]): Promise<Appended> {
    return this.writer.appendMany(records);
  }

  /** Resolves once everything appended so far is durable. */
  flush(): Promise<void> {
    return this.writer.flush();
  }

  /**
   * Recovers in place from a failed write or fsync; resolves undefined when
   * the journal is not failed. The object stays the same, so whoever holds
   * it (capture, senders, retention) carries on.
   *
   * Nothing written after the last successful fsync is trusted (its pages
   * may be lost while the cache says clean): the files are closed, segment
   * files a roll left half made are removed, the live segment is truncated
   * to its durable end, fsynced and scanned, and appends resume at
   * `durableLsn + 1`. The LSNs after it were never durable, so no append was
   * acknowledged with them and no reader of durable records saw them.
   * Finally a GAP record saying where the journal failed is appended (first,
   * before any other append) and made durable; if that fails, the journal is
   * failed again and this rejects. Readers of durable records and tailing
   * readers continue; a reader that asked for undurable records may have
   * seen records that recovery discards.
   */
  recover(): Promise<JournalRecovery | undefined> {
    if (this.state.closed) {
      return Promise.reject(new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'journal closed'));
    }
    if (!this.state.failed) return Promise.resolve(undefined);
    this.recovering ??= recoverInPlace(this.state, this.writer, this.io).finally(
      () => (this.recovering = undefined),
    );
    return this.recovering;
  }

  /**
   * Resolves once `durableLsn >= lsn`, or the journal closes, or `signal`
   * aborts; callers check which. A failed journal is waited through: it
   * may be recovered.
   */
  waitForDurable(lsn: number, signal?: AbortSignal): Promise<void> {
    return waitForDurable(this.state, lsn, signal);
  }

  /**
   * Bytes of journal after `lsn` up to the durable end, estimated from the
   * sparse index (exact to within one index interval per segment).
   */
  approxBytesAfter(lsn: number): number {
    return approxBytesAfter(this.state.segments, this.state.durableEnd, lsn);
  }

  /**
   * Frames from `fromLsn` on, in order, each checked (checksum, LSN). The
   * frames are the bytes as stored, for shipping without re-encoding.
   */
  readFrames(options: ReadOptions = {}): AsyncGenerator<ReadFrame> {
    return readFrames(this.state, options);
  }

  /** Decoded records from `fromLsn` on; see readFrames. */
  read(options: ReadOptions = {}): AsyncGenerator<JournalEntry> {
    return readEntries(this.state, options);
  }

  /**
   * The LSN of the first record stamped at or after `timeUs`, using the
   * sparse index; durableLsn + 1 when every record is older.
   */
  lsnAtTime(timeUs: number): Promise<number> {
    return lsnAtTime(this.state, timeUs);
  }

  /** The last LSN of the oldest segment when it is sealed (so could be released), else undefined. */
  oldestSealedEnd(): number | undefined {
    return oldestSealedEnd(this.state.segments);
  }

  /**
   * Retention hook: deletes whole sealed segments whose every record is below
   * `lsn`. The segment being written is never released. Returns the names
   * released. Readers already inside a released segment finish it.
   */
  releaseBefore(lsn: number): Promise<string[]> {
    return releaseSegmentsBefore(this.state.dir, this.state.segments, lsn, this.state.logger);
  }

  /** Scans every segment, checking every frame; throws on the first problem. */
  verify(): Promise<void> {
    return verifyFrames(this.state);
  }

  /** Waits for pending appends, syncs, closes files and releases the lock. */
  async close(): Promise<void> {
    const s = this.state;
    if (s.closed) return;
    await this.recovering?.catch(() => undefined);
    await this.flush().catch(() => undefined);
    s.closed = true;
    s.notifyAdvance();
    await s.active?.close().catch(() => undefined);
    s.active = undefined;
    await this.releaseLock?.();
    this.releaseLock = undefined;
  }
}
