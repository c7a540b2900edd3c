/**
 * sys/inline_fs.ts: the same results inline and through the thread pool,
 * the same errors, and a slow call sending calls to the pool for a while;
 * sys/syncfs.ts: syncfs(2) on a real folder, its error on a bad descriptor;
 * sys/malloc_tuning.ts: mallopt through the binding.
 */
import { constants as fsc, openSync, closeSync } from 'node:fs';
import { lstat, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InlineFs, syncFileSystem, syncfsCovers, tuneMalloc } from '@fsjournal/journal';
import { syncfsAvailable } from '@fsjournal/journal/internal';
import { tempDir } from './helpers.js';

/** One file built, read, renamed, linked and removed through `io`. */
async function roundTrip(io: InlineFs, dir: string): Promise<string[]> {
  const seen: string[] = [];
  const f = await io.open(join(dir, 'f.tmp'), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
  await f.writeAll(Buffer.from('hello world'), 0);
  await f.chmod(0o640);
  await f.truncate(5);
  await f.utimes(1_000_000, 2_000_000);
  await f.close();
  await f.close(); // a second close does nothing
  await io.rename(join(dir, 'f.tmp'), join(dir, 'f'));
  const st = await io.lstat(join(dir, 'f'));
  seen.push(`mode ${(st.mode & 0o777).toString(8)} size ${st.size} mtime ${st.mtimeMs}`);
  const r = await io.open(join(dir, 'f'), fsc.O_RDONLY);
  const buf = Buffer.alloc(8);
  const got = await r.read(buf, 0, 8, 0);
  seen.push(`read ${buf.subarray(0, got).toString()} size ${(await r.statNs()).size}`);
  await r.close();
  await io.mkdir(join(dir, 'd'), 0o750);
  await io.symlink('f', join(dir, 'l'));
  seen.push(`readlink ${await io.readlink(join(dir, 'l'))}`);
  await io.link(join(dir, 'f'), join(dir, 'd', 'g'));
  await io.lutimes(join(dir, 'd'), 5, 6);
  seen.push(`dir mtime ${(await io.lstatNs(join(dir, 'd'))).mtimeNs}`);
  await io.unlink(join(dir, 'd', 'g'));
  await io.rmdir(join(dir, 'd'));
  seen.push(`gone ${String(await io.lstatOrNone(join(dir, 'd')))}`);
  return seen;
}

describe('InlineFs', () => {
  it('gives the same tree and answers inline and through the thread pool', async () => {
    const inline = new InlineFs();
    const pool = new InlineFs({ threadPoolOnly: true });
    expect(inline.inline).toBe(true);
    expect(pool.inline).toBe(false);
    const [a, b] = [await tempDir('fsj-inline-a-'), await tempDir('fsj-inline-b-')];
    const seenA = await roundTrip(inline, a);
    const seenB = await roundTrip(pool, b);
    expect(seenA).toEqual(seenB);
    expect(seenA[0]).toBe('mode 640 size 5 mtime 2000000000');
    expect(await readFile(join(a, 'f'), 'utf8')).toBe('hello');
    expect(inline.slowCalls).toBe(0);
  });

  it('throws Node’s own errors either way', async () => {
    const dir = await tempDir('fsj-inline-err-');
    for (const io of [new InlineFs(), new InlineFs({ threadPoolOnly: true })]) {
      await expect(io.lstat(join(dir, 'missing'))).rejects.toMatchObject({
        code: 'ENOENT',
        syscall: 'lstat',
      });
      await writeFile(join(dir, 'x'), '');
      await expect(
        io.open(join(dir, 'x'), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL),
      ).rejects.toMatchObject({ code: 'EEXIST' });
      await symlink('x', join(dir, 'sl')).catch(() => undefined);
      await expect(io.open(join(dir, 'sl'), fsc.O_RDONLY | fsc.O_NOFOLLOW)).rejects.toMatchObject({
        code: 'ELOOP',
      });
      // lstatOrNone: nothing there (whatever the error) is undefined, never a throw.
      expect(await io.lstatOrNone(join(dir, 'x', 'under-a-file'))).toBeUndefined();
    }
  });

  it('a long run of inline calls lets the event loop turn (timers, sockets, inotify)', async () => {
    const io = new InlineFs();
    const dir = await tempDir('fsj-inline-pace-');
    let turned = 0;
    const tick = setInterval(() => turned++, 1);
    try {
      const until = performance.now() + 60;
      // Without pacing, these awaits are microtasks only and the interval never runs.
      while (performance.now() < until) await io.lstat(dir);
    } finally {
      clearInterval(tick);
    }
    expect(turned).toBeGreaterThan(3);
  });

  it('a slow call sends calls to the thread pool for the cool-off, and says so', async () => {
    const told: number[] = [];
    // Every call is "slow" at 0 ms: the first one trips it.
    const io = new InlineFs({ slowMs: 0, coolOffMs: 200, onSlow: (ms) => told.push(ms) });
    const dir = await tempDir('fsj-inline-slow-');
    expect(io.inline).toBe(true);
    await io.lstat(dir);
    expect(io.slowCalls).toBe(1);
    expect(told).toHaveLength(1);
    expect(io.inline).toBe(false);
    // Through the pool now: not timed, not counted.
    await io.lstat(dir);
    expect(io.slowCalls).toBe(1);
    await new Promise((r) => setTimeout(r, 250));
    expect(io.inline).toBe(true);
  });
});

describe.runIf(syncfsAvailable())('syncFileSystem', () => {
  it('syncs the file system of a folder; a bad descriptor is EBADF', async () => {
    const dir = await tempDir('fsj-syncfs-');
    await writeFile(join(dir, 'f'), 'data');
    const fd = openSync(dir, fsc.O_RDONLY | fsc.O_DIRECTORY);
    try {
      await syncFileSystem(fd, `syncfs ${dir}`);
    } finally {
      closeSync(fd);
    }
    await expect(syncFileSystem(fd, 'syncfs closed')).rejects.toMatchObject({
      code: 'EBADF',
      syscall: 'syncfs',
    });
    expect((await lstat(join(dir, 'f'))).size).toBe(4);
  });

  it('is used only on file systems whose syncfs commits everything', async () => {
    // /proc's syncfs does nothing: it is not one of them.
    expect(await syncfsCovers('/proc')).toBe(false);
    expect(await syncfsCovers('/nonexistent-folder-of-no-file-system')).toBe(false);
  });
});

describe.runIf(syncfsAvailable() && process.platform === 'linux')('tuneMalloc', () => {
  it('sets the allocator’s limits, unless the operator set them in the environment', () => {
    expect(tuneMalloc({ MALLOC_ARENA_MAX: '4' })).toBe(false);
    expect(tuneMalloc({ MALLOC_MMAP_THRESHOLD_: '65536' })).toBe(false);
    expect(tuneMalloc({})).toBe(true);
  });
});
