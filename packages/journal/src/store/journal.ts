/**
 * The journal: an append-only, checksummed, gap-free sequence of records in
 * segment files. One writer per folder (a pid lock); any number of readers
 * in the writer's process, which see records once they are durable (or once
 * written, if they ask), and can follow the live tail.
 *
 * Durability (`sync`):
 * - `always`: every append call is written and fdatasynced on its own before
 *   its promise resolves; calls are not grouped.
 * - `batch` (default): group commit. Appends that arrive while a write+sync
 *   is in flight are gathered and made durable by the next single fdatasync;
 *   every waiter is released only after the sync covering its record.
 * - `none`: resolved once handed to the OS; "durable" then means written, and
 *   a machine crash can lose the newest records (never corrupt older ones).
 *
 * A failed write or fsync leaves the journal failed: every later append is
 * rejected with the same FSJ_ERR_JOURNAL_IO until `recover()` succeeds (or
 * the journal is reopened). After a failed fsync the page cache cannot be
 * trusted, so recovery keeps only what an fsync that succeeded covered: the
 * live segment is cut back to the durable end, and the LSNs after it, which
 * no caller was told were durable and no reader was given, are assigned
 * again. A GAP record then says where the journal failed.
 */
import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurable, fsyncDir } from '../sys/durable_file.js';
import { JournalError, isJournalError } from '../errors.js';
import { encodeFrame, type Frame } from '../record/frame.js';
import {
  acquireLock,
  ensureSubdirs,
  INDEX_DIR,
  loadOrCreateMeta,
  SEGMENTS_DIR,
} from './journal_dir.js';
import {
  decodeRecord,
  encodeRecord,
  RecordKind,
  type JournalEntry,
  type RecordInput,
} from '../record/record.js';
import {
  decodeSegmentHeader,
  encodeSegmentHeader,
  parseSegmentName,
  SEGMENT_HEADER_BYTES,
  segmentName,
} from './segment.js';
import {
  findValidFrameAfter,
  readFully,
  readSegmentFrames,
  scanSegment,
  type LocatedFrame,
  type SegmentScan,
} from './segment_scan.js';
import { SparseIndex } from './sparse_index.js';
import { silentLogger, type Logger } from '../logger.js';

export type SyncPolicy = 'always' | 'batch' | 'none';
export const SYNC_POLICIES: readonly SyncPolicy[] = ['always', 'batch', 'none'];

export interface JournalOptions {
  /** The journal folder (created when missing or empty). */
  dir: string;
  sync?: SyncPolicy;
  /** Roll to a new segment once one reaches this size. Default 64 MiB. */
  segmentBytes?: number;
  /** Distance between sparse index entries. Default 64 KiB. */
  indexEveryBytes?: number;
  /**
   * `tail` (default): check every segment header and fully scan the last
   * segment at open; older segments are checked as they are read. `full`:
   * scan every segment at open.
   */
  verify?: 'tail' | 'full';
  /** Create a journal when the folder is missing or empty. Default true. */
  create?: boolean;
  /**
   * Open without the writer lock and without repairing anything: a torn tail
   * is treated as the end. Appends are refused.
   */
  readOnly?: boolean;
  logger?: Logger;
}

/**
 * Watches the journal's work, for metrics (the api package turns these into
 * Prometheus series; the journal knows nothing of them). Callbacks run
 * synchronously on the append path: keep them cheap, never throw.
 */
export interface JournalObserver {
  /**
   * One append call became durable: the kinds of its records, their framed
   * bytes, and seconds from the call to durable (queueing, group commit,
   * write and fsync included).
   */
  onAppended?(a: { kinds: readonly RecordKind[]; bytes: number; seconds: number }): void;
  /** One fdatasync of a segment took `seconds` (not called under `sync: none`). */
  onFsync?(seconds: number): void;
  /** A write or fsync failed: the journal refuses appends until recovered. */
  onFailed?(error: JournalError): void;
  /** `recover()` succeeded: appends are taken again, after the GAP it wrote. */
  onRecovered?(recovery: JournalRecovery): void;
}

/** What `recover()` did. */
export interface JournalRecovery {
  /** The error that failed the journal. */
  error: JournalError;
  /** When it failed, milliseconds since the epoch. */
  failedAtMs: number;
  /** The last durable LSN, where the journal was cut back to. */
  durableLsn: number;
  /** LSNs that had been assigned after it and were discarded (never durable, never acknowledged). */
  discarded: number;
  /** The LSN of the GAP record written on recovery (durableLsn + 1). */
  gapLsn: number;
}

/**
 * The steps of a writer's file I/O a test can make fail (see
 * `injectJournalFaults`): a frame write or fdatasync of the live segment,
 * the creation of a new segment (empty file made, header not yet written),
 * the fsync of its header, the index file of a segment being sealed, and the
 * truncation of recovery itself.
 */
