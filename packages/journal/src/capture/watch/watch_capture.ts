/**
 * Watch-mode capture: the watcher (dir_watcher.ts: one fs.watch per
 * directory on Linux, chokidar elsewhere) says which paths may have changed; the
 * capture looks at each (lstat, content read in blocks), compares it with
 * the manifest (reconcile.ts) and appends the records that say what changed.
 *
 * Events are hints, not facts: every decision is taken from the disk and the
 * manifest, so duplicated, reordered or coalesced events do no harm, and a
 * lost event is repaired by a rescan. What the capture guarantees and what it
 * cannot (events the kernel drops silently) is in docs/capture.md.
 *
 * This module wires the parts and holds the life cycle (start, failure,
 * resume, stop) and the processing loop:
 * - intake.ts: watcher events -> dirty paths; ignore rules; burst detection
 * - dirty_set.ts: the dirty paths, processing rounds, idle() fences
 * - path_processor.ts: one dirty path -> records (reconcile.ts decides)
 * - rename_window.ts: vanished paths waiting to turn out renames
 * - content_reader.ts / change_writer.ts: file content -> WRITE records, transactions
 * - rescan.ts: a subtree walked into the dirty set
 * - manifest_store.ts: manifest.bin loaded, brought forward, saved
 * - observation.ts: lstat -> Observed
 */
