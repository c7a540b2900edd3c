/**
 * The disk-full setup of the tests: a small tmpfs mounted over a folder (a
 * journal's or a replica target's disk) that a test fills, grows or frees,
 * and a primary run in the test's process that retries its failed journal
 * within a second (a PrimaryOptions field, not a flag; the daemon waits 1 to
 * 30 s), and the GAP it journals once it recovered. Root only (mount(8)): `noSmallDisk` says why a test skips elsewhere.
 * Not guaranteed: a filled disk refuses new blocks, not writes inside blocks
 * a file already has (tmpfs allocates whole pages); write more than a page.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startPrimary, type PrimaryHandle, type PrimaryOptions } from '@fsjournal/api';
import { failureLogger, http, type Json } from './harness.js';

/** Why a small disk cannot be made here (not root), or undefined when it can. */
export const noSmallDisk: string | undefined =
  process.getuid?.() === 0 ? undefined : 'tmpfs mounts need root';

/** A tmpfs of a few MiB over `dir`. */
export class SmallDisk {
  private constructor(readonly dir: string) {}

  /** Makes `dir` (if needed) and mounts a tmpfs of `size` (`2m`, `64m`) over it. */
  static async mount(dir: string, size: string): Promise<SmallDisk> {
    await mkdir(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    return new SmallDisk(dir);
  }

  /** Grows (or shrinks) the disk to `size`, keeping its files. */
  resize(size: string): void {
    execFileSync('mount', ['-o', `remount,size=${size}`, this.dir]);
  }

  /**
   * Fills what is left with a file `filler` in the disk's root, by dd in a
   * child process (nothing here waits on this process's event loop, which
   * may serve a FUSE mount); resolves with what dd said (its stderr).
   */
  fill(): Promise<string> {
    return new Promise((res) => {
      execFile('dd', ['if=/dev/zero', `of=${join(this.dir, 'filler')}`, 'bs=64k'], (_e, _o, err) =>
        res(err),
      );
    });
  }

  /** Removes what `fill()` wrote. */
  async free(): Promise<void> {
    await rm(join(this.dir, 'filler'), { force: true });
  }

  /** Detaches the tmpfs (lazily); nothing if it is gone already. */
  unmount(): void {
    try {
      execFileSync('umount', ['-l', this.dir]);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Starts a primary in this process on 127.0.0.1:`port` whose failed journal
 * is retried within a second (200 ms, at most 1 s between attempts), logging
 * to a logger shown when the test fails.
 */
export function startRecoveringPrimary(
  ctx: { onTestFailed(fn: () => void): void },
  o: Omit<PrimaryOptions, 'host' | 'logger' | 'recoveryRetryMs' | 'recoveryRetryMaxMs'> & {
    port: number;
  },
): Promise<PrimaryHandle> {
  return startPrimary({
    ...o,
    host: '127.0.0.1',
    logger: failureLogger(ctx),
    recoveryRetryMs: 200,
    recoveryRetryMaxMs: 1000,
  });
}

/**
 * The GAP records of the primary at `url`, once its journal recovered from
 * the full disk: expects at least one, the first saying where the journal
 * failed, with ENOSPC.
 */
export async function expectEnospcGap(url: string): Promise<Json[]> {
  const gaps = (await http<Json[]>(`${url}/v1/journal?op=GAP`)).body;
  expect(gaps.length).toBeGreaterThanOrEqual(1);
  expect(gaps[0]!.text).toMatch(/^journal failed after lsn \d+ at .* \(ENOSPC/);
  return gaps;
}