export type JournalIoStep =
  'write' | 'datasync' | 'segment-create' | 'segment-sync' | 'index' | 'recover';

/** Called before each step; throwing makes that step fail as the OS would. */
export type JournalFaultHook = (step: JournalIoStep, segment: string) => void;

const faultHooks = new WeakMap<Journal, JournalFaultHook>();

/**
 * Tests only (exported from `internal_mod`): runs `hook` before each I/O step
 * of `journal`'s writer, so a test can fail the next fdatasync with EIO.
 * `undefined` removes it.
 */
export function injectJournalFaults(journal: Journal, hook: JournalFaultHook | undefined): void {
  if (hook) faultHooks.set(journal, hook);
  else faultHooks.delete(journal);
}

/** Where an append landed. */
export interface Appended {
  firstLsn: number;
  lastLsn: number;
  /** The time stamped on the records, microseconds since the epoch. */
  timeUs: number;
}

export interface ReadOptions {
  /** First LSN to return. Default: the oldest retained. */
  fromLsn?: number;
  /** Keep waiting for new records instead of ending at the newest. */
  tail?: boolean;
  /** Return records once written rather than once durable. */
  includeUndurable?: boolean;
  /** Ends a tailing read. */
  signal?: AbortSignal;
}

/** One segment as the journal tracks it. */
interface Segment {
  name: string;
  path: string;
  firstLsn: number;
  lastLsn: number;
  firstTimeUs: number;
  lastTimeUs: number;
  /** Bytes of the segment holding whole, written frames. */
  end: number;
  sealed: boolean;
  index: SparseIndex;
}

interface PendingAppend {
  frames: Buffer[];
  firstLsn: number;
  lastLsn: number;
  timeUs: number;
  kinds: RecordKind[];
  bytes: number;
  /** performance.now() at the append call. */
  startedMs: number;
  resolve: (a: Appended) => void;
  reject: (err: unknown) => void;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_INDEX_EVERY = 64 * 1024;

function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

export class Journal {
  readonly dir: string;
  readonly journalId: string;
  readonly sync: SyncPolicy;
  readonly readOnly: boolean;

  private readonly segmentBytes: number;
  private readonly indexEveryBytes: number;
  private readonly logger: Logger;
  private readonly segments: Segment[];
  private active: FileHandle | undefined;
  private releaseLock: (() => Promise<void>) | undefined;

  private nextLsn: number;
  private lastTimeUs: number;
  private writtenLsn: number;
  private durableLsnValue: number;
  /** Bytes of the last segment that are durable (readers of durable records stop here). */
  private durableEnd: number;
  /** Bytes of the last segment handed to the OS. */
  private writtenEnd: number;

  private queue: PendingAppend[] = [];
  private flushing: Promise<void> | undefined;
  private failed: { error: JournalError; atMs: number } | undefined;
  private recovering: Promise<JournalRecovery | undefined> | undefined;
  private closed = false;
  private readonly advanceWaiters = new Set<() => void>();
  private readonly observers = new Set<JournalObserver>();

  private constructor(init: {
    options: JournalOptions;
    journalId: string;
    segments: Segment[];
    active: FileHandle | undefined;
    releaseLock: (() => Promise<void>) | undefined;
  }) {
    const o = init.options;
    this.dir = o.dir;
    this.journalId = init.journalId;
    this.sync = o.sync ?? 'batch';
    this.readOnly = o.readOnly ?? false;
    this.segmentBytes = o.segmentBytes ?? DEFAULT_SEGMENT_BYTES;
    this.indexEveryBytes = o.indexEveryBytes ?? DEFAULT_INDEX_EVERY;
    this.logger = o.logger ?? silentLogger;
    this.segments = init.segments;
    this.active = init.active;
    this.releaseLock = init.releaseLock;
    const last = this.segments[this.segments.length - 1]!;
    this.nextLsn = last.lastLsn + 1;
    this.writtenLsn = last.lastLsn;
    this.durableLsnValue = last.lastLsn;
    this.durableEnd = last.end;
    this.writtenEnd = last.end;
    this.lastTimeUs = last.lastTimeUs;
  }

  /** Opens (and by default creates) the journal in `options.dir`, recovering its tail. */
  static async open(options: JournalOptions): Promise<Journal> {
    checkOptions(options);
    const readOnly = options.readOnly ?? false;
    const { meta } = await loadOrCreateMeta(options.dir, !readOnly && (options.create ?? true));
    const releaseLock = readOnly ? undefined : await acquireLock(options.dir);
    try {
      if (!readOnly) await ensureSubdirs(options.dir);
      const segments = await openSegments(options, meta.journalId, readOnly);
      let active: FileHandle | undefined;
      if (!readOnly) {
        const last = segments[segments.length - 1]!;
        active = await open(last.path, 'r+');
        // A writer killed between write and fdatasync leaves records that may
        // live only in the page cache: sync them before calling them durable.
        await active.datasync();
      }
      return new Journal({ options, journalId: meta.journalId, segments, active, releaseLock });
    } catch (err) {
      await releaseLock?.();
      throw err;
    }
  }

