/**
 * The fault hook, for tests: a test names a step of a journal writer's file
 * I/O and makes it fail as the OS would (EIO from fdatasync, ENOSPC from a
 * write). Nothing outside tests sets one; without a hook a step costs one
 * WeakMap lookup.
 *
 * Not every syscall is a step: only those `JournalIoStep` lists, and only on
 * the writer's side (reads and the open-time scan have no steps).
 */
import type { Journal } from './journal.js';

/**
 * The steps of a writer's file I/O a test can make fail (see
 * `injectJournalFaults`): a frame write or fdatasync of the live segment,
 * the creation of a new segment (empty file made, header not yet written),
 * the fsync of its header, the index file of a segment being sealed, and the
 * truncation of recovery itself.
 */
export type JournalIoStep =
  'write' | 'datasync' | 'segment-create' | 'segment-sync' | 'index' | 'recover';

/** Called before each step; throwing makes that step fail as the OS would. */
export type JournalFaultHook = (step: JournalIoStep, segment: string) => void;

/** How the writer and recovery announce a step: `faultStep` bound to their journal. */
export type IoStep = (step: JournalIoStep, segment: string) => void;

const faultHooks = new WeakMap<Journal, JournalFaultHook>();

/**
 * Tests only (exported from `internal_mod`): runs `hook` before each I/O step
 * of `journal`'s writer, so a test can fail the next fdatasync with EIO.
 * `undefined` removes it.
 */
export function injectJournalFaults(journal: Journal, hook: JournalFaultHook | undefined): void {
  if (hook) faultHooks.set(journal, hook);
  else faultHooks.delete(journal);
}

/** Runs `journal`'s hook, if one is set, before `step`; its throw is the step's failure. */
export function faultStep(journal: Journal, step: JournalIoStep, segment: string): void {
  faultHooks.get(journal)?.(step, segment);
}
