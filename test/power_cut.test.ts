/**
 * Power cuts: the journal, the replica's tree and its position on a file
 * system that forgets whatever was not fsynced (test/powercut_fs.ts). A
 * SIGKILL (journal_crash.test.ts, replication_faults.test.ts) keeps the page
 * cache; these tests drop it, strictly (unsynced writes gone, a name gone
 * unless its folder was synced) and torn (a random prefix of each file's
 * unsynced writes kept, the last one cut at a sector).
 *
 * First the file system itself, so that the tests below cannot pass by a
 * file system that keeps everything; then the journal under each sync
 * policy (`none` is expected to lose acknowledged appends, and the test says
 * so); then real daemons: a replica whose target and state are on it, and a
 * primary whose journal is on it, each killed and its disk cut while the
 * source keeps changing.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { compareTrees, Journal, RecordKind } from '@fsjournal/journal';
import {
  freePort,
  http,
  readPosition,
  readWholeJournal,
  rng,
  runCli,
  seedFromEnv,
  sleep,
  useHarness,
  waitForReplica,
  waitUntil,
  type Daemon,
} from './harness.js';
import { reopenAndCheck, requireBuiltJournal, runAppender } from './journal_appender.js';
import { noFuse, trackMount, useMounts } from './mount_harness.js';
import { PowercutFs } from './powercut_fs.js';
import { mixedWorkload, randomChange, runSteps } from './workload.js';

const LONG = process.env.FSJ_LONG === '1';
const SEGMENT_BYTES = 256 * 1024;
const NONE_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Cuts per sync policy. */
const CUTS = LONG ? 50 : 6;
const CUTS_TIMEOUT = LONG ? 900_000 : 120_000;
/** Cuts per daemon test. */
const DAEMON_CUTS = LONG ? 20 : 3;
const DAEMON_TIMEOUT = LONG ? 1_200_000 : 180_000;
const KILL_AFTER_MS: [number, number] = [100, 500];
const VERBOSE = process.env.FSJ_TEST_VERBOSE === '1';

const mounted: PowercutFs[] = [];
const dirs: string[] = [];

async function powercutFs(): Promise<PowercutFs> {
  const dir = await mkdtemp(join(tmpdir(), 'fsj-powercut-'));
  dirs.push(dir);
  const fsys = await PowercutFs.mount(dir);
  mounted.push(fsys);
  return fsys;
}

beforeAll(requireBuiltJournal);

