/**
 * Replication end to end: a real primary capturing a real tree, a real
 * replica applying the stream over a real socket, and the CLI's `wait` and
 * `verify` as an operator would run them.
 */
import { lstat, readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReplicaRow } from '@fsjournal/api';
import { compareTrees } from '@fsjournal/journal';
import { http, pairSetup, rng, runCli, useHarness, type Json } from './harness.js';
import { mixedWorkload, runSteps } from './workload.js';

const harness = useHarness('replication');

/** A primary on `source`, a replica `r1` on an empty `target`, and the folders. */
async function startPair() {
  const pair = await pairSetup(harness());
  const primary = await pair.startPrimary();
  const replica = await pair.startReplica();
  return { ...pair, primary, replica };
}

describe('replication of a mixed workload', () => {
  it.for([
    { pace: 'paced', pauseMs: 60 },
    { pace: 'back to back', pauseMs: 0 },
  ])(
    'changes made $pace: after wait, the replica holds the same content, types, modes, symlink targets, mtimes and owners',
    { timeout: 90_000 },
    async ({ pauseMs }) => {
      const { source, outside, target, primary, replica } = await startPair();
      const steps = mixedWorkload(source, outside);
      await runSteps(steps, rng(7), pauseMs);

      const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
      expect(waited.stderr).toBe('');
      expect(waited.code).toBe(0);
      expect(waited.stdout).toMatch(/^caught up: lsn \d+ applied by r1\n$/);

      expect(await compareTrees(source, target, { owner: true })).toEqual([]);
      const verified = await runCli(['verify', source, target]);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toBe('identical\n');

      // Spot checks of what compareTrees covers, stated plainly.
      const big = await lstat(join(target, 'big.bin'));
      expect(big.size).toBe(5 * 1024 * 1024);
      const chowned = await lstat(join(target, 'a/c'));
      expect([chowned.uid, chowned.gid, chowned.mode & 0o7777]).toEqual([1234, 5678, 0o750]);
      const linkOwner = await lstat(join(target, 'a/rel-link'));
      expect([linkOwner.isSymbolicLink(), linkOwner.uid, linkOwner.gid]).toEqual([
        true,
        1234,
        5678,
      ]);
      expect((await lstat(join(target, 'flip'))).isFile()).toBe(true);
      expect(await readFile(join(target, 'top.txt'), 'utf8')).toBe('the new top\n');
      expect((await lstat(join(target, 'a/uno.txt'))).mtime.toISOString()).toBe(
        '2001-02-03T04:05:06.789Z',
      );
      // Symlinks are copied as links, never followed: the directory outside
      // the tree is neither copied into the target nor written to.
      const absDir = await lstat(join(target, 'abs-dir-link'));
      expect(absDir.isSymbolicLink()).toBe(true);
      expect(await readlink(join(target, 'abs-dir-link'))).toBe(outside);
      expect(await readlink(join(target, 'abs-file-link'))).toBe('/etc/hosts');
      expect(await readlink(join(target, 'a/rel-link'))).toBe('../top.txt');
      expect(await readdir(outside)).toEqual(['secret.txt']);
      // No temp file of an atomic create is left behind.
      const all = await readdir(target, { recursive: true });
      expect(all.filter((n) => /(^|\/)\.fsj-/.test(n))).toEqual([]);

      const status = await replica.status();
      const pstatus = await primary.status();
      expect(status).toMatchObject({
        role: 'replica',
        id: 'r1',
        state: 'streaming',
        journalId: pstatus.journalId,
        lagRecords: 0,
        lastError: null,
      });
      expect(status.appliedLsn).toBe(pstatus.lastLsn);
      expect(status.durableLsn).toBe(pstatus.lastLsn);
    },
  );
});

describe('REST: replicas as the primary sees them', () => {
  it(
    'lists the replica caught up, waits for an LSN, answers 408 on timeout and 404 for an unknown id',
    { timeout: 60_000 },
    async () => {
      const { source, primary } = await startPair();
      await writeFile(join(source, 'hello.txt'), 'hello\n');
      const waited = await runCli(['wait', '--api', primary.url, '--timeout', '30']);
      expect(waited.code).toBe(0);

      const list = await http<ReplicaRow[]>(`${primary.url}/v1/replicas`);
      expect(list.status).toBe(200);
      const last = (await primary.status()).lastLsn as number;
      expect(list.body).toHaveLength(1);
      expect(list.body[0]).toMatchObject({
        id: 'r1',
        connected: true,
        appliedLsn: last,
        durableLsn: last,
        lagRecords: 0,
        lagBytes: 0,
        lagMs: 0,
      });
      expect(list.body[0]!.address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(Date.parse(list.body[0]!.lastAckAt!)).toBeGreaterThan(Date.now() - 60_000);
      expect(((await primary.status()).replicas as Json[])[0]).toMatchObject({ id: 'r1' });

      // Reached already: answered at once.
      const now = await http<ReplicaRow>(`${primary.url}/v1/replicas/r1?waitForLsn=${last}`);
      expect(now.status).toBe(200);
      expect(now.body.appliedLsn).toBe(last);

      // Not reached yet: answered once a change is journaled and applied.
      const later = http<ReplicaRow>(
        `${primary.url}/v1/replicas/r1?waitForLsn=${last + 1}&timeoutMs=20000`,
      );
      await new Promise((r) => setTimeout(r, 200));
      await writeFile(join(source, 'later.txt'), 'later\n');
      const answered = await later;
      expect(answered.status).toBe(200);
      expect(answered.body.appliedLsn).toBeGreaterThanOrEqual(last + 1);

      // Never reached: 408 after the timeout, with the error shape.
      const t0 = Date.now();
      const timeout = await http(
        `${primary.url}/v1/replicas/r1?waitForLsn=${last + 1_000_000}&timeoutMs=300`,
      );
      expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
      expect(timeout.status).toBe(408);
      expect(timeout.body).toEqual({
        error: { code: 'FSJ_ERR_API_TIMEOUT', message: expect.stringContaining('r1') },
      });

      const unknown = await http(`${primary.url}/v1/replicas/nobody?waitForLsn=1&timeoutMs=10`);
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({
        error: { code: 'FSJ_ERR_API_UNKNOWN_REPLICA', message: expect.stringContaining('nobody') },
      });

      const bad = await http(`${primary.url}/v1/replicas/r1?waitForLsn=soon`);
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({
        error: { code: 'FSJ_ERR_API_BAD_REQUEST', message: expect.stringContaining('waitForLsn') },
      });
    },
  );
});
