/**
 * Synchronous replication for mount mode (`--sync-replicas N`, DRBD's
 * protocol C for a tree): an operation returns only once N replicas have
 * made its records durable. A wait longer than the timeout degrades to
 * asynchronous replication (the journal stays complete; only the wait is
 * dropped) until the replicas have caught up with everything before the
 * next operation, which then waits again.
 *
 * The journal knows nothing of replicas: the primary injects a `ReplicaWaiter`.
 */
import type { Logger } from '../../logger.js';

/** What the gate needs to know about replicas (the primary's registry). */
export interface ReplicaWaiter {
  /** Resolves true once `count` replicas have made `lsn` durable, false after `timeoutMs`. */
  waitForReplicas(
    count: number,
    lsn: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean>;
  /** How many replicas have made `lsn` durable now. */
  replicasDurableAt(lsn: number): number;
}

export interface SyncReplicationOptions {
  /** Replicas that must hold a change before it returns (0: asynchronous). */
  required: number;
  /** How long one operation waits before replication degrades. */
  timeoutMs: number;
  waiter: ReplicaWaiter;
}

/** Reported in the primary's status as `syncReplication`. */
export interface SyncReplicationStatus {
  required: number;
  timeoutMs: number;
  state: 'sync' | 'degraded';
  /** ISO time of the last switch to degraded, while degraded. */
  degradedSince: string | null;
  /** How many times replication degraded since start. */
  degradations: number;
  /** Operations that waited for replicas, and those whose wait timed out. */
  waits: number;
  timeouts: number;
}

export class SyncGate {
  private state: 'sync' | 'degraded' = 'sync';
  private degradedSince: number | null = null;
  private degradations = 0;
  private waits = 0;
  private timeouts = 0;
  /** Aborted when replication degrades: every wait in progress ends then. */
  private epoch = new AbortController();

  constructor(
    private readonly o: SyncReplicationOptions,
    private readonly lastLsn: () => number,
    private readonly logger?: Logger,
  ) {}

  /**
   * Waits, when synchronous, until enough replicas hold `lastLsn`. In the
   * degraded state returns at once, unless the replicas hold everything
   * before `firstLsn`: then replication is synchronous again and this waits.
   */
  async wait(firstLsn: number, lastLsn: number): Promise<void> {
    if (this.o.required <= 0) return;
    if (this.state === 'degraded') {
      if (this.o.waiter.replicasDurableAt(firstLsn - 1) < this.o.required) return;
      this.resync();
    }
    this.waits++;
    const signal = this.epoch.signal;
    const ok = await this.o.waiter.waitForReplicas(
      this.o.required,
      lastLsn,
      this.o.timeoutMs,
      signal,
    );
    if (ok || signal.aborted) return;
    this.timeouts++;
    if (this.state === 'sync') {
      this.state = 'degraded';
      this.degradedSince = Date.now();
      this.degradations++;
      this.logger?.warn(
        { required: this.o.required, timeoutMs: this.o.timeoutMs, lsn: lastLsn },
        'synchronous replication degraded to asynchronous: replicas did not acknowledge in time',
      );
      const old = this.epoch;
      this.epoch = new AbortController();
      old.abort();
    }
  }

  private resync(): void {
    this.state = 'sync';
    this.degradedSince = null;
    this.logger?.info({ required: this.o.required }, 'synchronous replication resumed');
  }

  status(): SyncReplicationStatus {
    // With no operation coming, a caught-up replica set still counts as synchronous.
    if (
      this.state === 'degraded' &&
      this.o.waiter.replicasDurableAt(this.lastLsn()) >= this.o.required
    ) {
      this.resync();
    }
    return {
      required: this.o.required,
      timeoutMs: this.o.timeoutMs,
      state: this.state,
      degradedSince:
        this.degradedSince === null ? null : new Date(this.degradedSince).toISOString(),
      degradations: this.degradations,
      waits: this.waits,
      timeouts: this.timeouts,
    };
  }
}
