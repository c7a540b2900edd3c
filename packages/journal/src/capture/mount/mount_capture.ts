/**
 * Mount-mode capture: `mountpoint` serves `source` through FUSE, and every
 * modifying operation is journaled before it returns to its caller, with the
 * caller's uid, gid, pid and command name.
 *
 * This module is the capture's life: mounting, the crash marker, barriers,
 * resume after a journal failure, unmounting. What a request does is
 * `dispatch.ts` (backing step, append, reply; the ordering and durability
 * rules are there), what is journaled for it `operation_records.ts`, what a
 * failed journal lost and resume() journals again `rejournal.ts`.
 *
 * Not guaranteed: a crash between a backing operation and its append leaves
 * that change on source and not in the journal; the next start can only say
 * so, with a GAP (`mount.active` beside the journal tells it there was a
 * crash).
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Capture } from '../capture.js';
import { writeFileDurable } from '../../sys/durable_file.js';
import { JournalError } from '../../errors.js';
import { loadFuseBinding, type FuseBinding, type FuseHandle } from '../../sys/fuse_native.js';
import type { Journal } from '../../store/journal.js';
import type { Logger } from '../../logger.js';
import { RecordKind } from '../../record/record.js';
import { MOUNT_FSTYPE, prepareMountpoint } from './mount_point.js';
import { SyncGate, type SyncReplicationOptions, type SyncReplicationStatus } from './sync_gate.js';
import { Dispatcher, type MountStats } from './dispatch.js';
import { LostChanges } from './rejournal.js';

export interface MountCaptureOptions {
  /** The backing folder. */
  source: string;
  /** Where the journaled view of `source` is mounted (an empty folder). */
  mountpoint: string;
  journal: Journal;
  logger?: Logger;
  /** Synchronous replication (`--sync-replicas`); absent or 0: asynchronous. */
  syncReplication?: SyncReplicationOptions;
  /** How long stop() waits for libfuse's loop to end after unmounting. Default 5 s. */
  exitTimeoutMs?: number;
}

/** The marker a running mount keeps beside the journal; found at start, it means a crash. */
const ACTIVE_MARKER = 'mount.active';

/** A mount of `source` at `mountpoint` whose changes are journaled (see the module header). */
export class MountCapture implements Capture {
  readonly stats: MountStats;
  readonly source: string;
  readonly mountpoint: string;
  private readonly journal: Journal;
  private readonly logger: Logger | undefined;
  private readonly binding: FuseBinding;
  private readonly gate: SyncGate | undefined;
  private readonly dispatch: Dispatcher;
  /** Changes made on source whose records the failed journal lost: journaled by resume(). */
  private readonly lost = new LostChanges();
  private handle: FuseHandle | undefined;
  private exited!: Promise<void>;
  private onExit!: () => void;
  private readonly failureListeners = new Set<(error: Error) => void>();
  private stopped = false;
  private readonly exitTimeoutMs: number;

  private constructor(o: MountCaptureOptions, binding: FuseBinding) {
    this.source = resolve(o.source);
    this.mountpoint = resolve(o.mountpoint);
    this.journal = o.journal;
    this.logger = o.logger;
    this.binding = binding;
    this.exitTimeoutMs = o.exitTimeoutMs ?? 5000;
    if (o.syncReplication && o.syncReplication.required > 0) {
      this.gate = new SyncGate(o.syncReplication, () => this.journal.lastLsn, o.logger);
    }
    this.exited = new Promise((res) => (this.onExit = res));
    this.dispatch = new Dispatcher({
      source: this.source,
      binding,
      journal: o.journal,
      logger: o.logger,
      gate: this.gate,
      lost: this.lost,
      stopped: () => this.stopped,
      onExit: () => this.loopEnded(),
      onFailed: (error) => {
        for (const l of this.failureListeners) l(error);
      },
    });
    this.stats = this.dispatch.stats;
  }

