/**
 * Open transactions in bounded memory: past the gate's budget, held data
 * goes to an unlinked spool file and comes back, byte for byte, when the
 * transaction commits; an abort gives the space back. Driven through the
 * gate, the tree applier (a replica's, onto a real folder) and restore.
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Checkpoints,
  Journal,
  RecordKind,
  restoreTree,
  TreeApplier,
  type JournalEntry,
  type RecordInput,
} from '@fsjournal/journal';
import { Spool, TxnGate } from '@fsjournal/journal/internal';
import { decodeRecord, encodeRecord } from '@fsjournal/journal/internal';
import { tempDir } from './helpers.js';

const MiB = 1024 * 1024;

/** Entries as a journal read or a stream would hand them over (decoded, so owned by the caller). */
function entries(records: RecordInput[], firstLsn = 1): JournalEntry[] {
  return records.map((r, i) => ({
    lsn: firstLsn + i,
    timeUs: 1_700_000_000_000_000 + i,
    record: decodeRecord(encodeRecord(r)),
  }));
}

/** A new file of `pieces` MiB-sized WRITEs inside transaction `txn`, committed. */
function bigFile(txn: number, path: string, content: Buffer): RecordInput[] {
  const out: RecordInput[] = [
    { kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn },
    { kind: RecordKind.RECORD_KIND_CREATE, txn, path, mode: 0o644 },
  ];
  for (let off = 0; off < content.length; off += MiB) {
    out.push({
      kind: RecordKind.RECORD_KIND_WRITE,
      txn,
      path,
      offset: off,
      data: content.subarray(off, off + MiB),
    });
  }
  out.push({ kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn });
  return out;
}

describe('Spool', () => {
  it('gives back what was put, leaves no file in its folder, and reuses its space once nothing is held', async () => {
    const dir = await tempDir();
    const spool = new Spool(dir);
    const a = randomBytes(300_000);
    const b = randomBytes(5);
    const [ra, rb] = await Promise.all([spool.put(a), spool.put(b)]);
    expect(await readdir(dir)).toEqual([]);
    expect(Buffer.compare(await spool.get(rb), b)).toBe(0);
    expect(Buffer.compare(await spool.get(ra), a)).toBe(0);
    expect(spool.heldBytes).toBe(300_005);
    spool.release(2);
    expect(spool.heldBytes).toBe(0);
    const c = randomBytes(10);
    const rc = await spool.put(c);
    expect(rc.offset).toBe(0);
    expect(Buffer.compare(await spool.get(rc), c)).toBe(0);
    await spool.close();
    await expect(spool.put(c)).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_CLOSED' });
  });
});

describe('TxnGate with a spool', () => {
  it('holds at most its budget in memory and yields every record whole at the commit', async () => {
    const spool = new Spool(await tempDir());
    const gate = new TxnGate({ spool, memoryBytes: 2 * MiB });
    const content = randomBytes(12 * MiB + 123);
    const es = entries(bigFile(1, 'big', content));
    let peak = 0;
    let commit: ReturnType<TxnGate['admit']> | undefined;
    for (const e of es) {
      const a = gate.admit(e);
      if (a.kind === 'held') await a.spooled;
      else commit = a;
      peak = Math.max(peak, gate.heldMemoryBytes);
    }
    expect(peak).toBeLessThanOrEqual(2 * MiB);
    expect(spool.heldBytes).toBeGreaterThanOrEqual(10 * MiB);
    expect(commit?.kind).toBe('commit');
    if (commit?.kind !== 'commit') return;
    // Twice: a commit whose apply failed is applied again from the start.
    for (let round = 0; round < 2; round++) {
      const parts: Buffer[] = [];
      for await (const e of commit.records()) {
        if (e.record.kind === RecordKind.RECORD_KIND_WRITE) parts.push(Buffer.from(e.record.data));
      }
      expect(Buffer.compare(Buffer.concat(parts), content)).toBe(0);
    }
    gate.applied(1);
    await new Promise((r) => setTimeout(r, 20));
    expect(gate.heldMemoryBytes).toBe(0);
    expect(spool.heldBytes).toBe(0);
    await spool.close();
  });

  it('gives the space back on TXN_ABORT', async () => {
    const spool = new Spool(await tempDir());
    const gate = new TxnGate({ spool, memoryBytes: MiB });
    const records = bigFile(7, 'gone', randomBytes(4 * MiB)).slice(0, -1);
    records.push({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn: 7 });
    for (const e of entries(records)) {
      const a = gate.admit(e);
      expect(a.kind).toBe('held');
      if (a.kind === 'held') await a.spooled;
    }
    await new Promise((r) => setTimeout(r, 20));
    expect(gate.open).toEqual([]);
    expect(gate.heldMemoryBytes).toBe(0);
    expect(spool.heldBytes).toBe(0);
    await spool.close();
  });

  it('holds everything in memory without a spool', () => {
    const gate = new TxnGate({ memoryBytes: MiB });
    for (const e of entries(bigFile(1, 'big', randomBytes(4 * MiB))).slice(0, -1)) gate.admit(e);
    expect(gate.heldMemoryBytes).toBe(4 * MiB);
  });
});

describe('a transaction as large as a file', () => {
  it('reaches a folder whole through a replica-style applier, never holding more than the budget', async () => {
    const target = await tempDir();
    const state = await tempDir();
    const applier = new TreeApplier(target, { atomicCreate: true, spoolDir: state });
    const content = randomBytes(40 * MiB + 7);
    let peak = 0;
    for (const e of entries(bigFile(1, 'big.bin', content))) {
      await applier.submit(e);
      peak = Math.max(peak, applier.heldMemoryBytes);
    }
    await applier.close();
    expect(peak).toBeLessThanOrEqual(8 * MiB);
    expect(Buffer.compare(await readFile(join(target, 'big.bin')), content)).toBe(0);
    expect(await readdir(target)).toEqual(['big.bin']);
    expect(await readdir(state)).toEqual([]);
  });

  it('is restored whole, and a checkpoint taken after it holds it whole', async () => {
    const dir = await tempDir();
    const journal = await Journal.open({ dir: join(dir, 'journal'), create: true });
    const content = randomBytes(24 * MiB + 5);
    const other = Buffer.from('beside it\n');
    const records = bigFile(1, 'big.bin', content);
    // Another change interleaved with the open transaction, as a capture journals them.
    records.splice(5, 0, { kind: RecordKind.RECORD_KIND_CREATE, path: 'small', mode: 0o644 });
    records.splice(6, 0, {
      kind: RecordKind.RECORD_KIND_WRITE,
      path: 'small',
      offset: 0,
      data: other,
    });
    for (const r of records) await journal.append(r);
    await journal.flush();
    const lsn = journal.lastLsn;
    const check = async (to: string, checkpoint: string | null): Promise<void> => {
      const r = await restoreTree({ journalDir: join(dir, 'journal'), to, lsn });
      expect(r.checkpoint).toBe(checkpoint);
      expect(Buffer.compare(await readFile(join(to, 'big.bin')), content)).toBe(0);
      expect((await readFile(join(to, 'small'))).toString()).toBe(other.toString());
      expect((await readdir(to)).sort()).toEqual(['big.bin', 'small']);
    };
    await check(join(dir, 'replayed'), null);
    const checkpoints = await Checkpoints.open(journal.dir);
    const cp = await checkpoints.create(journal, lsn);
    await checkpoints.close();
    await journal.close();
    await check(join(dir, 'from-checkpoint'), cp.id);
    expect((await readdir(join(dir, 'journal'))).filter((n) => n.includes('spool'))).toEqual([]);
  });
});
