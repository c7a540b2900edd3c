/**
 * Workloads for the end-to-end tests: a fixed mixed workload that touches
 * every kind of change the replica must reproduce, and a seeded random one
 * for the fault tests. Both act on a source tree only through ordinary file
 * system calls, as users of the tree would.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFile,
  chmod,
  chown,
  lchown,
  lstat,
  lutimes,
  mkdir,
  open,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import type { Rng } from './harness.js';

const execFileAsync = promisify(execFile);

export const BIG_BYTES = 5 * 1024 * 1024;

export interface Step {
  name: string;
  run(): Promise<void>;
}

async function patch(path: string, offset: number, data: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.write(data, 0, data.length, offset);
  } finally {
    await fh.close();
  }
}

/**
 * The mixed workload: small files and a 5 MB one, renames of files and
 * directories, deletes, chmod, chown, relative and absolute symlinks (one
 * to a directory outside the tree, one dangling), truncate down and up, the
 * big file patched in the middle, a rename over an existing file, and a
 * file turned into a directory of the same name and back. `outside` is a
 * directory outside the source that symlinks point to: replication must
 * never follow them.
 */
export function mixedWorkload(src: string, outside: string): Step[] {
  const p = (rel: string): string => join(src, rel);
  return [
    {
      name: 'small files and directories',
      run: async () => {
        await mkdir(p('a/b/deep'), { recursive: true });
        await mkdir(p('gone/sub'), { recursive: true });
        await writeFile(p('a/one.txt'), 'one\n');
        await writeFile(p('a/b/two.txt'), 'two\n'.repeat(100));
        await writeFile(p('a/b/deep/three.txt'), 'three three three\n');
        await writeFile(p('top.txt'), 'top\n');
        await writeFile(p('empty'), '');
        await writeFile(p('name with spaces é ✓.txt'), 'unicode\n');
        await writeFile(p('gone/x'), 'x');
        await writeFile(p('gone/sub/y'), randomBytes(70_000));
        await writeFile(p('delete-me.txt'), 'bye\n');
        await writeFile(p('grow.txt'), 'grow\n');
        await writeFile(p('flip'), 'I am a file for now\n');
        await writeFile(p('script.sh'), '#!/bin/sh\necho hi\n');
      },
    },
    {
      name: 'a 5 MB file',
      run: async () => {
        await writeFile(p('big.bin'), randomBytes(BIG_BYTES));
      },
    },
    {
      name: 'symlinks, relative and absolute, never followed',
      run: async () => {
        await symlink('../top.txt', p('a/rel-link'));
        await symlink('b/deep', p('a/dir-link'));
        await symlink('/etc/hostname', p('abs-file-link'));
        await symlink(outside, p('abs-dir-link'));
        await symlink('does/not/exist', p('dangling'));
      },
    },
    {
      name: 'chmod',
      run: async () => {
        await chmod(p('top.txt'), 0o600);
        await chmod(p('script.sh'), 0o755);
        await chmod(p('a/b'), 0o750);
        await chmod(p('a/b/two.txt'), 0o640);
        await chmod(p('a/b/deep'), 0o1777);
      },
    },
    {
      name: 'chown to 1234:5678',
      run: async () => {
        await chown(p('a/one.txt'), 1234, 5678);
        await chown(p('a/b'), 1234, 5678);
        await lchown(p('a/rel-link'), 1234, 5678);
      },
    },
    {
      name: 'rename a file',
      run: async () => {
        await rename(p('a/one.txt'), p('a/uno.txt'));
      },
    },
    {
      name: 'rename a directory, then write inside it',
      run: async () => {
        await rename(p('a/b'), p('a/c'));
        await appendFile(p('a/c/two.txt'), 'appended after the rename\n');
      },
    },
    {
      name: 'delete a file and a directory tree',
      run: async () => {
        await unlink(p('delete-me.txt'));
        await rm(p('gone'), { recursive: true });
      },
    },
    {
      name: 'truncate down and up',
      run: async () => {
        await truncate(p('a/c/deep/three.txt'), 3);
        await truncate(p('grow.txt'), 100_000);
      },
    },
    {
      name: 'patch the big file in the middle',
      run: async () => {
        await patch(p('big.bin'), Math.floor(BIG_BYTES / 2) + 123, randomBytes(4096));
      },
    },
    {
      name: 'rename over an existing file',
      run: async () => {
        await writeFile(p('replacement.txt'), 'the new top\n');
        await rename(p('replacement.txt'), p('top.txt'));
      },
    },
    {
      name: 'a file becomes a directory of the same name',
      run: async () => {
        await unlink(p('flip'));
        await mkdir(p('flip'));
        await writeFile(p('flip/inside.txt'), 'inside the flipped directory\n');
      },
    },
    {
      name: 'and a file again',
      run: async () => {
        await rm(p('flip'), { recursive: true });
        await writeFile(p('flip'), 'a file again\n');
      },
    },
    {
      name: 'set times, retarget a symlink, replace a symlink with a file',
      run: async () => {
        await utimes(
          p('a/uno.txt'),
          new Date('2001-02-03T04:05:06.789Z'),
          new Date('2001-02-03T04:05:06.789Z'),
        );
        await lutimes(
          p('a/rel-link'),
          new Date('2002-01-01T00:00:00Z'),
          new Date('2002-01-01T00:00:00Z'),
        );
        await unlink(p('abs-file-link'));
        await symlink('/etc/hosts', p('abs-file-link'));
        await unlink(p('dangling'));
        await writeFile(p('dangling'), 'no longer a link\n');
      },
    },
    {
      // Just past a millisecond, as the kernel's coarse clock often stamps:
      // as a double of seconds, x.491000044 falls below x.491.
      name: 'times a few nanoseconds past a millisecond, on a file, a directory and a symlink',
      run: async () => {
        const at = '@1795322998.491000044';
        await execFileAsync('touch', ['-d', at, p('top.txt'), p('a/c/deep')]);
        await execFileAsync('touch', ['-h', '-d', at, p('a/rel-link')]);
      },
    },
  ];
}

