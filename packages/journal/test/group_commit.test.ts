/**
 * Group commit, observed from outside the journal.
 *
 * Every fdatasync the journal issues goes through FileHandle.prototype.datasync,
 * which these tests wrap (and restore afterwards). The wrapper notes, on one
 * logical clock shared with the appends:
 *   - which file it syncs (inode) and how many bytes that file held when the
 *     call STARTED (fstat, synchronously, before anything else), and
 *   - the clock value when the real fdatasync COMPLETED.
 * It also sleeps a few ms before the real call, so appends pile up behind it.
 *
 * Each append notes the clock when it was called and when its promise
 * resolved. Afterwards the journal is read back to learn each record's segment
 * and end offset, which tells, for every record, the first datasync that
 * covered it (same file, started with the record's bytes already written).
 *
 * The central assertion: every append resolved strictly after a covering
 * datasync completed. How it catches a broken flushLoop:
 *   - waiters resolved before `await datasync()` (or without awaiting it): the
 *     resolve handlers run in microtasks while the wrapped datasync is still
 *     sleeping, so they take clock values below the covering sync's
 *     completion -> "resolved before its record was durable" fails;
 *   - a batch taken from the queue after the sync instead of before the write
 *     (resolving appends whose bytes were never synced): no datasync started
 *     with those bytes written before they resolve -> same failure;
 *   - durableLsn advanced before the sync completes: the durableLsn samples
 *     (taken in resolve handlers, in the datasync wrapper and on a 1 ms timer)
 *     claim an LSN no completed datasync covered -> fails;
 *   - no grouping (one sync per call under `batch`): the datasync count is not
 *     far below the number of calls -> fails; under `always`, grouping is the
 *     failure, caught by requiring a datasync completion between any two
 *     resolutions.
 *
 * Seeded: FSJ_TEST_SEED=<n> replays a run; the seed is in every failure message.
 */
import { fstatSync } from 'node:fs';
import { mkdtemp, open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Journal,
  RecordKind,
  type Appended,
  type RecordInput,
  type SyncPolicy,
} from '@fsjournal/journal';
import { rng as seededRng } from '../../../bench/rng.mjs';

type Datasync = (this: FileHandle) => Promise<void>;

/** One completed fdatasync. */
interface SyncEvent {
  /** Inode of the synced file. */
  ino: number;
  /** Size of the file when datasync was called: everything below is covered. */
  bytes: number;
  started: number;
  completed: number;
}

/** One append / appendMany call. */
interface CallEvent {
  paths: string[];
  called: number;
  resolved?: number;
  result?: Appended;
  durableAtResolve?: number;
  error?: unknown;
}

interface DurableSample {
  at: number;
  durableLsn: number;
}

/** Everything a run observed, on one logical clock. */
class Observer {
  private clock = 0;
  readonly syncs: SyncEvent[] = [];
  readonly calls: CallEvent[] = [];
  readonly samples: DurableSample[] = [];
  journal: Journal | undefined;

  tick(): number {
    return ++this.clock;
  }

  sampleDurable(): void {
    if (this.journal) this.samples.push({ at: this.tick(), durableLsn: this.journal.durableLsn });
  }
}

const SEED = Number(process.env.FSJ_TEST_SEED ?? Math.floor(Math.random() * 2 ** 31));
/** Small segments, so many batches straddle a segment roll (whose datasync covers the old file). */
const SEGMENT_BYTES = 128 * 1024;

let proto: { datasync: Datasync };
let realDatasync: Datasync;
let dir: string;
let obs: Observer;

beforeAll(async () => {
  const probeDir = await mkdtemp(join(tmpdir(), 'fsj-gc-probe-'));
  try {
    const probePath = join(probeDir, 'probe');
    await writeFile(probePath, '');
    const fh = await open(probePath, 'r');
    proto = Object.getPrototypeOf(fh) as { datasync: Datasync };
    realDatasync = proto.datasync;
    await fh.close();
  } finally {
    await rm(probeDir, { recursive: true, force: true });
  }
});

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsj-group-commit-'));
  obs = new Observer();
});

