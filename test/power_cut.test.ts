/**
 * Power cuts: the journal, the replica's tree and its position on a file
 * system that forgets whatever was not fsynced (test/powercut_fs.ts). A
 * SIGKILL (journal_crash.test.ts, replication_faults.test.ts) keeps the page
 * cache; these tests drop it, strictly (unsynced writes gone, a name gone
 * unless its folder was synced) and torn (a random prefix of each file's
 * unsynced writes kept, the last one cut at a sector).
 *
 * First the file system itself, so that the tests below cannot pass by a
 * file system that keeps everything; then the journal under each sync
 * policy. `none` is expected to lose acknowledged appends (it never fsyncs)
 * and the test says so.
 */
import { mkdir, mkdtemp, open, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal } from '@fsjournal/journal';
import { reopenAndCheck, requireBuiltJournal, runAppender } from './journal_appender.js';
import { noFuse } from './mount_harness.js';
import { PowercutFs } from './powercut_fs.js';

const LONG = process.env.FSJ_LONG === '1';
const SEGMENT_BYTES = 256 * 1024;
/** Cuts per sync policy. */
const CUTS = LONG ? 50 : 6;
const KILL_AFTER_MS: [number, number] = [100, 500];
const VERBOSE = process.env.FSJ_TEST_VERBOSE === '1';

const mounted: PowercutFs[] = [];
const dirs: string[] = [];

async function powercutFs(): Promise<PowercutFs> {
  const dir = await mkdtemp(join(tmpdir(), 'fsj-powercut-'));
  dirs.push(dir);
  const fsys = await PowercutFs.mount(dir);
  mounted.push(fsys);
  return fsys;
}

beforeAll(requireBuiltJournal);

