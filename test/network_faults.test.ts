/**
 * Replication over a bad network, end to end: a real primary and a real
 * replica whose `--upstream` goes through a FaultProxy that cuts the link,
 * stalls it (sockets open, nothing flows), slows it to 16 KiB per 50 ms and
 * refuses connections, on a random schedule, while the source keeps
 * changing. Applied and durable positions, wherever they show (the
 * replica's status, its position.json, the primary's row for it), only move
 * forward, and once the faults stop the trees are identical.
 * `npm test` runs about 20 s of faults, one every ~2 s, and one stall past
 * the heartbeat timeout (~70 s for the file); FSJ_LONG=1 runs 5 minutes of
 * faults, one every ~3 s, stalls past the timeout among them. FSJ_SEED=N
 * repeats a run's random choices (not its timing).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { FaultProxy, type Fault, type FaultEvent } from './fault_proxy.js';
import {
  http,
  pairSetup,
  readPosition,
  rng,
  runCli,
  seedFromEnv,
  sleep,
  useHarness,
  waitForReplica,
  waitUntil,
  type Daemon,
  type Harness,
  type Rng,
} from './harness.js';
import { mixedWorkload, randomChange, runSteps } from './workload.js';

const harness = useHarness('netfaults');
const LONG = process.env.FSJ_LONG !== undefined && process.env.FSJ_LONG !== '';
const FAULT_RUN_MS = LONG ? 5 * 60_000 : 20_000;
const FAULT_EVERY_MS = LONG ? 3_000 : 2_000;
/**
 * The daemons' heartbeat interval: fixed at 5 s in the CLI (no flag). A side
 * that hears nothing for more than 3 intervals drops the link; it checks at
 * each interval, so a stall is noticed 15 to 20 s after the last message.
 */
const HEARTBEAT_MS = 5_000;
const LINK_KEPT_STALL_MS = 1.2 * HEARTBEAT_MS; // past one heartbeat, short of three
const LINK_DROPPED_STALL_MS = 4 * HEARTBEAT_MS + 1_500; // longer than 3 heartbeats + a tick

interface Sample {
  at: string;
  lsn: number;
}

/**
 * Samples every position a replica has, every ~200 ms: its status
 * (`appliedLsn`, `durableLsn`), its position.json, and the primary's row for
 * it (`appliedLsn`, `durableLsn`). None may go below the highest value seen
 * before: `problems` lists every time one did.
 */
class PositionWatch {
  readonly problems: string[] = [];
  readonly highest = new Map<string, Sample>();
  readonly errors = new Set<string>();
  samples = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(
    private readonly replica: Daemon,
    private readonly primary: Daemon,
    private readonly state: string,
    private readonly t0 = Date.now(),
  ) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.sample();
      await sleep(200);
    }
  }

  private async sample(): Promise<void> {
    const [s, pos, rows] = await Promise.all([
      this.replica.status().catch(() => undefined),
      readPosition(this.state).catch(() => undefined),
      http<{ id: string; appliedLsn: number; durableLsn: number }[]>(
        `${this.primary.url}/v1/replicas`,
      ).catch(() => undefined),
    ]);
    if (s) {
      this.note('replica status appliedLsn', s.appliedLsn as number);
      this.note('replica status durableLsn', s.durableLsn as number);
      const e = s.lastError as { code: string; message: string } | null;
      if (e) this.errors.add(`${e.code}: ${e.message}`);
    }
    if (pos) this.note('position.json', pos.appliedLsn);
    const row = rows?.body.find((r) => r.id === 'r1');
    if (row) {
      this.note('primary row appliedLsn', row.appliedLsn);
      this.note('primary row durableLsn', row.durableLsn);
    }
    this.samples++;
  }

  private note(what: string, lsn: number): void {
    const at = `${((Date.now() - this.t0) / 1000).toFixed(1)} s`;
    const max = this.highest.get(what);
    if (max && lsn < max.lsn)
      this.problems.push(`${what}: ${lsn} at ${at}, after ${max.lsn} at ${max.at}`);
    if (!max || lsn > max.lsn) this.highest.set(what, { at, lsn });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.sample();
  }
}

/**
 * The source changes until `stop()`: the mixed workload once, then random
 * changes (writes, renames, deletes, type flips...) with a pause of up to
 * 25 ms, and every ~4 s a large file (4 to 12 MiB: several 1 MiB records in
 * one transaction) written, replaced or removed.
 */
