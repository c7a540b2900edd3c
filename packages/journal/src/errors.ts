/**
 * Errors raised by the journal package. Every error has a stable `code`
 * (documented in docs/JOURNAL_FORMAT.md, checked by a test), a terse message,
 * an optional `cause`, and `retryable`: whether trying the same call again
 * later can succeed without someone repairing something first.
 */

/** Every code the journal package raises, with what it means. */
export const JOURNAL_ERROR_CODES = {
  FSJ_ERR_JOURNAL_NOT_A_JOURNAL: 'the folder is not empty and holds no journal.json',
  FSJ_ERR_JOURNAL_META: 'journal.json cannot be read or is not valid',
  FSJ_ERR_JOURNAL_OPTION: 'an option given to open the journal is not valid',
  FSJ_ERR_JOURNAL_VERSION: 'written by a newer format version than this build reads',
  FSJ_ERR_JOURNAL_BAD_MAGIC: 'a segment or index file does not start with the expected magic',
  FSJ_ERR_JOURNAL_FOREIGN_SEGMENT: 'a segment belongs to another journal or is misnamed',
  FSJ_ERR_JOURNAL_CORRUPT: 'a record or header fails its checks and valid data follows it',
  FSJ_ERR_JOURNAL_LSN_GAP: 'LSNs are not consecutive within or across segments',
  FSJ_ERR_JOURNAL_UNKNOWN_FRAME:
    'a frame with a valid checksum has a frame type this build does not know',
  FSJ_ERR_JOURNAL_UNKNOWN_KIND: 'a record has a kind this build does not know',
  FSJ_ERR_JOURNAL_RECORD: 'a record is not valid (path, sizes, fields for its kind)',
  FSJ_ERR_JOURNAL_IO: 'reading or writing journal files failed',
  FSJ_ERR_JOURNAL_CLOSED: 'the journal is closed or read-only',
  FSJ_ERR_JOURNAL_RELEASED: 'the LSN asked for was released by retention',
  FSJ_ERR_JOURNAL_OUT_OF_RANGE: 'the LSN asked for is past the newest record',
  FSJ_ERR_JOURNAL_LOCKED: 'another live process has the journal open',
  FSJ_ERR_JOURNAL_QUERY: 'an audit query parameter is not valid',
  FSJ_ERR_JOURNAL_QUERY_TIMEOUT: 'an audit query read for its whole time limit without finishing',
  FSJ_ERR_FRAME_TOO_LARGE: 'a frame declares a payload larger than the cap',
  FSJ_ERR_CONTENT_CORRUPT: 'a content block or pack index fails its checksum',
  FSJ_ERR_CONTENT_MISSING: 'a checkpoint names a content block the store does not hold',
  FSJ_ERR_CHECKPOINT_CORRUPT: 'a checkpoint file is damaged or not valid',
  FSJ_ERR_CHECKPOINT_REPLAY: 'a record cannot be applied to the tree a checkpoint is built from',
  FSJ_ERR_TARGET_UNSAFE:
    'paths of a target cannot be resolved without following symlinks (/proc is not mounted)',
  FSJ_ERR_RESTORE_TARGET: 'the restore target is not an empty folder (or cannot be made one)',
  FSJ_ERR_RESTORE_RANGE:
    'the point asked for is before the oldest retained point or after the newest record',
  FSJ_ERR_RESTORE_ANNOTATION: 'no annotation, or more than one, has the text asked for',
  FSJ_ERR_MOUNT_UNAVAILABLE:
    'the FUSE binding is not built or does not load (mount mode needs Linux and libfuse3)',
  FSJ_ERR_MOUNT_NO_FUSE: '/dev/fuse is missing or not usable',
  FSJ_ERR_MOUNT_BUSY:
    'the mountpoint is already mounted (a stale mount that cannot be detached too)',
  FSJ_ERR_MOUNT_NOT_EMPTY: 'the mountpoint folder is not empty',
  FSJ_ERR_MOUNT_OPTION: 'source or mountpoint is not valid (missing, not a folder, nested)',
  FSJ_ERR_MOUNT_FAILED: 'the kernel or libfuse refused the mount',
} as const;

export type JournalErrorCode = keyof typeof JOURNAL_ERROR_CODES;

/** Where in the journal a problem was found. */
export interface JournalLocation {
  /** Segment file name, e.g. `0000000000000001.seg`. */
  segment?: string;
  /** Byte offset within the segment. */
  offset?: number;
  lsn?: number;
}

export interface JournalErrorOptions extends JournalLocation {
  cause?: unknown;
  retryable?: boolean;
}

/** The one error class of the journal package; `code` says which error it is. */
export class JournalError extends Error {
  override readonly name = 'JournalError';
  readonly code: JournalErrorCode;
  readonly retryable: boolean;
  readonly segment: string | undefined;
  readonly offset: number | undefined;
  readonly lsn: number | undefined;

  constructor(code: JournalErrorCode, message: string, options: JournalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.segment = options.segment;
    this.offset = options.offset;
    this.lsn = options.lsn;
  }
}

/** True when `err` is a JournalError with the given code (or any code). */
export function isJournalError(err: unknown, code?: JournalErrorCode): err is JournalError {
  return err instanceof JournalError && (code === undefined || err.code === code);
}
