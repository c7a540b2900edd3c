/**
 * The replica's replay windows (docs/PROTOCOL.md, "Replay windows"): which
 * records close a window, and, for random legal journals, that a replica
 * killed at any moment, with any part of its window applied that the
 * applier's ordering allows, ends with the same tree once it applies again
 * from its durable position. Also: records applied many at once (as the
 * replica does) give the same tree as one by one, times and owners included.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareTrees,
  Journal,
  RecordKind as K,
  TreeApplier,
  type JournalEntry,
} from '@fsjournal/journal';
import { pathEffect, ReplayWindow } from '../src/tree/replay_window.js';
import { Script, writeJournal } from './record_script.js';

type Rec = JournalEntry['record'];
const rec = (kind: K, path: string, path2 = ''): Rec => ({ kind, path, path2 }) as unknown as Rec;
const create = (p: string): Rec => rec(K.RECORD_KIND_CREATE, p);
const mkdirR = (p: string): Rec => rec(K.RECORD_KIND_MKDIR, p);
const write = (p: string): Rec => rec(K.RECORD_KIND_WRITE, p);
const unlink = (p: string): Rec => rec(K.RECORD_KIND_UNLINK, p);
const rmdir = (p: string): Rec => rec(K.RECORD_KIND_RMDIR, p);
const rename = (a: string, b: string): Rec => rec(K.RECORD_KIND_RENAME, a, b);
const link = (a: string, b: string): Rec => rec(K.RECORD_KIND_LINK, a, b);
const utimes = (p: string): Rec => rec(K.RECORD_KIND_UTIMES, p);

function conflicts(window: Rec[], next: Rec): boolean {
  const w = new ReplayWindow();
  window.forEach((r, i) => w.add(i + 1, pathEffect(r)));
  return w.conflicts(pathEffect(next));
}

describe('which records close the replay window', () => {
  const cases: [string, Rec[], Rec, boolean][] = [
    ['an empty window', [], rename('a', 'b'), false],
    [
      'tar -x: creations and content',
      [mkdirR('d'), create('d/f'), write('d/f')],
      create('d/g'),
      false,
    ],
    ['rm -rf: removals after removals', [unlink('d/f'), unlink('d/g')], rmdir('d'), false],
    ['content after a removal', [unlink('d/f')], write('d/g'), false],
    ['a name removed, then created again', [unlink('d/f')], create('d/f'), true],
    ['a folder removed, then a file made below its name', [rmdir('d')], create('d/f'), true],
    ['a file removed, then a folder made at its parent', [unlink('d/f')], mkdirR('d'), true],
    ['a removal, then a rename onto its name', [unlink('b')], rename('a', 'b'), true],
    ['a rename, then its source created again', [rename('a', 'b')], create('a'), true],
    ['a rename, then its destination removed', [rename('a', 'b')], unlink('b'), true],
    [
      'a rename, then something below its destination removed',
      [rename('a', 'b')],
      unlink('b/x'),
      true,
    ],
    ['a rename, then content at its destination', [rename('a', 'b')], write('b'), false],
    ['a rename, then an unrelated creation', [rename('a', 'b')], create('c'), false],
    ['a link, then its source removed', [link('a', 'b')], unlink('a'), true],
    [
      'a file written, then renamed away (write-then-rename)',
      [create('a'), write('a')],
      rename('a', 'b'),
      false,
    ],
    [
      'a file written, then another renamed over it',
      [create('b'), write('b')],
      rename('a', 'b'),
      true,
    ],
    [
      'files made in a folder, then the folder renamed',
      [mkdirR('d'), create('d/f')],
      rename('d', 'e'),
      true,
    ],
    ['a folder made, then a rename into it', [mkdirR('d')], rename('a', 'd/a'), true],
    ['a folder times set, then a rename into it', [utimes('d')], rename('a', 'd/a'), false],
    ['a folder filled, then a file made at its name', [create('d/f')], create('d'), true],
    ['a sibling removed, then a creation beside it', [unlink('d/f')], create('d/g'), false],
  ];
  it.each(cases)('%s', (_name, window, next, expected) => {
    expect(conflicts(window, next)).toBe(expected);
  });

  it('records made durable leave the window', () => {
    const w = new ReplayWindow();
    w.add(1, pathEffect(unlink('f')));
    w.add(2, pathEffect(write('g')));
    expect(w.conflicts(pathEffect(create('f')))).toBe(true);
    w.closeThrough(1);
    expect(w.conflicts(pathEffect(create('f')))).toBe(false);
    expect(w.size).toBe(1);
  });
});

function related(a: string, b: string): boolean {
  return a === b || a === '' || b === '' || b.startsWith(`${a}/`) || a.startsWith(`${b}/`);
}

/**
 * What a record acts on, for the applier's ordering: a commit waits for
 * everything; the records a transaction holds act on nothing until it.
 */
function pathsOf(e: JournalEntry): string[] | 'all' {
  const k = e.record.kind;
  if (k === K.RECORD_KIND_TXN_COMMIT) return 'all';
  if (k === K.RECORD_KIND_TXN_BEGIN || k === K.RECORD_KIND_TXN_ABORT || e.record.txn) return [];
  return pathEffect(e.record).touches;
}

