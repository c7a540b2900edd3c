/**
 * Mount mode in end-to-end tests: a primary serving a FUSE mount over a
 * backing folder (`fsjournal primary --mode mount`, a real child process), a
 * replica, and the clean-up a mount needs. A mount is always detached after
 * the test, even when its primary was killed (a stale mount) or the test
 * failed. Tests skip, saying why, where the machine has no FUSE.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { pairLayout, type Daemon, type Harness } from './harness.js';

/**
 * Why mount-mode tests cannot run here, or undefined when they can. Only a
 * machine without /dev/fuse skips them: a FUSE binding that did not build is
 * a failure to see, not a reason to skip.
 */
export const noFuse: string | undefined = existsSync('/dev/fuse')
  ? undefined
  : '/dev/fuse is absent (no FUSE on this machine)';

/** True when `dir` is a mountpoint now. */
export function isMounted(dir: string): boolean {
  const esc = dir.replace(/ /g, '\\040');
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((l) => l.split(' ')[4] === esc);
}

const mounted = new Set<string>();

/** Detaches every mount the test made that is still there. */
function detachAll(): void {
  for (const dir of mounted) {
    for (let i = 0; i < 5 && isMounted(dir); i++) spawnSync('umount', ['-l', dir]);
  }
  mounted.clear();
}

/** Makes `dir` a mount the next `useMounts` afterEach detaches. */
export function trackMount(dir: string): void {
  mounted.add(dir);
}

/** Registers the afterEach that detaches the file's mounts. */
export function useMounts(): void {
  afterEach(() => detachAll());
}

export interface MountPair {
  backing: string;
  mnt: string;
  journal: string;
  target: string;
  state: string;
  primaryPort: number;
  upstream: string;
  startPrimary(args?: string[]): Promise<Daemon>;
  startReplica(id?: string): Promise<Daemon>;
}

/** Folders and ports for one mount-mode primary and its replica. */
export async function mountSetup(h: Harness): Promise<MountPair> {
  const backing = await h.dir('backing');
  const mnt = join(h.root, 'mnt');
  const { journal, target, state, primaryPort, replicaPort, upstream } = await pairLayout(h);
  mounted.add(mnt);
  return {
    backing,
    mnt,
    journal,
    target,
    state,
    primaryPort,
    upstream,
    startPrimary: (args = []) =>
      h.primary({
        source: backing,
        journal,
        port: primaryPort,
        args: ['--mode', 'mount', '--mountpoint', mnt, ...args],
      }),
    startReplica: (id = 'r1') => h.replica({ upstream, target, state, id, port: replicaPort }),
  };
}
