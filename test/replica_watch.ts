/**
 * Checks shared by the replica fault tests (replication_faults.test.ts,
 * replica_kill_group.test.ts): a watch that samples a replica's positions
 * and says whether one went back, and the end check that a replica is
 * identical to its source and durable.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ReplicaRow } from '@fsjournal/api';
import { compareTrees } from '@fsjournal/journal';
import {
  http,
  readPosition,
  runCli,
  sleep,
  waitForReplica,
  waitUntil,
  type Json,
} from './harness.js';

/** A replica to poll: a process of the harness, or a daemon run in the test's own process. */
export interface Polled {
  readonly name: string;
  readonly running: boolean;
  status(): Promise<Json>;
}

export interface PositionWatchOptions {
  /** The primary's URL: its row for r1 (applied and durable) is sampled too. */
  primaryUrl?: string;
  /** The replica's state folder: `position.json` is sampled too (a series of its own). */
  stateDir?: string;
  /** Pause between samples (default 20 ms). */
  intervalMs?: number;
}

/** The series `position.json` samples go in. */
export const POSITION_FILE = 'position.json appliedLsn';

/**
 * Polls a replica's status every ~20 ms and checks that no position goes
 * backwards: its durable LSN across restarts of either side, its applied
 * LSN within one process (a restarted replica starts again from its durable
 * position), and, given the primary's URL, the primary's row for r1
 * (applied and durable) across the replica's reconnects and restarts; given
 * its state folder, the `appliedLsn` of `position.json` (written atomically:
 * each read is a whole file) across everything, restarts included.
 */
export class PositionWatch {
  maxDurable = 0;
  readonly problems: string[] = [];
  readonly states = new Set<string>();
  /** The largest `receivedLsn - appliedLsn` a status showed: records held in an open transaction. */
  maxHeld = 0;
  /** Samples taken of `position.json`. */
  fileSamples = 0;
  private readonly highest = new Map<string, number>();
  private stopped = false;
  private readonly loop: Promise<void>;
  private readonly o: PositionWatchOptions;

  constructor(
    private readonly current: () => Polled,
    o: string | PositionWatchOptions = {},
  ) {
    this.o = typeof o === 'string' ? { primaryUrl: o } : o;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    const { primaryUrl, stateDir } = this.o;
    while (!this.stopped) {
      const d = this.current();
      const [s, row, file] = await Promise.all([
        d.running ? d.status().catch(() => undefined) : undefined,
        primaryUrl === undefined
          ? undefined
          : http<ReplicaRow>(`${primaryUrl}/v1/replicas/r1`).catch(() => undefined),
        stateDir === undefined ? undefined : readPosition(stateDir).catch(() => undefined),
      ]);
      if (s) {
        this.note(`${d.name} status`, s.durableLsn as number, s.state as string);
        this.noteSeries(`${d.name} status appliedLsn`, s.appliedLsn as number);
        this.maxHeld = Math.max(this.maxHeld, (s.receivedLsn as number) - (s.appliedLsn as number));
      }
      if (row?.status === 200) {
        this.noteSeries('primary row appliedLsn', row.body.appliedLsn);
        this.noteSeries('primary row durableLsn', row.body.durableLsn);
      }
      if (file) this.noteFile(file.appliedLsn);
      await sleep(this.o.intervalMs ?? 20);
    }
  }

  note(where: string, durableLsn: number, state?: string): void {
    if (state) this.states.add(state);
    if (durableLsn < this.maxDurable)
      this.problems.push(`${where}: durable lsn ${durableLsn} after ${this.maxDurable}`);
    this.maxDurable = Math.max(this.maxDurable, durableLsn);
  }

  /**
   * One read of `position.json` (the loop's, or the test's own after a
   * kill). Its own series: the status says durable only after the file does,
   * so a file read just before a status may be behind it, never ahead the other way.
   */
  noteFile(appliedLsn: number): void {
    this.fileSamples++;
    this.noteSeries(POSITION_FILE, appliedLsn);
  }

  /** The highest value a series showed (0 before any sample). */
  max(series: string): number {
    return this.highest.get(series) ?? 0;
  }

  private noteSeries(series: string, lsn: number): void {
    const max = this.highest.get(series);
    if (max !== undefined && lsn < max) this.problems.push(`${series}: ${lsn} after ${max}`);
    if (max === undefined || lsn > max) this.highest.set(series, lsn);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * `wait` for r1, then the trees are identical (and `verify` says so), and r1
 * has made the barrier durable, not only applied it. `dirMtimes: false`
 * leaves out directory mtimes: a replica killed between changing a
 * directory's entries and setting its mtime back keeps the time of the
 * kill, and a replay cannot tell (a known limit, docs/PROTOCOL.md).
 */
export async function expectIdentical(
  primaryUrl: string,
  source: string,
  target: string,
  o: { dirMtimes?: boolean } = {},
): Promise<void> {
  // A restarted primary may not know the replica yet, and `wait --replica` names it.
  const barrier = await waitForReplica(primaryUrl);
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
