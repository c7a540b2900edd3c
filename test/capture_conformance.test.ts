/**
 * The capture conformance suite (STYLE.md 5): every capture mode, watch
 * (`WatchCapture` over a folder) and mount (`MountCapture`, a real FUSE
 * mount over a backing folder, served by this process), driven through the
 * one `Capture` interface the primary uses: barrier, idle, stop, failure,
 * onFailed, resume. Each case changes the tree as users would (through the
 * mount in mount mode), takes a barrier, and replays the journal onto an
 * empty folder: it must equal the source (the backing folder in mount mode)
 * file by file, owners, modes and times included.
 *
 * What the modes may do differently is said once, in `MODES`: a change made
 * while the capture is failed is made on disk and journaled by resume's
 * rescan (watch), or refused with EIO before it touches the source (mount).
 * Everything else is asserted the same for both.
 *
 * Mount mode runs in this process: the test touches the mount only with
 * asynchronous calls, one at a time (a synchronous call would wait on the
 * event loop that serves the mount).
 */
import { appendFile, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, MountCapture, RecordKind, WatchCapture, type Capture } from '@fsjournal/journal';
import { injectJournalFaults } from '@fsjournal/journal/internal';
import {
  describeEntries,
  entries,
  expectReplayEqual,
  settle,
} from '../packages/journal/test/capture_helpers.js';
import { tempDir } from '../packages/journal/test/helpers.js';
import { noSmallDisk, SmallDisk } from './full_disk.js';
import { rng, waitUntil } from './harness.js';
import { noFuse, trackMount, useMounts } from './mount_harness.js';
import { mixedWorkload, runSteps } from './workload.js';

useMounts();

/** One capture started for a case. */
interface Subject {
  /** Where users change the tree: the source (watch) or the mountpoint (mount). */
  tree: string;
  /** What the journal must reproduce: the source, or the mount's backing folder. */
  source: string;
  journal: Journal;
  capture: Capture;
  /** Waits until what the mode has seen is journaled (watch: a quiet watcher). */
  quiesce(): Promise<void>;
}

interface Mode {
  name: 'watch' | 'mount';
  /** Why the mode cannot run here, or undefined. */
  skip: string | undefined;
  /** What becomes of a change made while the capture is failed. */
  whileFailed: 'made' | 'refused';
  /** Starts a capture in `root` over a new tree, its journal in `journalDir`. */
  start(root: string, journalDir: string): Promise<Subject>;
}

/**
 * The mode of the tree's root when a capture starts: that of the empty
 * folder a replay starts from (mkdtemp's). Mount mode journals changes, not
 * the tree it starts over (docs/capture.md), so the root's own attributes
 * before any change are the replay folder's.
 */
const EMPTY_ROOT_MODE = 0o700;

const MODES: Mode[] = [
  {
    name: 'watch',
    skip: undefined,
    whileFailed: 'made',
    start: async (root, journalDir) => {
      const source = join(root, 'source');
      await mkdir(source, { mode: EMPTY_ROOT_MODE });
      const journal = await Journal.open({ dir: journalDir });
      const capture = await WatchCapture.start({ source, journal });
      return { tree: source, source, journal, capture, quiesce: () => settle(capture) };
    },
  },
  {
    name: 'mount',
    // As every mount test: only a machine without /dev/fuse skips; a binding
    // that did not build is a failure to see (test/mount_harness.ts).
    skip: noFuse,
    whileFailed: 'refused',
    start: async (root, journalDir) => {
      const source = join(root, 'backing');
      const mnt = join(root, 'mnt');
      await mkdir(source, { mode: EMPTY_ROOT_MODE });
      await mkdir(mnt, { recursive: true });
      const journal = await Journal.open({ dir: journalDir });
      trackMount(mnt);
      const capture = await MountCapture.start({ source, mountpoint: mnt, journal });
      return { tree: mnt, source, journal, capture, quiesce: () => capture.idle() };
    },
  },
];

/**
 * Runs `fn` with a capture of `mode` in a new temp folder (its journal where
 * `journalIn` says, else in `journal/`); stops the capture and closes its
 * journal however `fn` ends.
 */
async function withCapture(
  mode: Mode,
  fn: (s: Subject, root: string) => Promise<void>,
  journalIn?: (root: string) => Promise<string>,
): Promise<void> {
  const root = await tempDir('fsj-conformance-');
  const s = await mode.start(root, (await journalIn?.(root)) ?? join(root, 'journal'));
  try {
    await fn(s, root);
  } finally {
    await s.capture.stop();
    await s.journal.close();
  }
}