  /** Oldest LSN still held (records below it were released). */
  get firstLsn(): number {
    return this.segments[0]!.firstLsn;
  }

  /** Newest LSN assigned to an append (possibly not yet durable). */
  get lastLsn(): number {
    return this.nextLsn - 1;
  }

  /** Newest LSN fsynced (under `sync: none`, written). */
  get durableLsn(): number {
    return this.durableLsnValue;
  }

  /** The error a failed write or fsync left, until `recover()` succeeds; else undefined. */
  get failure(): JournalError | undefined {
    return this.failed?.error;
  }

  /** When the journal failed (ms since the epoch), while it is failed. */
  get failedAtMs(): number | undefined {
    return this.failed?.atMs;
  }

  /** Bytes of the retained segments as written (headers included). */
  get sizeBytes(): number {
    let bytes = 0;
    for (const s of this.segments) bytes += s.end;
    return bytes;
  }

  /** Adds an observer of appends and fsyncs; returns the function that removes it. */
  observe(observer: JournalObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  /** Names of the segment files, oldest first. */
  segmentNames(): string[] {
    return this.segments.map((s) => s.name);
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
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || this.readOnly) {
      return Promise.reject(
        new JournalError(
          'FSJ_ERR_JOURNAL_CLOSED',
          this.readOnly ? 'journal opened read-only' : 'journal closed',
        ),
      );
    }
    if (records.length === 0) {
      return Promise.reject(new JournalError('FSJ_ERR_JOURNAL_RECORD', 'append of no records'));
    }
    let payloads: Uint8Array[];
    try {
      payloads = records.map((r) => encodeRecord(r));
    } catch (err) {
      return Promise.reject(err);
    }
    const timeUs = Math.max(nowUs(), this.lastTimeUs);
    this.lastTimeUs = timeUs;
    const firstLsn = this.nextLsn;
    const frames = payloads.map((p, i) => encodeFrame(firstLsn + i, timeUs, p));
    this.nextLsn += frames.length;
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

  /** Resolves once everything appended so far is durable. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.failure) throw this.failure;
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.failure) {
        const batch = this.sync === 'always' ? this.queue.splice(0, 1) : this.queue.splice(0);
        try {
          await this.writeBatch(batch);
          if (this.sync !== 'none') await this.datasync();
        } catch (cause) {
          this.fail(cause);
          for (const p of batch) p.reject(this.failure);
          break;
        }
        const last = this.segments[this.segments.length - 1]!;
        this.durableLsnValue = last.lastLsn;
        this.durableEnd = last.end;
        for (const p of batch)
          p.resolve({ firstLsn: p.firstLsn, lastLsn: p.lastLsn, timeUs: p.timeUs });
        if (this.observers.size > 0) this.observeAppended(batch);
        this.notifyAdvance();
      }
      if (this.failure) {
        for (const p of this.queue.splice(0)) p.reject(this.failure);
      }
    } finally {
      this.flushing = undefined;
    }
  }

  /** fdatasyncs the active segment, timing it for observers. */
  private async datasync(): Promise<void> {
    const started = performance.now();
    this.io('datasync', this.segments[this.segments.length - 1]!.name);
    await this.active!.datasync();
    const seconds = (performance.now() - started) / 1000;
    this.notifyObservers((o) => o.onFsync?.(seconds));
  }

  /** Calls every observer; one that throws is ignored (metrics never fail an append). */
  private notifyObservers(call: (o: JournalObserver) => void): void {
    for (const o of this.observers) {
      try {
        call(o);
      } catch {
        // ignored: see above
      }
    }
  }

  private observeAppended(batch: PendingAppend[]): void {
    const now = performance.now();
    for (const p of batch) {
      const a = { kinds: p.kinds, bytes: p.bytes, seconds: (now - p.startedMs) / 1000 };
      this.notifyObservers((o) => o.onAppended?.(a));
    }
  }

  /** Writes the batch's frames, rolling to new segments where a segment fills up. */
  private async writeBatch(batch: PendingAppend[]): Promise<void> {
    let seg = this.segments[this.segments.length - 1]!;
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    const writeOut = async (): Promise<void> => {
      if (pieceBytes === 0) return;
      const buf = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, pieceBytes);
      let done = 0;
      this.io('write', seg.name);
      while (done < buf.length) {
        const { bytesWritten } = await this.active!.write(
          buf,
          done,
          buf.length - done,
          seg.end - pieceBytes + done,
        );
        done += bytesWritten;
      }
      pieces = [];
      pieceBytes = 0;
      this.writtenEnd = seg.end;
    };
    for (const p of batch) {
      for (const frame of p.frames) {
        if (seg.end + frame.length > this.segmentBytes && seg.lastLsn >= seg.firstLsn) {
          await writeOut();
          this.writtenLsn = seg.lastLsn;
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
    this.writtenLsn = seg.lastLsn;
    if (this.sync === 'none') this.durableEnd = seg.end;
  }

  /** Seals `seg` (synced, index file written) and starts the next segment. */
  private async roll(seg: Segment): Promise<Segment> {
    // Even under `none`: a segment is complete on disk before the next one
    // exists, so a power cut loses only the active segment's tail and never
    // leaves a hole between segments (one fdatasync per segment).
    await this.datasync();
    this.durableLsnValue = seg.lastLsn;
    this.durableEnd = seg.end;
    await this.active!.close();
    this.active = undefined;
    seg.sealed = true;
    this.io('index', seg.name);
    await writeIndexFile(this.dir, seg);
    const next = await createSegment(
      this.dir,
      this.journalId,
      seg.lastLsn + 1,
      this.indexEveryBytes,
      (step, name) => this.io(step, name),
    );
    // The new segment becomes the last one together with its own ends (no
    // await between): a reader must never take the sealed segment's end as
    // the durable limit of the new one, where unsynced frames follow.
    this.durableEnd = next.end;
    this.writtenEnd = next.end;
    this.segments.push(next);
    this.active = await open(next.path, 'r+');
    this.logger.info({ segment: next.name, sealed: seg.name }, 'journal segment rolled');
    return next;
  }

  /** The test seam: see injectJournalFaults. */
  private io(step: JournalIoStep, segment: string): void {
    faultHooks.get(this)?.(step, segment);
  }

  private fail(cause: unknown): void {
    const error = new JournalError(
      'FSJ_ERR_JOURNAL_IO',
      `journal write failed after lsn ${this.durableLsnValue}: ${causeText(cause)}`,
      // `lsn`: the last durable one; an append with records after it lost them.
      { cause, retryable: true, lsn: this.durableLsnValue },
    );
    this.failed = { error, atMs: Date.now() };
    this.logger.warn(
      { err: cause, dir: this.dir, durableLsn: this.durableLsnValue },
      'journal write failed: appends refused until it is recovered',
    );
    this.notifyObservers((o) => o.onFailed?.(error));
    this.notifyAdvance();
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
    if (this.closed) {
      return Promise.reject(new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'journal closed'));
    }
    if (!this.failed) return Promise.resolve(undefined);
    this.recovering ??= this.recoverOnce().finally(() => (this.recovering = undefined));
    return this.recovering;
  }

  private async recoverOnce(): Promise<JournalRecovery> {
    while (this.flushing) await this.flushing;
    const failed = this.failed!;
    const durableLsn = this.durableLsnValue;
    const durableEnd = this.durableEnd;
    const discarded = this.nextLsn - 1 - durableLsn;
    const segDir = join(this.dir, SEGMENTS_DIR);
    try {
      await this.active?.close().catch(() => undefined);
      this.active = undefined;
      // A roll that failed after creating the next segment but before it
      // became the live one leaves a file the journal does not list.
      const last = this.segments[this.segments.length - 1]!;
      const strays = (await readdir(segDir)).filter((n) => n.endsWith('.seg') && n > last.name);
      for (const n of strays) {
        await rm(join(segDir, n), { force: true });
        await rm(indexPath(this.dir, n), { force: true });
      }
      if (strays.length > 0) await fsyncDir(segDir);
      // A roll that failed at the index file left the live segment sealed;
      // an index file of the live segment is never used, but is not left.
      if (last.sealed) await rm(indexPath(this.dir, last.name), { force: true });
      this.io('recover', last.name);
      const fh = await open(last.path, 'r+');
      try {
        await fh.truncate(durableEnd);
        await fh.sync();
      } finally {
        await fh.close();
      }
      const scan = await scanSegment(last.path, last.name, this.indexEveryBytes);
      if (scan.stop || scan.validEnd !== durableEnd || scan.lastLsn !== durableLsn) {
        throw new JournalError(
          'FSJ_ERR_JOURNAL_CORRUPT',
          `segment ${last.name}: ends at lsn ${scan.lastLsn} offset ${scan.validEnd} after recovery, expected lsn ${durableLsn} offset ${durableEnd}`,
          { segment: last.name, offset: scan.stop?.offset ?? scan.validEnd },
        );
      }
      const active = await open(last.path, 'r+');
      if (this.closed) {
        await active.close();
        throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'journal closed');
      }
      Object.assign(last, segmentFromScan(last.name, last.path, scan, false));
      this.active = active;
      this.nextLsn = durableLsn + 1;
      this.writtenLsn = durableLsn;
      this.writtenEnd = durableEnd;
      if (strays.length > 0) {
        this.logger.warn({ removed: strays }, 'journal removed segments a failed roll left');
      }
    } catch (cause) {
      if (isJournalError(cause)) throw cause;
      throw new JournalError(
        'FSJ_ERR_JOURNAL_IO',
        `recover after lsn ${durableLsn}: ${causeText(cause)}`,
        { cause, retryable: true },
      );
    }
    // Appends are taken again from here on; the GAP is queued first.
    this.failed = undefined;
    const gap = this.append({
      kind: RecordKind.RECORD_KIND_GAP,
      path: '',
      text: `journal failed after lsn ${durableLsn} at ${new Date(failed.atMs).toISOString()} (${causeText(failed.error.cause)}); ${discarded} records never made durable were discarded`,
    });
    this.notifyAdvance();
    const at = await gap; // rejects with the new failure if the disk still refuses
    const recovery: JournalRecovery = {
      error: failed.error,
      failedAtMs: failed.atMs,
      durableLsn,
      discarded,
      gapLsn: at.firstLsn,
    };
    this.logger.info(
      { durableLsn, discarded, gapLsn: at.firstLsn, failedMs: Date.now() - failed.atMs },
      'journal recovered: appends resume after a GAP',
    );
    this.notifyObservers((o) => o.onRecovered?.(recovery));
    return recovery;
  }

  private notifyAdvance(): void {
    for (const w of this.advanceWaiters) w();
    this.advanceWaiters.clear();
  }

  /**
   * Resolves once `durableLsn >= lsn`, or the journal closes, or `signal`
   * aborts; callers check which. A failed journal is waited through: it
   * may be recovered.
   */
  async waitForDurable(lsn: number, signal?: AbortSignal): Promise<void> {
    while (this.durableLsnValue < lsn && !this.closed && !signal?.aborted) {
      await this.waitForAdvance(signal);
    }
  }

  /** True once close() has begun (a failed journal is not closed: see `failure`). */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Bytes of journal after `lsn` up to the durable end, estimated from the
   * sparse index (exact to within one index interval per segment).
   */
  approxBytesAfter(lsn: number): number {
    let bytes = 0;
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i]!;
      const end = i === this.segments.length - 1 ? this.durableEnd : s.end;
      if (s.lastLsn <= lsn) break;
      const from =
        lsn < s.firstLsn
          ? SEGMENT_HEADER_BYTES
          : (s.index.floorByLsn(lsn + 1)?.offset ?? SEGMENT_HEADER_BYTES);
      bytes += Math.max(0, end - from);
    }
    return bytes;
  }

