/**
 * Reading the journal: frames (as stored, for shipping) or decoded records
 * from an LSN on, each checked (checksum, LSN continuity); following the
 * live tail; waiting for an LSN to become durable; finding an LSN by time.
 *
 * Readers see a record once it is durable, or once written if they ask
 * (`includeUndurable`); only the latter can see records a recovery then
 * discards. A failed journal is waited through, since recovery continues
 * it. Not guaranteed: that a released segment stays readable (a reader
 * already inside one finishes it; one that needs it later is told
 * FSJ_ERR_JOURNAL_RELEASED).
 */
import { JournalError } from '../errors.js';
import type { Frame } from '../record/frame.js';
import { decodeRecord, type JournalEntry } from '../record/record.js';
import type { JournalState } from './journal_state.js';
import { SEGMENT_HEADER_BYTES } from './segment.js';
import { segmentAtTime, segmentFor } from './segment_list.js';
import { readSegmentFrames, type LocatedFrame } from './segment_scan.js';

export interface ReadOptions {
  /** First LSN to return. Default: the oldest retained. */
  fromLsn?: number;
  /** Keep waiting for new records instead of ending at the newest. */
  tail?: boolean;
  /** Return records once written rather than once durable. */
  includeUndurable?: boolean;
  /** Ends a tailing read. */
  signal?: AbortSignal;
}

/** A frame as a read yields it: where it is, and in which segment. */
export type ReadFrame = LocatedFrame & { segment: string };

/** Turns a frame into a decoded entry, naming where it came from in errors. */
export function toEntry(f: Frame & { offset?: number }, segment?: string): JournalEntry {
  return {
    lsn: f.lsn,
    timeUs: f.timeUs,
    record: decodeRecord(f.payload, { segment, offset: f.offset, lsn: f.lsn }),
  };
}

/**
 * Why a read cannot start at `lsn`, or undefined: not an LSN, released
 * (below `firstLsn`), or past `limitLsn` + 1 without `tail`.
 */
export function readStartProblem(
  lsn: number,
  firstLsn: number,
  limitLsn: number,
  tail: boolean,
): JournalError | undefined {
  if (!Number.isSafeInteger(lsn) || lsn < 1) {
    return new JournalError('FSJ_ERR_JOURNAL_OUT_OF_RANGE', `lsn ${lsn}`);
  }
  if (lsn < firstLsn) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_RELEASED',
      `lsn ${lsn} released; oldest is ${firstLsn}`,
      { lsn },
    );
  }
  if (lsn > limitLsn + 1 && !tail) {
    return new JournalError(
      'FSJ_ERR_JOURNAL_OUT_OF_RANGE',
      `lsn ${lsn} is past the newest (${limitLsn})`,
      { lsn },
    );
  }
  return undefined;
}

/**
 * Frames from `fromLsn` on, in order, each checked (checksum, LSN). The
 * frames are the bytes as stored, for shipping without re-encoding.
 */