afterEach(async () => {
  for (const fsys of mounted.splice(0)) await fsys.unmount();
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

/** Writes `data` through a handle, fsyncing it when asked. */
async function put(path: string, data: string, sync: boolean): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(data);
    if (sync) await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

describe.skipIf(noFuse)('the power-cut file system', () => {
  it('keeps what was synced and forgets the rest', async () => {
    const fsys = await powercutFs();
    const m = fsys.mountpoint;
    await mkdir(join(m, 'd'));
    await syncDir(m);
    await put(join(m, 'd/synced'), 'synced', true);
    await put(join(m, 'd/name-only'), 'content never synced', false);
    await syncDir(join(m, 'd'));
    // A rename made durable, and one not.
    await put(join(m, 'd/moved.tmp'), 'moved', true);
    await rename(join(m, 'd/moved.tmp'), join(m, 'd/moved'));
    await syncDir(join(m, 'd'));
    await put(join(m, 'd/late.tmp'), 'late', true);
    await syncDir(join(m, 'd'));
    await rename(join(m, 'd/late.tmp'), join(m, 'd/late'));
    await put(join(m, 'd/content-only'), 'name never synced', true);
    // An append after the sync.
    const fh = await open(join(m, 'd/synced'), 'a');
    await fh.write('+more');
    await fh.close();

    const report = await fsys.cut();
    expect(await readOrNull(join(m, 'd/synced'))).toBe('synced');
    expect(await readOrNull(join(m, 'd/name-only'))).toBe('');
    expect(await readOrNull(join(m, 'd/content-only'))).toBeNull();
    expect(await readOrNull(join(m, 'd/moved'))).toBe('moved');
    expect(await readOrNull(join(m, 'd/moved.tmp'))).toBeNull();
    expect(await readOrNull(join(m, 'd/late.tmp'))).toBe('late');
    expect(await readOrNull(join(m, 'd/late'))).toBeNull();
    expect(report.namesLost).toBeGreaterThan(0);
    expect(report.opsDropped).toBeGreaterThan(0);
    expect(fsys.stats.fsyncdirs).toBeGreaterThan(0);

    // Everything after a cut is durable; writing goes on.
    await put(join(m, 'd/after'), 'after', true);
    await syncDir(join(m, 'd'));
    await fsys.cut();
    expect(await readOrNull(join(m, 'd/after'))).toBe('after');
    expect(await readOrNull(join(m, 'd/synced'))).toBe('synced');
  });

  it('torn: keeps a prefix of unsynced writes, cut at a sector', async () => {
    const fsys = await powercutFs();
    const m = fsys.mountpoint;
    const file = join(m, 'log');
    await put(file, '', true);
    await syncDir(m);
    const fh = await open(file, 'a');
    const chunk = (i: number): Buffer => Buffer.alloc(4096, 65 + i);
    for (let i = 0; i < 8; i++) await fh.write(chunk(i));
    await fh.close();
    const expected = Buffer.concat(Array.from({ length: 8 }, (_, i) => chunk(i)));
    // A fixed sequence: keep 3 writes and 1.5 sectors of the fourth.
    const draws = [3.5 / 9, 0.1, 0.4];
    const report = await fsys.cut({ torn: true, random: () => draws.shift() ?? 0 });
    const got = await readFile(file);
    expect(got.length).toBe(3 * 4096 + 1536);
    expect(got.equals(expected.subarray(0, got.length))).toBe(true);
    expect(report.tornWrites).toBe(1);
    expect(report.opsDropped).toBe(4);
  });
});

describe.skipIf(noFuse)('faults injected by the power-cut file system', () => {
  it('a failed fsync loses the writes it was to make durable, for good', async () => {
    const fsys = await powercutFs();
    const file = join(fsys.mountpoint, 'a');
    await put(file, '', true);
    await syncDir(fsys.mountpoint);
    fsys.inject({ op: 'fsync', path: /^\/a$/, errno: 'EIO', times: 1 });
    const fh = await open(file, 'r+');
    await fh.write('AAAA', 0);
    await expect(fh.sync()).rejects.toMatchObject({ code: 'EIO' });
    // Still there to read, before the cut.
    expect(await readFile(file, 'utf8')).toBe('AAAA');
    await fh.write('BBBB', 4);
    await fh.sync();
    await fh.close();
    expect(fsys.injected).toBe(1);
    await fsys.cut();
    expect(await readFile(file, 'utf8')).toBe('\0\0\0\0BBBB');
  });

  it('ENOSPC on writes to matching paths only', async () => {
    const fsys = await powercutFs();
    fsys.inject({ op: 'write', path: /full/, errno: 'ENOSPC' });
    await expect(put(join(fsys.mountpoint, 'full.txt'), 'x', true)).rejects.toMatchObject({
      code: 'ENOSPC',
    });
    await put(join(fsys.mountpoint, 'fine.txt'), 'y', true);
    fsys.clearFaults();
    await put(join(fsys.mountpoint, 'full.txt'), 'z', true);
    expect(await readFile(join(fsys.mountpoint, 'full.txt'), 'utf8')).toBe('z');
  });
});

describe.skipIf(noFuse)('journal on a file system that loses unsynced writes', () => {
  it.each(['always', 'batch'] as const)(
    'sync=%s: every acknowledged append survives power cuts, strict and torn',
    { timeout: CUTS_TIMEOUT },
    async (sync) => {
      const fsys = await powercutFs();
      // Nested: every folder `mkdir -p` makes on the way must survive too.
      const dir = join(fsys.mountpoint, 'srv/fsjournal/journal');
      const acked = new Map<number, string>();
      let lastLsn = 0;
      let dropped = 0;
      for (let run = 1; run <= CUTS; run++) {
        const torn = run % 2 === 0;
        const child = await runAppender(dir, sync, `run${run}`, 'random', {
          segmentBytes: SEGMENT_BYTES,
          killAfterMs: KILL_AFTER_MS,
          // The power goes while appends are in flight.
          beforeKill: () => fsys.freeze(),
        });
        expect(child.openedAt, `run ${run}: journal as the child opened it`).toBe(lastLsn);
        for (const [lsn, hash] of child.reported) acked.set(lsn, hash);
        const report = await fsys.cut({ torn });
        dropped += report.bytesDropped;
        const after = await reopenAndCheck(dir, acked, run, SEGMENT_BYTES);
        // The parent's own append must survive the next cut too.
        await fsys.cut({ torn });
        if (VERBOSE) {
          console.log(
            `${sync} cut ${run} (${torn ? 'torn' : 'strict'}): ${child.reported.size} acked, ` +
              `lastLsn ${after.lastLsn}, ${report.opsDropped} writes / ${report.bytesDropped} B dropped, ` +
              `${report.tornWrites} torn, ${report.namesLost} names lost`,
          );
        }
        lastLsn = after.lastLsn;
      }
      expect(fsys.stats.fsyncs, 'the journal synced through the mount').toBeGreaterThan(0);
      // Whether a cut catches unsynced writes is timing (the long run counts
      // them, docs/reliability.md); the file system's own tests above show
      // that it drops them.
      if (VERBOSE) console.log(`${sync}: ${dropped} bytes dropped over ${CUTS} cuts`);
    },
  );

  it('sync=none loses acknowledged appends at a power cut (it never fsyncs)', async () => {
    const fsys = await powercutFs();
    const dir = join(fsys.mountpoint, 'journal');
    // Large segments: a roll syncs the sealed segment, and there should be none.
    const child = await runAppender(dir, 'none', 'none', 'random', {
      segmentBytes: NONE_SEGMENT_BYTES,
      killAfterMs: KILL_AFTER_MS,
      beforeKill: () => fsys.freeze(),
    });
    await fsys.cut();
    // It reopens (a prefix: sealed segments were synced at each roll) ...
    const journal = await Journal.open({ dir, sync: 'always', segmentBytes: NONE_SEGMENT_BYTES });
    const lastLsn = journal.lastLsn;
    await journal.verify();
    await journal.close();
    // ... without what was acknowledged and never synced.
    const lost = [...child.reported.keys()].filter((lsn) => lsn > lastLsn);
    expect(
      lost.length,
      `acknowledged appends lost under sync=none (journal ends at ${lastLsn}, ` +
        `${child.reported.size} acknowledged up to ${Math.max(...child.reported.keys())})`,
    ).toBeGreaterThan(0);
  });
});

const harness = useHarness('powercut');
useMounts();

/**
 * A writer on a mount-mode primary's mountpoint: creates and writes files
 * one after another, renames every third, and prints `done <op>` once each
 * operation has returned (by then, under write-ahead, its records are
 * durable). Runs until killed.
 */
const MOUNT_WRITER = `
const fs = require('node:fs');
const dir = process.argv[1];
for (let i = 0; ; i++) {
  const f = dir + '/f' + i;
  fs.writeFileSync(f, 'file ' + i + ' ' + 'x'.repeat(i % 5000));
  process.stdout.write('done write f' + i + '\\n');
  if (i % 3 === 0) {
    fs.renameSync(f, dir + '/r' + i);
    process.stdout.write('done rename f' + i + ' r' + i + '\\n');
  }
}
`;

/** The source keeps changing until `stop()`; resolves to the number of changes. */
function keepChanging(source: string, seed: number): { stop(): void; done: Promise<number> } {
  let stopped = false;
  const r = rng(seed);
  const done = (async () => {
    let n = 0;
    await mkdir(join(source, 'chaos'), { recursive: true });
    while (!stopped) {
      await randomChange(source, r);
      n++;
      await sleep(r.int(30));
    }
    return n;
  })();
  done.catch(() => undefined); // awaited by the test
  return { stop: () => (stopped = true), done };
}

/** `wait` for r1 through the primary, then the trees are byte-identical. */
async function expectConverged(primaryUrl: string, source: string, target: string): Promise<void> {
  await waitForReplica(primaryUrl);
  expect(await compareTrees(source, target, { owner: true })).toEqual([]);
}

/** Freezes at the `writes`-th write from now, or in 3 s if writing stops. */
async function powerGoesWhileWriting(fsys: PowercutFs, writes: number): Promise<void> {
  const timer = setTimeout(() => fsys.freeze(), 3000);
  await fsys.freezeAfterWrites(writes);
  clearTimeout(timer);
}

/**
 * A primary and replica r1 (real processes), with what `onFs` names on the
 * power-cut file system and the rest on the ordinary disk; the mixed
 * workload already run on the source.
 */
async function daemonsSetup(onFs: 'journal' | 'replica') {
  const h = harness();
  const seed = seedFromEnv();
  const fsys = await powercutFs();
  const source = await h.dir('source');
  const outside = await h.dir('outside');
  const on = (name: string): string =>
    join(onFs === (name === 'journal' ? 'journal' : 'replica') ? fsys.mountpoint : h.root, name);
  const journal = on('journal');
  const target = on('target');
  const state = on('state');
  const primaryPort = await freePort();
  const replicaPort = await freePort();
  const upstream = `ws://127.0.0.1:${primaryPort}/v1/stream`;
  const startPrimary = (): Promise<Daemon> => h.primary({ source, journal, port: primaryPort });
  const startReplica = (): Promise<Daemon> =>
    h.replica({ upstream, target, state, id: 'r1', port: replicaPort });
  const primary = await startPrimary();
  const replica = await startReplica();
  await runSteps(mixedWorkload(source, outside), rng(seed), 40);
  return {
    h,
    seed,
    fsys,
    source,
    journal,
    target,
    state,
    primary,
    replica,
    startPrimary,
    startReplica,
  };
}

async function replicaRow(primaryUrl: string): Promise<{ appliedLsn: number; durableLsn: number }> {
  return (await http<{ appliedLsn: number; durableLsn: number }>(`${primaryUrl}/v1/replicas/r1`))
    .body;
}

describe.skipIf(noFuse)('daemons on a file system that loses unsynced writes', () => {
  it(
    `a replica (target and state) cut ${DAEMON_CUTS} times: its acknowledged position survives, and it converges`,
    { timeout: DAEMON_TIMEOUT },
    async () => {
      const setup = await daemonsSetup('replica');
      const { seed, fsys, source, target, state, primary, startReplica } = setup;
      let replica = setup.replica;
      const work = keepChanging(source, seed + 1);
      const r = rng(seed + 2);
      const cuts: string[] = [];
      for (let k = 0; k < DAEMON_CUTS; k++) {
        await sleep(300 + r.int(1000));
        await powerGoesWhileWriting(fsys, 1 + r.int(30));
        // What the primary holds as acknowledged durable by r1: nothing can
        // become durable on the replica's disk after the freeze.
        await sleep(100);
        const acked = (await replicaRow(primary.url)).durableLsn;
        await replica.kill('SIGKILL');
        const report = await fsys.cut({ torn: k % 2 === 1 });
        const pos = await readPosition(state);
        cuts.push(
          `cut ${k + 1}: acked ${acked}, position ${pos.appliedLsn}, ` +
            `${report.opsDropped} writes dropped, ${report.namesLost} names lost`,
        );
        expect(
          pos.appliedLsn,
          `cut ${k + 1}, seed ${seed}: ${cuts.join('; ')}`,
        ).toBeGreaterThanOrEqual(acked);
        replica = await startReplica();
      }
      work.stop();
      expect(await work.done).toBeGreaterThan(0);
      await expectConverged(primary.url, source, target);
      if (VERBOSE) console.log(`seed ${seed}: ${cuts.join('\n')}`);
      // The cuts did drop unsynced writes of the replica (the test can fail).
      expect(fsys.stats.fsyncs + fsys.stats.fsyncdirs).toBeGreaterThan(0);
    },
  );

  it(
    `a primary (journal) cut ${DAEMON_CUTS} times: no record a replica or a client was given is lost, and the replica converges`,
    { timeout: DAEMON_TIMEOUT },
    async () => {
      const setup = await daemonsSetup('journal');
      const { h, seed, fsys, source, journal, target, replica, startPrimary } = setup;
      let primary = setup.primary;
      // A checkpoint (its file and its content packs) the cuts must not damage.
      const cp = await runCli(['checkpoint', '--api', primary.url, '--json']);
      expect(cp.code, cp.stderr).toBe(0);
      const checkpoint = JSON.parse(cp.stdout) as { id: string; lsn: number };
      const work = keepChanging(source, seed + 1);
      const r = rng(seed + 2);
      /** Annotation LSNs the primary answered with. */
      const annotations = new Map<number, string>();
      const cuts: string[] = [];
      for (let k = 0; k < DAEMON_CUTS; k++) {
        await sleep(500 + r.int(1500));
        const text = `before cut ${k + 1}`;
        const a = await http<{ lsn: number }>(`${primary.url}/v1/annotations`, {
          method: 'POST',
          body: { text },
        });
        expect(a.status).toBe(200);
        annotations.set(a.body.lsn, text);
        await sleep(r.int(300));
        await powerGoesWhileWriting(fsys, 1 + r.int(30));
        // Records the replica applied came from the journal's durable part,
        // and nothing can become durable in the journal after the freeze.
        await sleep(100);
        const applied = (await replica.status()).appliedLsn as number;
        await primary.kill('SIGKILL');
        const report = await fsys.cut({ torn: k % 2 === 1 });
        const entries = await readWholeJournal(journal);
        const last = entries.at(-1)?.lsn ?? 0;
        cuts.push(
          `cut ${k + 1}: replica applied ${applied}, journal ends at ${last}, ` +
            `${report.opsDropped} writes dropped, ${report.namesLost} names lost`,
        );
        expect(last, `cut ${k + 1}, seed ${seed}: ${cuts.join('; ')}`).toBeGreaterThanOrEqual(
          applied,
        );
        for (const [lsn, t] of annotations) {
          expect(entries[lsn - 1]?.record.text, `annotation at lsn ${lsn} after cut ${k + 1}`).toBe(
            t,
          );
        }
        primary = await startPrimary();
      }
      work.stop();
      expect(await work.done).toBeGreaterThan(0);
      await expectConverged(primary.url, source, target);
      expect(((await replica.status()).state as string) !== 'error').toBe(true);
      if (VERBOSE) console.log(`seed ${seed}: ${cuts.join('\n')}`);

      // The checkpoint is whole: a restore at its LSN starts from it, and
      // every content block it reads verifies.
      const restored = await runCli([
        'restore',
        '--journal',
        journal,
        '--to',
        join(h.root, 'restored'),
        '--lsn',
        String(checkpoint.lsn),
        '--json',
      ]);
      expect(restored.code, restored.stderr).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({ checkpoint: checkpoint.id });
    },
  );
});

describe.skipIf(noFuse)('mount mode on a file system that loses unsynced writes', () => {
  it(
    `every operation a caller saw return is in the journal after a power cut (${DAEMON_CUTS} cuts)`,
    { timeout: DAEMON_TIMEOUT },
    async () => {
      const h = harness();
      const seed = seedFromEnv();
      const r = rng(seed);
      const fsys = await powercutFs();
      const backing = await h.dir('backing');
      const mnt = join(h.root, 'mnt');
      trackMount(mnt);
      const journal = join(fsys.mountpoint, 'journal');
      const port = await freePort();
      const cuts: string[] = [];
      for (let k = 0; k < DAEMON_CUTS; k++) {
        const primary = await h.primary({
          source: backing,
          journal,
          port,
          args: ['--mode', 'mount', '--mountpoint', mnt],
        });
        const sub = join(mnt, `run${k}`);
        await mkdir(sub);
        const writer = spawn(process.execPath, ['-e', MOUNT_WRITER, sub], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const done: string[] = [];
        let pending = '';
        writer.stdout.setEncoding('utf8');
        writer.stdout.on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop()!;
          done.push(...lines);
        });
        const writerExited = new Promise((res) => writer.on('close', res));
        await waitUntil('the writer to get going', async () => done.length > 20, 30_000);
        await sleep(r.int(800));
        await powerGoesWhileWriting(fsys, 1 + r.int(10));
        // Nothing the writer is told from now on can be durable: what it
        // was told before is what must survive.
        const told = [...done];
        writer.kill('SIGKILL');
        await writerExited;
        await primary.kill('SIGKILL');
        const report = await fsys.cut({ torn: k % 2 === 1 });

        const entries = await readWholeJournal(journal);
        const seen = new Set<string>();
        for (const e of entries) {
          const rec = e.record;
          if (rec.kind === RecordKind.RECORD_KIND_CREATE) seen.add(`create ${rec.path}`);
          if (rec.kind === RecordKind.RECORD_KIND_WRITE) seen.add(`write ${rec.path}`);
          if (rec.kind === RecordKind.RECORD_KIND_RENAME)
            seen.add(`rename ${rec.path} ${rec.path2}`);
        }
        const missing: string[] = [];
        for (const line of told) {
          const [, op, a, b] = line.split(' ');
          const rel = (n: string): string => `run${k}/${n}`;
          if (op === 'write') {
            if (!seen.has(`create ${rel(a!)}`)) missing.push(`create ${rel(a!)}`);
            if (!seen.has(`write ${rel(a!)}`)) missing.push(`write ${rel(a!)}`);
          } else if (!seen.has(`rename ${rel(a!)} ${rel(b!)}`)) {
            missing.push(`rename ${rel(a!)} ${rel(b!)}`);
          }
        }
        cuts.push(
          `cut ${k + 1}: ${told.length} operations returned, journal ends at ${entries.at(-1)?.lsn}, ` +
            `${report.opsDropped} writes dropped, ${report.namesLost} names lost`,
        );
        expect(missing.slice(0, 5), `cut ${k + 1}, seed ${seed}: ${cuts.join('; ')}`).toEqual([]);
      }
      if (VERBOSE) console.log(`seed ${seed}: ${cuts.join('\n')}`);
    },
  );
});

describe.skipIf(noFuse)('I/O errors from the disk below the replica', () => {
  it(
    'EIO on the replica’s fsyncs: it stops, reports, acknowledges nothing past it, resumes, and a cut after loses nothing',
    { timeout: DAEMON_TIMEOUT },
    async () => {
      const setup = await daemonsSetup('replica');
      const { fsys, seed, source, target, primary, startReplica } = setup;
      let replica = setup.replica;
      await expectConverged(primary.url, source, target);

      // Every fsync under the target fails, and drops what it covered.
      fsys.inject({ op: 'fsync', path: /^\/target\//, errno: 'EIO' });
      const work = keepChanging(source, seed + 1);
      await waitUntil(
        'the replica to stop on EIO',
        async () => {
          const s = await replica.status();
          return s.state === 'error' && JSON.stringify(s.lastError ?? '').includes('EIO');
        },
        60_000,
      );
      // It retries and fails at the same record: nothing more is
      // acknowledged durable (the last ack before the error may still land).
      await sleep(500);
      const durableAtError = (await replicaRow(primary.url)).durableLsn;
      await sleep(1500);
      expect((await replicaRow(primary.url)).durableLsn).toBe(durableAtError);
      expect(fsys.injected).toBeGreaterThan(0);

      fsys.clearFaults();
      work.stop();
      await work.done;
      await expectConverged(primary.url, source, target);

      // The writes the failed fsyncs dropped must not be trusted: after a
      // cut, the tree is still what the position says.
      await sleep(200);
      fsys.freeze();
      await replica.kill('SIGKILL');
      await fsys.cut();
      replica = await startReplica();
      await expectConverged(primary.url, source, target);
    },
  );
});

describe.skipIf(noFuse)('I/O errors from the disk below the journal', () => {
  it(
    'EIO on the journal’s fsyncs: the primary reports it, recovers by itself, skips nothing, and survives a cut after',
    { timeout: DAEMON_TIMEOUT },
    async () => {
      const setup = await daemonsSetup('journal');
      const { seed, fsys, source, journal, target, replica, startPrimary } = setup;
      let primary = setup.primary;
      const work = keepChanging(source, seed + 1);

      // The disk starts failing every fsync of a segment: a real EIO through
      // the kernel, and the unsynced writes it covered are gone for good.
      fsys.inject({ op: 'fsync', path: /\/segments\//, errno: 'EIO' });
      type Health = { state: string; error: { code: string } | null; attempts: number };
      await waitUntil(
        'the primary to report its journal failed, and a recovery attempt to fail',
        async () => {
          const j = (await primary.status()).journal as Health;
          return j.state === 'failed' && j.attempts >= 1;
        },
        30_000,
      );
      const failed = (await primary.status()).journal as Health;
      expect(failed.error?.code).toBe('FSJ_ERR_JOURNAL_IO');
      expect((await http(`${primary.url}/healthz`)).status).toBe(503);
      const appliedWhileFailed = (await replica.status()).appliedLsn as number;
      // Changes made while it is failed must not be skipped.
      await writeFile(join(source, 'made-while-failed.txt'), 'the journal was failing\n');

      expect(fsys.injected, 'fsyncs the disk failed').toBeGreaterThan(0);
      fsys.clearFaults();
      await waitUntil(
        'the primary to recover its journal by itself',
        async () => ((await primary.status()).journal as Health).state === 'ok',
        90_000,
      );
      expect((await http(`${primary.url}/healthz`)).status).toBe(200);
      const gaps = (await http<{ lsn: number; text: string }[]>(`${primary.url}/v1/journal?op=GAP`))
        .body;
      expect(gaps.some((g) => /^journal failed after lsn \d+/.test(g.text))).toBe(true);
      work.stop();
      await work.done;
      await expectConverged(primary.url, source, target);
      expect((await replica.status()).appliedLsn as number).toBeGreaterThanOrEqual(
        appliedWhileFailed,
      );

      // After all that, a power cut: what the replica applied is still there.
      await sleep(200);
      fsys.freeze();
      const applied = (await replica.status()).appliedLsn as number;
      await primary.kill('SIGKILL');
      await fsys.cut();
      const entries = await readWholeJournal(journal);
      expect(entries.at(-1)!.lsn).toBeGreaterThanOrEqual(applied);
      primary = await startPrimary();
      await expectConverged(primary.url, source, target);
    },
  );
});

describe.skipIf(noFuse)('mount mode over a file system that loses unsynced writes', () => {
  // Regression: the binding had no fsync of a folder; libfuse answered
  // ENOSYS, the kernel took every later folder fsync on the mount as done,
  // and a name a program made durable through the mount was not.
  it('an fsync of a folder through the mount reaches the source’s disk', async () => {
    const h = harness();
    const fsys = await powercutFs();
    const backing = join(fsys.mountpoint, 'backing');
    await mkdir(backing);
    await syncDir(fsys.mountpoint);
    const mnt = join(h.root, 'mnt');
    trackMount(mnt);
    const primary = await h.primary({
      source: backing,
      journal: join(h.root, 'journal'),
      port: await freePort(),
      args: ['--mode', 'mount', '--mountpoint', mnt],
    });
    await put(join(mnt, 'kept.txt'), 'made durable through the mount\n', true);
    await syncDir(mnt);
    await put(join(mnt, 'unsynced-name.txt'), 'its folder was not synced after\n', true);
    await primary.kill('SIGKILL');
    await fsys.cut();
    expect(await readOrNull(join(backing, 'kept.txt'))).toBe('made durable through the mount\n');
    expect(await readOrNull(join(backing, 'unsynced-name.txt'))).toBeNull();
  });
});
