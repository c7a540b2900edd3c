/**
 * The pure decisions of watch capture, apart from reconcile.ts (see
 * reconcile.test.ts): which paths an event concerns, what is left out, in
 * which order a round processes its paths, when idle() may return, when a
 * rename window ends, which journaled records a loaded manifest believes,
 * how a change becomes a transaction, and what a content read journals.
 * Tables, no disk (STYLE.md 2).
 */
import { describe, expect, it } from 'vitest';
import { RecordKind, kindName, type RecordInput } from '@fsjournal/journal';
import {
  blockUnchanged,
  ChangeWriter,
  contentAttributes,
  decodeRecord,
  dueRemovals,
  encodeRecord,
  eventPaths,
  fenceRound,
  idleReached,
  ignoreMatcher,
  listingStands,
  manifestUsable,
  nextWindowDelay,
  openingRecords,
  blockWrites,
  roundOrder,
  TxnReplay,
  waitsFromRound,
  type ManifestEntry,
  type Observed,
  type Removal,
} from '@fsjournal/journal/internal';
import { knownFile as known, observedFile as file, t } from './helpers.js';

describe('intake: the paths an event concerns', () => {
  it.each<[string, string, string | null, ManifestEntry['type'] | undefined, string, string[]]>([
    ['a child of a watched directory', 'docs', 'a.txt', 'dir', 'docs', ['docs/a.txt']],
    ['a child of the source', '', 'a', 'dir', 'source', ['a']],
    [
      'a directory by its own name: itself, or a child so named',
      'docs',
      'docs',
      'dir',
      'docs',
      ['docs', 'docs/docs'],
    ],
    ['a directory, no name', 'docs', null, 'dir', 'docs', ['docs']],
    ['a watched file (chokidar)', 'a.txt', 'a.txt', 'file', 'a.txt', ['a.txt']],
    ['a symlink the manifest knows', 'l', 'x', 'symlink', 'l', ['l']],
    ['unknown to the manifest: both', 'new', 'x', undefined, 'new', ['new', 'new/x']],
  ])('%s', (_name, at, name, type, own, expected) => {
    expect(eventPaths(at, name, type, own)).toEqual(expected);
  });
});

describe('intake: paths left out', () => {
  const ignored = ignoreMatcher('/s', ['/s/.journal', '/s/.journal'], ['node_modules', '**/*.log']);
  it.each<[string, boolean]>([
    ['', false],
    ['.journal', true],
    ['.journal/segment-1', true],
    ['.journalx', false],
    ['node_modules', true],
    ['node_modules/x/y.js', true],
    ['a/b.log', true],
    ['a/b.log/inside', true],
    ['a/b.txt', false],
  ])('%j -> %s', (rel, expected) => {
    expect(ignored(rel)).toBe(expected);
  });

  it('a journal outside the source, or the source itself, leaves nothing out', () => {
    for (const own of [['/j'], ['/s'], ['/s/../j']]) {
      const m = ignoreMatcher('/s', own, []);
      expect(['', 'j', 'a', 'a/b'].map(m)).toEqual([false, false, false, false]);
    }
  });
});

describe('dirty set: a round takes parents before children', () => {
  it.each<[string, string[], string[]]>([
    ['child marked first', ['a/b', 'a'], ['a', 'a/b']],
    [
      'siblings whose names sort around "/"',
      ['a/b', 'a.txt', 'a-b', 'a', 'a/b/c', 'b'],
      ['a', 'a-b', 'a.txt', 'a/b', 'a/b/c', 'b'],
    ],
    ['the source first', ['x', ''], ['', 'x']],
  ])('%s', (_name, dirty, expected) => {
    expect(roundOrder(new Set(dirty))).toEqual(expected);
  });
});