  /**
   * Checks and prepares the mountpoint (a stale mount from a crashed run is
   * detached), then mounts. Resolves once mounted.
   */
  static async start(o: MountCaptureOptions): Promise<MountCapture> {
    const binding = loadFuseBinding();
    if (binding instanceof Error) {
      throw new JournalError(
        'FSJ_ERR_MOUNT_UNAVAILABLE',
        `FUSE binding not available: ${binding.message.split('\n')[0]}`,
        { cause: binding },
      );
    }
    await prepareMountpoint(o.source, o.mountpoint, o.logger);
    const c = new MountCapture(o, binding);
    await c.noteEarlierCrash();
    const options = [
      'fsname=fsjournal',
      `subtype=${MOUNT_FSTYPE.slice('fuse.'.length)}`,
      // Callers other than the mounting user; the kernel checks permissions
      // against the attributes the pass-through reports (those of source).
      'allow_other',
      'default_permissions',
    ].join(',');
    try {
      c.handle = binding.mount(c.mountpoint, options, c.source, c.dispatch.onRequest);
    } catch (cause) {
      await rm(join(o.journal.dir, ACTIVE_MARKER), { force: true });
      throw new JournalError(
        'FSJ_ERR_MOUNT_FAILED',
        `mount ${c.mountpoint}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    o.logger?.info({ source: c.source, mountpoint: c.mountpoint }, 'mounted');
    return c;
  }

  /** The state of synchronous replication, when `syncReplication` asks for it. */
  syncStatus(): SyncReplicationStatus | undefined {
    return this.gate?.status();
  }

  /**
   * A run that crashed may have changed source without journaling it (the
   * window between a backing operation and its append): say so with a GAP.
   */
  private async noteEarlierCrash(): Promise<void> {
    const marker = join(this.journal.dir, ACTIVE_MARKER);
    let earlier: string | undefined;
    try {
      earlier = readFileSync(marker, 'utf8').trim();
    } catch {
      earlier = undefined;
    }
    if (earlier !== undefined) {
      this.logger?.warn({ marker }, 'the previous mount-mode run did not stop cleanly');
      await this.journal.append({
        kind: RecordKind.RECORD_KIND_GAP,
        path: '',
        text: `mount-mode run ${earlier} stopped without unmounting: operations in flight then may be on the source and not in the journal`,
      });
    }
    await writeFileDurable(marker, `pid ${process.pid}\n`);
  }

  /** EXIT from the binding: libfuse's loop ended (after stop(), or unmounted from outside). */
  private loopEnded(): void {
    if (!this.stopped) {
      this.logger?.warn(
        { mountpoint: this.mountpoint },
        'the mount went away (unmounted from outside?): no more changes can be journaled',
      );
    }
    if (this.handle) this.binding.finish(this.handle);
    this.onExit();
  }

  async barrier(barrierId: string): Promise<number> {
    if (this.stopped) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped');
    // Every change that returned before this call has its records appended;
    // the order lock puts the barrier after those in progress too.
    // (Wrapped: the lock is held for the append call, not for its durability.)
    const { appended } = await this.dispatch.ordered(async () => ({
      appended: this.journal.append({ kind: RecordKind.RECORD_KIND_BARRIER, barrierId }),
    }));
    return (await appended).lastLsn;
  }

  async idle(): Promise<void> {
    const inflight = this.dispatch.inflight;
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
    await this.journal.flush();
    if (this.dispatch.failure) throw this.dispatch.failure;
  }

  /** The error that stopped taking changes, until resume() succeeds. */
  get failure(): Error | undefined {
    return this.dispatch.failure;
  }

  onFailed(listener: (error: Error) => void): () => void {
    this.failureListeners.add(listener);
    return () => this.failureListeners.delete(listener);
  }

  /**
   * Takes changes again once the journal does, after `gap` (a GAP record's
   * text) when given. What the failed journal lost of changes made on
   * source is journaled again first, in the order they were made
   * (rejournal.ts); if that fails, the capture stays failed.
   */
  async resume(options: { gap?: string } = {}): Promise<void> {
    if (this.stopped) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'capture stopped');
    await this.dispatch.ordered(async () => {
      if (options.gap !== undefined) {
        await this.journal.append({
          kind: RecordKind.RECORD_KIND_GAP,
          path: '',
          text: options.gap,
        });
      }
      const records = await this.lost.journalAgain(this.journal);
      this.dispatch.clearFailure();
      this.logger?.info(
        { records, lsn: this.journal.lastLsn },
        'mount takes changes again; changes the failed journal lost are journaled',
      );
    });
  }

  /** Unmounts (lazily: open files keep working until closed), waits for the loop to end. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.handle) {
      this.binding.unmount(this.handle);
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((res) => (timer = setTimeout(() => res(true), this.exitTimeoutMs))),
      ]);
      clearTimeout(timer);
      if (timedOut)
        this.logger?.warn({ mountpoint: this.mountpoint }, 'FUSE loop still busy after unmount');
    }
    await Promise.allSettled([...this.dispatch.inflight]);
    await this.journal.flush().catch(() => undefined);
    if (!this.dispatch.failure) await rm(join(this.journal.dir, ACTIVE_MARKER), { force: true });
    this.logger?.info({ mountpoint: this.mountpoint, ...this.stats }, 'unmounted');
  }
}
