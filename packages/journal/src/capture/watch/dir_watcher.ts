/**
 * The capture's event source: which paths under the source may have changed.
 * One interface, two implementations:
 *
 * - `DirWatcher` (Linux): one non-recursive `fs.watch` per directory, set up
 *   by the capture for every directory it lists, before listing it. Nothing
 *   else: no listing, no stat, no throttle (docs/capture.md, "The watcher").
 * - `ChokidarWatcher` (other platforms): chokidar watching the whole tree,
 *   its raw events and the events from its own listings passed on.
 *
 * Paths are relative to the source, `/`-separated, `''` for the source.
 */
import * as fs from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { watch as chokidarWatch, type FSWatcher as ChokidarFSWatcher } from 'chokidar';

export interface WatchHandlers {
  /**
   * One event out of the kernel's queue: `at` is what is watched (a
   * directory; under chokidar possibly a file), `name` the entry the event
   * names (the watched directory's own name for an event on itself), null
   * when none. Counts toward burst detection.
   */
  event(at: string, name: string | null): void;
  /** A path named by the watcher's own listing of a folder (chokidar only). */
  path(rel: string): void;
  /** Changes under `rel` may be missed: a watch could not be set (ENOSPC...) or failed. */
  error(rel: string, err: Error): void;
}

export interface TreeWatcher {
  /** Resolves once the watcher is ready (chokidar: its initial listing is done). */
  start(): Promise<void>;
  /**
   * Watches directory `rel`; call before listing it. A no-op when it is
   * watched already, unless `replace` (a directory new at that path: a watch
   * left there may be on an inode that is gone or moved away).
   */
  watchDir(rel: string, replace: boolean): void;
  /** Whether `rel` itself is watched as a directory. */
  watching(rel: string): boolean;
  /** Stops watching `rel` and every directory under it (removed or renamed away). */
  unwatchTree(rel: string): void;
  close(): Promise<void>;
}

export type WatcherKind = 'fs.watch' | 'chokidar';

/** `fs.watch` per directory on Linux, chokidar elsewhere; FSJOURNAL_WATCHER overrides. */
export function defaultWatcherKind(): WatcherKind {
  const env = process.env.FSJOURNAL_WATCHER;
  if (env === 'chokidar' || env === 'fs.watch') return env;
  return process.platform === 'linux' ? 'fs.watch' : 'chokidar';
}

export function createTreeWatcher(
  kind: WatcherKind,
  source: string,
  ignored: (rel: string) => boolean,
  handlers: WatchHandlers,
): TreeWatcher {
  return kind === 'fs.watch'
    ? new DirWatcher(source, handlers)
    : new ChokidarWatcher(source, ignored, handlers);
}

const toError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * One `fs.watch(dir)` per directory, keyed by the path it was set up under.
 * inotify watches an inode: after a rename the watch still reports events,
 * under the old path (harmless hints) until the capture drops it and watches
 * the new path. A directory that could not be watched is reported once and
 * not tried again until it is watched anew (`replace`) or dropped; after
 * ENOSPC (fs.inotify.max_user_watches) no watch is tried until one is freed.
 */
export class DirWatcher implements TreeWatcher {
  private readonly watches = new Map<string, fs.FSWatcher>();
  private readonly failed = new Set<string>();
  private exhausted = false;
  private closed = false;

  constructor(
    private readonly source: string,
    private readonly handlers: WatchHandlers,
  ) {}

  async start(): Promise<void> {}

  watching(rel: string): boolean {
    return this.watches.has(rel);
  }

  watchDir(rel: string, replace: boolean): void {
    if (this.closed) return;
    const old = this.watches.get(rel);
    if (!replace && (old || this.failed.has(rel))) return;
    if (this.exhausted) {
      this.failed.add(rel);
      return;
    }
    let w: fs.FSWatcher;
    try {
      w = fs.watch(join(this.source, rel), { persistent: true }, (_type, name) =>
        this.handlers.event(rel, typeof name === 'string' && name !== '' ? name : null),
      );
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (old) this.drop(rel, old);
      // Gone, or no longer a directory: the capture finds that from the disk.
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      const first = !this.failed.has(rel) && !this.exhausted;
      this.failed.add(rel);
      if (code === 'ENOSPC') this.exhausted = true;
      // Reported on a later turn: the capture's walk that asked is still running.
      if (first) setImmediate(() => this.handlers.error(rel, toError(err)));
      return;
    }
    this.failed.delete(rel);
    w.on('error', (err: unknown) => {
      if (this.watches.get(rel) === w) this.drop(rel, w);
      else w.close();
      if (!this.closed) this.handlers.error(rel, toError(err));
    });
    this.watches.set(rel, w);
    // Closed after the new watch is set: libuv shares one inotify watch
    // between handles on the same inode, so none is lost in between.
    old?.close();
  }

