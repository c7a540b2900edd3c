/**
 * Transaction visibility for anything that replays records: the records of
 * a transaction are held from its TXN_BEGIN until its TXN_COMMIT, then let
 * through together; TXN_ABORT drops them. Held in memory: a transaction is
 * bounded by what a capture puts in one (one file's changed blocks).
 */
import { RecordKind, type JournalEntry } from '../record/record.js';

/** A transaction open at some point of the journal. */
export interface OpenTxn {
  txn: number;
  /** LSN of its TXN_BEGIN. */
  beginLsn: number;
}

/** What to do with an entry: nothing yet, apply it, or apply a committed transaction. */
export type Admitted =
  | { kind: 'held' }
  | { kind: 'one'; entry: JournalEntry }
  | { kind: 'commit'; txn: number; entries: JournalEntry[] };

export class TxnGate {
  private readonly held = new Map<number, JournalEntry[]>();
  private readonly begins = new Map<number, number>();

  admit(entry: JournalEntry): Admitted {
    const r = entry.record;
    switch (r.kind) {
      case RecordKind.RECORD_KIND_TXN_BEGIN:
        this.held.set(r.txn, []);
        this.begins.set(r.txn, entry.lsn);
        return { kind: 'held' };
      case RecordKind.RECORD_KIND_TXN_COMMIT:
        // The transaction stays open until the caller says it is applied
        // (`applied`): if applying fails, it is still open, and a position
        // kept below its TXN_BEGIN makes the whole of it come again.
        return { kind: 'commit', txn: r.txn, entries: this.held.get(r.txn) ?? [] };
      case RecordKind.RECORD_KIND_TXN_ABORT:
        this.close(r.txn);
        return { kind: 'held' };
      default: {
        const held = r.txn ? this.held.get(r.txn) : undefined;
        if (!held) return { kind: 'one', entry };
        held.push(entry);
        return { kind: 'held' };
      }
    }
  }

  /** A committed transaction's records are applied: it is closed. */
  applied(txn: number): void {
    this.close(txn);
  }

  private close(txn: number): void {
    this.held.delete(txn);
    this.begins.delete(txn);
  }

  /** The records held so far for an open transaction. */
  heldFor(txn: number): readonly JournalEntry[] {
    return this.held.get(txn) ?? [];
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
