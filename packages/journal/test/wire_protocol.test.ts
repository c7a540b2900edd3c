/**
 * The stream protocol's codec (packages/journal/src/wire/protocol.ts) as
 * docs/PROTOCOL.md describes it: every message survives a round trip, every
 * rule of "Validation" refuses the inputs that break it with the documented
 * code, and no byte string makes decodeMessage throw anything but a
 * ProtocolError (or hang).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fsjournal } from '@fsjournal/journal/schema';
import {
  encodeFrame,
  encodeRecord,
  parseFrame,
  RecordKind,
  type Frame,
} from '@fsjournal/journal/internal';
import {
  decodeMessage,
  encodeMessage,
  MAX_BATCH_FRAMES,
  MAX_MESSAGE_BYTES,
  MAX_WINDOW,
  PROTOCOL_VERSION,
  PROTOCOL_ERROR_CODES,
  ProtocolError,
  ResyncReason,
  STREAM_PATH,
  type Batch,
  type SnapshotBegin,
  type SnapshotPiece,
  type StreamMessage,
} from '@fsjournal/journal/wire';

const v1 = fsjournal.v1;
const JOURNAL_ID = 'c6f55c1f-d4f3-43b9-9888-bfe2da33a0c4';
const T0 = 1_704_067_200_000_000;

/** A whole, checksummed frame holding an ANNOTATE record at `lsn`. */
function frameAt(lsn: number, text = `marker ${lsn}`): Frame {
  const payload = encodeRecord({ kind: RecordKind.RECORD_KIND_ANNOTATE, text });
  const parsed = parseFrame(encodeFrame(lsn, T0 + lsn, payload), 0);
  if (!parsed.ok) throw new Error(`test frame: ${parsed.problem}`);
  return parsed.frame;
}

/** A Frame whose bytes are `bytes` (for frames the codec must refuse). */
function rawFrame(bytes: Buffer, lsn = 1): Frame {
  return { lsn, timeUs: T0, payload: bytes.subarray(28), frame: bytes };
}

const at = { sec: 1_704_067_200, nsec: 123_456_789 };

/** A snapshot begin at LSN 120 with one transaction open since 118. */
const snapshotBegin: SnapshotBegin = {
  type: 'snapshot-begin',
  protocolVersion: PROTOCOL_VERSION,
  journalId: JOURNAL_ID,
  checkpointId: 'cp-120',
  lsn: 120,
  replayFromLsn: 118,
  openTxns: [{ txn: 9, beginLsn: 118 }],
  entries: 5,
  files: 1,
  bytes: 70_000,
  blockBytes: 65_536,
  root: { type: 'dir', path: '', mode: 0o755, uid: 0, gid: 0, atime: at, mtime: at },
  oldestLsn: 100,
  newestLsn: 130,
};

const blockData = Buffer.from('block content');
const snapshotPiece: SnapshotPiece = {
  type: 'snapshot-piece',
  seq: 1,
  items: [
    {
      kind: 'entry',
      entry: { type: 'dir', path: 'docs', mode: 0o750, uid: 1234, gid: 5678, atime: at, mtime: at },
    },
    {
      kind: 'entry',
      entry: {
        type: 'file',
        path: 'docs/a.bin',
        mode: 0o640,
        uid: 0,
        gid: 0,
        atime: at,
        mtime: at,
        size: 70_000,
        blocks: 1,
      },
    },
    {
      kind: 'block',
      block: {
        index: 1,
        sha256: createHash('sha256').update(blockData).digest(),
        data: blockData,
      },
    },
    { kind: 'entry', entry: { type: 'hardlink', path: 'docs/b.bin', linkTo: 'docs/a.bin' } },
    {
      kind: 'entry',
      entry: {
        type: 'symlink',
        path: 'docs/link',
        uid: 0,
        gid: 0,
        atime: at,
        mtime: at,
        target: '../elsewhere',
      },
    },
  ],
};

function batchOf(first: number, n: number): Batch {
  const frames = Array.from({ length: n }, (_, i) => frameAt(first + i));
  return { type: 'batch', firstLsn: first, prevLsn: first - 1, frames };
}

