/**
 * How one change reaches the journal: `ChangeWriter` groups a change's
 * records (a file's creation, writes and attributes; a subtree's removals)
 * into a transaction when there is more than one, and flushes a large one in
 * parts; `AppendsInFlight` sends records without waiting for durability,
 * keeping the bytes in flight bounded.
 *
 * Not guaranteed: durability. An append resolves when the journal took it;
 * the capture's `idle()` waits for every append and flushes the journal.
 */
import type { Journal } from '../../store/journal.js';
import { RecordKind, type RecordInput } from '../../record/record.js';

/** Where a ChangeWriter sends records. */
export interface RecordSink {
  /** The journal's last LSN: the next record appended gets the one after. */
  lastLsn(): number;
  /** Appends records in order (not waiting for durability); `bytes`: their data, for the bound. */
  append(records: RecordInput[], bytes: number): void;
}

/** Pending bytes past which an open change is flushed into its transaction. */
const FLUSH_BYTES = 4 * 1024 * 1024;

/** Appends a change's records, opening a transaction only when there is more than one. */
export class ChangeWriter {
  private pending: RecordInput[] = [];
  private pendingBytes = 0;
  private txn = 0;

  constructor(private readonly sink: RecordSink) {}

  /** Adds a record to the change (undefined: nothing); flushes past FLUSH_BYTES. */
  push(r: RecordInput | undefined): void {
    if (!r) return;
    this.pending.push(r);
    this.pendingBytes += r.data?.length ?? 0;
    if (this.pendingBytes >= FLUSH_BYTES) this.flushOut();
  }

  /** Sends what is pending inside the (now opened) transaction. */
  private flushOut(): void {
    if (this.txn === 0) {
      // The transaction id is the LSN its TXN_BEGIN gets: unique in the journal.
      this.txn = this.sink.lastLsn() + 1;
      this.pending.unshift({ kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn: this.txn });
    }
    for (const r of this.pending) r.txn = this.txn;
    this.sink.append(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Ends the change: one record alone, or the transaction with its TXN_COMMIT. */
  commit(): void {
    if (this.txn === 0 && this.pending.length <= 1) {
      if (this.pending.length === 1) this.sink.append(this.pending, this.pendingBytes);
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

/** Bytes of record data in flight past which `throttle()` waits. */
const MAX_INFLIGHT_BYTES = 16 * 1024 * 1024;

/**
 * Appends not yet resolved, and the bytes of data they carry. A failed
 * append is handed to `onError` (the capture fails), never left unhandled.
 */
export class AppendsInFlight {
  private readonly inflight = new Set<Promise<unknown>>();
  private bytes = 0;

  constructor(
    private readonly journal: Journal,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** How many appends are in flight. */
  get size(): number {
    return this.inflight.size;
  }

  /** The appends in flight now. */
  promises(): Promise<unknown>[] {
    return [...this.inflight];
  }

  /** Appends records in order without waiting for durability. */
  append(records: RecordInput[], bytes: number): void {
    const p = this.journal.appendMany(records);
    this.inflight.add(p);
    this.bytes += bytes;
    p.then(
      () => undefined,
      (err: unknown) => this.onError(err),
    ).finally(() => {
      this.inflight.delete(p);
      this.bytes -= bytes;
    });
  }

  /** Waits while more than MAX_INFLIGHT_BYTES of data are in flight: memory stays bounded. */
  async throttle(): Promise<void> {
    while (this.bytes > MAX_INFLIGHT_BYTES && this.inflight.size > 0) {
      await Promise.race(this.inflight).catch(() => undefined);
    }
  }
}
