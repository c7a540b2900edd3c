/**
 * Transaction visibility for anything that replays records: the records of
 * a transaction are held from its TXN_BEGIN until its TXN_COMMIT, then let
 * through together; TXN_ABORT drops them.
 *
 * A transaction can be as large as a file (a capture journals a new file's
 * content as one), so held data is bounded: past `memoryBytes` of it, the
 * data of further held records goes to a `Spool` on disk and comes back,
 * one record at a time, as the committed transaction is applied
 * (`Admitted.records`). Without a spool everything is held in memory.
 *
 * The gate takes held entries over: a spooled entry's `record.data` is
 * empty until `records` yields it again.
 */
import { RecordKind, type JournalEntry } from '../record/record.js';
import type { Spool, SpoolRef } from './spool.js';

/** A transaction open at some point of the journal. */
export interface OpenTxn {
  txn: number;
  /** LSN of its TXN_BEGIN. */
  beginLsn: number;
}

/** What to do with an entry: nothing yet, apply it, or apply a committed transaction. */
export type Admitted =
  | {
      kind: 'held';
      /** Settles once the entry's data is in the spool (undefined: held in memory); rejects if writing it failed. */
      spooled?: Promise<void>;
    }
  | { kind: 'one'; entry: JournalEntry }
  | {
      kind: 'commit';
      txn: number;
      /** The held records in order, data of spooled ones empty: for what they touch, not to apply. */
      entries: readonly JournalEntry[];
      /** The held records in order, each with its data (read back from the spool): to apply. */
      records: () => AsyncIterable<JournalEntry>;
    };

export interface TxnGateOptions {
  /** Where held data goes past `memoryBytes`; none: everything in memory. */
  spool?: Spool;
  /** Held data kept in memory, all transactions together (default 8 MiB). */
  memoryBytes?: number;
}

/** One open transaction's records, and where the spooled ones' data is. */
interface Held {
  entries: JournalEntry[];
  spooled: Map<JournalEntry, Promise<SpoolRef>>;
  /** Bytes of its records' data held in memory. */
  memoryBytes: number;
}

const EMPTY = new Uint8Array(0);

export class TxnGate {
  private readonly held = new Map<number, Held>();
  private readonly begins = new Map<number, number>();
  private readonly spool: Spool | undefined;
  private readonly memoryLimit: number;
  /** Held data in memory, all transactions. */
  private memoryBytes = 0;

  constructor(o: TxnGateOptions = {}) {
    this.spool = o.spool;
    this.memoryLimit = o.memoryBytes ?? 8 * 1024 * 1024;
  }

  /** Bytes of held data in memory now (spooled data not counted). */
  get heldMemoryBytes(): number {
    return this.memoryBytes;
  }

  admit(entry: JournalEntry): Admitted {
    const r = entry.record;
    switch (r.kind) {
      case RecordKind.RECORD_KIND_TXN_BEGIN:
        this.held.set(r.txn, { entries: [], spooled: new Map(), memoryBytes: 0 });
        this.begins.set(r.txn, entry.lsn);
        return { kind: 'held' };
      case RecordKind.RECORD_KIND_TXN_COMMIT: {
        // The transaction stays open until the caller says it is applied
        // (`applied`): if applying fails, it is still open, and a position
        // kept below its TXN_BEGIN makes the whole of it come again.
        const held = this.held.get(r.txn);
        const entries = held?.entries ?? [];
        return {
          kind: 'commit',
          txn: r.txn,
          entries,
          records: () => this.records(held),
        };
      }
      case RecordKind.RECORD_KIND_TXN_ABORT:
        this.close(r.txn);
        return { kind: 'held' };
      default: {
        const held = r.txn ? this.held.get(r.txn) : undefined;
        if (!held) return { kind: 'one', entry };
        held.entries.push(entry);
        const bytes = r.data?.length ?? 0;
        if (bytes === 0) return { kind: 'held' };
        if (!this.spool || this.memoryBytes + bytes <= this.memoryLimit) {
          this.memoryBytes += bytes;
          held.memoryBytes += bytes;
          return { kind: 'held' };
        }
        // The data is copied out: the decoded record's bytes may be a view
        // of a whole received message, which is freed with it.
        const ref = this.spool.put(r.data);
        r.data = EMPTY;
        held.spooled.set(entry, ref);
        return { kind: 'held', spooled: ref.then(() => undefined) };
      }
    }
  }

  /** A committed transaction's records are applied: it is closed. */
  applied(txn: number): void {
    this.close(txn);
  }

  private close(txn: number): void {
    const held = this.held.get(txn);
    this.held.delete(txn);
    this.begins.delete(txn);
    if (!held) return;
    this.memoryBytes -= held.memoryBytes;
    const refs = [...held.spooled.values()];
    // Released only once no write of them is still going on.
    if (refs.length > 0 && this.spool) {
      const spool = this.spool;
      void Promise.allSettled(refs).then(() => spool.release(refs.length));
    }
  }

  private async *records(held: Held | undefined): AsyncIterable<JournalEntry> {
    if (!held) return;
    for (const e of held.entries) {
      const ref = held.spooled.get(e);
      if (ref && this.spool) e.record.data = await this.spool.get(await ref);
      yield e;
      // Applied: its data is not needed again unless the whole transaction is retried.
      if (ref) e.record.data = EMPTY;
    }
  }

  /** The records held so far for an open transaction (data of spooled ones empty). */
  heldFor(txn: number): readonly JournalEntry[] {
    return this.held.get(txn)?.entries ?? [];
  }

  isOpen(txn: number): boolean {
    return this.held.has(txn);
  }

  /** Transactions begun and not yet committed or aborted, oldest first. */
  get open(): OpenTxn[] {
    return [...this.begins]
      .map(([txn, beginLsn]) => ({ txn, beginLsn }))
      .sort((a, b) => a.beginLsn - b.beginLsn);
  }

  /** LSN of the oldest open transaction's TXN_BEGIN, if any. */
  get oldestBegin(): number | undefined {
    let min: number | undefined;
    for (const lsn of this.begins.values()) if (min === undefined || lsn < min) min = lsn;
    return min;
  }
}
