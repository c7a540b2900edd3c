/**
 * The store's pure decisions, by table: whether an append is taken, how a
 * batch is cut and when a segment rolls, where a read may start, what a
 * scan that stopped early means at open, what recovery removes and checks,
 * and the questions asked of the segment list.
 */
import { describe, expect, it } from 'vitest';
import {
  appendRefusal,
  approxBytesAfter,
  batchSize,
  canReleaseOldest,
  JournalError,
  needsRoll,
  oldestSealedEnd,
  readStartProblem,
  recoveredScanProblem,
  segmentAtTime,
  segmentFileNames,
  segmentFor,
  segmentName,
  SparseIndex,
  stopProblem,
  strayNames,
  tornTailProblem,
  type Segment,
} from '@fsjournal/journal/internal';

/** A segment holding `firstLsn..lastLsn`, `end` bytes long, times = LSN * 10. */
function seg(firstLsn: number, lastLsn: number, end: number, sealed = true): Segment {
  const index = new SparseIndex(1);
  // One index entry per record, 10 bytes apart after the 64-byte header.
  for (let lsn = firstLsn; lsn <= lastLsn; lsn++)
    index.observe(lsn, lsn * 10, 64 + (lsn - firstLsn) * 10);
  return {
    name: `seg-${firstLsn}`,
    path: `/x/seg-${firstLsn}`,
    firstLsn,
    lastLsn,
    firstTimeUs: lastLsn >= firstLsn ? firstLsn * 10 : 0,
    lastTimeUs: lastLsn >= firstLsn ? lastLsn * 10 : 0,
    end,
    sealed,
    index,
  };
}

const codeOf = (e: JournalError | undefined): string | undefined => e?.code;

describe('appendRefusal', () => {
  const failure = new JournalError('FSJ_ERR_JOURNAL_IO', 'boom');
  it.each([
    ['taken', { failed: undefined, closed: false, readOnly: false }, 1, undefined],
    [
      'no records',
      { failed: undefined, closed: false, readOnly: false },
      0,
      'FSJ_ERR_JOURNAL_RECORD',
    ],
    ['closed', { failed: undefined, closed: true, readOnly: false }, 1, 'FSJ_ERR_JOURNAL_CLOSED'],
    [
      'read-only',
      { failed: undefined, closed: false, readOnly: true },
      1,
      'FSJ_ERR_JOURNAL_CLOSED',
    ],
    [
      'failed beats closed',
      { failed: { error: failure, atMs: 1 }, closed: true, readOnly: false },
      0,
      'FSJ_ERR_JOURNAL_IO',
    ],
  ] as const)('%s', (_name, journal, count, code) => {
    expect(codeOf(appendRefusal(journal, count))).toBe(code);
  });

  it('a failed journal repeats its own error', () => {
    expect(
      appendRefusal({ failed: { error: failure, atMs: 1 }, closed: false, readOnly: false }, 1),
    ).toBe(failure);
  });

  it('says read-only rather than closed', () => {
    expect(appendRefusal({ failed: undefined, closed: true, readOnly: true }, 1)?.message).toBe(
      'journal opened read-only',
    );
  });
});

describe('batchSize', () => {
  it.each([
    ['always', 5, 1],
    ['always', 1, 1],
    ['batch', 5, 5],
    ['none', 3, 3],
  ] as const)('%s with %i queued takes %i', (sync, queued, want) => {
    expect(batchSize(sync, queued)).toBe(want);
  });
});

describe('needsRoll', () => {
  it.each([
    ['fits', seg(1, 3, 94), 5, 100, false],
    ['fills exactly', seg(1, 3, 94), 6, 100, false],
    ['one byte over', seg(1, 3, 94), 7, 100, true],
    ['empty segment takes an oversized frame', seg(4, 3, 64), 500, 100, false],
  ] as const)('%s', (_name, s, frameBytes, segmentBytes, want) => {
    expect(needsRoll(s, frameBytes, segmentBytes)).toBe(want);
  });
});

describe('readStartProblem', () => {
  it.each([
    ['oldest', 5, 5, 9, false, undefined],
    ['one past the newest', 10, 5, 9, false, undefined],
    ['two past the newest', 11, 5, 9, false, 'FSJ_ERR_JOURNAL_OUT_OF_RANGE'],
    ['far past, tailing', 50, 5, 9, true, undefined],
    ['released', 4, 5, 9, true, 'FSJ_ERR_JOURNAL_RELEASED'],
    ['zero', 0, 1, 9, true, 'FSJ_ERR_JOURNAL_OUT_OF_RANGE'],
    ['not an integer', 2.5, 1, 9, false, 'FSJ_ERR_JOURNAL_OUT_OF_RANGE'],
  ] as const)('%s', (_name, lsn, firstLsn, limitLsn, tail, code) => {
    expect(codeOf(readStartProblem(lsn, firstLsn, limitLsn, tail))).toBe(code);
  });
});

