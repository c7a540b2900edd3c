/**
 * In-place recovery after a failed write or fsync (JOURNAL_FORMAT.md,
 * "Recovery after an I/O failure"): the failure is injected below the
 * journal's writer with the internal fault seam, at each step of an append
 * and of a segment roll. After `recover()`, every acknowledged append is
 * there, nothing after the durable point is, LSNs run on without a hole
 * (with a GAP where the journal failed), appends work again, readers carry
 * on, and a reopen from disk sees the same.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Journal,
  JournalError,
  RecordKind,
  isJournalError,
  type JournalEntry,
  type JournalRecovery,
  type SyncPolicy,
} from '@fsjournal/journal';
import { injectJournalFaults, type JournalIoStep } from '@fsjournal/journal/internal';
import { collect, collectingLogger, tempDir, writeRecord } from './helpers.js';

function osError(code: string, op: string): Error {
  return Object.assign(new Error(`${code}: injected, ${op}`), { code, syscall: op });
}

/** Makes the next `times` occurrences of `step` fail with `code`. */
function failNext(j: Journal, step: JournalIoStep, times = 1, code = 'EIO'): void {
  let left = times;
  injectJournalFaults(j, (s) => {
    if (s !== step || left === 0) return;
    left--;
    if (left === 0) injectJournalFaults(j, undefined);
    throw osError(code, s);
  });
}

/** Appends `n` records from seed `from`, one call each; returns which were acknowledged. */
async function appendEach(j: Journal, from: number, n: number): Promise<number[]> {
  const results = await Promise.allSettled(
    Array.from({ length: n }, (_, i) => j.append(writeRecord(from + i))),
  );
  return results.flatMap((r, i) => (r.status === 'fulfilled' ? [from + i] : []));
}

/** Seeds of the WRITE records, in LSN order; GAPs as -1. Checks LSNs run from 1 without a hole. */
function seeds(entries: JournalEntry[]): number[] {
  entries.forEach((e, i) => expect(e.lsn).toBe(i + 1));
  return entries.map((e) =>
    e.record.kind === RecordKind.RECORD_KIND_GAP
      ? -1
      : Number(/file-(\d+)$/.exec(e.record.path)![1]),
  );
}

/** Reads the whole journal back after closing it, the way a restart would. */
async function reopened(dir: string): Promise<JournalEntry[]> {
  const j = await Journal.open({ dir, readOnly: true });
  try {
    return await collect(j.read({ fromLsn: 1 }));
  } finally {
    await j.close();
  }
}

describe.each(['always', 'batch'] as const)('a failed fdatasync (sync=%s)', (sync: SyncPolicy) => {
  it('refuses appends until recovered, then continues after a GAP at the durable point', async () => {
    const dir = await tempDir();
    const logger = collectingLogger();
    const j = await Journal.open({ dir, sync, logger });
    const events: string[] = [];
    let recovery: JournalRecovery | undefined;
    j.observe({
      onFailed: (e) => events.push(`failed ${e.code}`),
      onRecovered: (r) => {
        events.push('recovered');
        recovery = r;
      },
    });
    expect(await appendEach(j, 0, 10)).toHaveLength(10);
    const segment = join(dir, 'segments', j.segmentNames()[0]!);
    const durableBytes = (await stat(segment)).size;

    failNext(j, 'datasync');
    expect(await appendEach(j, 100, 5)).toEqual([]);
    // The frames were written before the sync failed: they are in the file.
    expect((await stat(segment)).size).toBeGreaterThan(durableBytes);
    expect(j.failure?.code).toBe('FSJ_ERR_JOURNAL_IO');
    expect(j.failure?.message).toMatch(/after lsn 10: EIO/);
    expect(j.durableLsn).toBe(10);
    const refused = await j.append(writeRecord(200)).catch((e: unknown) => e);
    expect(isJournalError(refused, 'FSJ_ERR_JOURNAL_IO')).toBe(true);
    await expect(j.flush()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });

    const r = await j.recover();
    expect(r).toMatchObject({ durableLsn: 10, discarded: 5, gapLsn: 11 });
    expect(r?.error.code).toBe('FSJ_ERR_JOURNAL_IO');
    expect(j.failure).toBeUndefined();
    expect(recovery).toBe(r);
    expect(events).toEqual(['failed FSJ_ERR_JOURNAL_IO', 'recovered']);
    expect([j.lastLsn, j.durableLsn]).toEqual([11, 11]);
    expect(await appendEach(j, 20, 3)).toEqual([20, 21, 22]);

    const live = await collect(j.read());
    expect(seeds(live)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, -1, 20, 21, 22]);
    expect(live[10]!.record.text).toMatch(
      /^journal failed after lsn 10 at .*Z \(EIO: injected, datasync\); 5 records never made durable were discarded$/,
    );
    expect(logger.lines.map((l) => l.msg)).toContain(
      'journal recovered: appends resume after a GAP',
    );
    await j.close();
    expect(seeds(await reopened(dir))).toEqual(seeds(live));
    // No recovery is needed now: a second call does nothing.
    const again = await Journal.open({ dir, sync });
    expect(await again.recover()).toBeUndefined();
    await again.close();
  });
});

