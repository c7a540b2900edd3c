/** Helpers for capture tests: a source tree, a journal beside it, replay and compare. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import {
  Journal,
  TreeApplier,
  WatchCapture,
  compareTrees,
  kindName,
  type JournalEntry,
  type WatchCaptureOptions,
} from '@fsjournal/journal';
import { collect, tempDir } from './helpers.js';

export interface Rig {
  root: string;
  source: string;
  journalDir: string;
  journal: Journal;
  capture: WatchCapture;
}

export async function startRig(
  options: Partial<WatchCaptureOptions> = {},
  existing?: { root: string },
): Promise<Rig> {
  const root = existing?.root ?? (await tempDir('fsj-capture-'));
  const source = join(root, 'source');
  const journalDir = join(root, 'journal');
  await mkdir(source, { recursive: true });
  const journal = await Journal.open({ dir: journalDir });
  const capture = await WatchCapture.start({ source, journal, ...options });
  return { root, source, journalDir, journal, capture };
}

export async function stopRig(rig: Rig): Promise<void> {
  await rig.capture.stop();
  await rig.journal.close();
}

/** Waits until the watcher has been quiet for `quietMs` and everything seen is journaled. */
export async function settle(capture: WatchCapture, quietMs = 250): Promise<void> {
  let seen = -1;
  for (;;) {
    await capture.idle();
    if (capture.stats.events === seen) return;
    seen = capture.stats.events;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** The journal's entries from `fromLsn` on. */
export function entries(journal: Journal, fromLsn = 1): Promise<JournalEntry[]> {
  return collect(journal.read({ fromLsn }));
}

/** `KIND path[->path2]` for each entry, for readable assertions. */
export function describeEntries(list: JournalEntry[]): string[] {
  return list.map((e) => {
    const r = e.record;
    return `${kindName(r.kind)} ${r.path}${r.path2 ? `->${r.path2}` : ''}`;
  });
}

/**
 * Replays the whole journal onto an empty folder and expects it to equal the
 * source (owners, modes and times too); any capture's rig will do.
 */
export async function expectReplayEqual(rig: { journal: Journal; source: string }): Promise<void> {
  const target = await tempDir('fsj-replay-');
  const applier = new TreeApplier(target);
  for (const e of await entries(rig.journal)) await applier.apply(e);
  expect(applier.openTransactions).toBe(0);
  const diffs = await compareTrees(rig.source, target, { owner: true });
  expect(diffs).toEqual([]);
}