/** Runs steps in order with a random pause of up to `maxPauseMs` between them. */
export async function runSteps(steps: Step[], r: Rng, maxPauseMs: number): Promise<void> {
  for (const s of steps) {
    try {
      await s.run();
    } catch (err) {
      throw new Error(`workload step "${s.name}": ${(err as Error).message}`, { cause: err });
    }
    if (maxPauseMs > 0) await new Promise((res) => setTimeout(res, r.int(maxPauseMs)));
  }
}

const EXPECTED_RACE = new Set(['ENOENT', 'EEXIST', 'ENOTEMPTY', 'ENOTDIR', 'EISDIR', 'EINVAL']);

/**
 * Whether `abs` can be changed without going through a symlink: every
 * component from `src` down is a real directory (or missing), and with
 * `final`, the path itself is not a symlink either. The random workload
 * makes symlinks to the names it writes, and must never write through one.
 */
async function throughNoSymlink(src: string, abs: string, final: boolean): Promise<boolean> {
  const parts = relative(src, abs).split(sep);
  let p = src;
  for (let i = 0; i < parts.length; i++) {
    p = join(p, parts[i]!);
    const st = await lstat(p).catch(() => undefined);
    if (!st) return true;
    if (i < parts.length - 1 ? !st.isDirectory() : final && st.isSymbolicLink()) return false;
  }
  return true;
}

/**
 * One random change under `src/chaos`: over a small pool of names so that
 * changes collide (renames over, type flips, writes to renamed paths).
 * Errors a user would get from racing with itself (ENOENT, EEXIST, ...) are
 * ignored; a change that would go through a symlink is not made.
 */
export async function randomChange(src: string, r: Rng): Promise<string> {
  const dirs = ['chaos', 'chaos/d0', 'chaos/d1', 'chaos/d1/d0'];
  const name = (): string => join(src, r.pick(dirs), r.pick(['f0', 'f1', 'f2', 'f3', 'd0', 'd1']));
  const size = (): number => (r.int(10) === 0 ? 1_500_000 + r.int(500_000) : r.int(100_000));
  const op = r.pick([
    'write',
    'write',
    'write',
    'append',
    'patch',
    'truncate',
    'rename',
    'rename',
    'unlink',
    'mkdir',
    'rmtree',
    'chmod',
    'chown',
    'symlink',
    'utimes',
  ]);
  const a = name();
  const b = name();
  const follows = ['write', 'append', 'patch', 'truncate', 'chmod'].includes(op);
  if (
    !(await throughNoSymlink(src, a, follows)) ||
    (op === 'rename' && !(await throughNoSymlink(src, b, false)))
  ) {
    return `${op} ${relative(src, a)}: skipped, a symlink is in the way`;
  }
  try {
    switch (op) {
      case 'write':
        await writeFile(a, randomBytes(size()));
        break;
      case 'append':
        await appendFile(a, randomBytes(1 + r.int(5000)));
        break;
      case 'patch':
        await patch(a, r.int(200_000), randomBytes(1 + r.int(70_000)));
        break;
      case 'truncate':
        await truncate(a, r.int(150_000));
        break;
      case 'rename':
        await rename(a, b);
        break;
      case 'unlink':
        await unlink(a);
        break;
      case 'mkdir':
        await mkdir(a);
        await writeFile(join(a, 'in'), randomBytes(r.int(3000)));
        break;
      case 'rmtree':
        await rm(a, { recursive: true });
        break;
      case 'chmod':
        await chmod(a, r.pick([0o600, 0o644, 0o755, 0o700, 0o640]));
        break;
      case 'chown':
        await lchown(a, r.pick([0, 1234, 4321]), r.pick([0, 5678, 8765]));
        break;
      case 'symlink':
        await symlink(r.pick(['f0', '../f1', 'nowhere', '/nonexistent/fsj-e2e']), a);
        break;
      case 'utimes':
        await lutimes(a, new Date(1e12 + r.int(1e9)), new Date(1e12 + r.int(1e9)));
        break;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!EXPECTED_RACE.has(code)) throw err;
  }
  return `${op} ${relative(src, a)}`;
}