function steadyWorkload(source: string, outside: string, seed: number) {
  const r = rng(seed);
  let stopped = false;
  let changes = 0;
  const done = (async () => {
    await mkdir(join(source, 'chaos'));
    await runSteps(mixedWorkload(source, outside), r, 40);
    let nextBig = Date.now();
    let bigs = 0;
    while (!stopped) {
      if (Date.now() >= nextBig) {
        nextBig = Date.now() + 3_000 + r.int(2_000);
        const big = join(source, `big-${bigs % 3}.bin`);
        if (r.int(4) === 0) await rm(big, { force: true });
        else if (r.int(2) === 0) await writeFile(big, randomBytes((4 + r.int(9)) * 1024 * 1024));
        else {
          // A safe save: written beside, renamed over.
          const tmp = join(source, `.big-${bigs}.tmp`);
          await writeFile(tmp, randomBytes((4 + r.int(9)) * 1024 * 1024));
          await rename(tmp, big);
        }
        bigs++;
      }
      await randomChange(source, r);
      changes++;
      await sleep(r.int(25));
    }
    return changes;
  })();
  done.catch(() => undefined); // awaited by stop(); a failure must not go unhandled meanwhile
  return {
    stop: async (): Promise<number> => {
      stopped = true;
      return done;
    },
  };
}

/** A primary, a FaultProxy in front of it, and replica r1 connected through the proxy. */
async function linkedPair(h: Harness) {
  const { source, outside, target, state, startPrimary } = await pairSetup(h);
  const primary = await startPrimary();
  const proxy = await FaultProxy.start(primary.port);
  const replica = await h.replica({
    upstream: `ws://127.0.0.1:${proxy.port}/v1/stream`,
    target,
    state,
    id: 'r1',
  });
  return { source, outside, target, state, primary, proxy, replica };
}

/**
 * With the link healthy again: r1 reconnects, `wait` for it (a barrier it
 * applies and makes durable), then the trees are identical, owners included.
 */
async function expectConverged(primary: Daemon, source: string, target: string): Promise<number> {
  // After refused connections the replica's backoff reaches 10 s (waitForReplica waits 30 s).
  const lsn = await waitForReplica(primary.url);
  expect(await compareTrees(source, target, { owner: true })).toEqual([]);
  const verified = await runCli(['verify', source, target]);
  expect(verified.stdout).toBe('identical\n');
  return lsn;
}

/** How long each fault lasts: stalls from `stalls`, others 0.5 to 1.5 × `everyMs`, cuts a moment. */
function durations(r: Rng, everyMs: number, stalls: number[]) {
  return (f: Fault): number => {
    if (f === 'cut') return 0;
    if (f === 'stall') return r.pick(stalls);
    return Math.round(everyMs * (0.5 + r.next()));
  };
}

const summary = (log: FaultEvent[]): string =>
  log.map((e) => `${(e.atMs / 1000).toFixed(1)}s ${e.fault}${e.ms ? ` ${e.ms}ms` : ''}`).join(', ');