describe('dirty set: when idle() may return', () => {
  it.each<[string, number, number, number]>([
    ['nothing dirty: the round under way holds it all', 0, 3, 3],
    ['paths dirty: the next round begun takes them', 2, 3, 4],
  ])('fence: %s', (_name, dirty, started, expected) => {
    expect(fenceRound(dirty, started)).toBe(expected);
  });

  const none = (): boolean => false;
  const some = (): boolean => true;
  it.each<
    [
      string,
      { dirty: number; removals: number; running: boolean; roundsDone: number },
      number,
      () => boolean,
      boolean,
    ]
  >([
    [
      'quiet, whatever the rounds',
      { dirty: 0, removals: 0, running: false, roundsDone: 0 },
      5,
      some,
      true,
    ],
    [
      'running is not quiet',
      { dirty: 0, removals: 0, running: true, roundsDone: 4 },
      5,
      none,
      false,
    ],
    [
      'fenced round done, later paths dirty',
      { dirty: 7, removals: 0, running: true, roundsDone: 5 },
      5,
      none,
      true,
    ],
    [
      'fenced round not done',
      { dirty: 1, removals: 0, running: true, roundsDone: 4 },
      5,
      none,
      false,
    ],
    [
      'round done, a removal it found still waits',
      { dirty: 0, removals: 1, running: false, roundsDone: 6 },
      5,
      some,
      false,
    ],
    [
      'round done, only later removals wait',
      { dirty: 0, removals: 1, running: false, roundsDone: 6 },
      5,
      none,
      true,
    ],
  ])('%s', (_name, state, fence, waits, expected) => {
    expect(idleReached(state, fence, waits)).toBe(expected);
  });
});

describe('rename window', () => {
  const removals = new Map<string, Removal>([
    ['b', { due: 1050, round: 2 }],
    ['a/x', { due: 1000, round: 1 }],
    ['a', { due: 1000, round: 1 }],
    ['c', { due: 1200, round: 3 }],
  ]);
  it.each<[number, string[]]>([
    [999, []],
    [1000, ['a', 'a/x']],
    [1100, ['a', 'a/x', 'b']],
    [5000, ['a', 'a/x', 'b', 'c']],
  ])('due at %i: %j', (now, expected) => {
    expect(dueRemovals(removals, now)).toEqual(expected);
  });

  it.each<[number, number]>([
    [900, 100],
    [999.5, 1],
    [1000, 1],
    [3000, 1],
  ])('timer at %d waits %d ms (at least 1)', (now, expected) => {
    expect(nextWindowDelay(removals, now)).toBe(expected);
  });

  it.each<[number, boolean]>([
    [0, false],
    [1, true],
    [3, true],
  ])('a removal found in round %i or before waits: %s', (round, expected) => {
    expect(waitsFromRound(removals, round)).toBe(expected);
  });
});

const body = (r: RecordInput) => decodeRecord(encodeRecord(r));
const W = (path: string, txn?: number): RecordInput => ({
  kind: RecordKind.RECORD_KIND_WRITE,
  path,
  offset: 0,
  data: Buffer.from('x'),
  ...(txn === undefined ? {} : { txn }),
});
const BEGIN = (txn: number): RecordInput => ({ kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn });
const COMMIT = (txn: number): RecordInput => ({ kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn });
const ABORT = (txn: number): RecordInput => ({ kind: RecordKind.RECORD_KIND_TXN_ABORT, txn });

describe('manifest store: which journaled records a loaded manifest believes', () => {
  it.each<[string, RecordInput[], string[], number[]]>([
    ['records outside transactions, at their own LSN', [W('a'), W('b')], ['1 a', '2 b'], []],
    [
      'a committed transaction, at its commit',
      [BEGIN(1), W('a', 1), W('b', 1), COMMIT(1)],
      ['4 a', '4 b'],
      [],
    ],
    ['an aborted transaction: nothing', [BEGIN(1), W('a', 1), ABORT(1), W('c')], ['4 c'], []],
    ['a transaction left open', [W('z'), BEGIN(2), W('a', 2)], ['1 z'], [2]],
    [
      'interleaved transactions',
      [BEGIN(1), BEGIN(2), W('a', 1), W('b', 2), COMMIT(2), W('c'), COMMIT(1)],
      ['5 b', '6 c', '7 a'],
      [],
    ],
    ['a record naming a transaction never begun here', [W('a', 9)], ['1 a'], []],
  ])('%s', (_name, records, applied, open) => {
    const replay = new TxnReplay();
    const got: string[] = [];
    records.forEach((r, i) => {
      for (const a of replay.offer(body(r))) got.push(`${i + 1} ${a.path}`);
    });
    expect(got).toEqual(applied);
    expect(replay.openTxns().map(Number)).toEqual(open);
  });

  it.each<[string, number, number, number, boolean]>([
    ['at the journal end', 10, 1, 10, true],
    ['behind the end', 4, 1, 10, true],
    ['just before the first record kept', 4, 5, 10, true],
    ['ahead of the journal (the journal lost records)', 11, 1, 10, false],
    ['older than the journal keeps', 3, 5, 10, false],
    ['empty journal, empty manifest', 0, 1, 0, true],
  ])('usable: %s', (_name, lsn, first, last, expected) => {
    expect(manifestUsable(lsn, first, last)).toBe(expected);
  });
});

