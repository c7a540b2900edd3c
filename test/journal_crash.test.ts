/**
 * Crash consistency with real processes: a child (test/fixtures/journal_appender.mjs,
 * running the BUILT journal from packages/journal/dist) appends as fast as it
 * can and prints one line per append call whose promise resolved; the parent
 * SIGKILLs it at a random moment, reopens the journal itself and checks that
 *   - the journal opens (recovery copes with whatever the kill left),
 *   - LSNs run from 1 to lastLsn without a gap and every frame verifies,
 *   - every record whose resolution the parent received is there, at the LSN
 *     it was given, with the same path and data (hash per LSN),
 *   - an append after reopening gets lastLsn + 1.
 * The journal may hold more records than were reported (written, not yet
 * acknowledged, or acknowledged but the line died with the child): fine.
 *
 * Several kills per policy land in the same journal, so it accumulates, and
 * segments are small so kills also hit segment rolls; every other run is
 * killed the moment a new segment file appears (fs.watch), i.e. inside a roll.
 *
 * A SIGKILL is a process crash, not a machine crash: whatever reached the OS
 * survives, so even sync=none must keep every resolved append.
 *
 * Needs packages/journal/dist (npm test runs `tsc -b` first).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, watch, type FSWatcher } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Journal, RecordKind, type SyncPolicy } from '@fsjournal/journal';

const APPENDER = fileURLToPath(new URL('./fixtures/journal_appender.mjs', import.meta.url));
const BUILT_JOURNAL = fileURLToPath(new URL('../packages/journal/dist/mod.js', import.meta.url));
const SEGMENT_BYTES = 256 * 1024;
const RUNS = 5;
/** The child is killed this long after its first resolved append (random kills). */
const KILL_AFTER_MS: [number, number] = [150, 600];
/** Roll kills wait this long, then kill on the next new segment (or at the cap). */
const ROLL_ARM_AFTER_MS = 150;
const ROLL_KILL_CAP_MS = 1500;
const VERBOSE = process.env.FSJ_TEST_VERBOSE === '1';

/** Same as the fixture's: what a reported hash stands for. */
function recordHash(path: string, data: Uint8Array): string {
  return createHash('sha256').update(path).update('\0').update(data).digest('hex').slice(0, 32);
}

function randomBetween([lo, hi]: [number, number]): number {
  return lo + Math.floor(Math.random() * (hi - lo + 1));
}

type KillPlan = 'random' | 'roll';

interface ChildRun {
  /** lastLsn the child saw when it opened the journal. */
  openedAt: number;
  /** LSN -> hash, for every resolution line received. */
  reported: Map<number, string>;
  calls: number;
  /** What actually triggered the kill. */
  killedBy: 'timer' | 'roll';
}

/** Runs the appender until it is killed per `plan`; resolves once it is gone. */
function runChild(dir: string, sync: SyncPolicy, tag: string, plan: KillPlan): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [APPENDER, dir, sync, String(SEGMENT_BYTES), tag], {
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
      child.kill('SIGKILL');
    };
    const armKill = (): void => {
      if (plan === 'random') {
        timers.push(setTimeout(() => kill('timer'), randomBetween(KILL_AFTER_MS)));
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
async function reopenAndCheck(
  dir: string,
  acked: Map<number, string>,
  run: number,
): Promise<{ lastLsn: number; unreported: number; segments: number }> {
  const journal = await Journal.open({ dir, sync: 'always', segmentBytes: SEGMENT_BYTES });
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

const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(BUILT_JOURNAL)) {
    throw new Error(`${BUILT_JOURNAL} is missing: build first (npx tsc -b)`);
  }
});

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('journal writer process killed with SIGKILL', () => {
  it.each(['always', 'batch', 'none'] as const)(
    'every append that resolved under sync=%s survives SIGKILL',
    async (sync) => {
      const root = await mkdtemp(join(tmpdir(), `fsj-crash-${sync}-`));
      dirs.push(root);
      const dir = join(root, 'journal');
      const acked = new Map<number, string>();
      let lastLsn = 0;
      let rollKills = 0;
      let segments = 0;
      for (let run = 1; run <= RUNS; run++) {
        const plan: KillPlan = run % 2 === 0 ? 'roll' : 'random';
        const child = await runChild(dir, sync, `run${run}`, plan);
        // Nothing was lost between the parent's clean close and the child's open.
        expect(child.openedAt, `run ${run}: journal as the child opened it`).toBe(lastLsn);
        for (const [lsn, hash] of child.reported) {
          expect(lsn, `run ${run}: reported lsn below what the child opened`).toBeGreaterThan(
            lastLsn,
          );
          acked.set(lsn, hash);
        }
        const after = await reopenAndCheck(dir, acked, run);
        if (child.killedBy === 'roll') rollKills++;
        if (VERBOSE) {
          console.log(
            `${sync} run ${run}: kill by ${child.killedBy}, ${child.calls} calls / ` +
              `${child.reported.size} records acked, ${after.unreported} unreported records on disk in total, ` +
              `lastLsn ${after.lastLsn}, ${after.segments} segments`,
          );
        }
        expect(after.lastLsn).toBeGreaterThan(lastLsn);
        lastLsn = after.lastLsn;
        segments = after.segments;
      }
      // The runs really crossed segment boundaries, and some kills hit a roll.
      expect(segments, 'segments at the end').toBeGreaterThan(RUNS);
      expect(rollKills, 'kills that landed on a segment roll').toBeGreaterThan(0);
    },
  );
});