const hello = {
  type: 'hello',
  protocolVersion: PROTOCOL_VERSION,
  replicaId: 'standby-1',
  journalId: JOURNAL_ID,
  lastAppliedLsn: 41,
  window: 4096,
} as const;

/** The code decodeMessage throws for `bytes`, or 'none' when it accepts them. */
function refusal(bytes: Uint8Array): string {
  try {
    decodeMessage(bytes);
    return 'none';
  } catch (err) {
    if (!(err instanceof ProtocolError)) throw err;
    return err.code;
  }
}

describe('constants', () => {
  it('match docs/PROTOCOL.md', () => {
    expect(STREAM_PATH).toBe('/v1/stream');
    expect(PROTOCOL_VERSION).toBe(1);
    expect(MAX_MESSAGE_BYTES).toBe(16 * 1024 * 1024);
    expect(MAX_BATCH_FRAMES).toBe(4096);
    expect(MAX_WINDOW).toBe(65_536);
  });
});

describe('round trip', () => {
  const cases: [string, StreamMessage][] = [
    ['hello', hello],
    [
      'hello of a new replica (no journal, nothing applied)',
      { ...hello, journalId: '', lastAppliedLsn: 0 },
    ],
    [
      'hello with the largest window and a 53-bit LSN',
      { ...hello, window: MAX_WINDOW, lastAppliedLsn: Number.MAX_SAFE_INTEGER },
    ],
    [
      'welcome',
      {
        type: 'welcome',
        protocolVersion: PROTOCOL_VERSION,
        journalId: JOURNAL_ID,
        oldestLsn: 1,
        newestLsn: 99,
      },
    ],
    [
      'welcome of an empty journal (newest = oldest - 1)',
      {
        type: 'welcome',
        protocolVersion: PROTOCOL_VERSION,
        journalId: JOURNAL_ID,
        oldestLsn: 1,
        newestLsn: 0,
      },
    ],
    ...Object.entries(ResyncReason)
      .filter(([name]) => name !== 'REASON_UNSPECIFIED')
      .map(([name, reason]): [string, StreamMessage] => [
        `resync ${name}`,
        { type: 'resync', reason: reason as ResyncReason, detail: `because ${name}` },
      ]),
    ['ack', { type: 'ack', appliedLsn: 120, durableLsn: 100, receivedLsn: 120 }],
    [
      'ack holding an open transaction (received past applied)',
      { type: 'ack', appliedLsn: 120, durableLsn: 100, receivedLsn: 150 },
    ],
    ['ack with nothing applied', { type: 'ack', appliedLsn: 0, durableLsn: 0, receivedLsn: 0 }],
    ['heartbeat', { type: 'heartbeat', timeMs: 1_704_067_200_123, newestLsn: 7 }],
    ['error', { type: 'error', code: 'FSJ_ERR_PROTOCOL_INVALID', message: 'window 0' }],
    ['snapshot begin with an open transaction and the root', snapshotBegin],
    [
      'snapshot begin without open transactions or root',
      { ...snapshotBegin, openTxns: [], replayFromLsn: 121, root: null },
    ],
    ['snapshot piece: a dir, a file and its block, a hard link, a symlink', snapshotPiece],
    ['snapshot end', { type: 'snapshot-end', pieces: 3, entries: 5, blocks: 1 }],
    [
      'ack of a snapshot piece',
      { type: 'ack', appliedLsn: 0, durableLsn: 0, receivedLsn: 0, snapshotSeq: 7 },
    ],
  ];

  it.each(cases)('%s', (_name, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it.each([
    ['one frame', 1, 1],
    ['three frames from lsn 1', 1, 3],
    ['five frames from lsn 1000', 1000, 5],
    ['the most frames a batch may hold', 7, MAX_BATCH_FRAMES],
  ])('batch of %s', (_name, first, n) => {
    const b = batchOf(first, n);
    const got = decodeMessage(encodeMessage(b));
    if (got.type !== 'batch') throw new Error(`decoded ${got.type}`);
    expect([got.firstLsn, got.prevLsn, got.frames.length]).toEqual([first, first - 1, n]);
    got.frames.forEach((f, i) => {
      expect(f.lsn).toBe(first + i);
      expect(f.timeUs).toBe(T0 + first + i);
      // Frames travel exactly as stored: the bytes are the journal's bytes.
      expect(Buffer.compare(f.frame, b.frames[i]!.frame)).toBe(0);
      expect(Buffer.compare(f.payload, b.frames[i]!.payload)).toBe(0);
    });
  });

  it('a frame with a 1 MiB write travels whole', () => {
    const data = Buffer.alloc(1024 * 1024, 0x5a);
    const payload = encodeRecord({
      kind: RecordKind.RECORD_KIND_WRITE,
      path: 'big',
      offset: 0,
      data,
    });
    const frame = parseFrame(encodeFrame(3, T0, payload), 0);
    if (!frame.ok) throw new Error(frame.problem);
    const got = decodeMessage(
      encodeMessage({ type: 'batch', firstLsn: 3, prevLsn: 2, frames: [frame.frame] }),
    );
    expect(got.type === 'batch' && got.frames[0]!.frame.equals(frame.frame.frame)).toBe(true);
  });

  it('the last body of a message carrying two wins (protobuf oneof rule)', () => {
    const two = Buffer.concat([
      encodeMessage(hello),
      encodeMessage({ type: 'ack', appliedLsn: 5, durableLsn: 3, receivedLsn: 7 }),
    ]);
    expect(decodeMessage(two)).toEqual({
      type: 'ack',
      appliedLsn: 5,
      durableLsn: 3,
      receivedLsn: 7,
    });
  });

  it('unknown fields of a known body are skipped', () => {
    // Ack with an extra field 9 (varint 1) appended inside the body.
    const ack = v1.Ack.encode({ appliedLsn: 3, durableLsn: 2, receivedLsn: 4 }).finish();
    const body = Buffer.concat([ack, Buffer.from([0x48, 0x01])]);
    const msg = Buffer.concat([Buffer.from([0x2a, body.length]), body]);
    expect(decodeMessage(msg)).toEqual({
      type: 'ack',
      appliedLsn: 3,
      durableLsn: 2,
      receivedLsn: 4,
    });
  });

  it('an Ack without received_lsn (a replica from before the field) received what it applied', () => {
    const bytes = v1.StreamMessage.encode({ ack: { appliedLsn: 9, durableLsn: 8 } }).finish();
    expect(decodeMessage(bytes)).toEqual({
      type: 'ack',
      appliedLsn: 9,
      durableLsn: 8,
      receivedLsn: 9,
    });
  });
});

describe('the examples of docs/PROTOCOL.md', () => {
  const doc = readFileSync(
    fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url)),
    'utf8',
  );
  /** The bytes of the first code block after `marker`: the leading hex pairs of each line. */
  function exampleBytes(marker: string): string {
    const block = doc.slice(doc.indexOf(marker)).split('```')[1]!;
    return block
      .split('\n')
      .map((line) => /^\s*((?:[0-9a-f]{2} )*[0-9a-f]{2})(?:\s{2,}|$)/.exec(line)?.[1] ?? '')
      .filter((hex) => hex !== '')
      .join(' ');
  }
  const hex = (b: Uint8Array): string =>
    Buffer.from(b)
      .toString('hex')
      .replace(/(..)(?!$)/g, '$1 ');

  it('the Hello of a new replica', () => {
    const bytes = encodeMessage({
      type: 'hello',
      protocolVersion: PROTOCOL_VERSION,
      replicaId: 'standby-1',
      journalId: '',
      lastAppliedLsn: 0,
      window: 4096,
    });
    expect(exampleBytes('Example: the Hello')).toBe(hex(bytes));
  });
});

