/**
 * Disk full, on the replica and on the journal, with real small tmpfs mounts
 * (root only: this machine and CI run as root; elsewhere the tests say why
 * they skip).
 *
 * - Replica target on a 3 MiB tmpfs, then a 6 MB file on the source: the
 *   replica stops applying, says ENOSPC in its status (state `error`), acks
 *   nothing past what it applied, and once the tmpfs grows it resumes by
 *   itself and ends identical: nothing skipped.
 * - Journal on a 2 MiB tmpfs, then a 3 MB file: the append fails with
 *   ENOSPC; `/healthz` answers 503 with the code, `/v1/status` and the
 *   metrics say the journal failed, barriers are refused, and the primary
 *   keeps retrying. Once the tmpfs grows it recovers by itself, without a
 *   restart: a GAP says where the journal failed, the rescan journals what
 *   changed meanwhile, and the replica ends identical.
 */
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import type { PrimaryHandle } from '@fsjournal/api';
import { expectEnospcGap, noSmallDisk, SmallDisk, startRecoveringPrimary } from './full_disk.js';
import {
  barrier,
  http,
  pairSetup,
  rng,
  runCli,
  sleep,
  useHarness,
  waitDurable,
  waitUntil,
  type Json,
} from './harness.js';

const harness = useHarness('disk-full');

async function metricsText(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return res.text();
}

describe.skipIf(noSmallDisk)('disk full (tmpfs mounts need root)', () => {
  it('on the replica: stops, reports ENOSPC, skips nothing, resumes when space returns', async () => {
    const h = harness();
    const { source, target, startPrimary, startReplica } = await pairSetup(h);
    const disk = await SmallDisk.mount(target, '3m');
    try {
      const primary = await startPrimary();
      const replica = await startReplica();
      await writeFile(join(source, 'small.bin'), rng(1).bytes(500_000));
      const first = await barrier(primary.url);
      await waitDurable('the small file applied', replica, first);

      await writeFile(join(source, 'big.bin'), rng(2).bytes(6_000_000));
      await writeFile(join(source, 'after.txt'), 'written after the big file\n');
      const second = await barrier(primary.url);
      let status: Json = {};
      await waitUntil('the replica to report the full disk', async () => {
        status = await replica.status();
        return status.state === 'error';
      });
      const err = status.lastError as Json;
      expect(err.code).toBe('FSJ_ERR_REPLICA_APPLY_IO');
      expect(err.message).toMatch(/ENOSPC/);
      // It keeps retrying, and never claims what it could not apply.
      await sleep(1500);
      status = await replica.status();
      expect(status.appliedLsn as number).toBeLessThan(second);
      const row = await http(`${primary.url}/v1/replicas/r1`);
      expect(row.body.durableLsn as number).toBeLessThan(second);

      disk.resize('64m');
      await waitDurable('the replica to resume', replica, second, 40_000);
      expect((await replica.status()).lastError).toBeNull();
      expect(await compareTrees(source, target, { owner: true })).toEqual([]);
    } finally {
      await h.killAll();
      disk.unmount();
    }
  }, 90_000);

  it('on the journal: stops and says so, recovers by itself when space returns, skips nothing', async (ctx) => {
    const h = harness();
    const { source, journal, target, primaryPort, startReplica } = await pairSetup(h);
    const disk = await SmallDisk.mount(journal, '2m');
    // In this process, to shorten the retry delay (a PrimaryOptions field,
    // not a flag): it retries within a second, as the daemon does in 1-30 s.
    let primary: PrimaryHandle | undefined;
    try {
      primary = await startRecoveringPrimary(ctx, {
        source,
        journalDir: journal,
        port: primaryPort,
      });
      const url = `http://127.0.0.1:${primaryPort}`;
      const replica = await startReplica();
      await writeFile(join(source, 'a.txt'), 'before the disk filled\n');
      const first = await barrier(url);
      await waitDurable('a.txt on the replica', replica, first);

      // Bigger than the journal's disk: the append fails with ENOSPC. Made
      // whole beside the source and renamed in: written in place, a capture
      // quicker than the writer (both in this process) journals a first
      // part of it, which fits, before the rest fills the disk.
      await writeFile(join(source, '..', 'big.bin'), rng(3).bytes(3_000_000));
      await rename(join(source, '..', 'big.bin'), join(source, 'big.bin'));
      let health = await waitUntil('the primary to report the failed journal', async () => {
        const a = await http(`${url}/healthz`);
        return a.status === 503 ? a : undefined;
      });
      expect(health.body.ok).toBe(false);
      expect(health.body.error).toMatchObject({
        code: 'FSJ_ERR_JOURNAL_IO',
        message: expect.stringMatching(/ENOSPC/),
      });
      const failed = (await http(`${url}/v1/status`)).body.journal as Json;
      expect(failed).toMatchObject({ state: 'failed', error: { code: 'FSJ_ERR_JOURNAL_IO' } });
      expect(failed.since).toEqual(expect.any(String));
      expect(await metricsText(url)).toMatch(/^fsjournal_journal_failed 1$/m);
      const shown = await runCli(['status', '--api', url]);
      expect(shown.stdout).toMatch(
        /^journal\s+FAILED FSJ_ERR_JOURNAL_IO: journal write failed after lsn \d+: ENOSPC.* recovery attempts; changes are not journaled until it recovers\)$/m,
      );
      const refused = await http(`${url}/v1/barrier`, { method: 'POST' });
      expect(refused.status).toBe(503);
      expect((refused.body.error as Json).code).toBe('FSJ_ERR_API_UNAVAILABLE');
      await writeFile(join(source, 'later.txt'), 'changed while the journal was failed\n');
      // It keeps retrying, and keeps saying so, while the disk is full.
      await waitUntil('two recovery attempts', async () => {
        const j = (await http(`${url}/v1/status`)).body.journal as Json;
        return (j.attempts as number) >= 2;
      });
      expect((await http(`${url}/healthz`)).status).toBe(503);

      disk.resize('64m');
      health = await waitUntil('the primary to recover by itself', async () => {
        const a = await http(`${url}/healthz`);
        return a.status === 200 ? a : undefined;
      });
      expect(health.body).toEqual({ ok: true });
      const ok = (await http(`${url}/v1/status`)).body.journal as Json;
      expect(ok).toMatchObject({ state: 'ok', error: null, since: null });
      expect(ok.recoveries).toBe(1);
      expect((await runCli(['status', '--api', url])).stdout).toMatch(
        /^journal\s+ok \(recovered 1 time\)$/m,
      );
      const metrics = await metricsText(url);
      expect(metrics).toMatch(/^fsjournal_journal_failed 0$/m);
      expect(metrics).toMatch(/^fsjournal_journal_recoveries_total 1$/m);

      // The GAP says where the journal failed; the rescan journaled what changed.
      const gaps = await expectEnospcGap(url);
      for (const path of ['later.txt', 'big.bin']) {
        const history = (await http<Json[]>(`${url}/v1/files/${path}/history`)).body;
        expect(history.map((r) => r.op)).toContain('CREATE');
        expect(history[0]!.lsn as number).toBeGreaterThan(gaps[0]!.lsn as number);
      }
      const lsn = await barrier(url);
      await waitDurable('the replica to catch up', replica, lsn, 40_000);
      expect(await compareTrees(source, target, { owner: true })).toEqual([]);
    } finally {
      await h.killAll();
      await primary?.close();
      disk.unmount();
    }
  }, 90_000);
});
