/**
 * The race between a replica's look at a path and its change of it: a
 * primary sends CREATE then thousands of CHMOD 04777 and CHOWN records for
 * one file while a local process (someone who can write into the target)
 * swaps that file, or its parent folder, for a symlink to a file outside
 * the target, as fast as it can. Checked and changed by path, the change
 * sooner or later lands on the outside file (issue 16: within seconds);
 * resolved beneath the target (sys/beneath.ts), it never does. The outside
 * file keeps its bytes and its mode; the replica either applies every
 * record or refuses one with a clear error.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { RecordKind as K } from '@fsjournal/journal/internal';
import { fakePrimary, frame, type Batch, type RawRecord, type Script } from './fake_primary.js';
import { sentinel, useHarness, waitUntil, type Daemon, type Json } from './harness.js';

const harness = useHarness('apply-race');

/** Changes of the file sent while it is swapped; about 8 s of tries for a path-based applier. */
const CHANGES = 20_000;
const PER_BATCH = 1_000;

/**
 * Swaps, until killed: `entry` makes `d/sentinel.txt` a symlink to the
 * outside file and a plain file by turns (rename over it, atomic); `parent`
 * moves the real folder `d` aside and makes `d` a symlink to it and to the
 * outside folder by turns (rename over it: `d` is never missing). Prints
 * "ready" once it runs.
 */
const SWAPPER = `
const fs = require('node:fs');
const [target, outside, how] = process.argv.slice(1);
const d = target + '/d';
let first = true;
for (;;) {
  try {
    if (how === 'entry') {
      fs.symlinkSync(outside + '/sentinel.txt', d + '/.l');
      fs.renameSync(d + '/.l', d + '/sentinel.txt');
      fs.writeFileSync(d + '/.f', '');
      fs.renameSync(d + '/.f', d + '/sentinel.txt');
    } else {
      if (first) {
        fs.renameSync(d, target + '/.real');
        fs.symlinkSync(target + '/.real', target + '/.l1');
        fs.renameSync(target + '/.l1', d);
      }
      fs.symlinkSync(outside, target + '/.l2');
      fs.renameSync(target + '/.l2', d);
      fs.symlinkSync(target + '/.real', target + '/.l1');
      fs.renameSync(target + '/.l1', d);
    }
  } catch {}
  if (first) { first = false; console.log('ready'); }
}
`;

function startSwapper(target: string, outside: string, how: 'entry' | 'parent'): ChildProcess {
  return spawn(process.execPath, ['-e', SWAPPER, target, outside, how], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const at = (path: string, kind: K, extra: RawRecord = {}): RawRecord => ({ kind, path, ...extra });

/** MKDIR d, CREATE d/sentinel.txt; then CHANGES alternating CHMOD 04777 and CHOWN 0:0. */
function script(gate: () => Promise<void>): { script: Script; last: number } {
  const name = 'd/sentinel.txt';
  const steps: Script = [
    {
      first: 1,
      frames: [
        frame(1, at('d', K.RECORD_KIND_MKDIR, { mode: 0o755 })),
        frame(2, at(name, K.RECORD_KIND_CREATE, { mode: 0o644 })),
      ],
    },
    gate,
  ];
  let lsn = 3;
  for (let sent = 0; sent < CHANGES; sent += PER_BATCH) {
    const b: Batch = { first: lsn, frames: [] };
    for (let i = 0; i < PER_BATCH; i++, lsn++) {
      b.frames.push(
        frame(
          lsn,
          lsn % 2 === 0
            ? at(name, K.RECORD_KIND_CHOWN, { uid: 0, gid: 0 })
            : at(name, K.RECORD_KIND_CHMOD, { mode: 0o4777 }),
        ),
      );
    }
    steps.push(b);
  }
  return { script: steps, last: lsn - 1 };
}

/** Waits until the replica has applied `lsn` or reports an error; returns its status. */
function finished(replica: Daemon, lsn: number): Promise<Json> {
  return waitUntil(
    `the replica to apply LSN ${lsn} or refuse a record`,
    async () => {
      const s = await replica.status();
      return (s.appliedLsn as number) >= lsn || s.lastError ? s : undefined;
    },
    90_000,
    100,
  );
}

describe('a replica whose target is changed under it while it applies', () => {
  // `walk`: the fallback for kernels without openat2, forced (FSJOURNAL_TARGET_PATHS).
  for (const [how, paths] of [
    ['entry', 'openat2'],
    ['parent', 'openat2'],
    ['entry', 'walk'],
    ['parent', 'walk'],
  ] as const) {
    it(`never changes a file outside the target when the ${how} is swapped for a symlink (${paths})`, async () => {
      const h = harness();
      const outside = await sentinel(h);
      const outsideFile = join(outside.dir, 'sentinel.txt');
      const modeBefore = (await stat(outsideFile)).mode;
      const target = await h.dir('target');
      let swapper: ChildProcess | undefined;
      let replica: Daemon | undefined;
      const gate = async (): Promise<void> => {
        await waitUntil(
          'd/sentinel.txt created',
          async () => (await replica!.status()).appliedLsn === 2,
        );
        swapper = startSwapper(target, outside.dir, how);
        const lines = createInterface({ input: swapper.stdout! });
        await once(lines, 'line');
      };
      const { script: steps, last } = script(gate);
      const primary = await fakePrimary(steps);
      let err: Json | null;
      try {
        const env: Record<string, string> =
          paths === 'walk' ? { FSJOURNAL_TARGET_PATHS: 'walk' } : {};
        replica = await h.replica({ upstream: primary.url, target, id: 'victim', env });
        err = (await finished(replica, last)).lastError as Json | null;
      } finally {
        swapper?.kill('SIGKILL');
        if (swapper) await once(swapper, 'exit');
        await replica?.kill();
        await primary.close();
      }
      await outside.check();
      expect((await stat(outsideFile)).mode.toString(8)).toBe(modeBefore.toString(8));
      if (how === 'entry') {
        // A symlink as the final component is left alone (Linux keeps no mode for one).
        expect(err).toBeNull();
      } else {
        // A symlink where a folder must be: the record is refused, naming it.
        expect(err?.code).toBe('FSJ_ERR_REPLICA_REFUSED_RECORD');
        expect(err?.message).toMatch(/parent d is not a directory/);
      }
    }, 120_000);
  }
});
