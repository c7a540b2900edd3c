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
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  reopenAndCheck,
  requireBuiltJournal,
  runAppender,
  type KillPlan,
} from './journal_appender.js';

const SEGMENT_BYTES = 256 * 1024;
const RUNS = 5;
/** The child is killed this long after its first resolved append (random kills). */
const KILL_AFTER_MS: [number, number] = [150, 600];
const VERBOSE = process.env.FSJ_TEST_VERBOSE === '1';

const dirs: string[] = [];

beforeAll(requireBuiltJournal);

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
        const child = await runAppender(dir, sync, `run${run}`, plan, {
          segmentBytes: SEGMENT_BYTES,
          killAfterMs: KILL_AFTER_MS,
        });
        // Nothing was lost between the parent's clean close and the child's open.
        expect(child.openedAt, `run ${run}: journal as the child opened it`).toBe(lastLsn);
        for (const [lsn, hash] of child.reported) {
          expect(lsn, `run ${run}: reported lsn below what the child opened`).toBeGreaterThan(
            lastLsn,
          );
          acked.set(lsn, hash);
        }
        const after = await reopenAndCheck(dir, acked, run, SEGMENT_BYTES);
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
