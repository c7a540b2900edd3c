/**
 * Restore and replication must agree: random journals (files written at
 * offsets, truncated, renamed over each other, hard-linked, type flips,
 * directories renamed and removed, transactions committed and aborted) are
 * applied by the replica's TreeApplier onto a real folder and restored
 * through the in-memory tree model (with and without a checkpoint in the
 * middle); the trees must be identical, owners and mtimes included.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Checkpoints, compareTrees, Journal, restoreTree, TreeApplier } from '@fsjournal/journal';
import { Script, writeJournal } from './record_script.js';

describe('restore (tree model) and replication (TreeApplier) give the same tree', () => {
  it('for random journals', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(1_000_000), { minLength: 400, maxLength: 400 }),
        async (seeds) => {
          let i = 0;
          const n = (): number => seeds[i++ % seeds.length]! + Math.floor(i / seeds.length);
          const script = new Script(n);
          for (let s = 0; s < 60; s++) script.step();
          const root = await mkdtemp(join(tmpdir(), 'fsj-parity-'));
          try {
            const dir = join(root, 'journal');
            const last = await writeJournal(dir, script, n);
            const applied = join(root, 'applied');
            await mkdir(applied);
            const applier = new TreeApplier(applied);
            const reader = await Journal.open({ dir, readOnly: true });
            for await (const e of reader.read()) await applier.apply(e);
            const mid = Math.max(1, Math.floor(last / 2));
            await reader.close();
            await restoreTree({ journalDir: dir, to: join(root, 'restored'), lsn: last });
            expect(await compareTrees(applied, join(root, 'restored'), { owner: true })).toEqual(
              [],
            );
            const writer = await Journal.open({ dir });
            const cps = await Checkpoints.open(dir);
            await cps.create(writer, mid);
            await cps.close();
            await writer.close();
            await restoreTree({ journalDir: dir, to: join(root, 'via-checkpoint'), lsn: last });
            expect(
              await compareTrees(applied, join(root, 'via-checkpoint'), { owner: true }),
            ).toEqual([]);
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        },
      ),
      {
        numRuns: Number(process.env.FSJ_RUNS ?? (process.env.FSJ_LONG ? 200 : 12)),
        endOnFailure: true,
        timeout: 15_000,
        seed: Number(process.env.FSJ_SEED ?? 20261122),
      },
    );
  }, 120_000);
});
