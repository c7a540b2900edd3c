/**
 * Disk full, on the replica and on the journal, with real small tmpfs mounts
 * (root only: this machine and CI run as root; elsewhere the tests say why
 * they skip).
 *
 * - Replica target on a 3 MiB tmpfs, then a 6 MB file on the source: the
 *   replica stops applying, says ENOSPC in its status (state `error`), acks
 *   nothing past what it applied, and once the tmpfs grows it resumes by
 *   itself and ends identical: nothing skipped.
 * - Journal on a 2 MiB tmpfs: an append fails, `/healthz` answers 503 and the
 *   primary reports the failure; it does not journal past the hole. Started
 *   again once there is space, its start-up scan journals what it missed and
 *   the replica ends identical.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { http, pairSetup, sleep, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('disk-full');
const isRoot = process.getuid?.() === 0;

function mountTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
}
function resizeTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir]);
}
function unmount(dir: string): void {
  try {
    execFileSync('umount', ['-l', dir]);
  } catch {
    /* already gone */
  }
}

function noise(bytes: number, seed: number): Buffer {
  const b = Buffer.alloc(bytes);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

async function barrier(url: string): Promise<number> {
  const a = await http(`${url}/v1/barrier`, { method: 'POST' });
  expect(a.status).toBe(200);
  return a.body.lsn as number;
}

describe.skipIf(!isRoot)('disk full (tmpfs mounts need root)', () => {
  it('on the replica: stops, reports ENOSPC, skips nothing, resumes when space returns', async () => {
    const h = harness();
    const { source, target, startPrimary, startReplica } = await pairSetup(h);
    await mkdir(target, { recursive: true });
    mountTmpfs(target, '3m');
    try {
      const primary = await startPrimary();
      const replica = await startReplica();
      await writeFile(join(source, 'small.bin'), noise(500_000, 1));
      const first = await barrier(primary.url);
      await waitUntil('the small file applied', async () => {
        return ((await replica.status()).durableLsn as number) >= first;
      });

      await writeFile(join(source, 'big.bin'), noise(6_000_000, 2));
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

      resizeTmpfs(target, '64m');
      await waitUntil(
        'the replica to resume',
        async () => ((await replica.status()).durableLsn as number) >= second,
        40_000,
      );
      expect((await replica.status()).lastError).toBeNull();
      expect(await compareTrees(source, target, { owner: true })).toEqual([]);
    } finally {
      await h.killAll();
      unmount(target);
    }
  }, 90_000);

  it('on the journal: stops and says so; restarted with space, it journals what it missed', async () => {
    const h = harness();
    const { source, journal, target, startPrimary, startReplica } = await pairSetup(h);
    await mkdir(journal, { recursive: true });
    mountTmpfs(journal, '2m');
    try {
      let primary = await startPrimary();
      const replica = await startReplica();
      await writeFile(join(source, 'a.txt'), 'before the disk filled\n');
      await barrier(primary.url);

      await writeFile(join(source, 'big.bin'), noise(3_000_000, 3));
      await waitUntil('the primary to report the failed journal', async () => {
        const a = await http(`${primary.url}/healthz`);
        return a.status === 503;
      });
      const refused = await http(`${primary.url}/v1/barrier`, { method: 'POST' });
      expect(refused.status).toBe(503);
      expect((refused.body.error as Json).code).toBe('FSJ_ERR_API_UNAVAILABLE');
      await writeFile(join(source, 'later.txt'), 'changed while the journal was failed\n');

      await primary.kill('SIGKILL');
      resizeTmpfs(journal, '64m');
      primary = await startPrimary();
      const lsn = await barrier(primary.url);
      await waitUntil(
        'the replica to catch up',
        async () => ((await replica.status()).durableLsn as number) >= lsn,
        40_000,
      );
      expect(await compareTrees(source, target, { owner: true })).toEqual([]);
    } finally {
      await h.killAll();
      unmount(journal);
    }
  }, 90_000);
});