describe('change writer: a change as one record or one transaction', () => {
  const big = (path: string): RecordInput => ({
    kind: RecordKind.RECORD_KIND_WRITE,
    path,
    offset: 0,
    data: Buffer.alloc(4 * 1024 * 1024),
  });
  const describeAppend = (records: RecordInput[]): string =>
    records
      .map((r) => `${kindName(r.kind)}${r.path ? ` ${r.path}` : ''}@${Number(r.txn ?? 0)}`)
      .join(' ');
  it.each<[string, (w: ChangeWriter) => void, string[]]>([
    ['nothing', (w) => w.commit(), []],
    ['one record: no transaction', (w) => (w.push(W('a')), w.commit()), ['WRITE a@0']],
    ['undefined is nothing', (w) => (w.push(undefined), w.push(W('a')), w.commit()), ['WRITE a@0']],
    [
      'two records: one transaction, id = the LSN its TXN_BEGIN gets',
      (w) => (w.push(W('a')), w.push(W('b')), w.commit()),
      ['TXN_BEGIN@8 WRITE a@8 WRITE b@8 TXN_COMMIT@8'],
    ],
    [
      'past 4 MiB: sent early, inside the transaction',
      (w) => (w.push(W('a')), w.push(big('b')), w.push(W('c')), w.commit()),
      ['TXN_BEGIN@8 WRITE a@8 WRITE b@8', 'WRITE c@8 TXN_COMMIT@8'],
    ],
    [
      'aborted before anything was sent: nothing',
      (w) => (w.push(W('a')), w.push(W('b')), w.abort()),
      [],
    ],
    [
      'aborted after a part was sent: TXN_ABORT',
      (w) => (w.push(big('a')), w.push(W('b')), w.abort()),
      ['TXN_BEGIN@8 WRITE a@8', 'TXN_ABORT@8'],
    ],
  ])('%s', (_name, act, expected) => {
    const appended: string[] = [];
    const w = new ChangeWriter({
      lastLsn: () => 7,
      append: (records) => appended.push(describeAppend(records)),
    });
    act(w);
    expect(appended).toEqual(expected);
  });
});

