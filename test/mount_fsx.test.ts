/**
 * Mount mode under a seeded fsx-like exerciser: 10,000 operations through
 * the FUSE mount of a real primary, every read checked against a model, then
 * the replica compared with the mount (content, types, modes, mtimes, owners).
 */
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { runFsx } from './fsx.js';
import { runCli, useHarness } from './harness.js';
import { mountSetup, noFuse, useMounts } from './mount_harness.js';

const harness = useHarness('mount-fsx');
useMounts();

describe.skipIf(noFuse)(
  `mount mode: fsx-like exerciser${noFuse ? ` (skipped: ${noFuse})` : ''}`,
  () => {
    it(
      '10,000 seeded operations: every read matches the model, and the replica ends identical to the mount',
      { timeout: 300_000 },
      async () => {
        const m = await mountSetup(harness());
        const primary = await m.startPrimary();
        await m.startReplica();
        const seed = Number(process.env.FSX_SEED ?? 20261122);
        const result = runFsx({ dir: m.mnt, seed, ops: 10_000 });
        expect(result.mismatches, `seed ${seed}`).toEqual([]);
        const total = Object.values(result.counts).reduce((a, b) => a + b, 0);
        expect(total).toBe(10_000);
        for (const kind of ['write', 'append', 'truncate', 'truncate-path', 'read', 'rename']) {
          expect(result.counts[kind], kind).toBeGreaterThan(50);
        }

        const waited = await runCli(['wait', '--api', primary.url, '--timeout', '120']);
        expect(waited.code, waited.stderr).toBe(0);
        expect(await compareTrees(m.mnt, m.target, { owner: true })).toEqual([]);
        expect(await compareTrees(m.backing, m.target, { owner: true })).toEqual([]);
        await primary.kill('SIGTERM');
      },
    );
  },
);