  unwatchTree(rel: string): void {
    const prefix = rel === '' ? '' : `${rel}/`;
    for (const [p, w] of this.watches) if (p === rel || p.startsWith(prefix)) this.drop(p, w);
    for (const p of this.failed) if (p === rel || p.startsWith(prefix)) this.failed.delete(p);
  }

  private drop(rel: string, w: fs.FSWatcher): void {
    this.watches.delete(rel);
    w.close();
    this.exhausted = false; // a watch was freed: the next ones may succeed
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
  }
}

/**
 * chokidar (5) on the whole tree: one fs.watch per file and folder, set up by
 * chokidar, which also lists a folder again on every event in it. Its raw
 * events (one per fs.watch callback, unthrottled) are passed on as events;
 * `add`, `addDir`, `unlink`, `unlinkDir` (which also come from its listings)
 * as paths. Its `change` only repeats raw events, later and throttled.
 */
export class ChokidarWatcher implements TreeWatcher {
  private watcher: ChokidarFSWatcher | undefined;
  private readonly sourcePrefix: string;

  constructor(
    private readonly source: string,
    private readonly ignored: (rel: string) => boolean,
    private readonly handlers: WatchHandlers,
  ) {
    this.sourcePrefix = source.endsWith(sep) ? source : source + sep;
  }

  private relativeOf(abs: string): string | undefined {
    // chokidar's paths are the source joined with names: slicing is enough
    // (path.relative normalizes both sides, and is asked on every listing).
    if (abs === this.source) return '';
    if (
      sep === '/' &&
      abs.startsWith(this.sourcePrefix) &&
      !abs.endsWith('/') &&
      !abs.includes('//', this.source.length) &&
      !abs.includes('/.', this.source.length) // `.`, `..` (and dot names: the slow way)
    )
      return abs.slice(this.sourcePrefix.length);
    const rel = relative(this.source, abs);
    // `..name` is a child; `..` and `../x` are outside.
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return undefined;
    return rel.split(sep).join('/');
  }

  async start(): Promise<void> {
    const watcher = chokidarWatch(this.source, {
      ignoreInitial: true,
      followSymlinks: false,
      atomic: false,
      persistent: true,
      ignorePermissionErrors: false,
      ignored: (abs: string) => {
        const rel = this.relativeOf(abs);
        return rel === undefined || this.ignored(rel);
      },
    });
    this.watcher = watcher;
    const onPath = (abs: string): void => {
      const rel = this.relativeOf(abs);
      if (rel !== undefined) this.handlers.path(rel);
    };
    for (const ev of ['add', 'addDir', 'unlink', 'unlinkDir'] as const) watcher.on(ev, onPath);
    watcher.on('raw', (_kind, name, details) => {
      const watched = (details as { watchedPath?: unknown } | undefined)?.watchedPath;
      if (typeof watched !== 'string') {
        // Under polling (CHOKIDAR_USEPOLLING) raw events carry the full path.
        if (typeof name === 'string' && isAbsolute(name)) onPath(name);
        return;
      }
      const at = this.relativeOf(isAbsolute(watched) ? watched : resolve(watched));
      if (at !== undefined)
        this.handlers.event(at, typeof name === 'string' && name !== '' ? name : null);
    });
    watcher.on('error', (err: unknown) => {
      const path = (err as { path?: string }).path;
      this.handlers.error((path && this.relativeOf(path)) || '', toError(err));
    });
    await new Promise<void>((res, rej) => {
      watcher.once('ready', res);
      watcher.once('error', rej);
    });
  }

  watchDir(): void {}

  watching(): boolean {
    return false;
  }

  unwatchTree(): void {}

  async close(): Promise<void> {
    await this.watcher?.close();
  }
}
