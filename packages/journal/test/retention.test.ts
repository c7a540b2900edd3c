/**
 * Retention: segments go only when old enough, acknowledged by every known
 * replica and covered by a checkpoint; what stays still restores to the same
 * trees; what went gets a clear error.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  Checkpoints,
  compareTrees,
  isJournalError,
  Journal,
  RecordKind,
  restoreTree,
  Retention,
  type RecordInput,
} from '@fsjournal/journal';
import { tempDir } from './helpers.js';

/** Records for a small tree: files written, rewritten and removed over time. */
function batch(round: number): RecordInput[] {
  const out: RecordInput[] = [];
  if (round === 0) out.push({ kind: RecordKind.RECORD_KIND_MKDIR, path: 'd', mode: 0o755 });
  for (let i = 0; i < 20; i++) {
    const path = `d/f${(round * 7 + i) % 30}`;
    const data = Buffer.alloc(3000, (round * 13 + i) & 0xff);
    out.push(
      { kind: RecordKind.RECORD_KIND_CREATE, path, mode: 0o644 },
      { kind: RecordKind.RECORD_KIND_WRITE, path, offset: 0, data },
      {
        kind: RecordKind.RECORD_KIND_UTIMES,
        path,
        mtime: { sec: 1_700_000_000 + round, nsec: i * 1000 },
      },
    );
  }
  out.push({ kind: RecordKind.RECORD_KIND_UNLINK, path: `d/f${round % 30}` });
  return out;
}

describe('retention', () => {
  it('releases covered, acknowledged, old segments and keeps restores exact', async () => {
    const root = await tempDir('fsj-retain-');
    const dir = join(root, 'journal');
    const journal = await Journal.open({ dir, segmentBytes: 64 * 1024 });
    const checkpoints = await Checkpoints.open(dir);
    for (let round = 0; round < 30; round++) await journal.appendMany(batch(round));
    const last = journal.durableLsn;
    expect(journal.segmentNames().length).toBeGreaterThan(10);

    const before = join(root, 'before');
    await restoreTree({ journalDir: dir, to: before, lsn: last });
    const mid = Math.floor(last / 2);
    const atMid = join(root, 'at-mid');
    await restoreTree({ journalDir: dir, to: atMid, lsn: mid });

    let hold: number | undefined = mid;
    const retention = new Retention({
      journal,
      checkpoints,
      retainMs: 0,
      checkpointBytes: 0,
      holdLsn: () => hold,
      now: () => Date.now() + 1000,
    });

    // A replica at `mid` holds everything after it.
    const first = await retention.run();
    expect(first.checkpoint?.lsn).toBe(mid);
    expect(first.releasedSegments.length).toBeGreaterThan(0);
    expect(journal.firstLsn).toBeGreaterThan(1);
    expect(journal.firstLsn).toBeLessThanOrEqual(mid + 1);

    // Nothing is lost for restores at or after the checkpoint...
    const after = join(root, 'after');
    await restoreTree({ journalDir: dir, to: after, lsn: last });
    expect(await compareTrees(before, after)).toEqual([]);
    const midAgain = join(root, 'mid-again');
    await restoreTree({ journalDir: dir, to: midAgain, lsn: mid });
    expect(await compareTrees(atMid, midAgain)).toEqual([]);
    // ...and a point that was released is a clear error.
    const err = await restoreTree({ journalDir: dir, to: join(root, 'gone'), lsn: 2 }).catch(
      (e: unknown) => e,
    );
    expect(isJournalError(err, 'FSJ_ERR_RESTORE_RANGE')).toBe(true);
    expect((err as Error).message).toContain(`checkpoint cp-${mid}`);

    // The replica catches up: the next pass releases up to a new checkpoint
    // and drops the older checkpoint and its content.
    await journal.appendMany(batch(31));
    hold = journal.durableLsn;
    const second = await retention.run();
    expect(second.releasedSegments.length).toBeGreaterThan(0);
    expect(second.releasedCheckpoints).toEqual([`cp-${mid}`]);
    const reopened = await Checkpoints.open(dir);
    expect(reopened.list().map((c) => c.id)).toEqual([second.checkpoint!.id]);
    await reopened.close();
    expect((await readdir(join(dir, 'content'))).filter((n) => n.endsWith('.pack')).length).toBe(1);
    const latest = join(root, 'latest');
    await restoreTree({ journalDir: dir, to: latest, lsn: journal.durableLsn });
    const latestFromScratch = await readdir(join(latest, 'd'));
    expect(latestFromScratch.length).toBeGreaterThan(10);

    await checkpoints.close();
    await journal.close();
  });

  it('releases nothing while a known replica has not acknowledged, or before the period', async () => {
    const dir = join(await tempDir('fsj-retain-'), 'journal');
    const journal = await Journal.open({ dir, segmentBytes: 64 * 1024 });
    const checkpoints = await Checkpoints.open(dir);
    for (let round = 0; round < 10; round++) await journal.appendMany(batch(round));
    const held = new Retention({
      journal,
      checkpoints,
      retainMs: 0,
      checkpointBytes: 0,
      holdLsn: () => 0,
      now: () => Date.now() + 1000,
    });
    expect((await held.run()).releasedSegments).toEqual([]);
    const young = new Retention({
      journal,
      checkpoints,
      retainMs: 3_600_000,
      checkpointBytes: 0,
      holdLsn: () => undefined,
    });
    expect((await young.run()).releasedSegments).toEqual([]);
    expect(journal.firstLsn).toBe(1);
    expect(checkpoints.list()).toEqual([]);
    await checkpoints.close();
    await journal.close();
  });

  it('writes a checkpoint by journal volume', async () => {
    const dir = join(await tempDir('fsj-retain-'), 'journal');
    const journal = await Journal.open({ dir });
    const checkpoints = await Checkpoints.open(dir);
    const retention = new Retention({
      journal,
      checkpoints,
      retainMs: 3_600_000,
      checkpointBytes: 100_000,
      holdLsn: () => undefined,
    });
    await journal.appendMany(batch(0));
    expect((await retention.run()).checkpoint).toBeUndefined();
    for (let round = 1; round < 4; round++) await journal.appendMany(batch(round));
    const pass = await retention.run();
    expect(pass.checkpoint?.lsn).toBe(journal.durableLsn - 1); // then its CHECKPOINT record
    const marks: string[] = [];
    for await (const e of journal.read())
      if (e.record.kind === RecordKind.RECORD_KIND_CHECKPOINT) marks.push(e.record.checkpointId);
    expect(marks).toEqual([pass.checkpoint!.id]);
    await checkpoints.close();
    await journal.close();
  });
});
