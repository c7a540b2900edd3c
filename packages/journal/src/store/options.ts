/**
 * The journal's options: the sync policies, what `Journal.open` takes, and
 * the check that refuses a bad option before any file is touched. The
 * defaults are filled in here once, so the writer, the open-time scan and
 * the facade read the same values.
 *
 * Only the shape and range of each option is checked; whether the folder
 * holds a journal is the open-time scan's business (`open.ts`).
 */
import { JournalError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';

/** When an append's promise resolves: see `segment_writer.ts` for each policy. */
export type SyncPolicy = 'always' | 'batch' | 'none';
/** Every sync policy, for parsing one from a flag or a config file. */
export const SYNC_POLICIES: readonly SyncPolicy[] = ['always', 'batch', 'none'];

export interface JournalOptions {
  /** The journal folder (created when missing or empty). */
  dir: string;
  sync?: SyncPolicy;
  /** Roll to a new segment once one reaches this size. Default 64 MiB. */
  segmentBytes?: number;
  /** Distance between sparse index entries. Default 64 KiB. */
  indexEveryBytes?: number;
  /**
   * `tail` (default): check every segment header and fully scan the last
   * segment at open; older segments are checked as they are read. `full`:
   * scan every segment at open.
   */
  verify?: 'tail' | 'full';
  /** Create a journal when the folder is missing or empty. Default true. */
  create?: boolean;
  /**
   * Open without the writer lock and without repairing anything: a torn tail
   * is treated as the end. Appends are refused.
   */
  readOnly?: boolean;
  logger?: Logger;
}

/** `JournalOptions` with every default filled in. */
export interface JournalConfig {
  dir: string;
  sync: SyncPolicy;
  segmentBytes: number;
  indexEveryBytes: number;
  verify: 'tail' | 'full';
  create: boolean;
  readOnly: boolean;
  logger: Logger;
}

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const DEFAULT_INDEX_EVERY = 64 * 1024;

/** Checks `o` (FSJ_ERR_JOURNAL_OPTION on a bad value) and fills in the defaults. */
export function resolveOptions(o: JournalOptions): JournalConfig {
  checkOptions(o);
  return {
    dir: o.dir,
    sync: o.sync ?? 'batch',
    segmentBytes: o.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
    indexEveryBytes: o.indexEveryBytes ?? DEFAULT_INDEX_EVERY,
    verify: o.verify ?? 'tail',
    create: o.create ?? true,
    readOnly: o.readOnly ?? false,
    logger: o.logger ?? silentLogger,
  };
}

function checkOptions(o: JournalOptions): void {
  const bad = (what: string): never => {
    throw new JournalError('FSJ_ERR_JOURNAL_OPTION', what);
  };
  if (o.sync !== undefined && !SYNC_POLICIES.includes(o.sync)) bad(`sync policy ${String(o.sync)}`);
  if (o.verify !== undefined && o.verify !== 'tail' && o.verify !== 'full')
    bad(`verify ${String(o.verify)}`);
  for (const [name, value, min] of [
    ['segmentBytes', o.segmentBytes, 1024],
    ['indexEveryBytes', o.indexEveryBytes, 1],
  ] as const) {
    if (value !== undefined && (!Number.isSafeInteger(value) || value < min))
      bad(`${name} ${value}`);
  }
}