afterEach(async () => {
  for (const fsys of mounted.splice(0)) await fsys.unmount();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes `data` through a handle, fsyncing it when asked. */
async function put(path: string, data: string, sync: boolean): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

describe.skipIf(noFuse)('the power-cut file system', () => {
  it('keeps what was synced and forgets the rest', async () => {
    const fsys = await powercutFs();
    const m = fsys.mountpoint;
    await mkdir(join(m, 'd'));
    await syncDir(m);
    await put(join(m, 'd/synced'), 'synced', true);
    await put(join(m, 'd/name-only'), 'content never synced', false);
    await syncDir(join(m, 'd'));
    // A rename made durable, and one not.
    await put(join(m, 'd/moved.tmp'), 'moved', true);
    await rename(join(m, 'd/moved.tmp'), join(m, 'd/moved'));
    await syncDir(join(m, 'd'));
    await put(join(m, 'd/late.tmp'), 'late', true);
    await syncDir(join(m, 'd'));
    await rename(join(m, 'd/late.tmp'), join(m, 'd/late'));
    await put(join(m, 'd/content-only'), 'name never synced', true);
    // An append after the sync.
    const fh = await open(join(m, 'd/synced'), 'a');
    await fh.write('+more');
    await fh.close();

    const report = await fsys.cut();
    expect(await readOrNull(join(m, 'd/synced'))).toBe('synced');
    expect(await readOrNull(join(m, 'd/name-only'))).toBe('');
    expect(await readOrNull(join(m, 'd/content-only'))).toBeNull();
    expect(await readOrNull(join(m, 'd/moved'))).toBe('moved');
    expect(await readOrNull(join(m, 'd/moved.tmp'))).toBeNull();
    expect(await readOrNull(join(m, 'd/late.tmp'))).toBe('late');
    expect(await readOrNull(join(m, 'd/late'))).toBeNull();
    expect(report.namesLost).toBeGreaterThan(0);
    expect(report.opsDropped).toBeGreaterThan(0);
    expect(fsys.stats.fsyncdirs).toBeGreaterThan(0);

    // Everything after a cut is durable; writing goes on.
    await put(join(m, 'd/after'), 'after', true);
    await syncDir(join(m, 'd'));
    await fsys.cut();
    expect(await readOrNull(join(m, 'd/after'))).toBe('after');
    expect(await readOrNull(join(m, 'd/synced'))).toBe('synced');
  });

  it('torn: keeps a prefix of unsynced writes, cut at a sector', async () => {
    const fsys = await powercutFs();
    const m = fsys.mountpoint;
    const file = join(m, 'log');
    await put(file, '', true);
    await syncDir(m);
    const fh = await open(file, 'a');
    const chunk = (i: number): Buffer => Buffer.alloc(4096, 65 + i);
    for (let i = 0; i < 8; i++) await fh.write(chunk(i));
    await fh.close();
    const expected = Buffer.concat(Array.from({ length: 8 }, (_, i) => chunk(i)));
    // A fixed sequence: keep 3 writes and 1.5 sectors of the fourth.
    const draws = [3.5 / 9, 0.1, 0.4];
    const report = await fsys.cut({ torn: true, random: () => draws.shift() ?? 0 });
    const got = await readFile(file);
    expect(got.length).toBe(3 * 4096 + 1536);
    expect(got.equals(expected.subarray(0, got.length))).toBe(true);
    expect(report.tornWrites).toBe(1);
    expect(report.opsDropped).toBe(4);
  });
});

describe.skipIf(noFuse)('journal on a file system that loses unsynced writes', () => {
  it.each(['always', 'batch'] as const)(
    'sync=%s: every acknowledged append survives power cuts, strict and torn',
    async (sync) => {
      const fsys = await powercutFs();
      const dir = join(fsys.mountpoint, 'journal');
      const acked = new Map<number, string>();
      let lastLsn = 0;
      let dropped = 0;
      for (let run = 1; run <= CUTS; run++) {
        const torn = run % 2 === 0;
        const child = await runAppender(dir, sync, `run${run}`, 'random', {
          segmentBytes: SEGMENT_BYTES,
          killAfterMs: KILL_AFTER_MS,
        });
        expect(child.openedAt, `run ${run}: journal as the child opened it`).toBe(lastLsn);
        for (const [lsn, hash] of child.reported) acked.set(lsn, hash);
        const report = await fsys.cut({ torn });
        dropped += report.bytesDropped;
        const after = await reopenAndCheck(dir, acked, run, SEGMENT_BYTES);
        // The parent's own append must survive the next cut too.
        await fsys.cut({ torn });
        if (VERBOSE) {
          console.log(
            `${sync} cut ${run} (${torn ? 'torn' : 'strict'}): ${child.reported.size} acked, ` +
              `lastLsn ${after.lastLsn}, ${report.opsDropped} writes / ${report.bytesDropped} B dropped, ` +
              `${report.tornWrites} torn, ${report.namesLost} names lost`,
          );
        }
        lastLsn = after.lastLsn;
      }
      expect(fsys.stats.fsyncs, 'the journal synced through the mount').toBeGreaterThan(0);
      // Unsynced writes really were dropped at some cuts (the test can fail).
      expect(dropped, 'bytes the cuts dropped').toBeGreaterThan(0);
    },
  );

  it('sync=none loses acknowledged appends at a power cut (it never fsyncs)', async () => {
    const fsys = await powercutFs();
    const dir = join(fsys.mountpoint, 'journal');
    const child = await runAppender(dir, 'none', 'none', 'random', {
      segmentBytes: SEGMENT_BYTES,
      killAfterMs: KILL_AFTER_MS,
    });
    await fsys.cut();
    // It reopens (a prefix: sealed segments were synced at each roll) ...
    const journal = await Journal.open({ dir, sync: 'always', segmentBytes: SEGMENT_BYTES });
    const lastLsn = journal.lastLsn;
    await journal.verify();
    await journal.close();
    // ... without what was acknowledged and never synced.
    const lost = [...child.reported.keys()].filter((lsn) => lsn > lastLsn);
    expect(lost.length, 'acknowledged appends lost under sync=none').toBeGreaterThan(0);
  });
});
