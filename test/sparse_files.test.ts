/**
 * Sparse files end to end: a 1 GiB file holding a few 4 KiB blocks of data,
 * a small file whose end is a hole and one whose start is, written into a
 * watched tree. The journal grows by about the data, not the apparent size
 * (holes are journaled as an extending TRUNCATE); the replica's copies hold
 * the same bytes and stay sparse (disk use within 1 MiB of the data); a
 * block written later into the big file keeps it sparse; a checkpoint and
 * `fsjournal restore` after it give sparse files too.
 */
import { execFileSync } from 'node:child_process';
import { constants as fsc } from 'node:fs';
import { lstat, open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { barrier, pairSetup, rng, runCli, useHarness, type Json } from './harness.js';

const harness = useHarness('sparse');

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Bytes of every file under `dir` (apparent sizes). */
async function treeBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) n += (await stat(join(e.parentPath, e.name))).size;
  }
  return n;
}

/** Disk use of a file, in bytes (st_blocks counts 512-byte units). */
async function diskUse(path: string): Promise<number> {
  return (await lstat(path)).blocks * 512;
}

/** Writes `data` at each offset of `at` into `path` (made if missing), then sets its size. */
async function writeSparse(
  path: string,
  size: number,
  at: readonly number[],
  data: (i: number) => Buffer,
): Promise<number> {
  // Not 'a': with O_APPEND, Linux writes at the end whatever the offset.
  const fh = await open(path, fsc.O_CREAT | fsc.O_RDWR, 0o644);
  try {
    let written = 0;
    for (const [i, offset] of at.entries()) {
      const b = data(i);
      await fh.write(b, 0, b.length, offset);
      written += b.length;
    }
    await fh.truncate(size);
    await fh.sync();
    return written;
  } finally {
    await fh.close();
  }
}

describe('sparse files', () => {
  it('stay sparse in the journal, on the replica, in a checkpoint and after restore', async () => {
    const h = harness();
    const pair = await pairSetup(h);
    const { source, target, journal } = pair;
    const primary = await pair.startPrimary();
    await pair.startReplica();
    const random = rng(14);
    const block = (n: number) => () =>
      Buffer.from(Array.from({ length: n }, () => random.int(256)));

    await barrier(primary.url);
    const segments = join(journal, 'segments');
    const recordsBefore = await treeBytes(segments);

    const big = join(source, 'disk.img');
    const bigAt = [0, 100 * MiB + 12 * KiB, 512 * MiB + 4 * KiB, GiB - 4 * KiB];
    let data = await writeSparse(big, GiB, bigAt, block(4 * KiB));
    // A hole at the end, and one at the start.
    const tail = join(source, 'tail-hole.bin');
    data += await writeSparse(tail, 1 * MiB, [0], block(3000));
    const head = join(source, 'head-hole.bin');
    data += await writeSparse(head, 2 * MiB + 100, [2 * MiB], block(100));
    // The source file system keeps holes (what this test relies on).
    expect(await diskUse(big)).toBeLessThanOrEqual(5 * 4 * KiB);
    expect(await diskUse(big)).toBeGreaterThanOrEqual(4 * 4 * KiB);

    const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(source, target, { owner: true })).toEqual([]);

    // Journal: the data and the records' overhead, never the holes' zeros
    // (not even the zeros of a 64 KiB block around 4 KiB of data).
    expect((await treeBytes(segments)) - recordsBefore).toBeLessThan(data + 128 * KiB);
    // Replica: the same bytes, as sparse as the source (same file system).
    const names = ['disk.img', 'tail-hole.bin', 'head-hole.bin'];
    const asSparse = async (dir: string): Promise<void> => {
      for (const name of names) {
        expect((await lstat(join(dir, name))).size).toBe((await lstat(join(source, name))).size);
        expect(await diskUse(join(dir, name)), name).toBeLessThanOrEqual(
          (await diskUse(join(source, name))) + 32 * KiB,
        );
      }
      expect(await diskUse(join(dir, 'disk.img'))).toBeLessThan(1 * MiB);
    };
    await asSparse(target);

    // A block written later into a hole of the big file keeps it sparse.
    const before = await treeBytes(segments);
    data += await writeSparse(big, GiB, [300 * MiB + 40 * KiB], block(4 * KiB));
    const waited2 = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
    expect(waited2.code, waited2.stderr).toBe(0);
    expect(await compareTrees(source, target, { owner: true })).toEqual([]);
    expect((await treeBytes(segments)) - before).toBeLessThan(32 * KiB);
    await asSparse(target);

    // A checkpoint holds the data blocks only; a restore after it is sparse.
    const ckpt = await runCli(['checkpoint', '--api', primary.url, '--json']);
    expect(ckpt.code, ckpt.stderr).toBe(0);
    expect(JSON.parse(ckpt.stdout) as Json).toMatchObject({ files: 3 });
    // The journal's folder (records, manifest, checkpoint): within 1 MiB of the data.
    const duJournal = execFileSync('du', ['-sk', journal], { encoding: 'utf8' });
    expect(Number(duJournal.split('\t')[0]) * KiB).toBeLessThan(data + 1 * MiB);
    const lsn = await barrier(primary.url);
    const restored = join(h.root, 'restored');
    const r = await runCli([
      'restore',
      '--journal',
      journal,
      '--to',
      restored,
      '--lsn',
      String(lsn),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(await compareTrees(source, restored, { owner: true })).toEqual([]);
    await asSparse(restored);
    // `du` agrees with st_blocks (what an operator would look at).
    const du = execFileSync('du', ['-sk', restored], { encoding: 'utf8' });
    expect(Number(du.split('\t')[0]) * KiB).toBeLessThan(2 * MiB);
  }, 120_000);
});