  /** Resolves when durable/written LSNs move, the journal closes or fails, or `signal` aborts. */
  private waitForAdvance(signal?: AbortSignal): Promise<void> {
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

  /**
   * Frames from `fromLsn` on, in order, each checked (checksum, LSN). The
   * frames are the bytes as stored, for shipping without re-encoding.
   */
  async *readFrames(options: ReadOptions = {}): AsyncGenerator<LocatedFrame & { segment: string }> {
    let lsn = options.fromLsn ?? this.firstLsn;
    if (!Number.isSafeInteger(lsn) || lsn < 1) {
      throw new JournalError('FSJ_ERR_JOURNAL_OUT_OF_RANGE', `lsn ${lsn}`);
    }
    if (lsn < this.firstLsn) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_RELEASED',
        `lsn ${lsn} released; oldest is ${this.firstLsn}`,
        { lsn },
      );
    }
    const limitLsn = (): number =>
      options.includeUndurable ? this.writtenLsn : this.durableLsnValue;
    if (lsn > limitLsn() + 1 && !options.tail) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_OUT_OF_RANGE',
        `lsn ${lsn} is past the newest (${limitLsn()})`,
        { lsn },
      );
    }
    let resume: { segment: string; lsn: number; offset: number } | undefined;
    for (;;) {
      if (options.signal?.aborted) return;
      if (lsn > limitLsn()) {
        // A failed journal is waited through too: recovery continues it.
        if (!options.tail || this.closed) return;
        await this.waitForAdvance(options.signal);
        continue;
      }
      const seg = this.segmentFor(lsn);
      if (!seg) throw new JournalError('FSJ_ERR_JOURNAL_RELEASED', `lsn ${lsn} released`, { lsn });
      const isLast = seg === this.segments[this.segments.length - 1];
      const end = !isLast ? seg.end : options.includeUndurable ? this.writtenEnd : this.durableEnd;
      // Resume where the previous pass stopped, else seek with the sparse index.
      const start =
        resume?.segment === seg.name && resume.lsn === lsn
          ? resume.offset
          : (seg.index.floorByLsn(lsn)?.offset ?? SEGMENT_HEADER_BYTES);
      let expected: number | undefined;
      try {
        for await (const f of readSegmentFrames(seg.path, seg.name, start, end)) {
          if (expected !== undefined && f.lsn !== expected) {
            throw new JournalError(
              'FSJ_ERR_JOURNAL_LSN_GAP',
              `segment ${seg.name} offset ${f.offset}: lsn ${f.lsn}, expected ${expected}`,
              {
                segment: seg.name,
                offset: f.offset,
                lsn: f.lsn,
              },
            );
          }
          expected = f.lsn + 1;
          if (f.lsn < lsn) continue;
          if (f.lsn !== lsn) {
            throw new JournalError(
              'FSJ_ERR_JOURNAL_LSN_GAP',
              `segment ${seg.name} offset ${f.offset}: lsn ${f.lsn}, expected ${lsn}`,
              { segment: seg.name, offset: f.offset, lsn: f.lsn },
            );
          }
          yield { ...f, segment: seg.name };
          lsn = f.lsn + 1;
          resume = { segment: seg.name, lsn, offset: f.offset + f.frame.length };
          if (options.signal?.aborted) return;
        }
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new JournalError('FSJ_ERR_JOURNAL_RELEASED', `lsn ${lsn} released while reading`, {
            lsn,
          });
        }
        throw err;
      }
      // A segment read to its sealed end must have held every record it
      // lists. (One that was the last when this pass began was read to the
      // durable end of that moment; if it was sealed meanwhile, the next pass
      // reads the rest.)
      if (!isLast && lsn <= seg.lastLsn) {
        throw new JournalError(
          'FSJ_ERR_JOURNAL_CORRUPT',
          `segment ${seg.name}: ends before lsn ${seg.lastLsn}`,
          {
            segment: seg.name,
          },
        );
      }
    }
  }

  /** Decoded records from `fromLsn` on; see readFrames. */
  async *read(options: ReadOptions = {}): AsyncGenerator<JournalEntry> {
    for await (const f of this.readFrames(options)) {
      yield toEntry(f, f.segment);
    }
  }

  /**
   * The LSN of the first record stamped at or after `timeUs`, using the
   * sparse index; lastLsn + 1 when every record is older.
   */
  async lsnAtTime(timeUs: number): Promise<number> {
    const seg = this.segments.find((s) => s.lastLsn >= s.firstLsn && s.lastTimeUs >= timeUs);
    if (!seg) return this.durableLsnValue + 1;
    const start = seg.index.floorBeforeTime(timeUs)?.offset ?? SEGMENT_HEADER_BYTES;
    const isLast = seg === this.segments[this.segments.length - 1];
    for await (const f of readSegmentFrames(
      seg.path,
      seg.name,
      start,
      isLast ? this.durableEnd : seg.end,
    )) {
      if (f.timeUs >= timeUs) return f.lsn;
    }
    return seg.lastLsn + 1;
  }

  private segmentFor(lsn: number): Segment | undefined {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found: Segment | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = this.segments[mid]!;
      if (s.firstLsn <= lsn) {
        found = s;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The last LSN of the oldest segment when it is sealed (so could be released), else undefined. */
  oldestSealedEnd(): number | undefined {
    const s = this.segments[0];
    return this.segments.length > 1 && s?.sealed ? s.lastLsn : undefined;
  }

  /**
   * Retention hook: deletes whole sealed segments whose every record is below
   * `lsn`. The segment being written is never released. Returns the names
   * released. Readers already inside a released segment finish it.
   */
  async releaseBefore(lsn: number): Promise<string[]> {
    const released: string[] = [];
    while (this.segments.length > 1) {
      const s = this.segments[0]!;
      if (!s.sealed || s.lastLsn >= lsn) break;
      await rm(s.path, { force: true });
      await rm(indexPath(this.dir, s.name), { force: true });
      this.segments.shift();
      released.push(s.name);
    }
    if (released.length > 0) {
      await fsyncDir(join(this.dir, SEGMENTS_DIR));
      this.logger.info({ released, firstLsn: this.firstLsn }, 'journal segments released');
    }
    return released;
  }

  /** Scans every segment, checking every frame; throws on the first problem. */
  async verify(): Promise<void> {
    for await (const f of this.readFrames({ fromLsn: this.firstLsn, includeUndurable: true })) {
      decodeRecord(f.payload, { segment: f.segment, offset: f.offset, lsn: f.lsn });
    }
  }

  /** Waits for pending appends, syncs, closes files and releases the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.recovering?.catch(() => undefined);
    await this.flush().catch(() => undefined);
    this.closed = true;
    this.notifyAdvance();
    await this.active?.close().catch(() => undefined);
    this.active = undefined;
    await this.releaseLock?.();
    this.releaseLock = undefined;
  }
}

/** Turns a frame into a decoded entry, naming where it came from in errors. */
export function toEntry(f: Frame & { offset?: number }, segment?: string): JournalEntry {
  return {
    lsn: f.lsn,
    timeUs: f.timeUs,
    record: decodeRecord(f.payload, { segment, offset: f.offset, lsn: f.lsn }),
  };
}

/** The message of an error from the OS (`ENOSPC: no space left on device, write`). */
function causeText(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}

function checkOptions(o: JournalOptions): void {
  const bad = (what: string): never => {
    throw new JournalError('FSJ_ERR_JOURNAL_OPTION', what);
  };
  if (o.sync !== undefined && !SYNC_POLICIES.includes(o.sync)) bad(`sync policy ${String(o.sync)}`);
  if (o.verify !== undefined && o.verify !== 'tail' && o.verify !== 'full')
    bad(`verify ${String(o.verify)}`);
  for (const [name, value, min] of [
    ['segmentBytes', o.segmentBytes, 1024],
    ['indexEveryBytes', o.indexEveryBytes, 1],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min))
      bad(`${name} ${value}`);
  }
}

function indexPath(dir: string, segment: string): string {
  return join(dir, INDEX_DIR, `${segment}.idx`);
}

async function writeIndexFile(dir: string, seg: Segment): Promise<void> {
  const data = seg.index.encode({
    segmentBytes: seg.end,
    lastLsn: seg.lastLsn,
    firstTimeUs: seg.firstTimeUs,
    lastTimeUs: seg.lastTimeUs,
  });
  await writeFileDurable(indexPath(dir, seg.name), data);
}

async function createSegment(
  dir: string,
  journalId: string,
  firstLsn: number,
  indexEvery: number,
  io?: JournalFaultHook,
): Promise<Segment> {
  const name = segmentName(firstLsn);
  const path = join(dir, SEGMENTS_DIR, name);
  const fh = await open(path, 'wx', 0o644);
  try {
    io?.('segment-create', name);
    await fh.write(
      encodeSegmentHeader({ journalId, firstLsn, createdUs: nowUs() }),
      0,
      SEGMENT_HEADER_BYTES,
      0,
    );
    io?.('segment-sync', name);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(join(dir, SEGMENTS_DIR));
  return {
    name,
    path,
    firstLsn,
    lastLsn: firstLsn - 1,
    firstTimeUs: 0,
    lastTimeUs: 0,
    end: SEGMENT_HEADER_BYTES,
    sealed: false,
    index: new SparseIndex(indexEvery),
  };
}

function segmentFromScan(name: string, path: string, scan: SegmentScan, sealed: boolean): Segment {
  return {
    name,
    path,
    firstLsn: scan.header.firstLsn,
    lastLsn: scan.lastLsn,
    firstTimeUs: scan.firstTimeUs,
    lastTimeUs: scan.lastTimeUs,
    end: scan.validEnd,
    sealed,
    index: scan.index,
  };
}

/**
 * Lists, checks and recovers the segments: every header is checked; sealed
 * segments are taken from their index files (or scanned when `verify` is
 * `full` or the index is missing or stale); the last segment is scanned and
 * a torn tail cut back. Corruption followed by valid records is an error.
 */
async function openSegments(
  options: JournalOptions,
  journalId: string,
  readOnly: boolean,
): Promise<Segment[]> {
  const { dir } = options;
  const indexEvery = options.indexEveryBytes ?? DEFAULT_INDEX_EVERY;
  const logger = options.logger ?? silentLogger;
  const segDir = join(dir, SEGMENTS_DIR);
  const names = (await readdir(segDir).catch(() => [] as string[]))
    .filter((n) => n.endsWith('.seg'))
    .sort();
  for (const n of names) {
    if (parseSegmentName(n) === undefined) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
        `segment ${n}: not a segment name`,
        { segment: n },
      );
    }
  }
  if (names.length === 0) {
    if (readOnly) throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: no segments`);
    return [await createSegment(dir, journalId, 1, indexEvery)];
  }

  const segments: Segment[] = [];
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const path = join(segDir, name);
    const isLast = i === names.length - 1;
    let seg: Segment | undefined;
    if (!isLast && options.verify !== 'full') {
      seg = await loadSealedFromIndex(dir, name, path, journalId, indexEvery);
    }
    if (!seg) {
      let scan: SegmentScan;
      try {
        scan = await scanSegment(path, name, indexEvery);
      } catch (err) {
        if (isLast && isJournalError(err, 'FSJ_ERR_JOURNAL_CORRUPT') && err.offset === 0) {
          // A header that never became whole: the crash hit while this segment
          // was being created, before any record in it could be acknowledged.
          // Records that follow a damaged header (LSNs from the file's name
          // on) mean damage, not an unfinished creation.
          const named = parseSegmentName(name)!;
          if ((await findValidFrameAfter(path, SEGMENT_HEADER_BYTES - 1, named)) === undefined) {
            if (readOnly) {
              logger.warn(
                { segment: name },
                'journal has a segment whose creation was cut short (left as is)',
              );
              break;
            }
            logger.warn(
              { segment: name },
              'journal removed a segment whose creation was cut short',
            );
            await rm(path);
            await fsyncDir(segDir);
            if (i === 0) return [await createSegment(dir, journalId, 1, indexEvery)];
            break;
          }
        }
        throw err;
      }
      checkHeader(name, scan.header.journalId, scan.header.firstLsn, journalId);
      if (scan.stop) await handleStop(path, name, scan, isLast, readOnly, logger);
      seg = segmentFromScan(name, path, scan, !isLast);
      if (!isLast && !readOnly) await writeIndexFile(dir, seg);
    }
    const prev = segments[segments.length - 1];
    if (prev && seg.firstLsn !== prev.lastLsn + 1) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_LSN_GAP',
        `segment ${name}: starts at lsn ${seg.firstLsn}, previous ends at ${prev.lastLsn}`,
        { segment: name },
      );
    }
    segments.push(seg);
  }
  const last = segments[segments.length - 1];
  if (!last) {
    // Read-only, and the only segment never became whole: nothing to read.
    throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: no complete segment`);
  }
  if (last.sealed) {
    // The last file was a half-created segment and was removed: the previous
    // one is live again.
    last.sealed = false;
    if (!readOnly) await rm(indexPath(dir, last.name), { force: true });
  }
  return segments;
}