describe('in-place recovery', () => {
  it('under sync=none, a failed write: the written records are kept, the rest discarded', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir, sync: 'none' });
    expect(await appendEach(j, 0, 4)).toHaveLength(4);
    failNext(j, 'write', 1, 'ENOSPC');
    expect(await appendEach(j, 10, 2)).toEqual([]);
    expect(j.failure?.message).toMatch(/ENOSPC/);
    await j.recover();
    expect(await appendEach(j, 20, 1)).toEqual([20]);
    expect(seeds(await collect(j.read()))).toEqual([0, 1, 2, 3, -1, 20]);
    await j.close();
    expect(seeds(await reopened(dir))).toEqual([0, 1, 2, 3, -1, 20]);
  });

  it('a tailing reader and a waiter on a durable LSN carry on through the failure', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    const abort = new AbortController();
    const tail = collect(j.read({ fromLsn: 1, tail: true, signal: abort.signal }));
    expect(await appendEach(j, 0, 5)).toHaveLength(5);
    failNext(j, 'datasync');
    expect(await appendEach(j, 100, 3)).toEqual([]);
    let waited = false;
    const waiter = j.waitForDurable(7).then(() => (waited = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(waited).toBe(false); // failed, not closed: still waiting

    await j.recover();
    expect(await appendEach(j, 10, 2)).toEqual([10, 11]);
    await waiter;
    await j.close();
    const seen = await tail;
    // The reader never saw the records that were discarded (100..102).
    expect(seeds(seen)).toEqual([0, 1, 2, 3, 4, -1, 10, 11]);
  });

  it('a recovery that fails (the disk still refuses) leaves the journal failed, and is tried again', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    expect(await appendEach(j, 0, 3)).toHaveLength(3);
    failNext(j, 'datasync');
    expect(await appendEach(j, 10, 2)).toEqual([]);

    failNext(j, 'recover');
    await expect(j.recover()).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_IO',
      message: expect.stringMatching(/^recover after lsn 3: EIO/),
    });
    expect(j.failure).toBeDefined();
    // The GAP itself cannot be made durable: failed again, at the same point.
    failNext(j, 'datasync');
    await expect(j.recover()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });
    expect(j.failure?.message).toMatch(/after lsn 3: EIO/);
    expect(j.durableLsn).toBe(3);

    const r = await j.recover();
    expect(r).toMatchObject({ durableLsn: 3, discarded: 1, gapLsn: 4 });
    expect(await appendEach(j, 20, 1)).toEqual([20]);
    await j.close();
    expect(seeds(await reopened(dir))).toEqual([0, 1, 2, -1, 20]);
  });

  it('calls made while recovering share one recovery; close waits for it', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    await appendEach(j, 0, 2);
    failNext(j, 'datasync');
    await appendEach(j, 10, 1);
    const [a, b] = await Promise.all([j.recover(), j.recover()]);
    expect(a).toBe(b);
    await j.close();
    await expect(j.recover()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_CLOSED' });
    expect(seeds(await reopened(dir))).toEqual([0, 1, -1]);
  });
});

describe('a failure during a segment roll', () => {
  const segmentBytes = 1024;

  it.each<[JournalIoStep, string]>([
    ['datasync', 'syncing the segment being sealed'],
    ['index', 'writing the sealed segment’s index file'],
    ['segment-create', 'after creating the next segment file, before its header'],
    ['segment-sync', 'after writing the next segment’s header, before its fsync'],
    ['write', 'writing the first records into the new segment'],
  ])('at %s (%s) recovers, and the next roll succeeds', async (step) => {
    const dir = await tempDir();
    const j = await Journal.open({ dir, segmentBytes });
    const first = join(dir, 'segments', j.segmentNames()[0]!);
    const before = await appendEach(j, 0, 1);
    const frame = (await stat(first)).size - 64;
    // Fill the segment until exactly one more frame fits.
    for (let seed = 1; (await stat(first)).size + 2 * frame <= segmentBytes; seed++) {
      before.push(...(await appendEach(j, seed, 1)));
    }
    // 'write' is made to fail in the new segment, after the roll.
    injectJournalFaults(j, (s, segment) => {
      if (s !== step || (step === 'write' && segment === j.segmentNames()[0])) return;
      injectJournalFaults(j, undefined);
      throw osError('EIO', s);
    });
    // One call of four records: the roll happens inside it, after the first.
    const batch = [1000, 1001, 1002, 1003];
    const failed = await j.appendMany(batch.map((b) => writeRecord(b))).catch((e: unknown) => e);
    expect(isJournalError(failed, 'FSJ_ERR_JOURNAL_IO')).toBe(true);
    // The roll's fsync made the first record of the call durable, unless that fsync failed.
    const durable = j.durableLsn;
    expect(durable).toBe(before.length + (step === 'datasync' ? 0 : 1));
    // The error names the last durable LSN: what of the call a roll made durable.
    expect((failed as JournalError).lsn).toBe(durable);

    const r = await j.recover();
    expect(r?.durableLsn).toBe(durable);
    // No segment file the journal does not list is left, and no index of the live one.
    expect((await readdir(join(dir, 'segments'))).sort()).toEqual(j.segmentNames());
    const live = j.segmentNames()[j.segmentNames().length - 1]!;
    expect(await readdir(join(dir, 'index'))).not.toContain(`${live}.idx`);
    // Appends go on, across the next rolls too.
    const after = await appendEach(j, 2000, 1);
    for (let i = 1; i < 20; i++) after.push(...(await appendEach(j, 2000 + i, 1)));
    expect(after).toHaveLength(20);
    expect(j.segmentNames().length).toBeGreaterThan(1);
    const inMemory = seeds(await collect(j.read()));
    await j.close();
    const disk = seeds(await reopened(dir));
    expect(disk).toEqual(inMemory);
    // Every acknowledged append, once, in order; of the failed call only
    // what a roll made durable; the GAP at the durable point.
    expect(disk).toEqual([...before, ...batch.slice(0, durable - before.length), -1, ...after]);
  });
});
