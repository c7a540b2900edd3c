/**
 * Watch capture after the journal failed under it (docs/capture.md): the
 * appends it had in flight were refused and the records discarded by the
 * journal's recovery, though its manifest already believed them; changes
 * go on on disk meanwhile. After `Journal.recover()` and `resume()`, the
 * journal replayed onto an empty folder equals the source: nothing the
 * manifest believed wrongly and nothing changed while failed is left out.
 */
import { mkdir, rename, rm, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind } from '@fsjournal/journal';
import { injectJournalFaults } from '@fsjournal/journal/internal';
import { entries, expectReplayEqual, settle, startRig, stopRig } from './capture_helpers.js';

function eio(step: string): Error {
  return Object.assign(new Error(`EIO: injected, ${step}`), { code: 'EIO' });
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 2000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

describe('watch capture resumes after the journal failed', () => {
  it('rebuilds its manifest from the durable journal and rescans: replay equals the source', async () => {
    const rig = await startRig();
    const { source, journal, capture } = rig;
    const failures: string[] = [];
    capture.onFailed((e) => failures.push(e.message));
    await mkdir(join(source, 'docs'));
    await writeFile(join(source, 'docs/kept.txt'), 'journaled before the failure\n');
    await writeFile(join(source, 'gone-later.txt'), 'removed while failed\n');
    await settle(capture);

    // Every fsync fails from now on: the disk refuses.
    injectJournalFaults(journal, (step) => {
      if (step === 'datasync') throw eio(step);
    });
    await writeFile(join(source, 'docs/lost.txt'), 'its records are discarded by recovery\n');
    await until('the capture to fail', () => capture.failure !== undefined);
    expect(journal.failure?.code).toBe('FSJ_ERR_JOURNAL_IO');
    expect(failures).toHaveLength(1);
    await expect(capture.idle()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });
    const durable = journal.durableLsn;

    // Changes while failed: nothing journals them now.
    await writeFile(join(source, 'docs/while-failed.txt'), 'made while the journal was failed\n');
    await appendFile(join(source, 'docs/kept.txt'), 'and changed\n');
    await rm(join(source, 'gone-later.txt'));
    await new Promise((r) => setTimeout(r, 100));
    expect(journal.durableLsn).toBe(durable);

    // A recovery tried while the disk still refuses fails and changes nothing.
    await expect(journal.recover()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });
    expect(journal.durableLsn).toBe(durable);

    injectJournalFaults(journal, undefined);
    const r = await journal.recover();
    expect(r?.durableLsn).toBe(durable);
    await capture.resume();
    expect(capture.failure).toBeUndefined();
    await settle(capture);

    const all = await entries(journal);
    expect(all[durable]!.record.kind).toBe(RecordKind.RECORD_KIND_GAP);
    expect(all.map((e) => e.lsn)).toEqual(all.map((_, i) => i + 1));
    await expectReplayEqual(rig);
    // And it keeps capturing.
    await writeFile(join(source, 'after.txt'), 'after the recovery\n');
    await settle(capture);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('aborts a transaction the failure cut in two', async () => {
    const rig = await startRig({ blockBytes: 4096 });
    const { source, journal, capture } = rig;
    // A file of many blocks is journaled as a transaction; the first fsync
    // while one is durably begun and not durably committed fails. Counting
    // fsyncs was flaky (a record of the folder's own change could take one,
    // so the cut came before the transaction), and so was failing the fsync
    // after a durable TXN_BEGIN: under load one group commit could hold the
    // whole transaction. A file whose transaction went through whole is
    // followed by another, up to five.
    let begun = 0;
    let commits = 0;
    journal.observe({
      onAppended: (a) => {
        for (const k of a.kinds) {
          if (k === RecordKind.RECORD_KIND_TXN_BEGIN) begun++;
          if (k === RecordKind.RECORD_KIND_TXN_COMMIT) commits++;
        }
      },
    });
    injectJournalFaults(journal, (step) => {
      if (step === 'datasync' && begun > commits) throw eio(step);
    });
    for (let n = 0; n < 5 && capture.failure === undefined; n++) {
      const big = Buffer.alloc(6 * 1024 * 1024, 7 + n);
      for (let i = 0; i < big.length; i += 4096) big[i] = i & 0xff;
      await writeFile(join(source, `big${n}.bin`), big);
      await until(
        'the capture to fail, or the file committed whole',
        () => capture.failure !== undefined || commits > n,
      );
    }
    expect(capture.failure).toBeDefined();
    injectJournalFaults(journal, undefined);
    const begins = (await entries(journal)).filter(
      (e) => e.record.kind === RecordKind.RECORD_KIND_TXN_BEGIN,
    );
    expect(begins.length).toBeGreaterThan(0); // the cut is inside one
    await journal.recover();
    await capture.resume();
    await settle(capture);
    const all = await entries(journal);
    expect(all.some((e) => e.record.kind === RecordKind.RECORD_KIND_TXN_ABORT)).toBe(true);
    // Every transaction begun in the durable part is committed or aborted.
    for (const b of begins) {
      const ends = all.filter(
        (e) =>
          e.record.txn === b.record.txn &&
          (e.record.kind === RecordKind.RECORD_KIND_TXN_COMMIT ||
            e.record.kind === RecordKind.RECORD_KIND_TXN_ABORT),
      );
      expect(ends).toHaveLength(1);
    }
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  // Regression (found in review): a reader still going when the journal
  // recovered appended the rest of its file's transaction after the GAP,
  // under a transaction id whose TXN_BEGIN the recovery had discarded.
  it('a content reader that straddles the recovery appends nothing after it', async () => {
    const rig = await startRig({ blockBytes: 65536 });
    const { root, source, journal, capture } = rig;
    const big = Buffer.alloc(96 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32LE(i, i);
    await mkdir(join(root, 'stage'), { recursive: true });
    await writeFile(join(root, 'stage', 'big.bin'), big);
    let armed = true;
    injectJournalFaults(journal, (step) => {
      if (armed && step === 'datasync') throw eio(step);
    });
    // Recovered at once, while the reader is still in the file.
    let recovered: Promise<unknown> | undefined;
    journal.observe({
      onFailed: () => {
        armed = false;
        recovered ??= new Promise((r) => setTimeout(r, 20)).then(() => journal.recover());
      },
    });
    await rename(join(root, 'stage', 'big.bin'), join(source, 'big.bin'));
    await until('the journal to fail and recover', () => recovered !== undefined);
    await recovered;
    await until('the capture to fail', () => capture.failure !== undefined);
    await capture.resume();
    await settle(capture);
    const all = await entries(journal);
    const begun = new Set<number>();
    const orphans: string[] = [];
    for (const e of all) {
      if (e.record.kind === RecordKind.RECORD_KIND_TXN_BEGIN) begun.add(e.record.txn!);
      else if (e.record.txn && !begun.has(e.record.txn))
        orphans.push(`lsn ${e.lsn} txn ${e.record.txn}`);
    }
    expect(orphans.slice(0, 5)).toEqual([]);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});
