/**
 * What the replica's applier says must be fsynced before a position covers
 * it (`takeTouched`): a new file built in a temp file and renamed into place
 * is named by its final name, and a rename carries what was touched along.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind, TreeApplier, type JournalEntry, type RecordInput } from '@fsjournal/journal';
import { decodeRecord, encodeRecord } from '@fsjournal/journal/internal';
import { tempDir } from './helpers.js';

function entries(records: RecordInput[]): JournalEntry[] {
  return records.map((r, i) => ({
    lsn: i + 1,
    timeUs: 1_700_000_000_000_000 + i,
    record: decodeRecord(encodeRecord(r)),
  }));
}

describe('TreeApplier: what a durability point must fsync', () => {
  it('names a new file by its final name, and by its new name once renamed (folder included)', async () => {
    const target = await tempDir();
    const applier = new TreeApplier(target, { atomicCreate: true });
    const K = RecordKind;
    const mtime = { sec: 1_600_000_000, nsec: 5 };
    for (const e of entries([
      { kind: K.RECORD_KIND_MKDIR, path: 'd', mode: 0o755 },
      { kind: K.RECORD_KIND_TXN_BEGIN, txn: 2 },
      { kind: K.RECORD_KIND_CREATE, txn: 2, path: 'd/new', mode: 0o640 },
      { kind: K.RECORD_KIND_WRITE, txn: 2, path: 'd/new', offset: 0, data: Buffer.from('hello') },
      { kind: K.RECORD_KIND_UTIMES, txn: 2, path: 'd/new', mtime, atime: mtime },
      { kind: K.RECORD_KIND_TXN_COMMIT, txn: 2 },
    ]))
      await applier.submit(e);
    expect(await readdir(join(target, 'd'))).toEqual(['new']);
    expect((await readFile(join(target, 'd/new'))).toString()).toBe('hello');
    const first = applier.takeTouched().first;
    expect(first).toContain('d/new'); // paths in the target
    expect(first.some((p) => p.includes('.fsj-'))).toBe(false);

    for (const e of entries([
      { kind: K.RECORD_KIND_WRITE, path: 'd/new', offset: 5, data: Buffer.from('!') },
      { kind: K.RECORD_KIND_RENAME, path: 'd', path2: 'e' },
    ]))
      await applier.submit({ ...e, lsn: e.lsn + 10 });
    const after = applier.takeTouched();
    expect(after.first).toContain('e/new');
    expect([...after.first, ...after.last].some((p) => p.startsWith('d/'))).toBe(false);
    await applier.close();
  });
});