afterEach(async () => {
  proto.datasync = realDatasync;
  await obs.journal?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Wraps datasync: note the file and its size at the call, delay, sync, note completion. */
function interceptDatasync(delayMs: () => number): void {
  proto.datasync = async function (this: FileHandle): Promise<void> {
    const started = obs.tick();
    const { ino, size } = fstatSync(this.fd);
    obs.sampleDurable();
    await sleep(delayMs());
    await realDatasync.call(this);
    obs.syncs.push({ ino, bytes: size, started, completed: obs.tick() });
    obs.sampleDurable();
  };
}

function record(path: string, size: number): RecordInput {
  return { kind: RecordKind.RECORD_KIND_WRITE, path, data: Buffer.alloc(size, path.length) };
}

/** One append (or appendMany) call, noted on the observer's clock. */
function trackedAppend(journal: Journal, records: RecordInput[]): Promise<CallEvent> {
  const call: CallEvent = { paths: records.map((r) => r.path!), called: obs.tick() };
  obs.calls.push(call);
  const p = records.length === 1 ? journal.append(records[0]!) : journal.appendMany(records);
  return p.then(
    (result) => {
      call.resolved = obs.tick();
      call.result = result;
      call.durableAtResolve = journal.durableLsn;
      obs.sampleDurable();
      return call;
    },
    (err: unknown) => {
      call.error = err;
      return call;
    },
  );
}

/**
 * Fires `writers * callsPerWriter` append calls from concurrent async writers,
 * with random small pauses (none, a microtask, a macrotask, or 0-2 ms), a few
 * appendMany calls, and the occasional writer that waits for its own append.
 */
async function runWriters(
  journal: Journal,
  rng: () => number,
  writers: number,
  callsPerWriter: number,
): Promise<void> {
  const settled: Promise<CallEvent>[] = [];
  const writer = async (w: number): Promise<void> => {
    for (let i = 0; i < callsPerWriter; i++) {
      const pause = rng();
      if (pause < 0.3) await sleep(Math.floor(rng() * 3));
      else if (pause < 0.45) await new Promise<void>((resolve) => setImmediate(resolve));
      else if (pause < 0.6) await Promise.resolve();
      const n = rng() < 0.15 ? 2 + Math.floor(rng() * 4) : 1;
      const records = Array.from({ length: n }, (_, k) =>
        record(`w${w}/c${i}/r${k}`, 10 + Math.floor(rng() * 2000)),
      );
      const done = trackedAppend(journal, records);
      settled.push(done);
      if (rng() < 0.03) await done;
    }
  };
  const sampler = setInterval(() => obs.sampleDurable(), 1);
  try {
    await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
    await Promise.all(settled);
  } finally {
    clearInterval(sampler);
  }
}

interface Analysis {
  /** Clock value at which lsn's bytes were first made durable by a completed datasync. */
  coveredAt: Map<number, number>;
  /** Syncs that ended a flush (not the sync sealing a segment at a roll). */
  flushSyncs: SyncEvent[];
  lastLsn: number;
}

/**
 * Reads the journal back: checks that LSNs 1..lastLsn each hold the record the
 * call that got them appended, and works out when each record became durable.
 */
async function analyse(journal: Journal): Promise<Analysis> {
  const calls = obs.calls;
  for (const c of calls) expect(c.error, `seed ${SEED}: append failed`).toBeUndefined();
  const expectedPath = new Map<number, string>();
  for (const c of calls) {
    const r = c.result!;
    expect(r.lastLsn - r.firstLsn + 1, `seed ${SEED}`).toBe(c.paths.length);
    c.paths.forEach((p, k) => {
      expect(expectedPath.has(r.firstLsn + k), `seed ${SEED}: lsn handed out twice`).toBe(false);
      expectedPath.set(r.firstLsn + k, p);
    });
  }
  const total = calls.reduce((n, c) => n + c.paths.length, 0);
  expect(journal.lastLsn, `seed ${SEED}`).toBe(total);
  expect(journal.durableLsn, `seed ${SEED}`).toBe(total);

  const inoOf = new Map<string, number>();
  const located = new Map<number, { ino: number; end: number }>();
  let next = 1;
  for await (const f of journal.readFrames({ fromLsn: 1 })) {
    expect(f.lsn, `seed ${SEED}: gap in LSNs`).toBe(next++);
    let ino = inoOf.get(f.segment);
    if (ino === undefined) {
      ino = (await stat(join(dir, 'segments', f.segment))).ino;
      inoOf.set(f.segment, ino);
    }
    located.set(f.lsn, { ino, end: f.offset + f.frame.length });
  }
  expect(next - 1, `seed ${SEED}`).toBe(total);
  for await (const e of journal.read({ fromLsn: 1 })) {
    expect(e.record.path, `seed ${SEED}: lsn ${e.lsn}`).toBe(expectedPath.get(e.lsn));
  }

  const coveredAt = new Map<number, number>();
  for (const [lsn, at] of located) {
    let first = Infinity;
    for (const s of obs.syncs) {
      if (s.ino === at.ino && s.bytes >= at.end && s.completed < first) first = s.completed;
    }
    coveredAt.set(lsn, first);
  }

  // The sync sealing a segment at a roll is the last one on its file; the
  // active (last) segment has none.
  const lastSyncOf = new Map<number, SyncEvent>();
  for (const s of obs.syncs) lastSyncOf.set(s.ino, s);
  const activeIno = inoOf.get(journal.segmentNames().at(-1)!);
  const rollSyncs = new Set([...lastSyncOf].filter(([ino]) => ino !== activeIno).map(([, s]) => s));
  const flushSyncs = obs.syncs.filter((s) => !rollSyncs.has(s));
  return { coveredAt, flushSyncs, lastLsn: total };
}

/** Appends resolved only after a completed datasync covered every one of their records. */
function expectResolvedOnlyWhenDurable(a: Analysis): void {
  const early: string[] = [];
  for (const c of obs.calls) {
    const r = c.result!;
    for (let lsn = r.firstLsn; lsn <= r.lastLsn; lsn++) {
      const covered = a.coveredAt.get(lsn)!;
      if (!(covered < c.resolved!)) {
        early.push(
          `lsn ${lsn} (call ${r.firstLsn}..${r.lastLsn}) resolved at t=${c.resolved} but ` +
            `first covered by a datasync completing at t=${covered}`,
        );
      }
    }
  }
  expect(early.slice(0, 5), `seed ${SEED}: resolved before its record was durable`).toEqual([]);
}

/** durableLsn never runs ahead of completed datasyncs nor lags a resolved append. */
function expectDurableLsnHonest(a: Analysis): void {
  // Highest clock at which any of LSNs 1..n became durable, for each n.
  const prefixCovered = [0];
  for (let lsn = 1; lsn <= a.lastLsn; lsn++) {
    prefixCovered.push(Math.max(prefixCovered[lsn - 1]!, a.coveredAt.get(lsn)!));
  }
  const resolutions = obs.calls
    .map((c) => ({ at: c.resolved!, lastLsn: c.result!.lastLsn }))
    .sort((x, y) => x.at - y.at);
  const problems: string[] = [];
  let ri = 0;
  let maxResolved = 0;
  let prev = 0;
  for (const s of obs.samples) {
    while (ri < resolutions.length && resolutions[ri]!.at < s.at) {
      maxResolved = Math.max(maxResolved, resolutions[ri]!.lastLsn);
      ri++;
    }
    if (s.durableLsn < maxResolved) {
      problems.push(`t=${s.at}: durableLsn ${s.durableLsn} below resolved lsn ${maxResolved}`);
    }
    if (s.durableLsn < prev) problems.push(`t=${s.at}: durableLsn went back to ${s.durableLsn}`);
    if (!(prefixCovered[s.durableLsn]! < s.at)) {
      problems.push(`t=${s.at}: durableLsn ${s.durableLsn} before a datasync covered it`);
    }
    prev = s.durableLsn;
  }
  for (const c of obs.calls) {
    if (c.durableAtResolve! < c.result!.lastLsn) {
      problems.push(`call ${c.result!.lastLsn} resolved with durableLsn ${c.durableAtResolve}`);
    }
  }
  expect(problems.slice(0, 5), `seed ${SEED}`).toEqual([]);
}

async function openJournal(sync: SyncPolicy): Promise<Journal> {
  const journal = await Journal.open({ dir, sync, segmentBytes: SEGMENT_BYTES });
  obs.journal = journal;
  return journal;
}

describe('group commit (sync=batch)', () => {
  it('resolves every concurrent append only after a datasync covering its record completed', async () => {
    const rng = seededRng(SEED).next;
    const journal = await openJournal('batch');
    interceptDatasync(() => 5 + Math.floor(rng() * 16));
    await runWriters(journal, rng, 8, 250);
    const a = await analyse(journal);
    const calls = obs.calls.length;
    expect(calls).toBe(2000);

    expectResolvedOnlyWhenDurable(a);
    expectDurableLsnHonest(a);

    // Grouping happened: far fewer fdatasyncs than append calls.
    expect(obs.syncs.length, `seed ${SEED}`).toBeGreaterThan(0);
    expect(obs.syncs.length * 10, `seed ${SEED}: ${obs.syncs.length} syncs`).toBeLessThan(calls);
    // Segments rolled mid-run, so roll syncs (sealing the old file) were in the mix.
    expect(journal.segmentNames().length).toBeGreaterThan(3);

    // Gathered into the NEXT sync: between an append's call and its
    // resolution at most two flush syncs start (one already being prepared
    // when it arrived, then the one covering it); roll syncs aside.
    const late: string[] = [];
    for (const c of obs.calls) {
      const n = a.flushSyncs.filter(
        (s) => s.started > c.called && s.completed < c.resolved!,
      ).length;
      if (n > 2) late.push(`call ${c.result!.firstLsn}: ${n} flush syncs before it resolved`);
    }
    expect(late.slice(0, 5), `seed ${SEED}`).toEqual([]);
  });

  it('reports durableLsn no lower than any resolved append, also while syncs are in flight', async () => {
    // Resolve handlers check durableLsn >= their own lastLsn; here also a
    // reader awaiting each append in turn while others pile up behind slow syncs.
    const rng = seededRng(SEED ^ 0x5bd1e995).next;
    const journal = await openJournal('batch');
    interceptDatasync(() => 10 + Math.floor(rng() * 10));
    const background = runWriters(journal, rng, 4, 100);
    for (let i = 0; i < 20; i++) {
      const call = await trackedAppend(journal, [record(`serial/${i}`, 100)]);
      expect(call.error).toBeUndefined();
      await Promise.resolve();
      expect(journal.durableLsn, `seed ${SEED}`).toBeGreaterThanOrEqual(call.result!.lastLsn);
    }
    await background;
    const a = await analyse(journal);
    expectResolvedOnlyWhenDurable(a);
    expectDurableLsnHonest(a);
    expect(obs.samples.length).toBeGreaterThan(100);
  });
});

describe('sync=always', () => {
  it('gives every append call its own datasync, completed before it resolves', async () => {
    const rng = seededRng(SEED ^ 0x1234567).next;
    const journal = await openJournal('always');
    interceptDatasync(() => 1 + Math.floor(rng() * 3));
    await runWriters(journal, rng, 6, 50);
    const a = await analyse(journal);
    const calls = obs.calls.length;
    expect(calls).toBe(300);

    expectResolvedOnlyWhenDurable(a);
    expectDurableLsnHonest(a);
    expect(obs.syncs.length, `seed ${SEED}`).toBeGreaterThanOrEqual(calls);

    // Not grouped: a datasync completes between any two resolutions.
    const resolvedAt = obs.calls.map((c) => c.resolved!).sort((x, y) => x - y);
    const completions = obs.syncs.map((s) => s.completed).sort((x, y) => x - y);
    const grouped: string[] = [];
    for (let i = 1; i < resolvedAt.length; i++) {
      const [lo, hi] = [resolvedAt[i - 1]!, resolvedAt[i]!];
      if (!completions.some((t) => t > lo && t < hi)) grouped.push(`t=${lo} and t=${hi}`);
    }
    expect(grouped.slice(0, 5), `seed ${SEED}: resolved by one datasync`).toEqual([]);
  });
});

describe('sync=none', () => {
  it('resolves appends without waiting for a datasync, durableLsn tracking what was written', async () => {
    const rng = seededRng(SEED ^ 0x7777).next;
    const journal = await openJournal('none');
    interceptDatasync(() => 0);
    await runWriters(journal, rng, 4, 100);
    const a = await analyse(journal);
    // The only syncs are those sealing a segment at a roll (so that a power
    // cut cannot leave a hole before a later segment).
    expect(a.flushSyncs).toEqual([]);
    expect(obs.syncs.length).toBe(journal.segmentNames().length - 1);
    for (const c of obs.calls) expect(c.durableAtResolve).toBeGreaterThanOrEqual(c.result!.lastLsn);
  });
});
