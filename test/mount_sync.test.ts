/**
 * `--sync-replicas 1`: a change through the mount returns only once the
 * replica holds it durably. With the replica killed, a change blocks for the
 * sync timeout, then replication degrades (status says so) and changes stop
 * waiting; once the replica is back and caught up, changes wait again.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees, type SyncReplicationStatus } from '@fsjournal/journal';
import { runCli, useHarness, waitUntil } from './harness.js';
import { mountSetup, noFuse, useMounts } from './mount_harness.js';

const harness = useHarness('mount-sync');
useMounts();
const TIMEOUT_MS = 2000;

describe.skipIf(noFuse)(
  `mount mode: --sync-replicas${noFuse ? ` (skipped: ${noFuse})` : ''}`,
  () => {
    it(
      'replica killed: a write blocks until the timeout, replication degrades, then catches up and is synchronous again',
      { timeout: 120_000 },
      async () => {
        const m = await mountSetup(harness());
        const primary = await m.startPrimary([
          '--sync-replicas',
          '1',
          '--sync-timeout',
          `${TIMEOUT_MS}ms`,
        ]);
        let replica = await m.startReplica();
        const sync = async (): Promise<SyncReplicationStatus> =>
          (await primary.status()).syncReplication as SyncReplicationStatus;

        // Synchronous: when the write returns, the replica has it durably.
        await writeFile(join(m.mnt, 'a.txt'), 'first\n');
        const afterA = await primary.status();
        expect((await replica.status()).durableLsn).toBe(afterA.lastLsn);
        expect(await sync()).toMatchObject({
          required: 1,
          timeoutMs: TIMEOUT_MS,
          state: 'sync',
          timeouts: 0,
        });
        expect((await sync()).waits).toBeGreaterThan(0);

        await replica.kill('SIGKILL');
        const started = Date.now();
        await writeFile(join(m.mnt, 'b.txt'), 'while the replica is down\n');
        // Blocked for (about) the timeout before replication degraded.
        expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS * 0.9);
        const degraded = await sync();
        expect(degraded).toMatchObject({ state: 'degraded', degradations: 1, timeouts: 1 });
        expect(degraded.degradedSince).not.toBeNull();
        const metrics = await (await fetch(`${primary.url}/metrics`)).text();
        expect(metrics).toMatch(/^fsjournal_sync_replication_degraded 1$/m);
        expect(metrics).toMatch(/^fsjournal_sync_replication_degradations 1$/m);

        // Degraded: changes no longer wait (the journal still holds them all).
        await writeFile(join(m.mnt, 'c.txt'), 'asynchronous\n');
        const stillDegraded = await sync();
        expect(stillDegraded).toMatchObject({ state: 'degraded', timeouts: 1 });
        expect(stillDegraded.waits).toBe(degraded.waits);

        // The replica comes back and catches up: synchronous again.
        replica = await m.startReplica();
        await waitUntil(
          'replication to be synchronous again',
          async () => (await sync()).state === 'sync',
        );
        await writeFile(join(m.mnt, 'd.txt'), 'synchronous again\n');
        const afterD = await primary.status();
        expect((await replica.status()).durableLsn).toBe(afterD.lastLsn);
        const resumed = await sync();
        expect(resumed).toMatchObject({ state: 'sync', degradations: 1, timeouts: 1 });
        expect(resumed.waits).toBeGreaterThan(degraded.waits);
        expect(await (await fetch(`${primary.url}/metrics`)).text()).toMatch(
          /^fsjournal_sync_replication_degraded 0$/m,
        );

        const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
        expect(waited.code, waited.stderr).toBe(0);
        expect(await compareTrees(m.mnt, m.target, { owner: true })).toEqual([]);
        await primary.kill('SIGTERM');
      },
    );
  },
);