/** Quiesces, takes a barrier, and expects the journal replayed to equal the source. */
async function expectJournaled(s: Subject, id: string): Promise<number> {
  await s.quiesce();
  const lsn = await s.capture.barrier(id);
  await expectReplayEqual(s);
  return lsn;
}

/**
 * Makes `change` while the capture is failed and expects what the mode
 * does with it: made, or refused with EIO.
 */
async function changeWhileFailed(mode: Mode, change: () => Promise<unknown>): Promise<void> {
  const got = await change().then(
    () => 'made',
    (err: NodeJS.ErrnoException) => err.code,
  );
  expect(got).toBe(mode.whileFailed === 'made' ? 'made' : 'EIO');
}

/**
 * What the primary's supervisor does once the disk takes writes again:
 * recover the journal (its GAP marks the window), then resume the capture
 * (with a GAP of its own when the journal had not failed: the capture
 * failed alone).
 */
async function recoverAndResume(s: Subject): Promise<void> {
  const recovered = await s.journal.recover();
  await s.capture.resume(recovered ? {} : { gap: 'the capture failed alone' });
  expect(s.capture.failure).toBeUndefined();
}

/** Every LSN from 1 on, no hole, and at least one GAP (where the journal failed). */
async function expectContinuousWithGap(journal: Journal): Promise<void> {
  const all = await entries(journal);
  expect(all.map((e) => e.lsn)).toEqual(all.map((_, i) => i + 1));
  expect(all.some((e) => e.record.kind === RecordKind.RECORD_KIND_GAP)).toBe(true);
}

function eio(step: string): Error {
  return Object.assign(new Error(`EIO: injected, ${step}`), { code: 'EIO' });
}

