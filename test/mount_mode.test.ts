/**
 * Mount mode as an operator and an auditor see it: who did what (dd's
 * records carry its command name, uid and pid, shown by `fsjournal log
 * --json`), errors passed through as the right errno, extended attributes,
 * and the lifecycle: SIGTERM unmounts, a crashed run's stale mount is
 * cleaned at the next start (with a GAP), a busy or non-empty mountpoint is
 * a clear error.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFuseBinding, type FuseBinding } from '@fsjournal/journal/internal';
import { compareTrees } from '@fsjournal/journal';
import { runCli, useHarness, waitUntil, type Json } from './harness.js';
import { isMounted, mountSetup, noFuse, useMounts } from './mount_harness.js';

const harness = useHarness('mount-mode');
useMounts();

/** Runs a command to its end; resolves with its pid and exit code. */
function run(
  cmd: string,
  args: string[],
): Promise<{ pid: number; code: number | null; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', rej);
    child.on('close', (code) => res({ pid: child.pid!, code, stderr }));
  });
}

async function journalJson(api: string, args: string[] = []): Promise<Json[]> {
  const log = await runCli(['log', '--api', api, '--json', ...args]);
  expect(log.code, log.stderr).toBe(0);
  return log.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Json);
}

describe.skipIf(noFuse)(`mount mode${noFuse ? ` (skipped: ${noFuse})` : ''}`, () => {
  it('records of a write by dd say comm "dd" with its uid and pid, as root and as uid 1000', async () => {
    const h = harness();
    // The test's temp folder is 0700: uid 1000 must be able to reach the mount.
    await chmod(h.root, 0o755);
    const m = await mountSetup(h);
    const primary = await m.startPrimary();
    const byRoot = await run('dd', [
      'if=/dev/zero',
      `of=${join(m.mnt, 'root.bin')}`,
      'bs=64k',
      'count=4',
    ]);
    expect(byRoot.code, byRoot.stderr).toBe(0);
    await mkdir(join(m.mnt, 'shared'));
    await chmod(join(m.mnt, 'shared'), 0o777);
    const byUser = await run('setpriv', [
      '--reuid=1000',
      '--regid=1000',
      '--clear-groups',
      'dd',
      'if=/dev/zero',
      `of=${join(m.mnt, 'shared/user.bin')}`,
      'bs=4k',
      'count=3',
    ]);
    expect(byUser.code, byUser.stderr).toBe(0);

    const records = await journalJson(primary.url);
    const rootWrites = records.filter((r) => r.op === 'WRITE' && r.path === 'root.bin');
    expect(rootWrites).toHaveLength(4);
    for (const r of rootWrites)
      expect(r).toMatchObject({ comm: 'dd', uid: 0, gid: 0, pid: byRoot.pid });
    expect(records.find((r) => r.op === 'CREATE' && r.path === 'root.bin')).toMatchObject({
      comm: 'dd',
      pid: byRoot.pid,
    });
    const userWrites = records.filter((r) => r.op === 'WRITE' && r.path === 'shared/user.bin');
    expect(userWrites).toHaveLength(3);
    for (const r of userWrites)
      expect(r).toMatchObject({ comm: 'dd', uid: 1000, gid: 1000, pid: byUser.pid });
    // The file is the caller's, on the backing folder too.
    const st = await stat(join(m.backing, 'shared/user.bin'));
    expect([st.uid, st.gid, st.size]).toEqual([1000, 1000, 3 * 4096]);
    expect((await primary.status()).mode).toBe('mount');
  });

  it('errors come back as the errno the backing folder gave, and nothing is journaled for them', async () => {
    const h = harness();
    await chmod(h.root, 0o755);
    const m = await mountSetup(h);
    const primary = await m.startPrimary();
    const fsp = await import('node:fs/promises');
    await writeFile(join(m.mnt, 'f'), 'x');
    await mkdir(join(m.mnt, 'd'));
    await writeFile(join(m.mnt, 'd/inner'), 'y');
    const before = (await primary.status()).lastLsn;
    await expect(fsp.readFile(join(m.mnt, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(fsp.mkdir(join(m.mnt, 'd'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(fsp.rmdir(join(m.mnt, 'd'))).rejects.toMatchObject({ code: 'ENOTEMPTY' });
    await expect(fsp.unlink(join(m.mnt, 'd'))).rejects.toMatchObject({ code: 'EISDIR' });
    await expect(fsp.rename(join(m.mnt, 'nope'), join(m.mnt, 'x'))).rejects.toMatchObject({
      code: 'ENOENT',
    });
    await expect(fsp.writeFile(join(m.mnt, 'f/sub'), 'z')).rejects.toMatchObject({
      code: 'ENOTDIR',
    });
    // Permissions are the kernel's, against the backing folder's attributes.
    const denied = await run('setpriv', [
      '--reuid=1000',
      '--regid=1000',
      '--clear-groups',
      'dd',
      'if=/dev/zero',
      `of=${join(m.mnt, 'f')}`,
      'count=1',
    ]);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Permission denied/);
    expect((await primary.status()).lastLsn).toBe(before);
  });

  it('extended attributes pass through, are journaled as SETXATTR and set on the replica', async () => {
    const m = await mountSetup(harness());
    const primary = await m.startPrimary();
    await m.startReplica();
    const x = loadFuseBinding() as FuseBinding;
    const f = join(m.mnt, 'tagged');
    await writeFile(f, 'x');
    expect(x.xattrSet(f, 'user.color', Buffer.from('blue'), 0)).toBe(0);
    expect(x.xattrSet(f, 'user.shape', Buffer.from([0, 1, 2, 255]), 0)).toBe(0);
    expect((x.xattrGet(f, 'user.color') as Buffer).toString()).toBe('blue');
    expect((x.xattrGet(join(m.backing, 'tagged'), 'user.color') as Buffer).toString()).toBe('blue');
    expect((x.xattrList(f) as Buffer).toString().split('\0').sort()).toEqual([
      '',
      'user.color',
      'user.shape',
    ]);
    expect(x.xattrGet(f, 'user.none')).toBe(-61); // ENODATA
    expect(x.xattrRemove(f, 'user.color')).toBe(0);
    const records = await journalJson(primary.url, ['--op', 'SETXATTR']);
    expect(records.map((r) => [r.op, r.path])).toEqual([
      ['SETXATTR', 'tagged'],
      ['SETXATTR', 'tagged'],
      ['SETXATTR', 'tagged'],
    ]);
    const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
    expect(waited.code, waited.stderr).toBe(0);
    const onReplica = join(m.target, 'tagged');
    expect(x.xattrGet(onReplica, 'user.shape')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(x.xattrGet(onReplica, 'user.color')).toBe(-61);
  });

  it("a write through a handle whose name was unlinked is journaled under the file's other name", async () => {
    const m = await mountSetup(harness());
    const primary = await m.startPrimary();
    await m.startReplica();
    const fsp = await import('node:fs/promises');
    await writeFile(join(m.mnt, 'a'), 'first version\n');
    await fsp.link(join(m.mnt, 'a'), join(m.mnt, 'b'));
    const fh = await fsp.open(join(m.mnt, 'a'), 'r+');
    await fsp.unlink(join(m.mnt, 'a'));
    await fh.write(Buffer.from('FIRST'), 0, 5, 0);
    await fh.truncate(10);
    await fh.close();
    expect(await readFile(join(m.mnt, 'b'), 'utf8')).toBe('FIRST vers');
    const records = await journalJson(primary.url, ['--op', 'WRITE,TRUNCATE']);
    expect(records.slice(-2).map((r) => [r.op, r.path])).toEqual([
      ['WRITE', 'b'],
      ['TRUNCATE', 'b'],
    ]);
    const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(m.mnt, m.target, { owner: true })).toEqual([]);
  });

  it('SIGTERM unmounts; a killed run leaves a stale mount that the next start detaches, with a GAP', async () => {
    const m = await mountSetup(harness());
    let primary = await m.startPrimary();
    await writeFile(join(m.mnt, 'before'), 'one');
    expect(isMounted(m.mnt)).toBe(true);
    expect(await primary.kill('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(isMounted(m.mnt)).toBe(false);

    primary = await m.startPrimary();
    await writeFile(join(m.mnt, 'second'), 'two');
    await primary.kill('SIGKILL');
    expect(isMounted(m.mnt)).toBe(true);
    await expect(stat(m.mnt)).rejects.toMatchObject({ code: 'ENOTCONN' });

    primary = await m.startPrimary();
    expect(primary.log()).toMatch(/stale fsjournal mount/);
    expect(await readFile(join(m.mnt, 'second'), 'utf8')).toBe('two');
    const gaps = await journalJson(primary.url, ['--op', 'GAP']);
    expect(gaps).toHaveLength(1);
    await m.startReplica();
    const waited = await runCli(['wait', '--api', primary.url, '--timeout', '60']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(m.mnt, m.target, { owner: true })).toEqual([]);
    await primary.kill('SIGTERM');
  });

  it('a busy or non-empty mountpoint is refused with a clear error and its code', async () => {
    const h = harness();
    const m = await mountSetup(h);
    const primary = await m.startPrimary();
    const again = await runCli([
      'primary',
      '--mode',
      'mount',
      '--source',
      m.backing,
      '--mountpoint',
      m.mnt,
      '--journal',
      join(h.root, 'journal2'),
      '--listen',
      '127.0.0.1:1',
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already a mountpoint.*FSJ_ERR_MOUNT_BUSY/);
    await primary.kill('SIGTERM');

    const full = await h.dir('full');
    await writeFile(join(full, 'x'), 'x');
    const nonEmpty = await runCli([
      'primary',
      '--mode',
      'mount',
      '--source',
      m.backing,
      '--mountpoint',
      full,
      '--journal',
      join(h.root, 'journal3'),
      '--listen',
      '127.0.0.1:1',
    ]);
    expect(nonEmpty.code).toBe(1);
    expect(nonEmpty.stderr).toMatch(/not empty.*FSJ_ERR_MOUNT_NOT_EMPTY/);
    const usage = await runCli([
      'primary',
      '--mode',
      'mount',
      '--source',
      m.backing,
      '--journal',
      join(h.root, 'j4'),
    ]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--mountpoint/);
    await rm(full, { recursive: true });
    await waitUntil('no mount left', () => !isMounted(m.mnt));
  });
});