/** Applies entries as the replica does: many in flight, closing windows where it must. */
async function applyGrouped(
  dir: string,
  entries: JournalEntry[],
): Promise<{ durableAfter: number[] }> {
  const applier = new TreeApplier(dir, { atomicCreate: true });
  // durableAfter[i]: the durable position once entries[i] is applied.
  const durableAfter: number[] = [];
  let durable = 0;
  const persist = async (through: number, inFlight: Promise<void>[]): Promise<void> => {
    await Promise.all(inFlight.splice(0));
    const open = applier.oldestOpenTxn;
    const at = open === undefined ? through : Math.min(through, open - 1);
    if (at > durable) durable = at;
    applier.durableThrough(durable);
  };
  const inFlight: Promise<void>[] = [];
  for (const e of entries) {
    const reshapes = applier.reshapes(e);
    // As replica.ts: a committed transaction that moves nothing goes in flight like a record.
    const alone = applier.closesWindow(e) || reshapes;
    if (alone) await persist(e.lsn - 1, inFlight);
    inFlight.push(applier.submit(e));
    if (reshapes) await persist(e.lsn, inFlight);
    else if (alone) await Promise.all(inFlight.splice(0));
    if (inFlight.length >= 16) await Promise.all(inFlight.splice(0, 8));
    durableAfter.push(durable);
  }
  await Promise.all(inFlight);
  return { durableAfter };
}

/**
 * A subset of entries (from, to] that a replica killed after submitting
 * entry `to` may have applied: each entry in it with every earlier entry it
 * waits for (related paths; a commit waits for all).
 */
function appliedSubset(
  entries: JournalEntry[],
  from: number,
  to: number,
  n: () => number,
): Set<number> {
  const chosen = new Set<number>();
  for (let i = from; i < to; i++) {
    const e = entries[i]!;
    const p = pathsOf(e);
    const waitsFor = (j: number): boolean => {
      const q = pathsOf(entries[j]!);
      if (p === 'all' || q === 'all') return true;
      return p.some((a) => q.some((b) => related(a, b)));
    };
    let ok = p !== 'all' && p.length === 0 ? true : n() % 4 !== 0;
    for (let j = from; j < i && ok; j++) if (!chosen.has(j) && waitsFor(j)) ok = false;
    if (ok) chosen.add(i);
  }
  return chosen;
}

describe('a replica killed inside a replay window converges when it applies again', () => {
  it('for random journals, kill points and partly applied windows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(1_000_000), { minLength: 300, maxLength: 300 }),
        async (seeds) => {
          let i = 0;
          const n = (): number => seeds[i++ % seeds.length]! + Math.floor(i / seeds.length);
          const script = new Script(n);
          for (let s = 0; s < 50; s++) script.step();
          const root = await mkdtemp(join(tmpdir(), 'fsj-window-'));
          try {
            const dir = join(root, 'journal');
            await writeJournal(dir, script, n);
            const reader = await Journal.open({ dir, readOnly: true });
            const entries: JournalEntry[] = [];
            for await (const e of reader.read()) entries.push(e);
            await reader.close();

            const oneByOne = join(root, 'one-by-one');
            await mkdir(oneByOne);
            const seq = new TreeApplier(oneByOne, { atomicCreate: true });
            for (const e of entries) await seq.apply(e);

            const grouped = join(root, 'grouped');
            await mkdir(grouped);
            const { durableAfter } = await applyGrouped(grouped, entries);
            expect(await compareTrees(oneByOne, grouped, { owner: true })).toEqual([]);

            for (let k = 0; k < 4; k++) {
              // Killed after submitting entry `cut`; durable through `durable`.
              const cut = n() % entries.length;
              const durable = durableAfter[cut]!;
              const first = entries.findIndex((e) => e.lsn > durable);
              const from = first === -1 ? entries.length : first;
              const killed = join(root, `killed-${k}`);
              await mkdir(killed);
              const before = new TreeApplier(killed, { atomicCreate: true });
              for (const e of entries.slice(0, from)) await before.apply(e);
              const done = appliedSubset(entries, from, cut + 1, n);
              for (let j = from; j <= cut; j++) {
                // Held records of a transaction are replayed from its TXN_BEGIN anyway.
                if (done.has(j)) await before.apply(entries[j]!);
                else if (entries[j]!.record.kind === K.RECORD_KIND_TXN_COMMIT) break;
              }
              const again = new TreeApplier(killed, { atomicCreate: true });
              for (const e of entries.slice(from)) await again.apply(e);
              expect(await compareTrees(oneByOne, killed, { owner: true })).toEqual([]);
            }
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        },
      ),
      {
        numRuns: Number(process.env.FSJ_RUNS ?? (process.env.FSJ_LONG ? 200 : 15)),
        endOnFailure: true,
        timeout: 20_000,
        seed: Number(process.env.FSJ_SEED ?? 20261203),
      },
    );
  }, 180_000);
});