import { basename, join, resolve } from 'node:path';
import type { Capture } from '../capture.js';
import { createTreeWatcher, defaultWatcherKind, type TreeWatcher } from './dir_watcher.js';
import type { Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { JournalError, isJournalError } from '../../errors.js';
import { Manifest, type ManifestEntry, type Observed } from '../../tree/manifest.js';
import { RecordKind, type RecordInput } from '../../record/record.js';
import { AppendsInFlight, type RecordSink } from './change_writer.js';
import { ContentReader } from './content_reader.js';
import {
  DirtySet,
  fenceRound,
  idleReached,
  Lookahead,
  STAT_AHEAD,
  type ProgressState,
} from './dirty_set.js';
import { OverflowWatch, defaultBurstThreshold, eventPaths, ignoreMatcher } from './intake.js';
import { ManifestStore } from './manifest_store.js';
import { InlineFs } from '../../sys/inline_fs.js';
import { lstatNs, observe } from './observation.js';
import { PathProcessor } from './path_processor.js';
import { RenameWindow } from './rename_window.js';
import { TreeRescan } from './rescan.js';

export interface WatchCaptureOptions {
  /** The tree to capture. */
  source: string;
  journal: Journal;
  /** Where `manifest.bin` lives; default: the journal folder. */
  stateDir?: string;
  /** Globs (picomatch) of paths relative to source to leave out, with everything under them. */
  ignore?: readonly string[];
  logger?: Logger;
  /** Block size for content hashing and change detection. Default 64 KiB. */
  blockBytes?: number;
  /** How long a vanished path waits for an add of the same inode (a rename). Default 50 ms. */
  renameWindowMs?: number;
  /**
   * inotify events (the watcher's raw events) returned by one read of the
   * kernel's queue at or above which some may have been dropped (the queue
   * overflowed): a GAP record and a rescan follow. However many events a
   * burst makes in all, reads below it lose none (OverflowWatch). Default:
   * 7/8 of fs.inotify.max_queued_events.
   */
  burstThreshold?: number;
  /** Re-reads of a file that keeps changing while read, before trying later. Default 5. */
  maxReadRetries?: number;
  /** Save the manifest at most this often while changes flow. Default 10 s. */
  manifestSaveMs?: number;
}

/** Counters for status and tests. */
export interface CaptureStats {
  /** Hints received: watcher events, and (chokidar) events from its listing folders. */
  events: number;
  pathsProcessed: number;
  contentReads: number;
  rereads: number;
  gaps: number;
  renames: number;
  /** The most events one read of the kernel's queue returned (OverflowWatch). */
  largestRead: number;
}

export class WatchCapture implements Capture {
  readonly source: string;
  readonly journal: Journal;
  readonly stats: CaptureStats = {
    events: 0,
    pathsProcessed: 0,
    contentReads: 0,
    rereads: 0,
    gaps: 0,
    renames: 0,
    largestRead: 0,
  };

  private readonly logger: Logger | undefined;
  private readonly manifestSaveMs: number;
  private readonly ignored: (rel: string) => boolean;
  private readonly store: ManifestStore;
  private readonly burst: OverflowWatch;
  private readonly dirty = new DirtySet();
  private readonly window: RenameWindow;
  private readonly appends: AppendsInFlight;
  private readonly content: ContentReader;
  private readonly scan: TreeRescan;
  private readonly processor: PathProcessor;
  /**
   * The capture's lstats and content reads: on the JS thread while quick
   * (sys/inline_fs.ts). A call that waits on the disk (a cold cache) sends
   * them to the thread pool, where many go at once, for a while.
   */
  private readonly io = new InlineFs({ slowMs: 10, coolOffMs: 2000 });

  private manifest = new Manifest();
  private watcher: TreeWatcher | undefined;
  private running: Promise<void> | undefined;
  private failed: Error | undefined;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private resuming: Promise<void> | undefined;
  private stopped = false;

  private constructor(o: WatchCaptureOptions) {
    this.source = resolve(o.source);
    this.journal = o.journal;
    this.logger = o.logger;
    this.manifestSaveMs = o.manifestSaveMs ?? 10_000;
    this.store = new ManifestStore(
      o.journal,
      join(o.stateDir ?? o.journal.dir, 'manifest.bin'),
      o.logger,
    );
    // The default, 7/8 of fs.inotify.max_queued_events, is read by start() (14,336 of 16,384 until then).
    this.burst = new OverflowWatch(o.burstThreshold ?? 14_336, this.stats, () => this.kick());
    // The journal and state folders are never captured when they sit inside the source.
    this.ignored = ignoreMatcher(
      this.source,
      [o.journal.dir, o.stateDir ?? o.journal.dir],
      o.ignore ?? [],
    );
    this.window = new RenameWindow(o.renameWindowMs ?? 50, () => this.kick());
    this.appends = new AppendsInFlight(o.journal, (err) => this.fail(err));
    const sink: RecordSink = {
      lastLsn: () => this.journal.lastLsn,
      append: (records, bytes) => this.appendRecords(records, bytes),
    };
    const manifest = (): Manifest => this.manifest;
    const look = (p: string): Promise<Observed | undefined> => observe(this.io, this.source, p);
    const markDirty = (p: string): void => this.markDirty(p);
    this.content = new ContentReader({
      source: this.source,
      io: this.io,
      stats: this.stats,
      logger: o.logger,
      blockBytes: o.blockBytes ?? 64 * 1024,
      maxReadRetries: o.maxReadRetries ?? 5,
      manifest,
      observe: look,
      markDirty,
      sink,
      throttle: () => this.appends.throttle(),
      fail: (err) => this.fail(err),
    });
    this.scan = new TreeRescan({
      source: this.source,
      ignored: this.ignored,
      manifest,
      watcher: () => this.watcher,
      observe: look,
      dirty: this.dirty,
    });
    this.processor = new PathProcessor({
      source: this.source,
      stats: this.stats,
      manifest,
      watcher: () => this.watcher,
      observe: look,
      markDirty,
      rescan: (root, why, quiet, fresh) => this.rescan(root, why, quiet, fresh),
      append: (records, bytes) => this.appendRecords(records, bytes),
      sink,
      content: this.content,
      window: this.window,
      dirty: this.dirty,
      scan: this.scan,
    });
  }

  /**
   * Starts capturing: loads the manifest, brings it forward over records
   * journaled after it was saved, starts the watcher, journals what changed
   * while nobody watched (the start-up scan), and saves the manifest as the
   * baseline. Resolves once the start-up scan is journaled and durable.
   */
  static async start(options: WatchCaptureOptions): Promise<WatchCapture> {
    const c = new WatchCapture(options);
    if (options.burstThreshold === undefined) c.burst.threshold = await defaultBurstThreshold();
    const st = await lstatNs(c.source).catch((cause: unknown) => {
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `source ${c.source}: cannot be read`, { cause });
    });
    if (!st.isDirectory())
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `source ${c.source}: not a directory`);
    await c.loadManifest();
    await c.startWatcher();
    await c.rescan('', 'start-up scan');
    // A long start-up says where it is, every 5 s.
    const progress = setInterval(
      () => c.logger?.info(c.progress(), 'start-up scan continues'),
      5000,
    );
    try {
      await c.idle();
    } finally {
      clearInterval(progress);
    }
    // Under changes that go on, processing may still run: it saves the
    // manifest itself once it catches up (a save mid-round could pair a
    // manifest with an LSN its records have not reached).
    if (!c.running) await c.saveManifest(false);
    c.logger?.info(
      { source: c.source, paths: c.manifest.size, lsn: c.journal.lastLsn },
      'capture started',
    );
    return c;
  }

  /** How many paths the manifest holds. */
  get manifestSize(): number {
    return this.manifest.size;
  }

  /** The manifest entry for a path (tests, status). */
  entry(path: string): ManifestEntry | undefined {
    return this.manifest.get(path);
  }

  /** Loads manifest.bin brought forward over the journal, if usable (see ManifestStore.load). */
  private async loadManifest(): Promise<void> {
    const loaded = await this.store.load();
    if (loaded) this.manifest = loaded;
  }

  /**
   * Saves the manifest with the LSN it reflects. Called by the processing
   * loop between rounds (`fromLoop`), or when no processing runs (start,
   * stop); a call from outside that finds processing started meanwhile
   * leaves the save to it.
   */
  private async saveManifest(fromLoop = true): Promise<void> {
    await this.journal.flush();
    if (!fromLoop && this.running) return;
    await this.store.save(this.manifest);
  }

  private async startWatcher(): Promise<void> {
    const kind = defaultWatcherKind();
    this.watcher = createTreeWatcher(kind, this.source, this.ignored, {
      event: (at, name) => this.onEvent(at, name),
      path: (rel) => this.markDirty(rel, true),
      error: (rel, err) => void this.gap(rel, `watcher error: ${err.message}`),
    });
    // fs.watch: nothing to wait for; directories are watched as the
    // start-up scan lists them (rescan). chokidar: its own listing first.
    await this.watcher.start();
  }

  /**
   * One event out of the kernel's queue, as the watcher reports it, not
   * throttled: every change after the capture looked at a path makes a new
   * one, so the path is looked at again (chokidar's `change` is throttled and
   * drops what the throttle catches: see docs/capture.md). Which paths it
   * marks: see eventPaths.
   */
  private onEvent(at: string, name: string | null): void {
    if (this.stopped) return;
    this.burst.event();
    const type = this.manifest.get(at)?.type;
    for (const p of eventPaths(at, name, type, basename(at === '' ? this.source : at)))
      this.markDirty(p);
  }

  /** Notes that `path` may have changed and wakes the capture. */
  markDirty(path: string, fromEvent = false): void {
    if (this.stopped || this.ignored(path)) return;
    this.dirty.add(path);
    if (fromEvent) this.stats.events++;
    this.kick();
  }

  /**
   * Starts processing on the next turn of the event loop, not at once: the
   * events one inotify read delivers (a write is seen by the file's watch
   * and its directory's) then make one batch, and one lstat per path.
   */
  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = new Promise<void>((res) => setImmediate(res))
      .then(() => this.run())
      .finally(() => {
        this.running = undefined;
        if ((this.dirty.size > 0 || this.burst.pending) && !this.failed) this.kick();
        else this.maybeIdle();
      });
  }

  /** Records a GAP for `path` and rescans it: changes there may have been missed. */
  async gap(path: string, reason: string): Promise<void> {
    if (this.stopped) return;
    this.stats.gaps++;
    this.logger?.warn({ path, reason }, 'capture gap: rescanning');
    this.appendRecords([{ kind: RecordKind.RECORD_KIND_GAP, path, text: reason }], 0);
    await this.rescan(path, reason);
  }

  /**
   * Marks every path under `root` on disk and in the manifest as dirty, and
   * watches every directory it lists, before listing it: an entry made in
   * between is listed or makes an event. `fresh`: the directories are new at
   * their paths (created, renamed there), so a watch left under the same path
   * (on an inode since removed or moved) is replaced.
   */
  async rescan(root: string, why: string, quiet = false, fresh = false): Promise<void> {
    await this.scan.walk(root, fresh);
    if (!quiet) this.logger?.info({ root, why, dirty: this.dirty.size }, 'capture rescan');
    this.kick();
  }

  /**
   * The processing loop: rounds of dirty paths, each followed by the
   * removals whose rename window ended, until nothing is due; then the
   * rename timer, and a manifest save when one is due.
   */
  private async run(): Promise<void> {
    try {
      while (
        !this.stopped &&
        !this.failed &&
        (this.dirty.size > 0 || this.window.due().length > 0 || this.burst.pending)
      ) {
        const n = this.burst.takeOverflow();
        if (n !== undefined) {
          await this.gap(
            '',
            `inotify queue may have overflowed: one read returned ${n} events (threshold ${this.burst.threshold})`,
          );
        }
        // Parents sort before their children, so creations come out in order.
        // Paths are processed one at a time, in that order, so every
        // ordering guarantee holds as it did; only their lstats run ahead.
        // An lstat taken a little early is as good: it still comes after the
        // event that marked the path, and a change after it makes a new event.
        const { round, paths } = this.dirty.takeRound();
        const seen = new Lookahead(paths, (p) => observe(this.io, this.source, p), STAT_AHEAD);
        for (let i = 0; i < paths.length; i++) {
          if (this.stopped || this.failed) break;
          await this.processor.process(paths[i]!, { now: await seen.take(i) });
        }
        await this.content.drain();
        for (const p of this.window.due()) {
          if (this.stopped || this.failed) break;
          await this.processor.processRemoval(p);
        }
        this.dirty.finishRound(round);
      }
      if (this.window.size > 0) this.window.arm();
      if (
        Date.now() - this.store.lastSave > this.manifestSaveMs &&
        this.dirty.size === 0 &&
        !this.failed
      ) {
        await this.saveManifest();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    // The first error stops the capture; appends in flight then fail too.
    if (this.failed) return;
    this.failed = isJournalError(err)
      ? err
      : new JournalError(
          'FSJ_ERR_JOURNAL_IO',
          `capture: ${(err as Error)?.message ?? String(err)}`,
          {
            cause: err,
            retryable: true,
          },
        );
    this.logger?.warn({ err }, 'capture failed: changes wait until it resumes');
    for (const l of this.failureListeners) l(this.failed);
    this.maybeIdle();
  }

  /** The error that stopped the capture, until resume() succeeds. */
  get failure(): Error | undefined {
    return this.failed;
  }

  onFailed(listener: (error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Continues after a failure once the journal takes appends again. The
   * manifest may believe records the journal lost (appended, never made
   * durable, discarded by recovery), so it is rebuilt as the start does:
   * manifest.bin brought forward over the durable journal, a transaction left
   * open there aborted. Then the whole tree is compared with it (the
   * start-up scan's path), so whatever changed while the capture stood is
   * journaled. Resolves once that is journaled and durable. Called while
   * capturing, it pauses processing for the rebuild the same way.
   */
  resume(options: { gap?: string } = {}): Promise<void> {
    if (this.stopped) {
      return Promise.reject(new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped'));
    }
    this.resuming ??= this.resumeOnce(options).finally(() => (this.resuming = undefined));
    return this.resuming;
  }

  private async resumeOnce(options: { gap?: string }): Promise<void> {
    // Processing stops at its next step while failed; wait until nothing runs.
    const cause = this.failed;
    this.failed ??= new JournalError('FSJ_ERR_JOURNAL_IO', 'capture paused to resume', {
      retryable: true,
    });
    try {
      while (this.running || this.content.size > 0 || this.appends.size > 0) {
        await this.running;
        await Promise.allSettled([...this.content.promises(), ...this.appends.promises()]);
      }
      this.manifest = new Manifest();
      this.store.forget();
      this.burst.forget();
      this.scan.forget();
      await this.loadManifest();
    } catch (err) {
      this.failed = undefined;
      this.fail(err); // stays failed, with what stopped the resume
      throw this.failed;
    }
    this.failed = undefined;
    if (options.gap !== undefined) {
      this.stats.gaps++;
      this.appendRecords([{ kind: RecordKind.RECORD_KIND_GAP, path: '', text: options.gap }], 0);
    }
    this.logger?.info(
      { cause: cause?.message, paths: this.manifest.size, lsn: this.journal.lastLsn },
      'capture resuming: rescanning the tree',
    );
    try {
      await this.rescan('', 'resume after failure');
      await this.idle();
      if (this.stopped) return;
      if (!this.running) await this.saveManifest(false);
    } catch (err) {
      this.fail(err); // failed again (or the manifest cannot be saved): resume again later
      throw this.failed ?? err;
    }
    this.logger?.info({ lsn: this.journal.lastLsn }, 'capture resumed');
  }

  /**
   * Appends records in order without waiting for durability; memory stays
   * bounded. Throws while the capture is failed: a reader still going when
   * the journal recovers must not append the rest of a transaction whose
   * TXN_BEGIN the failure discarded (it stops; the resume rescans its file).
   */
  appendRecords(records: RecordInput[], bytes: number): void {
    if (this.failed) throw this.failed;
    this.appends.append(records, bytes);
  }

  /** What idle() and the quiet check look at. */
  private progressState(): ProgressState {
    return {
      dirty: this.dirty.size,
      removals: this.window.size,
      running: this.running !== undefined,
      roundsDone: this.dirty.roundsDone,
    };
  }

  private maybeIdle(): void {
    const quiet = this.dirty.size === 0 && this.window.size === 0 && !this.running;
    if (!quiet && !this.failed && !this.stopped) return;
    if (quiet) {
      this.scan.forget(); // every listed directory has been processed
    }
    this.dirty.wake();
  }

  /** Where processing is: for logs while a start-up or barrier takes long. */
  progress(): Record<string, number | boolean> {
    return {
      dirty: this.dirty.size,
      removals: this.window.size,
      running: this.running !== undefined,
      roundsStarted: this.dirty.roundsStarted,
      roundsDone: this.dirty.roundsDone,
      inflight: this.appends.size,
      lastLsn: this.journal.lastLsn,
      durableLsn: this.journal.durableLsn,
    };
  }

  /**
   * Resolves when every change seen so far is journaled and durable (the
   * paths dirty and the removals waiting at the call are processed; later
   * changes may still be in flight). Rejects if capture failed.
   */
  async idle(): Promise<void> {
    // A fence, not a wait for quiet: under changes that never stop, the
    // tree is never quiet, but what was seen before the call is journaled
    // within a round or two. Paths dirty now go into the next round begun;
    // a round under way holds what was taken before; removals those rounds
    // found wait for their rename window and are processed in a later round.
    const round = fenceRound(this.dirty.size, this.dirty.roundsStarted);
    for (;;) {
      if (this.failed) throw this.failed;
      if (idleReached(this.progressState(), round, (r) => this.window.waitsFromRound(r))) break;
      if (this.stopped) break;
      await this.dirty.wait();
    }
    await Promise.all(this.appends.promises());
    await this.journal.flush();
    if (this.failed) throw this.failed;
  }

  /**
   * A fence for failover: every change made to the tree before the call is
   * journaled before the BARRIER record this appends. Events may still be in
   * flight from the kernel, so the whole tree is compared with the manifest
   * (a stat per path, content only where stat differs) before the record is
   * written. Resolves with the barrier's LSN once it is durable.
   */
  async barrier(barrierId: string): Promise<number> {
    if (this.stopped) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped');
    // A long barrier says where it is, every 5 s (as a long start-up does).
    const progress = setInterval(
      () => this.logger?.info({ barrierId, ...this.progress() }, 'barrier continues'),
      5000,
    );
    try {
      await this.rescan('', 'barrier', true);
      await this.idle();
    } finally {
      clearInterval(progress);
    }
    const at = await this.journal.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId });
    return at.lastLsn;
  }

  /** Stops watching, journals nothing further, saves the manifest. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    await this.watcher?.close();
    if (!this.failed) await this.idle().catch(() => undefined);
    this.stopped = true;
    this.window.cancel();
    await this.running;
    await Promise.allSettled(this.appends.promises());
    if (!this.failed) await this.saveManifest(false);
  }
}