function checkHeader(name: string, headerId: string, firstLsn: number, journalId: string): void {
  if (headerId !== journalId) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
      `segment ${name}: journal id ${headerId}`,
      {
        segment: name,
      },
    );
  }
  if (parseSegmentName(name) !== firstLsn) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
      `segment ${name}: header says first lsn ${firstLsn}`,
      {
        segment: name,
      },
    );
  }
}

/** Decides what a scan that stopped early means: torn tail (cut it) or corruption (refuse). */
async function handleStop(
  path: string,
  name: string,
  scan: SegmentScan,
  isLast: boolean,
  readOnly: boolean,
  logger: Logger,
): Promise<void> {
  const stop = scan.stop!;
  const location = { segment: name, offset: stop.offset };
  if (stop.problem === 'lsn') {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_LSN_GAP',
      `segment ${name} offset ${stop.offset}: lsn ${stop.foundLsn}, expected ${scan.lastLsn + 1}`,
      location,
    );
  }
  if (stop.problem === 'unknown-type' || stop.problem === 'reserved') {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_UNKNOWN_FRAME',
      `segment ${name} offset ${stop.offset}: unknown frame type (written by a newer version?)`,
      location,
    );
  }
  const validAfter = isLast
    ? await findValidFrameAfter(path, stop.offset, scan.lastLsn + 1)
    : stop.offset;
  if (validAfter !== undefined) {
    const detail = isLast
      ? `; a valid record follows at offset ${validAfter}`
      : ' in a sealed segment';
    throw new JournalError(
      'FSJ_ERR_JOURNAL_CORRUPT',
      `segment ${name} offset ${stop.offset}: ${stop.problem}${detail}`,
      location,
    );
  }
  const cut = scan.fileBytes - stop.offset;
  if (readOnly) {
    logger.warn(
      { segment: name, offset: stop.offset, bytes: cut, cause: stop.problem },
      'journal has a torn tail (read-only: left as is)',
    );
    return;
  }
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(stop.offset);
    await fh.sync();
  } finally {
    await fh.close();
  }
  logger.warn(
    { segment: name, offset: stop.offset, bytes: cut, cause: stop.problem, lastLsn: scan.lastLsn },
    'journal cut a torn tail back to the last good record',
  );
}