describe('content reader: what a read journals', () => {
  it.each<[string, ManifestEntry | undefined, Observed, boolean, string, number]>([
    ['a new file: CREATE', undefined, file, false, 'CREATE', 0],
    ['a new sparse file: CREATE', undefined, file, true, 'CREATE', 0],
    [
      'content unknown: TRUNCATE to the size now',
      { ...known, hashes: undefined },
      file,
      false,
      'TRUNCATE 10',
      10,
    ],
    [
      'content unknown, the file has holes: TRUNCATE to 0 (its holes need no writes)',
      { ...known, hashes: undefined },
      file,
      true,
      'TRUNCATE 0',
      0,
    ],
    ['shrank: TRUNCATE', { ...known, size: 20 }, file, false, 'TRUNCATE 10', 10],
    ['shrank, with holes: TRUNCATE', { ...known, size: 20 }, file, true, 'TRUNCATE 10', 10],
    ['grew or same size: nothing first', { ...known, size: 5 }, file, false, '', 5],
  ])('opening records: %s', (_name, old, now, sparse, expected, length) => {
    const o = openingRecords('f', old, now, sparse);
    const text = o.records
      .map(
        (r) =>
          `${kindName(r.kind)}${r.kind === RecordKind.RECORD_KIND_TRUNCATE ? ` ${r.size}` : ''}`,
      )
      .join(' ');
    expect(text).toBe(expected);
    expect(o.length).toBe(length);
  });

  const ext = (...ns: number[]): { start: number; end: number }[] =>
    ns.flatMap((n, i) => (i % 2 === 0 ? [{ start: n, end: ns[i + 1]! }] : []));
  it.each<
    [string, number, { start: number; end: number }[], number, { start: number; end: number }[]]
  >([
    ['all data: the whole block', 100, ext(100, 200), 0, ext(100, 200)],
    ['data in the middle, fresh file: only the data', 100, ext(120, 140), 0, ext(120, 140)],
    ["a hole block past the replica's length: nothing", 100, [], 100, []],
    ['a hole block the replica may hold bytes in: zeros', 100, [], 300, ext(100, 200)],
    [
      "holes below the replica's length only",
      100,
      ext(110, 120, 170, 180),
      150,
      ext(100, 150, 170, 180),
    ],
    ['two data parts, nothing between', 100, ext(100, 120, 180, 200), 0, ext(100, 120, 180, 200)],
  ])('block writes: %s', (_name, offset, parts, zeroFrom, expected) => {
    expect(blockWrites(offset, Buffer.alloc(100), parts, zeroFrom)).toEqual(expected);
  });

  const hashes = (...bytes: number[]): Buffer =>
    Buffer.concat(bytes.map((b) => Buffer.alloc(16, b)));
  it.each<[string, Buffer | undefined, Buffer, number, number | undefined, number, boolean]>([
    ['no old hashes', undefined, hashes(1, 2), 0, undefined, 20, false],
    ['same hash, not last', hashes(1, 2), hashes(1, 2), 0, 20, 30, true],
    ['different hash', hashes(1, 2), hashes(3, 2), 0, 20, 20, false],
    ['same last block, same length', hashes(1, 2), hashes(1, 2), 1, 20, 20, true],
    ['same last block hash, file grew', hashes(1, 2), hashes(1, 2), 1, 20, 30, false],
    ['beyond the old blocks', hashes(1), hashes(1, 2), 1, 10, 20, false],
  ])('block unchanged: %s', (_name, old, now, i, oldSize, size, expected) => {
    expect(blockUnchanged(old, now, i, now.length / 16, oldSize, size)).toBe(expected);
  });

  it.each<[string, ManifestEntry | undefined, Observed, boolean, string]>([
    ['a new file: times only (owner and mode are in CREATE)', undefined, file, true, 'utimes'],
    ['blocks written: times', known, file, true, 'utimes'],
    ['nothing written, same times: nothing', known, file, false, ''],
    ['nothing written, mtime moved', known, { ...file, mtime: t(101) }, false, 'utimes'],
    ['mode and owner moved', known, { ...file, mode: 0o600, uid: 2 }, false, 'chmod chown'],
  ])('attributes: %s', (_name, old, after, wrote, expected) => {
    const a = contentAttributes(old, after, wrote);
    expect((['chmod', 'chown', 'utimes'] as const).filter((k) => a[k]).join(' ')).toBe(expected);
  });
});

describe('rescan: a listing stands while the directory is unchanged', () => {
  const dir: Observed = { ...file, type: 'dir', size: 0 };
  it.each<[string, { ino: string; ctime: { sec: number; nsec: number } } | undefined, boolean]>([
    ['never listed', undefined, false],
    ['same inode and ctime', { ino: dir.ino, ctime: dir.ctime }, true],
    ['entries changed since (ctime)', { ino: dir.ino, ctime: t(100, 1) }, false],
    ['another directory now at the path', { ino: '1:7:7', ctime: dir.ctime }, false],
  ])('%s', (_name, listed, expected) => {
    expect(listingStands(listed, dir)).toBe(expected);
  });
});