describe.each(
  MODES.map((m) => [`${m.name} mode${m.skip ? ` (skipped: ${m.skip})` : ''}`, m] as const),
)('capture conformance: %s', (_title, mode) => {
  it.skipIf(mode.skip)(
    'the mixed workload: the journal replayed equals the source, file by file',
    { timeout: 120_000 },
    async () => {
      await withCapture(mode, async (s, root) => {
        const outside = join(root, 'outside');
        await mkdir(outside);
        await writeFile(join(outside, 'secret.txt'), 'outside the tree\n');
        await runSteps(mixedWorkload(s.tree, outside), rng(1), 0);
        await expectJournaled(s, 'mixed');
      });
    },
  );

  it.skipIf(mode.skip)(
    'renames of a file, a directory with its children, over a file and across folders are RENAME records',
    async () => {
      await withCapture(mode, async (s) => {
        const t = (rel: string): string => join(s.tree, rel);
        await mkdir(t('dir/sub'), { recursive: true });
        await mkdir(t('other'));
        for (let i = 0; i < 20; i++) await writeFile(t(`dir/sub/f${i}`), `content ${i}\n`);
        await writeFile(t('a.txt'), 'a\n');
        await writeFile(t('x'), 'x content\n');
        await writeFile(t('y'), 'y content\n');
        let start = (await expectJournaled(s, 'before')) + 1;

        await rename(t('a.txt'), t('b.txt'));
        await rename(t('dir'), t('moved'));
        await expectJournaled(s, 'renamed');
        const renamed = describeEntries(await entries(s.journal, start));
        expect(renamed).toEqual(
          expect.arrayContaining(['RENAME a.txt->b.txt', 'RENAME dir->moved']),
        );
        // The children moved with their folder: not created again.
        expect(renamed.filter((r) => r.startsWith('CREATE'))).toEqual([]);

        start = s.journal.lastLsn + 1;
        await rename(t('x'), t('y'));
        await rename(t('moved/sub/f0'), t('other/f0'));
        await appendFile(t('moved/sub/f1'), 'written after the move\n');
        await expectJournaled(s, 'moved');
        expect(describeEntries(await entries(s.journal, start))).toEqual(
          expect.arrayContaining(['RENAME x->y', 'RENAME moved/sub/f0->other/f0']),
        );
      });
    },
  );

  // Skipped only where tmpfs cannot be mounted (not root), and says so in its name.
  it.skipIf(mode.skip ?? noSmallDisk)(
    `disk full on the journal: the capture fails and says so; once there is space, resume() journals what changed, nothing missing${noSmallDisk ? ` (skipped: ${noSmallDisk})` : ''}`,
    { timeout: 120_000 },
    async () => {
      const disks: SmallDisk[] = [];
      const onDisk = async (root: string): Promise<string> => {
        const disk = await SmallDisk.mount(join(root, 'disk'), '4m');
        disks.push(disk);
        return join(disk.dir, 'journal');
      };
      try {
        await withCapture(
          mode,
          async (s) => {
            const t = (rel: string): string => join(s.tree, rel);
            const disk = disks[0]!;
            await mkdir(t('docs'));
            await writeFile(t('docs/kept.txt'), 'journaled before the disk filled\n');
            await writeFile(t('gone-later.txt'), 'removed while failed\n');
            await expectJournaled(s, 'before');
            const failures: Error[] = [];
            s.capture.onFailed((e) => failures.push(e));

            expect(await disk.fill()).toMatch(/No space left on device/);
            // More than the pages the journal's files hold: its append fails
            // with ENOSPC (in mount mode the writer gets EIO, part of the file
            // on the source, and resume journals that part).
            await writeFile(t('big.bin'), rng(2).bytes(512 * 1024)).catch(() => undefined);
            const failure = await waitUntil(
              'the capture to report the full disk',
              () => s.capture.failure,
            );
            expect(failure.message).toMatch(/ENOSPC/);
            expect(failures).toEqual([failure]);
            await expect(s.capture.idle()).rejects.toThrow();

            await changeWhileFailed(mode, () =>
              writeFile(t('docs/while-full.txt'), 'made while the disk was full\n'),
            );
            await changeWhileFailed(mode, () => appendFile(t('docs/kept.txt'), 'and changed\n'));
            await changeWhileFailed(mode, () => rm(t('gone-later.txt')));

            await disk.free();
            await recoverAndResume(s);
            await expectJournaled(s, 'space again');
            await expectContinuousWithGap(s.journal);
            await writeFile(t('after.txt'), 'after the disk had space again\n');
            await expectJournaled(s, 'after');
          },
          onDisk,
        );
      } finally {
        for (const d of disks) d.unmount();
      }
    },
  );

  it.skipIf(mode.skip)(
    'resume after a failure: what changed meanwhile is journaled, capture goes on, and a second failure resumes too',
    { timeout: 120_000 },
    async () => {
      await withCapture(mode, async (s) => {
        const t = (rel: string): string => join(s.tree, rel);
        const { journal, capture } = s;
        await mkdir(t('docs'));
        await writeFile(t('docs/kept.txt'), 'journaled before the failure\n');
        await writeFile(t('gone-later.txt'), 'removed while failed\n');
        await expectJournaled(s, 'before');

        const failures: Error[] = [];
        const alsoFailures: Error[] = [];
        capture.onFailed((e) => failures.push(e));
        const unsubscribe = capture.onFailed((e) => alsoFailures.push(e));

        // Every fsync fails from now on: the disk refuses.
        injectJournalFaults(journal, (step) => {
          if (step === 'datasync') throw eio(step);
        });
        // The change the failure catches: made on the source either way (in
        // mount mode its caller got EIO, and resume journals it).
        await writeFile(t('docs/caught.txt'), 'its records were lost\n').catch(() => undefined);
        const failure = await waitUntil('the capture to fail', () => capture.failure);
        expect(failure).toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });
        expect(failures).toEqual([failure]);
        expect(alsoFailures).toEqual([failure]);
        await expect(capture.idle()).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_IO' });

        await changeWhileFailed(mode, () =>
          writeFile(t('docs/while-failed.txt'), 'made while failed\n'),
        );
        await changeWhileFailed(mode, () => appendFile(t('docs/kept.txt'), 'and changed\n'));
        await changeWhileFailed(mode, () => rm(t('gone-later.txt')));

        injectJournalFaults(journal, undefined);
        await recoverAndResume(s);
        await expectJournaled(s, 'resumed');
        await expectContinuousWithGap(journal);

        // It goes on capturing, and fails and resumes again; a removed listener is not called.
        unsubscribe();
        await writeFile(t('after.txt'), 'after the recovery\n');
        await expectJournaled(s, 'after');
        injectJournalFaults(journal, (step) => {
          if (step === 'datasync') throw eio(step);
        });
        await writeFile(t('docs/caught-again.txt'), 'lost again\n').catch(() => undefined);
        const second = await waitUntil('the capture to fail again', () => capture.failure);
        expect(failures).toEqual([failure, second]);
        expect(alsoFailures).toEqual([failure]);
        injectJournalFaults(journal, undefined);
        await recoverAndResume(s);
        await expectJournaled(s, 'resumed again');
        await expectContinuousWithGap(journal);
      });
    },
  );
});