describe('replication through a faulty link', () => {
  it(
    `survives cuts, stalls, slowdowns and refused connections every ~${FAULT_EVERY_MS / 1000} s for ${FAULT_RUN_MS / 1000} s: positions only move forward, the trees converge`,
    { timeout: FAULT_RUN_MS + 180_000 },
    async () => {
      const seed = seedFromEnv();
      const { source, outside, target, state, primary, proxy, replica } =
        await linkedPair(harness());
      const watch = new PositionWatch(replica, primary, state);
      const work = steadyWorkload(source, outside, seed);
      const r = rng(seed + 1);
      // Short mode: stalls the heartbeats ride out. Long mode: also stalls
      // past the heartbeat timeout, so that both sides drop the link.
      const stalls = LONG ? [1_000, 5_000, 10_000, LINK_DROPPED_STALL_MS] : [500, 1_500, 4_000];
      const faults = proxy.schedule(r, FAULT_EVERY_MS, {
        durationMs: durations(r, FAULT_EVERY_MS, stalls),
      });
      await sleep(FAULT_RUN_MS);
      await faults.stop();
      const changes = await work.stop();
      await proxy.set('pass');

      const why = `seed ${seed}; faults: ${summary(faults.log)}`;
      const barrier = await expectConverged(primary, source, target);
      await watch.stop();
      expect(watch.problems, why).toEqual([]);
      // A fault and the pass after it take ~2 × FAULT_EVERY_MS (stalls longer).
      expect(faults.log.length, why).toBeGreaterThanOrEqual(FAULT_RUN_MS / FAULT_EVERY_MS / 4);
      expect(proxy.stats.destroyed, why).toBeGreaterThan(0);
      expect(watch.samples).toBeGreaterThan(FAULT_RUN_MS / 1000);
      expect(changes).toBeGreaterThan(50);
      // Every position ended at (or past) the barrier `wait` applied.
      for (const [what, s] of watch.highest) expect(s.lsn, what).toBeGreaterThanOrEqual(barrier);
      const s = await replica.status();
      expect([s.state, s.lastError], why).toEqual(['streaming', null]);
      await proxy.close();
    },
  );

  it(
    `rides out a stall shorter than three heartbeats on the same connection, and drops and remakes the link after a stall of ${LINK_DROPPED_STALL_MS / 1000} s`,
    { timeout: 120_000 },
    async () => {
      const seed = seedFromEnv();
      const { source, outside, target, state, primary, proxy, replica } =
        await linkedPair(harness());
      const watch = new PositionWatch(replica, primary, state);
      const work = steadyWorkload(source, outside, seed);
      await sleep(2_000);

      // A stall the heartbeats ride out: no new connection, no error.
      const connections = proxy.stats.connections;
      const reconnects = (await replica.status()).reconnects as number;
      await proxy.set('stall');
      await sleep(LINK_KEPT_STALL_MS);
      await proxy.set('pass');
      await sleep(2_000);
      expect(proxy.stats.connections).toBe(connections);
      expect((await replica.status()).reconnects).toBe(reconnects);
      expect(watch.errors).toEqual(new Set());

      // A stall past the timeout: the replica gives up on the silent primary
      // (and the primary on the silent replica), and connects again.
      await proxy.set('stall');
      await waitUntil(
        'the replica to drop the silent link',
        () => replica.log().includes('no message from the primary for 3 heartbeats'),
        LINK_DROPPED_STALL_MS,
        100,
      );
      await waitUntil(
        'the primary to see r1 gone',
        async () =>
          (
            await http<{ id: string; connected: boolean }[]>(`${primary.url}/v1/replicas`)
          ).body.some((r) => r.id === 'r1' && !r.connected),
        10_000,
      );
      await proxy.set('pass');
      await work.stop();
      await expectConverged(primary, source, target);
      expect(proxy.stats.connections).toBeGreaterThan(connections);
      await watch.stop();
      expect(watch.problems, `seed ${seed}`).toEqual([]);
      expect([...watch.errors].join('\n')).toContain(
        'FSJ_ERR_REPLICA_UPSTREAM: no message from the primary for 3 heartbeats',
      );
      await proxy.close();
    },
  );

  it('keeps streaming through a link slowed to 16 KiB per 50 ms, a large file included', async () => {
    const { source, target, state, primary, proxy, replica } = await linkedPair(harness());
    const watch = new PositionWatch(replica, primary, state);
    await proxy.set('slow');
    // 2 MiB at ~320 KiB/s: about 7 s of trickle, heartbeats and acks share it.
    await writeFile(join(source, 'big.bin'), randomBytes(2 * 1024 * 1024));
    await writeFile(join(source, 'small.txt'), 'small\n');
    const connections = proxy.stats.connections;
    await expectConverged(primary, source, target);
    expect(proxy.stats.connections).toBe(connections);
    await watch.stop();
    expect(watch.problems).toEqual([]);
    expect(watch.errors).toEqual(new Set());
    await proxy.close();
  });

  // Found by this file (it was a known bug): the replica counted the records
  // of an open transaction as applied while it held them in memory, so after
  // a cut (it resumes before the TXN_BEGIN) its appliedLsn went back as the
  // records came again, and the primary's row at once (Hello's LSN replaced
  // it). Held records are now only received: applied stops before the
  // TXN_BEGIN until the commit.
  it('a cut while a large file is in flight: appliedLsn does not go back', async () => {
    const h = harness();
    const { source, target, state, primary, proxy, replica } = await linkedPair(h);
    const watch = new PositionWatch(replica, primary, state);
    const before = await runCli(['wait', '--api', primary.url, '--replica', 'r1']);
    const barrier = Number(/lsn (\d+)/.exec(before.stdout)?.[1]);
    await proxy.set('slow');
    // 3 MiB: TXN_BEGIN, CREATE, three 1 MiB WRITEs, UTIMES, TXN_COMMIT. Written
    // beside the source and renamed in, so that the capture sees it whole: a
    // writeFile in place can be seen (under load it was) while still empty,
    // journaled as a transaction of its own with no WRITE, and taken here
    // for the large one (a flaky failure, not a bug of the replica).
    const staged = join(h.root, 'big.staged');
    await writeFile(staged, randomBytes(3 * 1024 * 1024));
    await rename(staged, join(source, 'big.bin'));
    const begin = await waitUntil('the TXN_BEGIN', async () => {
      const q = `afterLsn=${barrier}&op=TXN_BEGIN&limit=1`;
      return (await http<{ lsn: number }[]>(`${primary.url}/v1/journal?${q}`)).body[0]?.lsn;
    });
    const held = await waitUntil('three records of the transaction received', async () => {
      const s = await replica.status();
      return (s.receivedLsn as number) >= begin + 2 && s;
    });
    await proxy.set('cut');
    // Received, held, not applied: the transaction has not committed.
    expect(held.receivedLsn).toBeLessThan(begin + 6);
    expect(held.appliedLsn).toBeLessThan(begin);
    await proxy.set('slow');
    await sleep(3_000);
    await proxy.set('pass');
    await expectConverged(primary, source, target);
    await watch.stop();
    expect(watch.problems).toEqual([]);
    expect(watch.highest.get('primary row appliedLsn')!.lsn).toBeGreaterThanOrEqual(begin + 6);
    await proxy.close();
  });
});