/** A sealed segment described by its index file, after checking its header and size. */
async function loadSealedFromIndex(
  dir: string,
  name: string,
  path: string,
  journalId: string,
  indexEvery: number,
): Promise<Segment | undefined> {
  const fh = await open(path, 'r');
  let size: number;
  try {
    size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(SEGMENT_HEADER_BYTES, size));
    await readFully(fh, head, 0);
    const header = decodeSegmentHeader(head, name);
    if (header instanceof JournalError) throw header;
    checkHeader(name, header.journalId, header.firstLsn, journalId);
  } finally {
    await fh.close();
  }
  const raw = await readFile(indexPath(dir, name)).catch(() => undefined);
  const decoded = raw ? SparseIndex.decode(raw, indexEvery) : undefined;
  const first = parseSegmentName(name)!;
  if (
    !decoded ||
    decoded.summary.segmentBytes !== size ||
    decoded.index.floorByLsn(first)?.lsn !== first
  ) {
    return undefined;
  }
  return {
    name,
    path,
    firstLsn: first,
    lastLsn: decoded.summary.lastLsn,
    firstTimeUs: decoded.summary.firstTimeUs,
    lastTimeUs: decoded.summary.lastTimeUs,
    end: size,
    sealed: true,
    index: decoded.index,
  };
}
