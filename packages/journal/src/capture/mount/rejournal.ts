/**
 * Changes made on source whose records a failed journal lost, and their
 * journaling again once the journal takes records again (`resume()`).
 *
 * A change whose backing step was done but whose append failed is on
 * source; its caller got EIO. Its records are appended again, in the order
 * the changes were made (none was made after them: every later change was
 * refused before touching source), so the journal, and the replicas, end as
 * source is. Only what was lost is appended: the failure names the last
 * durable LSN, so records a segment roll made durable are not repeated; a
 * transaction cut there is aborted first and journaled whole under a new
 * id. Not guaranteed: a change lost by a crash (not a journal failure) is
 * not here; the next start writes a GAP for it (`mount_capture.ts`).
 */
import { isJournalError } from '../../errors.js';
import { RecordKind, type RecordInput } from '../../record/record.js';
import type { Journal } from '../../store/journal.js';

/** What a failed journal lost of one change: journaled again by resume(). */
export interface Lost {
  /** The change's place in the order changes were made. */
  seq: number;
  records: RecordInput[];
  /** A transaction whose TXN_BEGIN was made durable before the failure: abort it first. */
  abortTxn?: number;
}

/**
 * What of `records`, appended in one call from `firstLsn` on and refused
 * with `err`, the journal lost: none when `err` is not a failure of the
 * journal (a record it refuses as invalid can never be journaled), the
 * records after the last durable LSN the failure names (a segment roll
 * inside the call made the ones before it durable), or, for a transaction
 * cut there, all of it again with the transaction to abort.
 */
export function lostOf(
  seq: number,
  records: RecordInput[],
  firstLsn: number,
  err: unknown,
): Lost | undefined {
  if (!isJournalError(err, 'FSJ_ERR_JOURNAL_IO')) return undefined;
  const kept = Math.max(0, (err.lsn ?? 0) - firstLsn + 1);
  if (kept >= records.length) return undefined;
  const txn = records[0]?.kind === RecordKind.RECORD_KIND_TXN_BEGIN ? records[0].txn : undefined;
  if (kept > 0 && txn) return { seq, records: records.map(ownData), abortTxn: txn };
  return { seq, records: records.slice(kept).map(ownData) };
}

/** A record whose data no longer points into a buffer of the binding's (kept past the reply). */
export function ownData(r: RecordInput): RecordInput {
  const out = { ...r };
  if (r.data) out.data = Buffer.from(r.data);
  if (r.xattrValue) out.xattrValue = Buffer.from(r.xattrValue);
  return out;
}

/** The changes lost so far, kept until they are journaled again. */
export class LostChanges {
  private changes: Lost[] = [];

  /** Keeps `lost` (its records must own their data: see ownData). */
  add(lost: Lost): void {
    this.changes.push(lost);
  }

  /**
   * Appends every lost change again, in the order the changes were made;
   * resolves to the number of records appended. If an append fails, what
   * is still lost stays here for the next call, and the error is thrown.
   */
  async journalAgain(journal: Journal): Promise<number> {
    const changes = this.changes.sort((a, b) => a.seq - b.seq);
    let records = 0;
    while (changes.length > 0) {
      const change = changes[0]!;
      await journalChangeAgain(journal, change);
      records += change.records.length;
      changes.shift();
    }
    return records;
  }
}

/**
 * Appends what the journal lost of one change again, a transaction under a
 * new id. If that fails too, `change` is left saying what is still lost.
 */
async function journalChangeAgain(journal: Journal, change: Lost): Promise<void> {
  if (change.abortTxn !== undefined) {
    await journal.append({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn: change.abortTxn });
    change.abortTxn = undefined;
  }
  if (change.records.length === 0) return;
  // No await from here to the append: the id is the LSN its TXN_BEGIN gets.
  const firstLsn = journal.lastLsn + 1;
  const old = change.records[0]?.txn ?? undefined;
  if (change.records[0]?.kind === RecordKind.RECORD_KIND_TXN_BEGIN && old !== undefined) {
    for (const r of change.records) if (r.txn === old) r.txn = firstLsn;
  }
  try {
    await journal.appendMany(change.records);
  } catch (err) {
    Object.assign(change, lostOf(change.seq, change.records, firstLsn, err) ?? { records: [] });
    throw err;
  }
}
