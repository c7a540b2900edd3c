/**
 * The appender child (test/fixtures/journal_appender.mjs, running the BUILT
 * journal from packages/journal/dist) and the checks a reopened journal must
 * pass: shared by the SIGKILL tests (journal_crash.test.ts) and the power-cut
 * tests (power_cut.test.ts).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { Journal, RecordKind, type SyncPolicy } from '@fsjournal/journal';

const APPENDER = fileURLToPath(new URL('./fixtures/journal_appender.mjs', import.meta.url));
const BUILT_JOURNAL = fileURLToPath(new URL('../packages/journal/dist/mod.js', import.meta.url));
/** Roll kills wait this long, then kill on the next new segment (or at the cap). */
const ROLL_ARM_AFTER_MS = 150;
const ROLL_KILL_CAP_MS = 1500;

/** Throws unless the built journal the child runs exists. */
export function requireBuiltJournal(): void {
  if (!existsSync(BUILT_JOURNAL)) {
    throw new Error(`${BUILT_JOURNAL} is missing: build first (npx tsc -b)`);
  }
}

/** Same as the fixture's: what a reported hash stands for. */
export function recordHash(path: string, data: Uint8Array): string {
  return createHash('sha256').update(path).update('\0').update(data).digest('hex').slice(0, 32);
}

function randomBetween([lo, hi]: [number, number]): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

export type KillPlan = 'random' | 'roll';

export interface ChildRun {
  /** lastLsn the child saw when it opened the journal. */
  openedAt: number;
  /** LSN -> hash, for every resolution line received. */
  reported: Map<number, string>;
  calls: number;
  /** What actually triggered the kill. */
  killedBy: 'timer' | 'roll';
}

export interface AppenderOptions {
  segmentBytes: number;
  /** Random kills: this long after the first resolved append. */
  killAfterMs: [number, number];
  /** Called right before the SIGKILL (the power-cut tests freeze their disk). */
  beforeKill?: () => void;
}

/** Runs the appender until it is killed per `plan`; resolves once it is gone. */
export function runAppender(
  dir: string,
  sync: SyncPolicy,
  tag: string,
  plan: KillPlan,
  { segmentBytes, killAfterMs, beforeKill }: AppenderOptions,
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, dir, sync, String(segmentBytes), tag], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: ChildRun = { openedAt: -1, reported: new Map(), calls: 0, killedBy: 'timer' };
    const timers: NodeJS.Timeout[] = [];
    let watcher: FSWatcher | undefined;
    let stderr = '';
    let pending = '';
    let problem: Error | undefined;
    let killSent = false;

    const kill = (by: ChildRun['killedBy']): void => {
      if (killSent) return;
      killSent = true;
      run.killedBy = by;
      beforeKill?.();
      child.kill('SIGKILL');
    };
    const armKill = (): void => {
      if (plan === 'random') {
        timers.push(setTimeout(() => kill('timer'), randomBetween(killAfterMs)));
        return;
      }
      timers.push(
        setTimeout(() => {
          // 'rename' is a segment file appearing (or a half-made one removed);
          // writes into a segment only raise 'change'.
          watcher = watch(join(dir, 'segments'), (event, name) => {
            if (event === 'rename' && name?.endsWith('.seg')) kill('roll');
          });
        }, ROLL_ARM_AFTER_MS),
        setTimeout(() => kill('timer'), ROLL_KILL_CAP_MS),
      );
    };
    const onLine = (line: string): void => {
      const [what, a, b, hashes] = line.split(' ');
      if (what === 'open') {
        run.openedAt = Number(a);
        return;
      }
      if (what !== 'ok' || hashes === undefined) {
        problem ??= new Error(`unexpected line from the appender: ${line.slice(0, 200)}`);
        return;
      }
      const first = Number(a);
      const last = Number(b);
      const list = hashes.split(',');
      if (list.length !== last - first + 1) {
        problem ??= new Error(`bad line from the appender: ${line.slice(0, 200)}`);
        return;
      }
      list.forEach((h, i) => {
        if (run.reported.has(first + i)) problem ??= new Error(`lsn ${first + i} reported twice`);
        run.reported.set(first + i, h);
      });
      if (run.calls++ === 0) armKill();
    };

    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (pending + chunk).split('\n');
      // A line the kill cut short has no newline yet: it stays pending, unused.
      pending = parts.pop()!;
      for (const line of parts) onLine(line);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    // A child that never gets going is killed too, and the test fails below.
    timers.push(setTimeout(() => kill('timer'), 20_000));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      watcher?.close();
      if (signal !== 'SIGKILL' || !killSent) {
        reject(new Error(`appender ended by itself (code ${code}, signal ${signal}):\n${stderr}`));
      } else if (problem) {
        reject(problem);
      } else if (run.calls === 0) {
        reject(new Error(`appender resolved nothing before the deadline:\n${stderr}`));
      } else {
        resolve(run);
      }
    });
  });
}

/**
 * Reopens the journal and checks it against everything acknowledged so far;
 * then appends one record (which must get lastLsn + 1) and closes.
 * Returns lastLsn after that append.
 */
export async function reopenAndCheck(
  dir: string,
  acked: Map<number, string>,
  run: number,
  segmentBytes: number,
): Promise<{ lastLsn: number; unreported: number; segments: number }> {
  const journal = await Journal.open({ dir, sync: 'always', segmentBytes });
  try {
    expect(journal.firstLsn).toBe(1);
    const lastLsn = journal.lastLsn;
    expect(journal.durableLsn).toBe(lastLsn);
    await journal.verify();

    let next = 1;
    let unreported = 0;
    const mismatched: string[] = [];
    for await (const e of journal.read({ fromLsn: 1 })) {
      expect(e.lsn, 'LSNs run without a gap').toBe(next++);
      const want = acked.get(e.lsn);
      if (want === undefined) {
        unreported++;
        continue;
      }
      const got = recordHash(e.record.path, e.record.data);
      if (got !== want) mismatched.push(`lsn ${e.lsn} (${e.record.path}): ${got} != ${want}`);
    }
    expect(next - 1, 'read ends at lastLsn').toBe(lastLsn);
    expect(mismatched.slice(0, 5), `run ${run}: acknowledged records changed`).toEqual([]);
    const lost = [...acked.keys()].filter((lsn) => lsn > lastLsn).sort((x, y) => x - y);
    expect(lost.slice(0, 5), `run ${run}: acknowledged records lost (lastLsn ${lastLsn})`).toEqual(
      [],
    );

    const path = `parent/after-run-${run}`;
    const data = Buffer.from(`appended by the parent after run ${run}`);
    const appended = await journal.append({ kind: RecordKind.RECORD_KIND_WRITE, path, data });
    expect(appended.firstLsn, 'append after reopen continues at lastLsn + 1').toBe(lastLsn + 1);
    expect(appended.lastLsn).toBe(lastLsn + 1);
    acked.set(appended.firstLsn, recordHash(path, data));
    return { lastLsn: appended.lastLsn, unreported, segments: journal.segmentNames().length };
  } finally {
    await journal.close();
  }
}
