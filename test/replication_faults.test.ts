/**
 * Replication under faults, end to end: the replica and the primary are
 * killed with SIGKILL at random moments while the source keeps changing, and
 * restarted on the same state; the replica is killed part way through a
 * backlog; the link is cut in the middle of a transaction. At the end the
 * trees are identical, no acknowledged position went backwards, and the
 * journal has no gap. FSJ_SEED=N repeats a run's random choices (not its timing).
 */
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees, RecordKind } from '@fsjournal/journal';
import {
  CutProxy,
  http,
  pairSetup,
  readPosition,
  readWholeJournal,
  rng,
  runCli,
  sleep,
  useHarness,
  waitUntil,
  type Daemon,
} from './harness.js';
import { mixedWorkload, randomChange, runSteps } from './workload.js';

const harness = useHarness('faults');
/** Kills per crash test: 5 in `npm test`, 50 with FSJ_LONG=1. */
const KILLS = process.env.FSJ_LONG ? 50 : 5;
const KILL_TIMEOUT = process.env.FSJ_LONG ? 1_800_000 : 120_000;

/**
 * Polls a replica's status and checks that its durable LSN never goes
 * backwards, across restarts of either side.
 */
class PositionWatch {
  maxDurable = 0;
  readonly problems: string[] = [];
  readonly states = new Set<string>();
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly current: () => Daemon) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const d = this.current();
      const s = d.running ? await d.status().catch(() => undefined) : undefined;
      if (s) this.note(`${d.name} status`, s.durableLsn as number, s.state as string);
      await sleep(20);
    }
  }

  note(where: string, durableLsn: number, state?: string): void {
    if (state) this.states.add(state);
    if (durableLsn < this.maxDurable)
      this.problems.push(`${where}: durable lsn ${durableLsn} after ${this.maxDurable}`);
    this.maxDurable = Math.max(this.maxDurable, durableLsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * The source keeps changing: the mixed workload, then random changes until
 * `until()` says stop (at least `min` of them). `afterMixed` runs between the two.
 */
async function keepChanging(
  source: string,
  outside: string,
  seed: number,
  until: () => boolean,
  min: number,
  afterMixed?: () => Promise<void>,
): Promise<number> {
  const r = rng(seed);
  await mkdir(join(source, 'chaos'));
  await runSteps(mixedWorkload(source, outside), r, 40);
  await afterMixed?.();
  let n = 0;
  while ((n < min || !until()) && n < 2000) {
    await randomChange(source, r);
    n++;
    await sleep(r.int(25));
  }
  return n;
}

const setup = () => pairSetup(harness());

/**
 * `wait` for r1, then the trees are identical (and `verify` says so), and r1
 * has made the barrier durable, not only applied it. `dirMtimes: false`
 * leaves out directory mtimes (see the test that uses it).
 */
async function expectIdentical(
  primaryUrl: string,
  source: string,
  target: string,
  o: { dirMtimes?: boolean } = {},
): Promise<void> {
  // After restarts the replica reconnects with backoff (up to 10 s); a
  // restarted primary may not know it yet, and `wait --replica` names it.
  await waitUntil(
    'the replica to be connected',
    async () =>
      (await http<{ id: string; connected: boolean }[]>(`${primaryUrl}/v1/replicas`)).body.some(
        (r) => r.id === 'r1' && r.connected,
      ),
    30_000,
  );
  const waited = await runCli(['wait', '--api', primaryUrl, '--replica', 'r1', '--timeout', '90']);
  expect(waited.stderr).toBe('');
  expect(waited.code).toBe(0);
  const barrier = Number(/lsn (\d+)/.exec(waited.stdout)?.[1]);
  let diffs = await compareTrees(source, target, { owner: true });
  if (o.dirMtimes === false) {
    const isDir = async (p: string) =>
      (await lstat(join(source, p)).catch(() => undefined))?.isDirectory();
    const kept = [];
    for (const d of diffs) if (d.what !== 'mtime' || !(await isDir(d.path))) kept.push(d);
    diffs = kept;
  } else {
    const verified = await runCli(['verify', source, target]);
    expect(verified.stdout).toBe('identical\n');
    expect(verified.code).toBe(0);
  }
  expect(diffs).toEqual([]);
  // Durable too: a position held back (by a transaction that never ends) shows here.
  await waitUntil(
    `r1 to make lsn ${barrier} durable`,
    async () => {
      const row = await http<{ durableLsn: number }>(`${primaryUrl}/v1/replicas/r1`);
      return row.body.durableLsn >= barrier;
    },
    10_000,
  );
}

describe('replication survives SIGKILL', () => {
  it(
    `of the replica ${KILLS} times mid-stream: it resumes from its durable position and ends identical`,
    { timeout: KILL_TIMEOUT },
    async () => {
      const seed = Number(process.env.FSJ_SEED ?? Date.now() % 1_000_000);
      const { source, outside, target, state, startPrimary, startReplica } = await setup();
      const primary = await startPrimary();
      let replica = await startReplica();
      const watch = new PositionWatch(() => replica);
      let killing = true;
      const work = keepChanging(source, outside, seed, () => !killing, 60);
      work.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

      const r = rng(seed + 1);
      const kills: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        await sleep(100 + r.int(500));
        const seen = watch.maxDurable;
        await replica.kill('SIGKILL');
        // What the replica reported durable is in its state file.
        const pos = await readPosition(state);
        watch.note(`position.json after kill ${k + 1}`, pos.appliedLsn);
        expect(pos.appliedLsn, `kill ${k + 1}, seed ${seed}`).toBeGreaterThanOrEqual(seen);
        kills.push(`kill ${k + 1} at durable lsn ${pos.appliedLsn}`);
        await sleep(r.int(300));
        replica = await startReplica();
        const s = await replica.status();
        expect(s.durableLsn, `restart ${k + 1}`).toBeGreaterThanOrEqual(pos.appliedLsn);
      }
      killing = false;
      const changes = await work;

      await expectIdentical(primary.url, source, target);
      await watch.stop();
      expect(watch.problems, `seed ${seed}`).toEqual([]);
      expect([...watch.states].filter((s) => s !== 'streaming' && s !== 'connecting')).toEqual([]);
      expect(kills).toHaveLength(KILLS);
      expect(changes).toBeGreaterThanOrEqual(60);
    },
  );

  it(
    `of the primary ${KILLS} times, with changes made while it is down: nothing acknowledged is lost and the journal has no gap`,
    { timeout: KILL_TIMEOUT },
    async () => {
      const seed = Number(process.env.FSJ_SEED ?? Date.now() % 1_000_000);
      const { source, outside, journal, target, startPrimary, startReplica } = await setup();
      let primary = await startPrimary();
      const replica = await startReplica();
      const watch = new PositionWatch(() => replica);
      let killing = true;
      // Kills start once the mixed workload is journaled (a kill in the
      // middle of a large file's transaction has its own test below).
      let mixedDone!: () => void;
      const mixed = new Promise<void>((res) => (mixedDone = res));
      const work = keepChanging(
        source,
        outside,
        seed,
        () => !killing,
        60,
        async () => {
          await http(`${primary.url}/v1/barrier`, { method: 'POST' });
          mixedDone();
        },
      );
      work.catch(() => mixedDone()); // awaited below; a failure must not go unhandled meanwhile
      await mixed;

      const r = rng(seed + 1);
      const downDir = join(source, 'made-while-down');
      for (let k = 0; k < KILLS; k++) {
        await sleep(150 + r.int(500));
        const before = (await primary.status()).durableLsn as number;
        await primary.kill('SIGKILL');
        // Changes the start-up scan of the next run must find.
        await mkdir(downDir, { recursive: true });
        await writeFile(join(downDir, `${k}.txt`), `made while the primary was down (${k})\n`);
        if (k > 0) await rm(join(downDir, `${k - 1}.txt`));
        await sleep(200 + r.int(500));
        primary = await startPrimary();
        const after = await primary.status();
        expect(after.lastLsn as number, `restart ${k + 1}, seed ${seed}`).toBeGreaterThanOrEqual(
          before,
        );
      }
      killing = false;
      await work;

      await expectIdentical(primary.url, source, target);
      await watch.stop();
      expect(watch.problems, `seed ${seed}`).toEqual([]);
      // The replica was never told to start over ('error' is its state while the primary is down).
      expect(watch.states.has('resyncing')).toBe(false);

      const last = (await primary.status()).lastLsn as number;
      await primary.kill('SIGTERM');
      expect((await primary.exited).code).toBe(0);
      const entries = await readWholeJournal(journal);
      expect(entries.length).toBeGreaterThanOrEqual(last);
      expect(entries.at(-1)!.lsn).toBeGreaterThanOrEqual(watch.maxDurable);
    },
  );

  // Regression: a primary killed between the appends of one large file's
  // transaction left TXN_BEGIN without a commit or abort in the journal; the
  // replica held it open for ever and the restarted capture journaled the
  // file without a CREATE. The capture now aborts transactions a previous
  // run left open, and its manifest believes committed records only.
  it(
    'of the primary in the middle of journaling a large file: the transaction is closed and the file replicated',
    { timeout: 60_000 },
    async () => {
      const { h, source, journal, target, startPrimary, startReplica } = await setup();
      let primary = await startPrimary();
      await startReplica();
      await writeFile(join(source, 'before.txt'), 'before\n');
      expect((await runCli(['wait', '--api', primary.url])).code).toBe(0);
      const before = (await primary.status()).lastLsn as number;
      // 64 MiB is journaled in 4 MiB appends; kill once the first is durable.
      const big = join(h.root, 'big.tmp');
      await writeFile(big, randomBytes(64 * 1024 * 1024));
      await rename(big, join(source, 'big.bin'));
      await waitUntil(
        'part of the file journaled',
        async () => ((await primary.status()).durableLsn as number) >= before + 4,
        20_000,
        2,
      );
      await primary.kill('SIGKILL');
      const open = new Set<number>();
      for (const e of await readWholeJournal(journal)) {
        if (e.record.kind === RecordKind.RECORD_KIND_TXN_BEGIN) open.add(e.record.txn);
        if (
          e.record.kind === RecordKind.RECORD_KIND_TXN_COMMIT ||
          e.record.kind === RecordKind.RECORD_KIND_TXN_ABORT
        )
          open.delete(e.record.txn);
      }
      expect(open.size, 'the kill came in the middle of the transaction').toBe(1);
      primary = await startPrimary();
      await expectIdentical(primary.url, source, target);
    },
  );

  it(
    'of the replica part way through a backlog of renames, removals and type flips: replayed records do not trip over their own later effects',
    { timeout: 90_000 },
    async () => {
      const seed = Number(process.env.FSJ_SEED ?? Date.now() % 1_000_000);
      const { source, target, state, startPrimary, startReplica } = await setup();
      const primary = await startPrimary();
      let replica = await startReplica();
      const r = rng(seed);
      const kills: string[] = [];
      for (let round = 0; round < 6; round++) {
        // The replica is down while a burst of structural changes is journaled.
        await replica.kill('SIGKILL');
        for (let i = 0; i < 40; i++) {
          await mkdir(join(source, `dir-${round}-${i}`));
          await writeFile(join(source, `dir-${round}-${i}`, 'f'), `${round}-${i}\n`);
          // What the previous round made, moved, removed or turned into the
          // other type. (Not what this round made: the capture would see only
          // the end result, or, for a file turned into a directory while it
          // is about to read it, stop; a capture bug reported apart.)
          if (round > 0) {
            await rename(
              join(source, `dir-${round - 1}-${i}`),
              join(source, `moved-${round - 1}-${i}`),
            );
            if (i % 3 === 0) await rm(join(source, `moved-${round - 1}-${i}`), { recursive: true });
          }
          const flip = join(source, `flip-${i}`);
          if (round % 2 === 0) {
            await rm(flip, { recursive: true, force: true });
            await writeFile(flip, `a file in round ${round}\n`);
          } else {
            await rm(flip);
            await mkdir(flip);
            await writeFile(join(flip, 'inside'), `a directory in round ${round}\n`);
          }
        }
        const barrier = await http<{ lsn: number }>(`${primary.url}/v1/barrier`, {
          method: 'POST',
        });
        // It restarts, and is killed again part way through the backlog.
        const from = (await readPosition(state)).appliedLsn;
        const at = from + Math.floor((barrier.body.lsn - from) * (0.2 + 0.6 * r.next()));
        replica = await startReplica();
        await waitUntil(
          `the replica to pass lsn ${at}`,
          async () => ((await replica.status()).appliedLsn as number) >= at,
          20_000,
          1,
        );
        await replica.kill('SIGKILL');
        kills.push(`${from}..${(await readPosition(state)).appliedLsn} of ${barrier.body.lsn}`);
        replica = await startReplica();
      }
      // Directory mtimes are left out: a replica killed between changing a
      // directory's entries and setting its mtime back keeps the time of the
      // kill, and a replay cannot tell (a replica bug, reported apart).
      await expectIdentical(primary.url, source, target, { dirMtimes: false });
      const s = await replica.status();
      expect([s.state, s.lastError], `seed ${seed}, kills ${kills.join(', ')}`).toEqual([
        'streaming',
        null,
      ]);
    },
  );
});

describe('replication survives a connection cut', () => {
  it(
    'in the middle of a transaction: the replica persists no position inside it and resumes at its start',
    { timeout: 60_000 },
    async () => {
      const h = harness();
      const source = await h.dir('source');
      const journal = join(h.root, 'journal');
      const target = join(h.root, 'target');
      const state = join(h.root, 'target-state');
      // 12 MiB: one transaction of a CREATE, twelve 1 MiB WRITEs and a UTIMES,
      // streamed as a backlog of 1 MiB batches.
      await writeFile(join(source, 'big.bin'), randomBytes(12 * 1024 * 1024));
      const primary = await h.primary({ source, journal });
      const proxy = await CutProxy.start(primary.port);
      let begin = 0;
      for (const e of await readWholeJournal(journal)) {
        if (e.record.kind === RecordKind.RECORD_KIND_TXN_BEGIN && begin === 0) begin = e.lsn;
      }
      expect(begin).toBeGreaterThan(0);

      // The link drops with about a third of the transaction received, and
      // stays down while the replica tries again (and again).
      proxy.cutAfter(4.5 * 1024 * 1024, true);
      const replica = await h.replica({
        upstream: `ws://127.0.0.1:${proxy.port}/v1/stream`,
        target,
        state,
        id: 'r1',
      });
      await waitUntil('the cut', () => proxy.bytesDown >= 4.5 * 1024 * 1024);
      await waitUntil('two failed reconnects', async () => {
        const s = await replica.status();
        return (s.reconnects as number) >= 3;
      });
      const pos = await readPosition(state);
      expect(pos.appliedLsn).toBeLessThan(begin);
      expect((await replica.status()).durableLsn).toBeLessThan(begin);

      await proxy.up();
      await expectIdentical(primary.url, source, target);
      await proxy.down();
    },
  );
});
