/**
 * Mount mode with the journal on a full disk (a 2 MiB tmpfs filled by a
 * file beside the journal; root only): a write through the mount whose
 * records the journal cannot hold fails with EIO, and so does every change
 * after it (nothing is changed on the backing folder) while reads go on;
 * `/healthz` says why and the primary keeps retrying. Once the filler is
 * deleted the primary recovers by itself: the change that reached the
 * backing folder before the journal failed is journaled after the GAP,
 * changes are taken again, and the replica ends identical to the backing
 * folder.
 *
 * The primary runs in this process (to shorten its retry delay, a
 * PrimaryOptions field), so every access to the mount goes through a child
 * process: a synchronous call from here would wait on this event loop,
 * which serves the mount.
 */
import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import type { PrimaryHandle } from '@fsjournal/api';
import { expectEnospcGap, noSmallDisk, SmallDisk, startRecoveringPrimary } from './full_disk.js';
import {
  barrier,
  freePort,
  http,
  useHarness,
  waitDurable,
  waitUntil,
  type Json,
} from './harness.js';
import { noFuse, useMounts } from './mount_harness.js';

const harness = useHarness('mount-disk-full');
useMounts();
const skip = noFuse ?? noSmallDisk;

/** `sh -c SCRIPT` in a child process; resolves with its exit code and stderr. */
function sh(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile('sh', ['-c', script], (err, stdout, stderr) =>
      res({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(skip)(`mount mode, journal disk full${skip ? ` (skipped: ${skip})` : ''}`, () => {
  it('changes fail with EIO while the journal is failed; it recovers by itself and the replica ends identical', async (ctx) => {
    const h = harness();
    const backing = await h.dir('backing');
    const mnt = await h.dir('mnt');
    const disk = await SmallDisk.mount(join(h.root, 'disk'), '2m');
    const journal = join(disk.dir, 'journal');
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let primary: PrimaryHandle | undefined;
    try {
      primary = await startRecoveringPrimary(ctx, {
        source: backing,
        journalDir: journal,
        port,
        mode: 'mount',
        mountpoint: mnt,
      });
      const target = join(h.root, 'target');
      await mkdir(target);
      const replica = await h.replica({
        upstream: `ws://127.0.0.1:${port}/v1/stream`,
        target,
        state: join(h.root, 'target-state'),
        id: 'r1',
      });
      expect((await sh(`echo before > ${mnt}/a.txt`)).code).toBe(0);

      await barrier(url);

      // The journal's disk full: a write of new blocks through the mount gets EIO.
      expect(await disk.fill()).toMatch(/No space left on device/);
      const dd = await sh(`dd if=/dev/urandom of=${mnt}/big.bin bs=128k count=4 2>&1`);
      expect(dd.code).not.toBe(0);
      expect(dd.stdout).toMatch(/Input\/output error/);
      const health = await waitUntil('the primary to report the failed journal', async () => {
        const a = await http(`${url}/healthz`);
        return a.status === 503 ? a : undefined;
      });
      expect(health.body.error).toMatchObject({
        code: 'FSJ_ERR_JOURNAL_IO',
        message: expect.stringMatching(/ENOSPC/),
      });
      // While failed: changes are refused (and not made), reads go on.
      const refused = await sh(`echo refused > ${mnt}/refused.txt`);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/Input\/output error/);
      expect((await sh(`ls ${backing}`)).stdout.split('\n')).not.toContain('refused.txt');
      expect((await sh(`cat ${mnt}/a.txt`)).stdout).toBe('before\n');
      await waitUntil('two recovery attempts', async () => {
        const j = (await http(`${url}/v1/status`)).body.journal as Json;
        return j.state === 'failed' && (j.attempts as number) >= 2;
      });
      expect((await http(`${url}/healthz`)).status).toBe(503);

      await disk.free();
      await waitUntil('the primary to recover by itself', async () => {
        return (await http(`${url}/healthz`)).status === 200;
      });
      expect((await sh(`echo after > ${mnt}/after.txt`)).code).toBe(0);
      await expectEnospcGap(url);
      const lsn = await barrier(url);
      await waitDurable('the replica to catch up', replica, lsn, 40_000);
      // What dd wrote before its EIO is on the backing folder, and on the replica.
      expect(await compareTrees(backing, target, { owner: true })).toEqual([]);
    } finally {
      await h.killAll();
      await primary?.close();
      disk.unmount();
    }
  }, 90_000);
});