export async function* readFrames(
  state: JournalState,
  options: ReadOptions = {},
): AsyncGenerator<ReadFrame> {
  const firstLsn = state.segments[0]!.firstLsn;
  let lsn = options.fromLsn ?? firstLsn;
  const limitLsn = (): number => (options.includeUndurable ? state.writtenLsn : state.durableLsn);
  const refused = readStartProblem(lsn, firstLsn, limitLsn(), options.tail ?? false);
  if (refused) throw refused;
  let resume: { segment: string; lsn: number; offset: number } | undefined;
  for (;;) {
    if (options.signal?.aborted) return;
    if (lsn > limitLsn()) {
      // A failed journal is waited through too: recovery continues it.
      if (!options.tail || state.closed) return;
      await state.waitForAdvance(options.signal);
      continue;
    }
    const seg = segmentFor(state.segments, lsn);
    if (!seg) throw new JournalError('FSJ_ERR_JOURNAL_RELEASED', `lsn ${lsn} released`, { lsn });
    const isLast = seg === state.last;
    const end = !isLast ? seg.end : options.includeUndurable ? state.writtenEnd : state.durableEnd;
    // Resume where the previous pass stopped, else seek with the sparse index.
    const start =
      resume?.segment === seg.name && resume.lsn === lsn
        ? resume.offset
        : (seg.index.floorByLsn(lsn)?.offset ?? SEGMENT_HEADER_BYTES);
    let expected: number | undefined;
    try {
      for await (const f of readSegmentFrames(seg.path, seg.name, start, end)) {
        if (expected !== undefined && f.lsn !== expected) {
          throw new JournalError(
            'FSJ_ERR_JOURNAL_LSN_GAP',
            `segment ${seg.name} offset ${f.offset}: lsn ${f.lsn}, expected ${expected}`,
            {
              segment: seg.name,
              offset: f.offset,
              lsn: f.lsn,
            },
          );
        }
        expected = f.lsn + 1;
        if (f.lsn < lsn) continue;
        if (f.lsn !== lsn) {
          throw new JournalError(
            'FSJ_ERR_JOURNAL_LSN_GAP',
            `segment ${seg.name} offset ${f.offset}: lsn ${f.lsn}, expected ${lsn}`,
            { segment: seg.name, offset: f.offset, lsn: f.lsn },
          );
        }
        yield { ...f, segment: seg.name };
        lsn = f.lsn + 1;
        resume = { segment: seg.name, lsn, offset: f.offset + f.frame.length };
        if (options.signal?.aborted) return;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new JournalError('FSJ_ERR_JOURNAL_RELEASED', `lsn ${lsn} released while reading`, {
          lsn,
        });
      }
      throw err;
    }
    // A segment read to its sealed end must have held every record it
    // lists. (One that was the last when this pass began was read to the
    // durable end of that moment; if it was sealed meanwhile, the next pass
    // reads the rest.)
    if (!isLast && lsn <= seg.lastLsn) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_CORRUPT',
        `segment ${seg.name}: ends before lsn ${seg.lastLsn}`,
        {
          segment: seg.name,
        },
      );
    }
  }
}

/** Decoded records from `fromLsn` on; see readFrames. */
export async function* readEntries(
  state: JournalState,
  options: ReadOptions = {},
): AsyncGenerator<JournalEntry> {
  for await (const f of readFrames(state, options)) {
    yield toEntry(f, f.segment);
  }
}

/** Reads every retained frame, written or durable, decoding each; throws on the first problem. */
export async function verifyFrames(state: JournalState): Promise<void> {
  const fromLsn = state.segments[0]!.firstLsn;
  for await (const f of readFrames(state, { fromLsn, includeUndurable: true })) {
    decodeRecord(f.payload, { segment: f.segment, offset: f.offset, lsn: f.lsn });
  }
}

/**
 * Resolves once `durableLsn >= lsn`, or the journal closes, or `signal`
 * aborts; callers check which. A failed journal is waited through.
 */
export async function waitForDurable(
  state: JournalState,
  lsn: number,
  signal?: AbortSignal,
): Promise<void> {
  while (state.durableLsn < lsn && !state.closed && !signal?.aborted) {
    await state.waitForAdvance(signal);
  }
}

/**
 * The LSN of the first record stamped at or after `timeUs`, using the
 * sparse index; durableLsn + 1 when every record is older.
 */
export async function lsnAtTime(state: JournalState, timeUs: number): Promise<number> {
  const seg = segmentAtTime(state.segments, timeUs);
  if (!seg) return state.durableLsn + 1;
  const start = seg.index.floorBeforeTime(timeUs)?.offset ?? SEGMENT_HEADER_BYTES;
  const isLast = seg === state.last;
  for await (const f of readSegmentFrames(
    seg.path,
    seg.name,
    start,
    isLast ? state.durableEnd : seg.end,
  )) {
    if (f.timeUs >= timeUs) return f.lsn;
  }
  return seg.lastLsn + 1;
}
