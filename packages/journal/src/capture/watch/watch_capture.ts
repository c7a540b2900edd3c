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
 */
import * as fs from 'node:fs';
import { opendir, readFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { xxh3 } from '@node-rs/xxhash';
import picomatch from 'picomatch';
import type { Capture } from '../capture.js';
import { createTreeWatcher, defaultWatcherKind, type TreeWatcher } from './dir_watcher.js';
import type { Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { JournalError, isJournalError } from '../../errors.js';
import {
  BlockHashes,
  Manifest,
  sameTime,
  type ManifestEntry,
  type Observed,
} from '../../tree/manifest.js';
import type { Timespec } from '../../tree/entry.js';
import { parentOf } from '../../record/path_rules.js';
import { RecordKind, type RecordBody, type RecordInput } from '../../record/record.js';
import {
  attributeRecords,
  createRecord,
  entryFor,
  planPath,
  removeRecords,
  WriteCoalescer,
} from './reconcile.js';

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
   * inotify events (the watcher's raw events) received before the capture
   * catches up above which some may have been dropped by the kernel (its
   * queue holds 16,384): a GAP record and a rescan follow. Default: half of
   * fs.inotify.max_queued_events.
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
}

const HASH_BYTES = 16;
const MAX_INFLIGHT_BYTES = 16 * 1024 * 1024;
const CONTENT_READERS = 8;
/**
 * How many lstats run ahead of the path being processed. One lstat at a time
 * waits a thread-pool round trip each (~44 us here); 32 in flight keep the
 * pool busy (100k paths: 4.4 s -> 0.4 s, see docs/capture.md).
 */
const STAT_AHEAD = 32;
const OPEN_FLAGS = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK;

// The callback API, promisified by hand: fs/promises costs about twice the
// CPU per call (FileHandle bookkeeping), which on a small machine is most of
// the start-up scan. A descriptor is closed on every path (readOnce).
const lstatNs = (p: string): Promise<fs.BigIntStats> =>
  new Promise((res, rej) => fs.lstat(p, { bigint: true }, (e, st) => (e ? rej(e) : res(st))));
const readlinkOf = (p: string): Promise<string> =>
  new Promise((res, rej) => fs.readlink(p, (e, target) => (e ? rej(e) : res(target))));
const openFd = (p: string): Promise<number> =>
  new Promise((res, rej) => fs.open(p, OPEN_FLAGS, (e, fd) => (e ? rej(e) : res(fd))));
const readFd = (fd: number, b: Buffer, at: number, n: number, pos: number): Promise<number> =>
  new Promise((res, rej) => fs.read(fd, b, at, n, pos, (e, got) => (e ? rej(e) : res(got))));
const fstatNs = (fd: number): Promise<fs.BigIntStats> =>
  new Promise((res, rej) => fs.fstat(fd, { bigint: true }, (e, st) => (e ? rej(e) : res(st))));
const closeFd = (fd: number): Promise<void> =>
  new Promise((res, rej) => fs.close(fd, (e) => (e ? rej(e) : res())));

function toTimespec(ns: bigint): Timespec {
  return { sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) };
}

/**
 * Many kernels stamp times from a clock that ticks every 4-10 ms (Linux
 * before 6.13's fine-grained stamps): a change in the same tick as the one
 * before leaves mtime and ctime as they were. A stamp older than this
 * cannot be given again to a change made now.
 */
const RACY_MS = 50;

/** Whether a time stamp is old enough that a change made now gets a different one. */
function settled(t: Timespec): boolean {
  return Date.now() - (t.sec * 1000 + t.nsec / 1e6) > RACY_MS;
}

/**
 * A file's identity: device and inode, plus birth time where the file system
 * keeps one, so that an inode number reused by a new file is not mistaken for
 * the old file renamed.
 */
function identity(st: { dev: bigint; ino: bigint; birthtimeNs: bigint }): string {
  return st.birthtimeNs > 0n ? `${st.dev}:${st.ino}:${st.birthtimeNs}` : `${st.dev}:${st.ino}`;
}

async function defaultBurstThreshold(): Promise<number> {
  const text = await readFile('/proc/sys/fs/inotify/max_queued_events', 'utf8').catch(
    () => '16384',
  );
  const n = Number.parseInt(text, 10);
  return Math.max(1024, Math.floor((Number.isFinite(n) ? n : 16384) / 2));
}

/** Appends a change's records, opening a transaction only when there is more than one. */
class ChangeWriter {
  private pending: RecordInput[] = [];
  private pendingBytes = 0;
  private txn = 0;

  constructor(private readonly capture: WatchCapture) {}

  push(r: RecordInput | undefined): void {
    if (!r) return;
    this.pending.push(r);
    this.pendingBytes += r.data?.length ?? 0;
    if (this.pendingBytes >= 4 * 1024 * 1024) this.flushOut();
  }

  /** Sends what is pending inside the (now opened) transaction. */
  private flushOut(): void {
    if (this.txn === 0) {
      // The transaction id is the LSN its TXN_BEGIN gets: unique in the journal.
      this.txn = this.capture.journal.lastLsn + 1;
      this.pending.unshift({ kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn: this.txn });
    }
    for (const r of this.pending) r.txn = this.txn;
    this.capture.appendRecords(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
  }

  commit(): void {
    if (this.txn === 0 && this.pending.length <= 1) {
      if (this.pending.length === 1) this.capture.appendRecords(this.pending, this.pendingBytes);
    } else {
      this.push({ kind: RecordKind.RECORD_KIND_TXN_COMMIT });
      this.flushOut();
    }
    this.pending = [];
  }

  /** Drops the change: nothing was written unless a transaction was already open. */
  abort(): void {
    if (this.txn !== 0) {
      this.pending = [{ kind: RecordKind.RECORD_KIND_TXN_ABORT }];
      this.flushOut();
    }
    this.pending = [];
    this.pendingBytes = 0;
  }
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs a lookup ahead of its turn: `take(i)` (i increasing) resolves with the
 * lookup of keys[i] while those of the next `depth` keys are already under
 * way. A failed lookup is kept, not left unhandled, and thrown by its `take`.
 */
class Lookahead<T> {
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
  };

  private readonly manifestPath: string;
  private readonly logger: Logger | undefined;
  private readonly blockBytes: number;
  private readonly renameWindowMs: number;
  private readonly maxReadRetries: number;
  private readonly manifestSaveMs: number;
  private readonly ignored: (rel: string) => boolean;
  private burstThreshold = 8192;

  private manifest = new Manifest();
  private watcher: TreeWatcher | undefined;
  private readonly dirty = new Set<string>();
  /**
   * Directories a rescan listed while the manifest did not have them, with
   * their identity and ctime taken just before the listing. When such a
   * directory is added and both are unchanged, no entry was created or
   * removed in it since, so the listing (whose children are already dirty)
   * stands and it is not listed again. Forgotten whenever the capture is quiet.
   */
  private readonly listed = new Map<string, { ino: string; ctime: Timespec }>();
  private readonly removals = new Map<string, number>();
  private removalTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private eventsSinceQuiet = 0;
  private inflight = new Set<Promise<unknown>>();
  private readonly readers = new Set<Promise<void>>();
  private inflightBytes = 0;
  private failed: Error | undefined;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private resuming: Promise<void> | undefined;
  private stopped = false;
  private lastSave = 0;
  /** The manifest's revision and LSN as `manifest.bin` holds them (-1: not saved yet). */
  private savedRevision = -1;
  private savedLsn = -1;
  private idleWaiters: (() => void)[] = [];
  /** Processing rounds begun and finished (a round takes every path dirty when it begins). */
  private roundsStarted = 0;
  private roundsDone = 0;
  /** The round in which each waiting removal was seen (idle waits for those of its rounds). */
  private readonly removalRound = new Map<string, number>();

  private constructor(o: WatchCaptureOptions) {
    this.source = resolve(o.source);
    this.journal = o.journal;
    this.manifestPath = join(o.stateDir ?? o.journal.dir, 'manifest.bin');
    this.logger = o.logger;
    this.blockBytes = o.blockBytes ?? 64 * 1024;
    this.renameWindowMs = o.renameWindowMs ?? 50;
    this.maxReadRetries = o.maxReadRetries ?? 5;
    this.manifestSaveMs = o.manifestSaveMs ?? 10_000;
    if (o.burstThreshold !== undefined) this.burstThreshold = o.burstThreshold;
    const matchers = (o.ignore ?? []).map((g) => picomatch(g, { dot: true }));
    // The journal and state folders are never captured when they sit inside the source.
    const own = [o.journal.dir, o.stateDir ?? o.journal.dir]
      .map((d) => relative(this.source, resolve(d)).split(sep).join('/'))
      .filter((r) => r !== '' && !r.startsWith('..') && !r.startsWith('/'));
    // Asked for every path marked dirty (and by chokidar for every entry it
    // lists): keep the common case (nothing to leave out) free.
    this.ignored =
      own.length === 0 && matchers.length === 0
        ? () => false
        : (rel) => {
            if (rel === '') return false;
            for (let p = rel; p !== ''; p = parentOf(p)) {
              if (own.includes(p) || matchers.some((m) => m(p))) return true;
            }
            return false;
          };
  }

  /**
   * Starts capturing: loads the manifest, brings it forward over records
   * journaled after it was saved, starts the watcher, journals what changed
   * while nobody watched (the start-up scan), and saves the manifest as the
   * baseline. Resolves once the start-up scan is journaled and durable.
   */
  static async start(options: WatchCaptureOptions): Promise<WatchCapture> {
    const c = new WatchCapture(options);
    if (options.burstThreshold === undefined) c.burstThreshold = await defaultBurstThreshold();
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

  private async loadManifest(): Promise<void> {
    const loaded = await Manifest.load(this.manifestPath, this.journal.journalId);
    const usable =
      loaded !== undefined &&
      loaded.lsn <= this.journal.lastLsn &&
      loaded.lsn >= this.journal.firstLsn - 1;
    if (loaded && !usable) {
      this.logger?.warn(
        { manifestLsn: loaded.lsn, firstLsn: this.journal.firstLsn, lastLsn: this.journal.lastLsn },
        'manifest does not match the journal; rebuilding it from the tree',
      );
    }
    // The manifest is saved only between changes, so no transaction is open
    // at its LSN; without one, look at the whole journal for open ones.
    const from = usable ? loaded.lsn + 1 : this.journal.firstLsn;
    const target = usable ? loaded : undefined;
    if (target) {
      // What manifest.bin holds now; records replayed below move the revision.
      this.savedRevision = target.revision;
      this.savedLsn = target.lsn;
    }
    // Records of a transaction count only once committed: a capture killed
    // in the middle of one leaves it open, and it is aborted here so that
    // replicas drop it and the manifest does not believe it.
    const open = new Map<number, RecordBody[]>();
    let replayed = 0;
    for await (const e of this.journal.read({ fromLsn: from })) {
      const r = e.record;
      if (r.kind === RecordKind.RECORD_KIND_TXN_BEGIN) open.set(r.txn, []);
      else if (r.kind === RecordKind.RECORD_KIND_TXN_ABORT) open.delete(r.txn);
      else if (r.kind === RecordKind.RECORD_KIND_TXN_COMMIT) {
        for (const held of open.get(r.txn) ?? []) target?.applyRecord(e.lsn, held);
        open.delete(r.txn);
      } else if (r.txn && open.has(r.txn)) open.get(r.txn)!.push(r);
      else target?.applyRecord(e.lsn, r);
      replayed++;
    }
    for (const txn of open.keys()) {
      await this.journal.append({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn });
      this.logger?.warn({ txn }, 'aborted a transaction a previous run left open');
    }
    if (!target) return;
    this.manifest = target;
    this.manifest.lsn = this.journal.lastLsn;
    if (replayed > 0) this.logger?.info({ replayed }, 'manifest brought forward over the journal');
  }

  /**
   * Saves the manifest once what it reflects is durable; skipped when neither
   * the manifest nor the journal moved since manifest.bin was written (a
   * restart that found nothing to do rewrites nothing).
   */
  /**
   * Saves the manifest with the LSN it reflects. Called by the processing
   * loop between rounds (`fromLoop`), or when no processing runs (start,
   * stop); a call from outside that finds processing started meanwhile
   * leaves the save to it.
   */
  private async saveManifest(fromLoop = true): Promise<void> {
    await this.journal.flush();
    if (!fromLoop && this.running) return;
    this.lastSave = Date.now();
    const lsn = this.journal.lastLsn;
    const revision = this.manifest.revision;
    if (revision === this.savedRevision && lsn === this.savedLsn) return;
    this.manifest.lsn = lsn;
    await this.manifest.save(this.manifestPath, this.journal.journalId);
    this.savedRevision = revision;
    this.savedLsn = lsn;
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
   * drops what the throttle catches: see docs/capture.md).
   *
   * `at` is what the fs.watch watches: a directory (events name a child, or
   * the directory itself by its own name) or, under chokidar, a file (events
   * name the file). Both candidates are marked unless the manifest says
   * which; a wrong guess costs one lstat, the disk decides.
   */
  private onEvent(at: string, name: string | null): void {
    if (this.stopped) return;
    this.stats.events++;
    // One inotify event: these are what fill the kernel's queue (see run()).
    this.eventsSinceQuiet++;
    const type = this.manifest.get(at)?.type;
    const own = basename(at === '' ? this.source : at);
    if (type !== 'dir' || name === null || name === own) this.markDirty(at);
    if (name !== null && type !== 'file' && type !== 'symlink')
      this.markDirty(at === '' ? name : `${at}/${name}`);
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
        if (this.dirty.size > 0 && !this.failed) this.kick();
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
    for (const p of this.manifest.subtree(root)) this.dirty.add(p);
    const walk = async (rel: string): Promise<void> => {
      this.dirty.add(rel);
      // A directory new to the manifest: note what it looks like before
      // listing it, so that adding it need not list it again (see `listed`).
      const known = this.manifest.get(rel);
      const before = known ? undefined : await this.observe(rel).catch(() => undefined);
      // Watched after `before` is taken: if the directory is replaced in
      // between, its identity at the add differs and it is listed (and
      // watched) again.
      if ((known ?? before)?.type === 'dir' && !this.ignored(rel))
        this.watcher?.watchDir(rel, fresh);
      let dir;
      try {
        dir = await opendir(join(this.source, rel), { bufferSize: 256 });
      } catch {
        return; // gone or not a directory: the dirty path will say so
      }
      for await (const d of dir) {
        const child = rel === '' ? d.name : `${rel}/${d.name}`;
        if (this.ignored(child)) continue;
        if (d.isDirectory()) await walk(child);
        else this.dirty.add(child);
      }
      if (before?.type === 'dir' && settled(before.ctime))
        this.listed.set(rel, { ino: before.ino, ctime: before.ctime });
    };
    await walk(root);
    if (!quiet) this.logger?.info({ root, why, dirty: this.dirty.size }, 'capture rescan');
    this.kick();
  }

  private async run(): Promise<void> {
    try {
      while (
        !this.stopped &&
        !this.failed &&
        (this.dirty.size > 0 || this.dueRemovals().length > 0)
      ) {
        if (this.eventsSinceQuiet > this.burstThreshold) {
          const n = this.eventsSinceQuiet;
          this.eventsSinceQuiet = 0;
          await this.gap(
            '',
            `burst of ${n} events beyond what the watcher holds (${this.burstThreshold})`,
          );
        }
        // Parents sort before their children, so creations come out in order.
        // Paths are processed one at a time, in that order, so every
        // ordering guarantee holds as it did; only their lstats run ahead.
        // An lstat taken a little early is as good: it still comes after the
        // event that marked the path, and a change after it makes a new event.
        const round = ++this.roundsStarted;
        const paths = [...this.dirty].sort();
        this.dirty.clear();
        const seen = new Lookahead(paths, (p) => this.observe(p), STAT_AHEAD);
        for (let i = 0; i < paths.length; i++) {
          if (this.stopped || this.failed) break;
          await this.processPath(paths[i]!, { now: await seen.take(i) });
        }
        await this.drain();
        for (const p of this.dueRemovals()) {
          if (this.stopped || this.failed) break;
          await this.processRemoval(p);
        }
        this.roundsDone = round;
        // Waiters for what was dirty when they called need not wait for quiet.
        for (const w of this.idleWaiters.splice(0)) w();
      }
      if (this.removals.size > 0) this.armRemovalTimer();
      if (
        Date.now() - this.lastSave > this.manifestSaveMs &&
        this.dirty.size === 0 &&
        !this.failed
      ) {
        await this.saveManifest();
      }
    } catch (err) {
      this.fail(err);
    }
  }

  private dueRemovals(): string[] {
    const now = Date.now();
    return [...this.removals]
      .filter(([, due]) => due <= now)
      .map(([p]) => p)
      .sort();
  }

  private armRemovalTimer(): void {
    if (this.removalTimer) return;
    const next = Math.min(...this.removals.values());
    this.removalTimer = setTimeout(
      () => {
        this.removalTimer = undefined;
        this.kick();
      },
      Math.max(1, next - Date.now()),
    );
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
      while (this.running || this.readers.size > 0 || this.inflight.size > 0) {
        await this.running;
        await Promise.allSettled([...this.readers, ...this.inflight]);
      }
      this.manifest = new Manifest();
      this.savedRevision = -1;
      this.savedLsn = -1;
      this.eventsSinceQuiet = 0;
      this.listed.clear();
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
    const p = this.journal.appendMany(records);
    this.inflight.add(p);
    this.inflightBytes += bytes;
    p.then(
      () => undefined,
      (err: unknown) => this.fail(err),
    ).finally(() => {
      this.inflight.delete(p);
      this.inflightBytes -= bytes;
    });
  }

  private async throttle(): Promise<void> {
    while (this.inflightBytes > MAX_INFLIGHT_BYTES && this.inflight.size > 0) {
      await Promise.race(this.inflight).catch(() => undefined);
    }
  }

  /** Lstat of a path under the source; undefined when it is gone or not a file, dir or symlink. */
  private async observe(path: string): Promise<Observed | undefined> {
    const abs = join(this.source, path);
    let st;
    try {
      st = await lstatNs(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw err;
    }
    const type = st.isFile()
      ? 'file'
      : st.isDirectory()
        ? 'dir'
        : st.isSymbolicLink()
          ? 'symlink'
          : undefined;
    if (!type) return undefined;
    const o: Observed = {
      type,
      size: type === 'dir' ? 0 : Number(st.size),
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      mtime: toTimespec(st.mtimeNs),
      ctime: toTimespec(st.ctimeNs),
      ino: identity(st),
      nlink: Number(st.nlink),
    };
    if (type === 'symlink') {
      try {
        o.target = await readlinkOf(abs);
      } catch {
        return undefined;
      }
    }
    return o;
  }

  /**
   * Compares one path with the manifest and journals the difference.
   * `seen`: an lstat of the path already taken after the event that marked it.
   */
  private async processPath(path: string, seen?: { now: Observed | undefined }): Promise<void> {
    this.stats.pathsProcessed++;
    if (path !== '') {
      // Never look through a parent that is not (or no longer) a real directory.
      const parent = parentOf(path);
      const p = this.manifest.get(parent);
      if (!p || p.type !== 'dir') {
        const seen = await this.observe(parent);
        if (seen?.type !== 'dir') return;
        await this.processPath(parent);
        if (this.manifest.get(parent)?.type !== 'dir') return;
      }
    }
    const now = seen ? seen.now : await this.observe(path);
    // A watched directory gone or replaced: its watch (on the old inode) goes.
    if (now?.type !== 'dir' && path !== '' && this.watcher?.watching(path))
      this.watcher.unwatchTree(path);
    if (path === '' && now?.type !== 'dir') {
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `source ${this.source}: no longer a directory`);
    }
    if (
      now &&
      path !== '' &&
      this.manifest.get(path)?.ino !== now.ino &&
      (await this.renamedHere(path, now))
    ) {
      // Anything else that changed with the rename is found by comparing again.
      await this.processPath(path);
      return;
    }
    const old = this.manifest.get(path);
    const plan = planPath(old, now);
    switch (plan.kind) {
      case 'none':
        return;
      case 'remove':
        if (!this.removals.has(path)) {
          this.removals.set(path, Date.now() + this.renameWindowMs);
          this.removalRound.set(path, this.roundsStarted);
        }
        return;
      case 'replace':
        await this.drain();
        this.removeNow(path);
        await this.add(path, now!);
        return;
      case 'add':
        this.removals.delete(path);
        await this.add(path, now!);
        return;
      case 'update':
        this.removals.delete(path);
        if (plan.content) {
          await this.startContent(path, old, now!);
        } else {
          this.appendRecords(attributeRecords(path, now!, plan), 0);
          this.manifest.set(path, entryFor(now!, old!.hashes));
        }
        return;
    }
  }

  /**
   * When the inode now at `path` is one the manifest knows under another path
   * that no longer holds it, the change is a rename (over whatever `path`
   * held): journal it, move the manifest entries, and return true.
   */
  private async renamedHere(path: string, now: Observed): Promise<boolean> {
    for (const from of this.manifest.pathsWithIno(now.ino)) {
      if (from === path || path.startsWith(`${from}/`) || from === '') continue;
      if (this.manifest.get(from)?.type !== now.type) continue;
      const there = await this.observe(from);
      if (there && there.ino === now.ino) continue; // still there: a hard link, not a rename
      this.stats.renames++;
      await this.drain();
      if (this.manifest.get(path)?.type === 'dir' && now.type !== 'dir') this.removeNow(path);
      this.appendRecords([{ kind: RecordKind.RECORD_KIND_RENAME, path: from, path2: path }], 0);
      for (const p of this.manifest.subtree(from)) this.removals.delete(p);
      // fs.watch watches by path: the watches under the old path go, and the
      // rescan below watches the new one (before listing it).
      if (now.type === 'dir') this.watcher?.unwatchTree(from);
      this.manifest.moveSubtree(from, path);
      this.markDirty(parentOf(from));
      this.markDirty(parentOf(path));
      if (now.type === 'dir') await this.rescan(path, 'renamed directory', true, true);
      return true;
    }
    return false;
  }

  /** A path the manifest does not have: a creation (renames were ruled out before). */
  private async add(path: string, now: Observed): Promise<void> {
    if (path === '') {
      // The root always exists on both sides: only its attributes are journaled.
      this.appendRecords(attributeRecords('', now, { chmod: true, chown: true, utimes: true }), 0);
      this.manifest.set('', entryFor(now));
      return;
    }
    this.markDirty(parentOf(path));
    if (now.type === 'file') {
      await this.startContent(path, undefined, now);
      return;
    }
    this.appendRecords([createRecord(path, now)], 0);
    this.manifest.set(path, entryFor(now));
    if (now.type !== 'dir') return;
    // Entries made in a new directory before the watcher watched it had no
    // event: list it, unless a rescan listed it after its last change of
    // entries (a first start lists the tree once, not twice).
    const listed = this.listed.get(path);
    this.listed.delete(path);
    if (listed?.ino === now.ino && sameTime(listed.ctime, now.ctime)) return;
    await this.rescan(path, 'new directory', true, true);
  }

  /** Journals the removal of a path and everything the manifest has under it. */
  private removeNow(path: string): void {
    const types = new Map(
      this.manifest.subtree(path).map((p) => [p, this.manifest.get(p)!.type] as const),
    );
    const removed = this.manifest.removeSubtree(path);
    if (types.get(path) === 'dir') this.watcher?.unwatchTree(path);
    if (removed.length === 0) return;
    const records = removeRecords(removed, (p) => types.get(p)!);
    if (records.length === 1) {
      this.appendRecords(records, 0);
    } else {
      const w = new ChangeWriter(this);
      for (const r of records) w.push(r);
      w.commit();
    }
    for (const p of removed) this.removals.delete(p);
    this.markDirty(parentOf(path));
  }

  private async processRemoval(path: string): Promise<void> {
    this.removals.delete(path);
    const old = this.manifest.get(path);
    if (!old) return;
    const now = await this.observe(path);
    if (now) {
      this.markDirty(path); // it is back (or something else is there): compare again
      return;
    }
    await this.drain();
    this.removeNow(path);
  }

  /**
   * Starts reading a file's content, up to CONTENT_READERS files at once:
   * reading is I/O-bound, and records of different files carry their own
   * transaction ids. Structural changes (renames, removals) drain the readers
   * first, so no record names a path that an earlier record moved away.
   */
  private async startContent(
    path: string,
    old: ManifestEntry | undefined,
    now: Observed,
  ): Promise<void> {
    while (this.readers.size >= CONTENT_READERS) await Promise.race(this.readers);
    const p: Promise<void> = this.captureContent(path, old, now)
      .catch((err: unknown) => this.fail(err))
      .finally(() => this.readers.delete(p));
    this.readers.add(p);
  }

  /** Waits for every content read in progress. */
  private async drain(): Promise<void> {
    while (this.readers.size > 0) await Promise.all(this.readers);
  }

  /**
   * Reads a file block by block, hashing each block and journaling the blocks
   * whose hash differs from the manifest's, with creation/truncation first
   * and attributes last, as one transaction when that takes several records.
   * If the file changes while it is read (size, mtime or ctime move), the
   * partial change is aborted and the file read again.
   */
  private async captureContent(
    path: string,
    old: ManifestEntry | undefined,
    first: Observed,
  ): Promise<void> {
    let now = first;
    for (let attempt = 0; attempt <= this.maxReadRetries; attempt++) {
      if (attempt > 0) this.stats.rereads++;
      const result = await this.readOnce(path, old, now);
      if (result === 'gone') {
        this.markDirty(path);
        return;
      }
      if (result !== 'changed') return;
      const again = await this.observe(path);
      if (!again || again.type !== 'file') {
        this.markDirty(path);
        return;
      }
      now = again;
    }
    // Still changing: try again once the writer pauses (its next event, or this timer).
    this.logger?.warn(
      { path, attempts: this.maxReadRetries + 1 },
      'file kept changing while read; retrying later',
    );
    setTimeout(() => this.markDirty(path), 50).unref();
  }

  private async readOnce(
    path: string,
    old: ManifestEntry | undefined,
    now: Observed,
  ): Promise<'done' | 'changed' | 'gone'> {
    this.stats.contentReads++;
    let fd: number;
    try {
      fd = await openFd(join(this.source, path));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ELOOP' || code === 'ENOTDIR' || code === 'EISDIR')
        return 'gone';
      throw err;
    }
    const w = new ChangeWriter(this);
    try {
      // `now` (the lstat before opening) is the "before" picture: if the file
      // is replaced or written between it and the end of the read, the fstat
      // after the read differs from it and the read is done again.
      const size = now.size;
      if (!old) {
        w.push(createRecord(path, now));
      } else if (old.hashes === undefined || size < old.size) {
        w.push({ kind: RecordKind.RECORD_KIND_TRUNCATE, path, size });
      }
      const blocks = Math.ceil(size / this.blockBytes);
      // Every byte is written below before the buffer is kept (as a string).
      const hashes = Buffer.allocUnsafe(blocks * HASH_BYTES);
      const oldHashes = old?.hashes === undefined ? undefined : BlockHashes.toBuffer(old.hashes);
      const coalescer = new WriteCoalescer(path);
      let wrote = old === undefined || old.hashes === undefined || size < old.size;
      let offset = 0;
      for (let i = 0; i < blocks; i++) {
        const want = Math.min(this.blockBytes, size - offset);
        const block = Buffer.allocUnsafe(want);
        let got = 0;
        while (got < want) {
          const bytesRead = await readFd(fd, block, got, want - got, offset + got);
          if (bytesRead === 0) break;
          got += bytesRead;
        }
        if (got < want) {
          w.abort();
          return 'changed'; // shrank under us
        }
        const h = xxh3.xxh128(block);
        hashes.writeBigUInt64LE(h & 0xffff_ffff_ffff_ffffn, i * HASH_BYTES);
        hashes.writeBigUInt64LE(h >> 64n, i * HASH_BYTES + 8);
        const oldHash = oldHashes?.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
        const same =
          oldHash !== undefined &&
          oldHash.length === HASH_BYTES &&
          oldHash.equals(hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES)) &&
          // A changed last block of the old file may hash equal only if equally long.
          (i < blocks - 1 || old!.size === size);
        if (!same) {
          w.push(coalescer.add(offset, block));
          wrote = true;
        }
        offset += want;
        if (i % 16 === 15) await this.throttle();
        // A file still being written (a large copy) is given up early, not
        // read to the end: at most ~4 MiB is journaled per aborted attempt.
        if (i % 64 === 63) {
          const mid = await fstatNs(fd);
          if (Number(mid.size) !== size || !sameTime(toTimespec(mid.ctimeNs), now.ctime)) {
            w.abort();
            return 'changed';
          }
        }
      }
      const st1 = await fstatNs(fd);
      const mtime = toTimespec(st1.mtimeNs);
      const ctime = toTimespec(st1.ctimeNs);
      if (
        !st1.isFile() ||
        identity(st1) !== now.ino ||
        Number(st1.size) !== size ||
        !sameTime(mtime, now.mtime) ||
        !sameTime(ctime, now.ctime)
      ) {
        w.abort();
        return 'changed';
      }
      w.push(coalescer.flush());
      const after: Observed = {
        ...now,
        size,
        mode: Number(st1.mode & 0o7777n),
        uid: Number(st1.uid),
        gid: Number(st1.gid),
        mtime,
        ctime,
      };
      for (const r of attributeRecords(path, after, {
        chown: old !== undefined && (old.uid !== after.uid || old.gid !== after.gid),
        chmod: old !== undefined && old.mode !== after.mode,
        // A write moves the replica's mtime too, so times are always set last.
        utimes: wrote || !sameTime(old!.mtime, after.mtime),
      })) {
        w.push(r);
      }
      w.commit();
      const entry = entryFor(after, BlockHashes.fromBuffer(hashes));
      // Read within a tick of the last change: a same-size write in that tick
      // (or one during the read) left no trace in lstat. Its event must not be
      // dismissed by comparing stats: see ManifestEntry.racy.
      if (!settled(ctime)) entry.racy = true;
      this.manifest.set(path, entry);
      return 'done';
    } catch (err) {
      w.abort();
      // Replaced under us (by a directory, say) between the open and the read:
      // look at the path again rather than stop the capture.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EISDIR' || code === 'ENOENT' || code === 'ESTALE') return 'gone';
      throw err;
    } finally {
      await closeFd(fd);
    }
  }

  private maybeIdle(): void {
    const quiet = this.dirty.size === 0 && this.removals.size === 0 && !this.running;
    if (!quiet && !this.failed && !this.stopped) return;
    if (quiet) {
      this.eventsSinceQuiet = 0;
      this.listed.clear(); // every listed directory has been processed
    }
    for (const w of this.idleWaiters.splice(0)) w();
  }

  /** Where processing is: for logs while a start-up or barrier takes long. */
  progress(): Record<string, number | boolean> {
    return {
      dirty: this.dirty.size,
      removals: this.removals.size,
      running: this.running !== undefined,
      roundsStarted: this.roundsStarted,
      roundsDone: this.roundsDone,
      inflight: this.inflight.size,
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
    const round = this.dirty.size > 0 ? this.roundsStarted + 1 : this.roundsStarted;
    for (;;) {
      if (this.failed) throw this.failed;
      const quiet = this.dirty.size === 0 && this.removals.size === 0 && !this.running;
      const fenced =
        this.roundsDone >= round &&
        ![...this.removals.keys()].some((p) => (this.removalRound.get(p) ?? 0) <= round);
      if (quiet || fenced) break;
      if (this.stopped) break;
      await new Promise<void>((res) => this.idleWaiters.push(res));
    }
    await Promise.all(this.inflight);
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
    await this.rescan('', 'barrier', true);
    await this.idle();
    const at = await this.journal.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId });
    return at.lastLsn;
  }

  /** Stops watching, journals nothing further, saves the manifest. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    await this.watcher?.close();
    if (!this.failed) await this.idle().catch(() => undefined);
    this.stopped = true;
    if (this.removalTimer) clearTimeout(this.removalTimer);
    await this.running;
    await Promise.allSettled(this.inflight);
    if (!this.failed) await this.saveManifest(false);
  }
}