describe('open: segment names and early stops', () => {
  it('keeps .seg files, oldest first, and refuses a foreign name', () => {
    const a = segmentName(1);
    const b = segmentName(256);
    expect(segmentFileNames([b, 'notes.txt', a])).toEqual([a, b]);
    expect(() => segmentFileNames([a, 'junk.seg'])).toThrow(
      expect.objectContaining({ code: 'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT' }),
    );
  });

  it.each([
    ['lsn out of sequence', { offset: 80, problem: 'lsn', foundLsn: 9 }, 'FSJ_ERR_JOURNAL_LSN_GAP'],
    [
      'unknown frame type',
      { offset: 80, problem: 'unknown-type' },
      'FSJ_ERR_JOURNAL_UNKNOWN_FRAME',
    ],
    ['reserved bits', { offset: 80, problem: 'reserved' }, 'FSJ_ERR_JOURNAL_UNKNOWN_FRAME'],
    ['checksum: maybe torn', { offset: 80, problem: 'checksum' }, undefined],
    ['short payload: maybe torn', { offset: 80, problem: 'short-payload' }, undefined],
  ] as const)('stop: %s', (_name, stop, code) => {
    expect(codeOf(stopProblem('s', stop, 4))).toBe(code);
  });

  it.each([
    ['last segment, nothing valid after: torn tail', true, undefined, undefined],
    ['last segment, a valid record after: corrupt', true, 120, 'FSJ_ERR_JOURNAL_CORRUPT'],
    ['sealed segment: corrupt', false, 80, 'FSJ_ERR_JOURNAL_CORRUPT'],
  ] as const)('%s', (_name, isLast, validAfter, code) => {
    const stop = { offset: 80, problem: 'checksum' } as const;
    expect(codeOf(tornTailProblem('s', stop, isLast, validAfter))).toBe(code);
  });
});

describe('recovery', () => {
  it('removes only segment files after the live one', () => {
    const names = [segmentName(1), segmentName(50), segmentName(90), 'x.tmp'];
    expect(strayNames(names, segmentName(50))).toEqual([segmentName(90)]);
    expect(strayNames(names, segmentName(90))).toEqual([]);
  });

  it.each([
    ['ends at the durable end', { validEnd: 200, lastLsn: 7 }, undefined],
    ['ends short', { validEnd: 150, lastLsn: 6 }, 'FSJ_ERR_JOURNAL_CORRUPT'],
    [
      'torn after the durable end',
      { validEnd: 200, lastLsn: 7, stop: { offset: 200, problem: 'checksum' } },
      'FSJ_ERR_JOURNAL_CORRUPT',
    ],
  ] as const)('scan after the cut: %s', (_name, scan, code) => {
    expect(codeOf(recoveredScanProblem('s', scan, 7, 200))).toBe(code);
  });
});

describe('segment list', () => {
  // 1..10 sealed (164 bytes), 11..20 sealed, 21..25 live.
  const list = [seg(1, 10, 164), seg(11, 20, 164), seg(21, 25, 114, false)];

  it.each([
    [1, 'seg-1'],
    [10, 'seg-1'],
    [11, 'seg-11'],
    [25, 'seg-21'],
    [99, 'seg-21'],
    [0, undefined],
  ])('lsn %i is in %s', (lsn, name) => {
    expect(segmentFor(list, lsn)?.name).toBe(name);
  });

  it.each([
    [0, 'seg-1'],
    [100, 'seg-1'],
    [101, 'seg-11'],
    [250, 'seg-21'],
    [251, undefined],
  ])('time %i is first in %s', (timeUs, name) => {
    expect(segmentAtTime(list, timeUs)?.name).toBe(name);
  });

  it.each([
    ['everything', 0, 114, 100 + 100 + 50],
    ['after lsn 15', 15, 114, 50 + 50],
    ['after lsn 22, durable end short of the live end', 22, 94, 0 + 10],
    ['after the newest', 25, 114, 0],
  ])('bytes %s', (_name, lsn, lastEnd, want) => {
    expect(approxBytesAfter(list, lastEnd, lsn)).toBe(want);
  });

  it.each([
    ['below the first record', 1, false],
    ['at the last record', 10, false],
    ['above every record', 11, true],
  ])('oldest releasable %s', (_name, lsn, want) => {
    expect(canReleaseOldest(list, lsn)).toBe(want);
  });

  it('never releases the live segment, even when it is the only one', () => {
    expect(canReleaseOldest([seg(1, 5, 114, false)], 100)).toBe(false);
    expect(canReleaseOldest([seg(1, 5, 114, true)], 100)).toBe(false);
    expect(oldestSealedEnd([seg(1, 5, 114, true)])).toBeUndefined();
    expect(oldestSealedEnd(list)).toBe(10);
  });
});