describe('refused inputs', () => {
  const enc = encodeMessage;
  const good = batchOf(5, 3);
  const corrupt = Buffer.from(frameAt(5).frame);
  corrupt[corrupt.length - 1]! ^= 0x01;
  const unknownType = Buffer.from(frameAt(5).frame);
  unknownType[8] = 2;

  const cases: [string, Uint8Array, string][] = [
    // Bytes that are not protobuf at all.
    ['garbage: invalid wire type 7', Uint8Array.of(0x0f), 'FSJ_ERR_PROTOCOL_DECODE'],
    ['garbage: unterminated varint', Uint8Array.of(0xff, 0xff, 0xff), 'FSJ_ERR_PROTOCOL_DECODE'],
    ['garbage: length past the end', Uint8Array.of(0x0a, 0x05, 0x01), 'FSJ_ERR_PROTOCOL_DECODE'],
    ['garbage: text', Buffer.from('GET /v1/stream HTTP/1.1\r\n'), 'FSJ_ERR_PROTOCOL_DECODE'],
    // Versions.
    [
      'hello of protocol version 2',
      enc({ ...hello, protocolVersion: 2 }),
      'FSJ_ERR_PROTOCOL_VERSION',
    ],
    [
      'hello without a protocol version',
      enc({ ...hello, protocolVersion: 0 }),
      'FSJ_ERR_PROTOCOL_VERSION',
    ],
    [
      'welcome of protocol version 2',
      enc({
        type: 'welcome',
        protocolVersion: 2,
        journalId: JOURNAL_ID,
        oldestLsn: 1,
        newestLsn: 1,
      }),
      'FSJ_ERR_PROTOCOL_VERSION',
    ],
    // Hello.
    ['hello: empty replica id', enc({ ...hello, replicaId: '' }), 'FSJ_ERR_PROTOCOL_INVALID'],
    [
      'hello: replica id of 65 characters',
      enc({ ...hello, replicaId: 'r'.repeat(65) }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: replica id with a slash',
      enc({ ...hello, replicaId: 'a/b' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: replica id with NUL',
      enc({ ...hello, replicaId: 'a\0b' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: replica id with a space',
      enc({ ...hello, replicaId: 'a b' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: replica id starting with a dot',
      enc({ ...hello, replicaId: '.r' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: journal id not a UUID',
      enc({ ...hello, journalId: 'journal-1' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: journal id in uppercase',
      enc({ ...hello, journalId: JOURNAL_ID.toUpperCase() }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    ['hello: window 0', enc({ ...hello, window: 0 }), 'FSJ_ERR_PROTOCOL_INVALID'],
    [
      'hello: window above MAX_WINDOW',
      enc({ ...hello, window: MAX_WINDOW + 1 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: negative last applied lsn',
      enc({ ...hello, lastAppliedLsn: -1 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'hello: last applied lsn of 2^53',
      enc({ ...hello, lastAppliedLsn: 2 ** 53 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Welcome.
    [
      'welcome: journal id empty',
      enc({ type: 'welcome', protocolVersion: 1, journalId: '', oldestLsn: 1, newestLsn: 1 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'welcome: oldest lsn 0',
      enc({
        type: 'welcome',
        protocolVersion: 1,
        journalId: JOURNAL_ID,
        oldestLsn: 0,
        newestLsn: 1,
      }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'welcome: newest below oldest - 1',
      enc({
        type: 'welcome',
        protocolVersion: 1,
        journalId: JOURNAL_ID,
        oldestLsn: 10,
        newestLsn: 8,
      }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'welcome: unsafe newest lsn',
      enc({
        type: 'welcome',
        protocolVersion: 1,
        journalId: JOURNAL_ID,
        oldestLsn: 1,
        newestLsn: 2 ** 60,
      }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Resync.
    [
      'resync without a reason',
      enc({ type: 'resync', reason: 0, detail: '' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'resync with an unknown reason',
      enc({ type: 'resync', reason: 99 as ResyncReason, detail: '' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Batch.
    ['batch: first lsn 0', enc({ ...good, firstLsn: 0, prevLsn: -1 }), 'FSJ_ERR_PROTOCOL_INVALID'],
    [
      'batch: negative first lsn',
      enc({ ...good, firstLsn: -5, prevLsn: -6 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: unsafe first lsn',
      enc({ ...good, firstLsn: 2 ** 53 + 2, prevLsn: 2 ** 53 + 1 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    ['batch: prev lsn = first lsn', enc({ ...good, prevLsn: 5 }), 'FSJ_ERR_PROTOCOL_INVALID'],
    ['batch: prev lsn = first lsn - 2', enc({ ...good, prevLsn: 3 }), 'FSJ_ERR_PROTOCOL_INVALID'],
    ['batch: no prev lsn', enc({ ...good, prevLsn: 0 }), 'FSJ_ERR_PROTOCOL_INVALID'],
    ['batch: empty', enc({ ...good, frames: [] }), 'FSJ_ERR_PROTOCOL_INVALID'],
    [
      'batch: one frame more than MAX_BATCH_FRAMES',
      enc(batchOf(1, MAX_BATCH_FRAMES + 1)),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: a frame with a bad CRC',
      enc({ ...good, frames: [rawFrame(corrupt, 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: a frame of unknown type',
      enc({ ...good, frames: [rawFrame(unknownType, 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: a frame cut short',
      enc({ ...good, frames: [rawFrame(frameAt(5).frame.subarray(0, 40), 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: an empty frame',
      enc({ ...good, frames: [rawFrame(Buffer.alloc(0), 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: second frame is lsn first + 2',
      enc({ ...good, frames: [frameAt(5), frameAt(7)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: frames repeat an lsn',
      enc({ ...good, frames: [frameAt(5), frameAt(5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: first frame is not first lsn',
      enc({ ...good, frames: [frameAt(6), frameAt(7)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: trailing bytes after a frame',
      enc({ ...good, frames: [rawFrame(Buffer.concat([frameAt(5).frame, Buffer.of(0)]), 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'batch: two frames in one entry',
      enc({ ...good, frames: [rawFrame(Buffer.concat([frameAt(5).frame, frameAt(6).frame]), 5)] }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Ack.
    [
      'ack: durable above applied',
      enc({ type: 'ack', appliedLsn: 4, durableLsn: 5, receivedLsn: 6 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'ack: applied above received',
      enc({ type: 'ack', appliedLsn: 6, durableLsn: 5, receivedLsn: 4 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'ack: unsafe received lsn',
      enc({ type: 'ack', appliedLsn: 0, durableLsn: 0, receivedLsn: 2 ** 53 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'ack: negative applied lsn',
      enc({ type: 'ack', appliedLsn: -1, durableLsn: 0, receivedLsn: 0 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'ack: unsafe applied lsn',
      enc({ type: 'ack', appliedLsn: 2 ** 53, durableLsn: 0, receivedLsn: 2 ** 53 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Heartbeat.
    [
      'heartbeat: unsafe newest lsn',
      enc({ type: 'heartbeat', timeMs: 1, newestLsn: 2 ** 53 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // The envelope.
    ['an empty StreamMessage (no bytes)', new Uint8Array(0), 'FSJ_ERR_PROTOCOL_INVALID'],
    [
      'a StreamMessage of only a reserved field',
      Uint8Array.of(0x58, 0x01),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    // Snapshots.
    [
      'snapshot begin of protocol version 2',
      enc({ ...snapshotBegin, protocolVersion: 2 }),
      'FSJ_ERR_PROTOCOL_VERSION',
    ],
    [
      'snapshot begin: replay from past the oldest open transaction',
      enc({ ...snapshotBegin, replayFromLsn: 121 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot begin: the primary no longer holds the replay start',
      enc({ ...snapshotBegin, oldestLsn: 119 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot begin: checkpoint id with a space',
      enc({ ...snapshotBegin, checkpointId: 'cp 1' }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot begin: block size over 1 MiB',
      enc({ ...snapshotBegin, blockBytes: 2 * 1024 * 1024 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot begin: root is not the root',
      v1.StreamMessage.encode({
        snapshotBegin: {
          ...snapshotBegin,
          root: { type: v1.SnapshotEntry.Type.TYPE_DIR, path: 'x' },
        },
      }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    ...(
      [
        ['a .. component', { type: 1, path: 'a/../../etc' }],
        ['an absolute path', { type: 1, path: '/etc' }],
        ['NUL in a path', { type: 1, path: 'a\0b' }],
        ['an empty path', { type: 1, path: '' }],
        ['an unknown type', { type: 9, path: 'a' }],
        ['mode past 07777', { type: 1, path: 'a', mode: 0o17777 }],
        ['a hard link to ..', { type: 4, path: 'h', linkTo: '../outside' }],
        ['a symlink without a target', { type: 3, path: 's' }],
        ['nanoseconds past a second', { type: 1, path: 'a', mtime: { sec: 1, nsec: 1e9 } }],
        ['more blocks than bytes', { type: 2, path: 'f', size: 1, blocks: 2 }],
      ] as [string, fsjournal.v1.ISnapshotEntry][]
    ).map(([name, entry]): [string, Uint8Array, string] => [
      `snapshot entry: ${name}`,
      v1.StreamMessage.encode({ snapshotPiece: { seq: 1, items: [{ entry }] } }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ]),
    [
      'snapshot block: a SHA-256 of 31 bytes',
      v1.StreamMessage.encode({
        snapshotPiece: {
          seq: 1,
          items: [{ block: { index: 0, sha256: new Uint8Array(31), data: Uint8Array.of(1) } }],
        },
      }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot block: no data',
      v1.StreamMessage.encode({
        snapshotPiece: { seq: 1, items: [{ block: { index: 0, sha256: new Uint8Array(32) } }] },
      }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot piece: seq 0',
      v1.StreamMessage.encode({
        snapshotPiece: { seq: 0, items: [{ entry: { type: 1, path: 'a' } }] },
      }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot piece: no items',
      v1.StreamMessage.encode({ snapshotPiece: { seq: 1, items: [] } }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'snapshot piece: an empty item',
      v1.StreamMessage.encode({ snapshotPiece: { seq: 1, items: [{}] } }).finish(),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'ack: unsafe snapshot seq',
      enc({ type: 'ack', appliedLsn: 0, durableLsn: 0, receivedLsn: 0, snapshotSeq: 2 ** 53 }),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
    [
      'a message over MAX_MESSAGE_BYTES',
      new Uint8Array(MAX_MESSAGE_BYTES + 1),
      'FSJ_ERR_PROTOCOL_INVALID',
    ],
  ];

  it.each(cases.map(([name, bytes, code]) => [`${name} -> ${code}`, bytes, code] as const))(
    '%s',
    (_name, bytes, code) => {
      expect(refusal(bytes)).toBe(code);
    },
  );

  it('every code used above is a documented replica error code', () => {
    for (const [, , code] of cases) expect(Object.keys(PROTOCOL_ERROR_CODES)).toContain(code);
  });

  it('a message of exactly MAX_MESSAGE_BYTES is not refused for its size', () => {
    // A Heartbeat padded with an unknown length-delimited field up to the cap.
    const beat = encodeMessage({ type: 'heartbeat', timeMs: 1, newestLsn: 1 });
    const header = Buffer.from([0x7a, 0, 0, 0, 0]); // field 15, wire type 2, 4-byte varint length
    const padLen = MAX_MESSAGE_BYTES - beat.length - header.length;
    header.writeUInt32LE(0, 1);
    let n = padLen;
    for (let i = 1; i <= 4; i++) {
      header[i] = (n & 0x7f) | (i < 4 ? 0x80 : 0);
      n >>>= 7;
    }
    const msg = Buffer.concat([beat, header, Buffer.alloc(padLen)]);
    expect(msg.length).toBe(MAX_MESSAGE_BYTES);
    expect(decodeMessage(msg)).toEqual({ type: 'heartbeat', timeMs: 1, newestLsn: 1 });
  });

  it('errors carry a bounded message and say what was wrong', () => {
    try {
      decodeMessage(encodeMessage({ ...hello, replicaId: 'x'.repeat(10_000) }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).message).toMatch(/^replica id /);
      expect((err as ProtocolError).message.length).toBeLessThan(200);
    }
  });

  it('long texts from the peer are cut, not refused', () => {
    const m = decodeMessage(
      encodeMessage({ type: 'error', code: 'C'.repeat(500), message: 'm'.repeat(5000) }),
    );
    expect(m.type === 'error' && [m.code.length, m.message.length]).toEqual([100, 1000]);
    const r = decodeMessage(
      encodeMessage({
        type: 'resync',
        reason: ResyncReason.REASON_NEW_REPLICA,
        detail: 'd'.repeat(5000),
      }),
    );
    expect(r.type === 'resync' && r.detail.length).toBe(1000);
  });
});

describe('decodeMessage on arbitrary bytes', () => {
  const runs = process.env.FSJ_LONG ? 200_000 : 2_000;

  /** Only ProtocolErrors with a protocol code may escape. */
  function onlyProtocolErrors(bytes: Uint8Array): void {
    try {
      decodeMessage(bytes);
    } catch (err) {
      if (!(err instanceof ProtocolError) || !err.code.startsWith('FSJ_ERR_PROTOCOL_')) throw err;
    }
  }

  it('never throws anything but a protocol ProtocolError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => onlyProtocolErrors(bytes)),
      { numRuns: runs },
    );
  });

  // Random bytes rarely get past the protobuf decoder; damaged valid messages
  // reach the validation code (frames, LSNs, ids) far more often.
  const samples: Uint8Array[] = [
    encodeMessage(hello),
    encodeMessage({
      type: 'welcome',
      protocolVersion: 1,
      journalId: JOURNAL_ID,
      oldestLsn: 1,
      newestLsn: 9,
    }),
    encodeMessage({ type: 'resync', reason: ResyncReason.REASON_BEHIND_RETENTION, detail: 'x' }),
    encodeMessage(batchOf(3, 4)),
    encodeMessage({ type: 'ack', appliedLsn: 9, durableLsn: 8, receivedLsn: 12 }),
    encodeMessage({ type: 'heartbeat', timeMs: 1, newestLsn: 2 }),
    encodeMessage({ type: 'error', code: 'FSJ_ERR_PROTOCOL_INVALID', message: 'x' }),
    encodeMessage(snapshotBegin),
    encodeMessage(snapshotPiece),
    encodeMessage({ type: 'snapshot-end', pieces: 1, entries: 5, blocks: 1 }),
  ];
  const damaged = fc
    .tuple(
      fc.constantFrom(...samples),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
      fc.option(fc.nat()),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([sample, flips, cut, tail]) => {
      const b = Buffer.from(sample);
      for (const [at, value] of flips) b[at % b.length] = value;
      const kept = cut === null ? b : b.subarray(0, cut % (b.length + 1));
      return Buffer.concat([kept, tail]);
    });

  it('never throws anything but a protocol ProtocolError on damaged valid messages', () => {
    fc.assert(
      fc.property(damaged, (bytes) => onlyProtocolErrors(bytes)),
      { numRuns: runs },
    );
  });

  it('finishes quickly (no input makes it hang)', () => {
    const started = performance.now();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 64 * 1024 }), (bytes) =>
        onlyProtocolErrors(bytes),
      ),
      { numRuns: Math.ceil(runs / 10) },
    );
    // Generous bound: a hang, not a slow machine, is what this catches.
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('whatever it accepts encodes back to an equivalent message', () => {
    fc.assert(
      fc.property(damaged, (bytes) => {
        let m: StreamMessage;
        try {
          m = decodeMessage(bytes);
        } catch {
          return;
        }
        const again = decodeMessage(encodeMessage(m));
        if (m.type === 'batch' && again.type === 'batch') {
          expect(again.frames.map((f) => f.frame)).toEqual(m.frames.map((f) => f.frame));
          expect([again.firstLsn, again.prevLsn]).toEqual([m.firstLsn, m.prevLsn]);
        } else {
          expect(again).toEqual(m);
        }
      }),
      { numRuns: runs },
    );
  });
});

describe('a position needs its journal', () => {
  it('refuses a Hello with a last applied LSN but no journal id', () => {
    const bytes = v1.StreamMessage.encode({
      hello: { ...hello, journalId: '', lastAppliedLsn: 5 },
    }).finish();
    expect(refusal(bytes)).toBe('FSJ_ERR_PROTOCOL_INVALID');
  });
});
