/**
 * The replica's applier runs records on unrelated paths at once; two names
 * of one file (a hard link) are unrelated paths acting on one file, so
 * their records must still land in LSN order.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind, TreeApplier, type JournalEntry, type RecordInput } from '@fsjournal/journal';
import { decodeRecord, encodeRecord } from '@fsjournal/journal/internal';
import { tempDir } from './helpers.js';

function entry(lsn: number, r: RecordInput): JournalEntry {
  return { lsn, timeUs: 1_700_000_000_000_000 + lsn, record: decodeRecord(encodeRecord(r)) };
}

describe('TreeApplier and hard links', () => {
  it('a large WRITE through one name, then a TRUNCATE and a CHMOD through another: the file ends as the last records say', async () => {
    for (let round = 0; round < 5; round++) {
      const target = await tempDir();
      await writeFile(join(target, 'a'), 'old');
      await link(join(target, 'a'), join(target, 'b'));
      const applier = new TreeApplier(target, { atomicCreate: true });
      const data = randomBytes(1024 * 1024);
      const records: RecordInput[] = [
        { kind: RecordKind.RECORD_KIND_WRITE, path: 'a', offset: 0, data },
        { kind: RecordKind.RECORD_KIND_CHMOD, path: 'a', mode: 0o600 },
        { kind: RecordKind.RECORD_KIND_TRUNCATE, path: 'b', size: 10 },
        { kind: RecordKind.RECORD_KIND_CHMOD, path: 'b', mode: 0o640 },
      ];
      // Submitted together, as a replica does with a batch.
      await Promise.all(records.map((r, i) => applier.submit(entry(i + 1, r))));
      const got = await readFile(join(target, 'a'));
      expect(got.length).toBe(10);
      expect(Buffer.compare(got, data.subarray(0, 10))).toBe(0);
      expect((await stat(join(target, 'b'))).mode & 0o7777).toBe(0o640);
      await applier.close();
    }
  });
});
