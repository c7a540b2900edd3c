/**
 * Replication under faults, end to end: the replica and the primary are
 * killed with SIGKILL at random moments while the source keeps changing, and
 * restarted on the same state; the replica is killed part way through a
 * backlog; the link is cut in the middle of a transaction. At the end the
 * trees are identical, no acknowledged position went backwards, and the
 * journal has no gap. FSJ_SEED=N repeats a run's random choices (not its timing).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReplicaRow } from '@fsjournal/api';
import { RecordKind } from '@fsjournal/journal';
import { ReplicaDaemon } from '@fsjournal/replica';
import { FaultProxy } from './fault_proxy.js';
import {
  http,
  pairSetup,
  readPosition,
  readWholeJournal,
  rng,
  runCli,
  seedFromEnv,
  sleep,
  useHarness,
  waitUntil,
  type Harness,
} from './harness.js';
import { expectIdentical, PositionWatch, type Polled } from './replica_watch.js';
import { mixedWorkload, randomChange, runSteps } from './workload.js';

const harness = useHarness('faults');
/** Kills per crash test: 5 in `npm test`, 50 with FSJ_LONG=1. */
const KILLS = process.env.FSJ_LONG ? 50 : 5;
const KILL_TIMEOUT = process.env.FSJ_LONG ? 1_800_000 : 120_000;

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

describe('replication survives SIGKILL', () => {
  it(
    `of the replica ${KILLS} times mid-stream: it resumes from its durable position and ends identical`,
    { timeout: KILL_TIMEOUT },
    async () => {
      const seed = seedFromEnv();
      const { source, outside, target, state, startPrimary, startReplica } = await setup();
      const primary = await startPrimary();
      let replica = await startReplica();
      const watch = new PositionWatch(() => replica, primary.url);
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
      const seed = seedFromEnv();
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
      const seed = seedFromEnv();
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
      const proxy = await FaultProxy.start(primary.port);
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
      await waitUntil('the cut', () => proxy.stats.bytesDown >= 4.5 * 1024 * 1024);
      await waitUntil('two failed reconnects', async () => {
        const s = await replica.status();
        return (s.reconnects as number) >= 3;
      });
      const pos = await readPosition(state);
      expect(pos.appliedLsn).toBeLessThan(begin);
      expect((await replica.status()).durableLsn).toBeLessThan(begin);

      await proxy.set('pass');
      await expectIdentical(primary.url, source, target);
      await proxy.close();
    },
  );
});

/**
 * A 24 MiB file renamed into the source, so that the capture sees it whole:
 * one transaction of a TXN_BEGIN, a CREATE, twenty-four 1 MiB WRITEs, a
 * UTIMES and a TXN_COMMIT. Answers the LSNs of its TXN_BEGIN and TXN_COMMIT.
 */
async function largeTransaction(
  h: Harness,
  primaryUrl: string,
  source: string,
): Promise<{ begin: number; commit: number }> {
  const barrier = await http<{ lsn: number }>(`${primaryUrl}/v1/barrier`, { method: 'POST' });
  const tmp = join(h.root, 'big.tmp');
  await writeFile(tmp, randomBytes(24 * 1024 * 1024));
  await rename(tmp, join(source, 'big.bin'));
  const find = async (op: string) =>
    (
      await http<{ lsn: number }[]>(
        `${primaryUrl}/v1/journal?afterLsn=${barrier.body.lsn}&op=${op}&limit=1`,
      )
    ).body[0]?.lsn;
  const begin = await waitUntil('the TXN_BEGIN', () => find('TXN_BEGIN'));
  const commit = await waitUntil('the TXN_COMMIT', () => find('TXN_COMMIT'));
  return { begin, commit };
}

// Regression (found by the network fault test): the replica counted the
// records of an open transaction as applied while it held them, and resumed
// before the TXN_BEGIN after a cut, so its applied LSN went back, and the
// primary's row of it at once (Hello's LSN replaced it). A fix that counted
// only committed records would stall a transaction longer than the window,
// which the primary counted from the applied LSN: Acks now say what was
// received apart from what was applied, and the window counts the former.
describe('applied positions across a cut in the middle of a large transaction', () => {
  it.for([
    { who: 'a replica process', window: undefined },
    // Shorter than the transaction: before Acks said what was received, it stalled.
    { who: 'a window of 4 records', window: 4 },
  ])(
    '$who: held records are received, not applied; no applied position goes back; the trees end identical',
    { timeout: 120_000 },
    async ({ window }) => {
      const { h, source, target, state, startPrimary } = await setup();
      const primary = await startPrimary();
      // `slow`: 64 KiB every 10 ms, about 6 MiB/s, so that the transaction
      // takes seconds to go through and is seen in flight.
      const proxy = await FaultProxy.start(primary.port, { slowBytes: 64 * 1024, slowDelayMs: 10 });
      const upstream = `ws://127.0.0.1:${proxy.port}/v1/stream`;
      let inProcess: ReplicaDaemon | undefined;
      let replica: Polled;
      if (window === undefined) {
        replica = await h.replica({ upstream, target, state, id: 'r1' });
      } else {
        const d = await ReplicaDaemon.start({
          upstream,
          target,
          stateDir: state,
          id: 'r1',
          window,
        });
        inProcess = d;
        replica = { name: 'r1 in process', running: true, status: async () => ({ ...d.status() }) };
      }
      try {
        expect((await runCli(['wait', '--api', primary.url, '--replica', 'r1'])).code).toBe(0);
        const watch = new PositionWatch(() => replica, primary.url);
        await proxy.set('slow');
        const { begin, commit } = await largeTransaction(h, primary.url, source);
        expect(commit - begin).toBeGreaterThanOrEqual(26);

        // Part of the transaction is in: received and held, not applied. With
        // a window of 4, more than the window is held: it counts received records.
        const held = await waitUntil(
          'eight records of the transaction received',
          async () => {
            const s = await replica.status();
            return (s.receivedLsn as number) >= begin + 8 && s;
          },
          60_000,
          10,
        );
        await proxy.set('stall');
        expect(held.receivedLsn as number).toBeLessThan(commit);
        expect(held.appliedLsn as number).toBeLessThan(begin);
        expect(held.durableLsn as number).toBeLessThan(begin);
        const row = await http<ReplicaRow>(`${primary.url}/v1/replicas/r1`);
        expect(row.body.appliedLsn).toBeLessThan(begin);

        // The link drops; the replica resumes before the TXN_BEGIN and gets the
        // whole transaction again.
        await proxy.set('cut');
        await proxy.set('pass');
        await expectIdentical(primary.url, source, target);
        await watch.stop();
        expect(watch.problems).toEqual([]);
        expect(watch.maxHeld).toBeGreaterThanOrEqual(8);
        expect(watch.max('primary row appliedLsn')).toBeGreaterThanOrEqual(commit);
        expect(watch.max(`${replica.name} status appliedLsn`)).toBeGreaterThanOrEqual(commit);
        expect((await replica.status()).reconnects as number).toBeGreaterThanOrEqual(1);
      } finally {
        await inProcess?.stop();
        await proxy.close();
      }
    },
  );
});
