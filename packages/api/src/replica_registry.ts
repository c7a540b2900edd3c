/**
 * What the primary knows about its replicas: who connected, from where, how
 * far each has applied and made durable, and how far behind it is. Positions
 * only move forward. Known replicas are kept in `replicas.json` beside the
 * journal so that retention can hold records none of them has yet.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurable, type Journal } from '@fsjournal/journal';

/** A replica as `GET /v1/replicas` reports it (DESIGN.md). */
export interface ReplicaRow {
  id: string;
  connected: boolean;
  address: string | null;
  appliedLsn: number;
  durableLsn: number;
  lagRecords: number;
  lagBytes: number;
  lagMs: number;
  lastAckAt: string | null;
}

interface Known {
  id: string;
  address: string | null;
  appliedLsn: number;
  durableLsn: number;
  lastAckAt: number | null;
  /** When it was last connected (ms): what `--replica-expire` counts from. */
  seenAt: number;
  connected: boolean;
  /** Times of records sent but not yet acknowledged, oldest first: [lsn, time us]. */
  inFlight: [number, number][];
  connectedAt: number;
}

const FILE = 'replicas.json';

/** Replicas a primary keeps rows for; a Hello under a new id past it is refused. */
export const MAX_KNOWN_REPLICAS = 256;

export class ReplicaRegistry {
  private readonly replicas = new Map<string, Known>();
  private readonly waiters = new Set<() => void>();
  private saving: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly journal: Journal,
    /** Rows of replicas not connected for this long are dropped (ms; `--replica-expire`). */
    private readonly expireMs = 7 * 86_400_000,
  ) {}

  /** Loads the replicas known from earlier runs (all disconnected). */
  async load(): Promise<void> {
    let list: {
      id: string;
      appliedLsn: number;
      durableLsn: number;
      lastAckAt: number | null;
      seenAt?: number;
    }[];
    try {
      list = JSON.parse(await readFile(join(this.journal.dir, FILE), 'utf8')) as typeof list;
    } catch {
      return;
    }
    if (!Array.isArray(list)) return;
    for (const r of list) {
      if (typeof r?.id !== 'string') continue;
      this.replicas.set(r.id, {
        id: r.id,
        address: null,
        appliedLsn: Number(r.appliedLsn) || 0,
        durableLsn: Number(r.durableLsn) || 0,
        lastAckAt: typeof r.lastAckAt === 'number' ? r.lastAckAt : null,
        // Rows of earlier builds have no seenAt: counted from now.
        seenAt: typeof r.seenAt === 'number' ? r.seenAt : Date.now(),
        connected: false,
        inFlight: [],
        connectedAt: Date.now(),
      });
    }
    this.expire();
  }

  /** Whether a Hello under `id` may be served: a known id, or room for a new one. */
  admits(id: string): boolean {
    return this.replicas.has(id) || this.replicas.size < MAX_KNOWN_REPLICAS;
  }

  /**
   * Forgets a replica that is not connected (`DELETE /v1/replicas/:id`):
   * its row and its retention hold. 'connected' when it is, 'unknown' when
   * there is no such row.
   */
  forget(id: string): 'forgotten' | 'connected' | 'unknown' {
    const r = this.replicas.get(id);
    if (!r) return 'unknown';
    if (r.connected) return 'connected';
    this.replicas.delete(id);
    this.changed();
    return 'forgotten';
  }

  /** Drops rows of replicas not connected for `expireMs`; answers their ids. */
  expire(nowMs = Date.now()): string[] {
    const gone: string[] = [];
    for (const r of this.replicas.values()) {
      if (!r.connected && nowMs - r.seenAt > this.expireMs) gone.push(r.id);
    }
    for (const id of gone) this.replicas.delete(id);
    if (gone.length > 0) this.changed();
    return gone;
  }

  /**
   * A replica said Hello with its durable position. A claim never raises
   * what is recorded (only acknowledgements of records a connection
   * delivered do, session.ts): a replica continuing from at least its
   * recorded durable position keeps its row, which its next Ack brings
   * forward. A replica that starts over (`fresh`: Hello without a journal
   * id, an empty target) or whose durable position is below the recorded one
   * (its state was lost or restored) restarts from its claim; an id never
   * seen starts at 0.
   */
  connected(id: string, address: string | null, lastAppliedLsn: number, fresh = false): void {
    const r = this.replicas.get(id);
    const continues = r !== undefined && !fresh && lastAppliedLsn >= r.durableLsn;
    const restart = r === undefined ? 0 : Math.min(lastAppliedLsn, r.durableLsn);
    const row: Known = {
      id,
      address,
      appliedLsn: continues ? r.appliedLsn : fresh ? 0 : restart,
      durableLsn: continues ? r.durableLsn : fresh ? 0 : restart,
      lastAckAt: r?.lastAckAt ?? null,
      seenAt: Date.now(),
      connected: true,
      inFlight: [],
      connectedAt: Date.now(),
    };
    this.replicas.set(id, row);
    this.changed();
  }

  disconnected(id: string): void {
    const r = this.replicas.get(id);
    if (r) {
      r.connected = false;
      r.seenAt = Date.now();
      r.inFlight = [];
      this.changed();
    }
  }

  /** Notes records sent to a replica (for lag in milliseconds). */
  sent(id: string, frames: { lsn: number; timeUs: number }[]): void {
    const r = this.replicas.get(id);
    if (!r) return;
    for (const f of frames) r.inFlight.push([f.lsn, f.timeUs]);
  }

  acked(id: string, appliedLsn: number, durableLsn: number): void {
    const r = this.replicas.get(id);
    if (!r) return;
    r.appliedLsn = Math.max(r.appliedLsn, appliedLsn);
    r.durableLsn = Math.max(r.durableLsn, durableLsn);
    r.lastAckAt = Date.now();
    while (r.inFlight.length > 0 && r.inFlight[0]![0] <= r.appliedLsn) r.inFlight.shift();
    this.changed();
  }

  row(id: string): ReplicaRow | undefined {
    const r = this.replicas.get(id);
    return r && this.toRow(r);
  }

  rows(): ReplicaRow[] {
    return [...this.replicas.values()]
      .map((r) => this.toRow(r))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The replica with the lowest durable LSN, and that LSN: what holds retention back. */
  hold(): { replicaId: string; lsn: number } | undefined {
    let h: { replicaId: string; lsn: number } | undefined;
    for (const r of this.replicas.values())
      if (h === undefined || r.durableLsn < h.lsn) h = { replicaId: r.id, lsn: r.durableLsn };
    return h;
  }

  /** The lowest durable LSN among known replicas (what retention must keep above). */
  minDurableLsn(): number | undefined {
    return this.hold()?.lsn;
  }

  /**
   * Resolves with the replica's row once it has applied `lsn` and made it
   * durable (its position is persisted past it), or undefined after `timeoutMs`.
   */
  async waitFor(id: string, lsn: number, timeoutMs: number): Promise<ReplicaRow | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.replicas.get(id);
      // Applied and durable: what a failover may rely on.
      if (r && r.durableLsn >= lsn) return this.toRow(r);
      const left = deadline - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((res) => {
        const t = setTimeout(done, left);
        const waiters = this.waiters;
        function done(): void {
          clearTimeout(t);
          waiters.delete(done);
          res();
        }
        waiters.add(done);
      });
    }
  }

  /** How many known replicas have made `lsn` durable. */
  replicasDurableAt(lsn: number): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.durableLsn >= lsn) n++;
    return n;
  }

  /**
   * Resolves true once `count` replicas have made `lsn` durable, false after
   * `timeoutMs` or when `signal` aborts (mount mode's synchronous replication).
   */
  async waitForReplicas(
    count: number,
    lsn: number,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.replicasDurableAt(lsn) >= count) return true;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return false;
      await new Promise<void>((res) => {
        const waiters = this.waiters;
        const t = setTimeout(done, left);
        signal?.addEventListener('abort', done, { once: true });
        function done(): void {
          clearTimeout(t);
          waiters.delete(done);
          signal?.removeEventListener('abort', done);
          res();
        }
        waiters.add(done);
      });
    }
  }

  private toRow(r: Known): ReplicaRow {
    const newest = this.journal.durableLsn;
    const lagRecords = Math.max(0, newest - r.appliedLsn);
    const oldest = r.inFlight[0];
    let lagMs = 0;
    if (lagRecords > 0) {
      lagMs = oldest
        ? Math.max(0, Math.round(Date.now() - oldest[1] / 1000))
        : Date.now() - (r.lastAckAt ?? r.connectedAt);
    }
    return {
      id: r.id,
      connected: r.connected,
      address: r.address,
      appliedLsn: r.appliedLsn,
      durableLsn: r.durableLsn,
      lagRecords,
      lagBytes: lagRecords > 0 ? this.journal.approxBytesAfter(r.appliedLsn) : 0,
      lagMs,
      lastAckAt: r.lastAckAt === null ? null : new Date(r.lastAckAt).toISOString(),
    };
  }

  private changed(): void {
    for (const w of [...this.waiters]) w();
    this.dirty = true;
    this.saving ??= this.save().finally(() => {
      this.saving = undefined;
    });
  }

  /** Persists known replicas, at most one write in flight, coalescing changes. */
  private async save(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      await new Promise((r) => setTimeout(r, 200));
      const list = [...this.replicas.values()].map((r) => ({
        id: r.id,
        appliedLsn: r.appliedLsn,
        durableLsn: r.durableLsn,
        lastAckAt: r.lastAckAt,
        seenAt: r.connected ? Date.now() : r.seenAt,
      }));
      await writeFileDurable(
        join(this.journal.dir, FILE),
        `${JSON.stringify(list, null, 2)}\n`,
      ).catch(() => undefined);
    }
  }

  /** Waits for a pending save. */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
  }
}
