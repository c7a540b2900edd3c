/**
 * The replication stream's messages: encoding, decoding and validation
 * (STYLE.md 9). protobufjs checks types only; `decodeMessage` also checks
 * sizes, ids, versions and, for batches, that every frame is whole,
 * checksummed and numbered first_lsn, first_lsn + 1, ... docs/PROTOCOL.md
 * describes the conversation.
 */
import { fsjournal } from '../../schema/fsjournal.js';
import { parseFrame, type Frame } from '../record/frame.js';
import { pathProblem } from '../record/path_rules.js';
import type { BlockCount, DirEntry, Timespec, TreeEntry } from '../tree/entry.js';
import { ProtocolError } from './errors.js';

const v1 = fsjournal.v1;

export const PROTOCOL_VERSION = v1.ProtocolVersion.PROTOCOL_VERSION_1;
/** WebSocket path on the primary's listen address. */
export const STREAM_PATH = '/v1/stream';
/** Largest WebSocket message either side accepts (a batch of frames). */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
/** Most frames in one batch. */
export const MAX_BATCH_FRAMES = 4096;
/** Most records a replica may ask to have in flight. */
export const MAX_WINDOW = 65_536;
/** Most items (entries and blocks) in one SnapshotPiece. */
export const MAX_PIECE_ITEMS = 4096;
/** Largest content block of a snapshot (checkpoints use 64 KiB). */
export const MAX_SNAPSHOT_BLOCK_BYTES = 1024 * 1024;
/** Longest symlink target accepted in a snapshot, in bytes (Linux PATH_MAX). */
const MAX_TARGET_BYTES = 4096;
/** Longest checkpoint id accepted. */
const MAX_CHECKPOINT_ID = 100;

export const ResyncReason = v1.Resync.Reason;
export type ResyncReason = fsjournal.v1.Resync.Reason;

const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const JOURNAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Hello {
  type: 'hello';
  protocolVersion: number;
  replicaId: string;
  /** Empty for a replica that never followed a journal. */
  journalId: string;
  lastAppliedLsn: number;
  window: number;
}
export interface Welcome {
  type: 'welcome';
  protocolVersion: number;
  journalId: string;
  oldestLsn: number;
  newestLsn: number;
}
export interface Resync {
  type: 'resync';
  reason: ResyncReason;
  detail: string;
}
export interface Batch {
  type: 'batch';
  firstLsn: number;
  prevLsn: number;
  /** Raw journal frames, each already checked (checksum, LSN). */
  frames: Frame[];
}
/** `durableLsn <= appliedLsn <= receivedLsn` (docs/PROTOCOL.md, Ack). */
export interface Ack {
  type: 'ack';
  /** Every record up to it is applied (visible); below any open transaction. */
  appliedLsn: number;
  /** The replica's persisted position. */
  durableLsn: number;
  /** Newest LSN received on this connection, applied or held: what the window counts from. */
  receivedLsn: number;
  /** During a snapshot: the last piece written to the target (left out otherwise). */
  snapshotSeq?: number;
}
export interface Heartbeat {
  type: 'heartbeat';
  timeMs: number;
  newestLsn: number;
}
export interface StreamErrorMessage {
  type: 'error';
  code: string;
  message: string;
}

/** Seconds and nanoseconds, as in a record (tree/entry.ts). */
export type SnapshotTime = Timespec;

/**
 * One path of a snapshot (docs/PROTOCOL.md, "Bootstrap"): a checkpoint's
 * entry, except that a file says how many blocks follow it (holes are not
 * sent) and a symlink's mode is not carried (encodeEntry leaves it out).
 */
export type SnapshotEntry = TreeEntry<BlockCount>;

/** Content of the file entry sent last: block `index`, named by its SHA-256. */
export interface SnapshotBlock {
  index: number;
  sha256: Buffer;
  data: Buffer;
}

export type SnapshotItem =
  { kind: 'entry'; entry: SnapshotEntry } | { kind: 'block'; block: SnapshotBlock };

/** In place of Welcome: the newest checkpoint follows, then batches from `replayFromLsn`. */
export interface SnapshotBegin {
  type: 'snapshot-begin';
  protocolVersion: number;
  journalId: string;
  checkpointId: string;
  /** The LSN the checkpoint holds the tree at. */
  lsn: number;
  /** `lsn + 1`, or the TXN_BEGIN of the oldest transaction open at `lsn`. */
  replayFromLsn: number;
  openTxns: { txn: number; beginLsn: number }[];
  entries: number;
  files: number;
  bytes: number;
  blockBytes: number;
  /** The root's attributes, when the journal set them. */
  root: DirEntry | null;
  oldestLsn: number;
  newestLsn: number;
}

export interface SnapshotPiece {
  type: 'snapshot-piece';
  /** 1, 2, 3, ... within one snapshot. */
  seq: number;
  items: SnapshotItem[];
}

export interface SnapshotEnd {
  type: 'snapshot-end';
  pieces: number;
  entries: number;
  blocks: number;
}

export type StreamMessage =
  | Hello
  | Welcome
  | Resync
  | Batch
  | Ack
  | Heartbeat
  | StreamErrorMessage
  | SnapshotBegin
  | SnapshotPiece
  | SnapshotEnd;

function invalid(what: string): never {
  throw new ProtocolError('FSJ_ERR_PROTOCOL_INVALID', what);
}

function lsn(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) invalid(`${name} ${value}`);
  return value;
}

const EntryType = v1.SnapshotEntry.Type;
const TYPE_NAMES = new Map<number, SnapshotEntry['type']>([
  [EntryType.TYPE_DIR, 'dir'],
  [EntryType.TYPE_FILE, 'file'],
  [EntryType.TYPE_SYMLINK, 'symlink'],
  [EntryType.TYPE_HARDLINK, 'hardlink'],
]);
const TYPE_NUMBERS = new Map([...TYPE_NAMES].map(([n, t]) => [t, n]));

function time(t: fsjournal.v1.ITimespec | null | undefined, what: string): Timespec {
  const sec = Number(t?.sec ?? 0);
  const nsec = t?.nsec ?? 0;
  if (!Number.isSafeInteger(sec) || !Number.isInteger(nsec) || nsec < 0 || nsec > 999_999_999)
    invalid(`${what}: bad time`);
  return { sec, nsec };
}

/** A snapshot entry as the stream carries it, checked like a record's paths. */
function snapshotEntry(e: fsjournal.v1.ISnapshotEntry, root = false): SnapshotEntry {
  const type = TYPE_NAMES.get(e.type ?? 0);
  const path = e.path ?? '';
  const where = `snapshot entry ${JSON.stringify(path.slice(0, 200))}`;
  if (!type) invalid(`${where}: type ${e.type}`);
  const problem = pathProblem(path, root);
  if (problem) invalid(`${where}: ${problem}`);
  if (type === 'hardlink') {
    const to = e.linkTo ?? '';
    const p = pathProblem(to, false);
    if (p) invalid(`${where}: link_to ${p}`);
    return { type, path, linkTo: to };
  }
  const mode = e.mode ?? 0;
  if (mode > 0o7777) invalid(`${where}: mode ${mode.toString(8)}`);
  const attrs = {
    uid: e.uid ?? 0,
    gid: e.gid ?? 0,
    atime: time(e.atime, where),
    mtime: time(e.mtime, where),
  };
  if (type === 'symlink') {
    const target = e.target ?? '';
    if (target === '' || target.includes('\0') || Buffer.byteLength(target) > MAX_TARGET_BYTES)
      invalid(`${where}: bad symlink target`);
    return { type, path, target, ...attrs };
  }
  if (type === 'file') {
    const size = lsn(Number(e.size ?? 0), `${where}: size`);
    const blocks = lsn(Number(e.blocks ?? 0), `${where}: blocks`);
    if (blocks > size) invalid(`${where}: ${blocks} blocks for ${size} bytes`);
    return { type, path, mode, size, blocks, ...attrs };
  }
  return { type, path, mode, ...attrs };
}

function snapshotItem(it: fsjournal.v1.ISnapshotItem, i: number): SnapshotItem {
  if (it.entry && it.block) invalid(`snapshot item ${i}: entry and block`);
  if (it.entry) return { kind: 'entry', entry: snapshotEntry(it.entry) };
  if (!it.block) invalid(`snapshot item ${i}: empty`);
  const b = it.block;
  const index = lsn(Number(b.index ?? 0), `snapshot item ${i}: block index`);
  const sha = b.sha256 ?? new Uint8Array();
  const data = b.data ?? new Uint8Array();
  if (sha.length !== 32) invalid(`snapshot item ${i}: sha-256 of ${sha.length} bytes`);
  if (data.length === 0 || data.length > MAX_SNAPSHOT_BLOCK_BYTES)
    invalid(`snapshot item ${i}: block of ${data.length} bytes`);
  return {
    kind: 'block',
    block: {
      index,
      sha256: Buffer.from(sha.buffer, sha.byteOffset, sha.byteLength),
      data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    },
  };
}

function encodeEntry(e: SnapshotEntry): fsjournal.v1.ISnapshotEntry {
  const type = TYPE_NUMBERS.get(e.type)!;
  if (e.type === 'hardlink') return { type, path: e.path, linkTo: e.linkTo };
  const base = { type, path: e.path, uid: e.uid, gid: e.gid, atime: e.atime, mtime: e.mtime };
  if (e.type === 'symlink') return { ...base, target: e.target };
  if (e.type === 'file') return { ...base, mode: e.mode, size: e.size, blocks: e.blocks };
  return { ...base, mode: e.mode };
}

/** Encodes a message as one binary WebSocket frame. Batch frames are sent as stored. */
export function encodeMessage(m: StreamMessage): Uint8Array {
  let body: fsjournal.v1.StreamMessage.$Properties;
  switch (m.type) {
    case 'hello':
      body = {
        hello: {
          protocolVersion: m.protocolVersion,
          replicaId: m.replicaId,
          journalId: m.journalId,
          lastAppliedLsn: m.lastAppliedLsn,
          window: m.window,
        },
      };
      break;
    case 'welcome':
      body = {
        welcome: {
          protocolVersion: m.protocolVersion,
          journalId: m.journalId,
          oldestLsn: m.oldestLsn,
          newestLsn: m.newestLsn,
        },
      };
      break;
    case 'resync':
      body = { resync: { reason: m.reason, detail: m.detail } };
      break;
    case 'batch':
      body = {
        batch: { firstLsn: m.firstLsn, prevLsn: m.prevLsn, frames: m.frames.map((f) => f.frame) },
      };
      break;
    case 'ack':
      body = {
        ack: {
          appliedLsn: m.appliedLsn,
          durableLsn: m.durableLsn,
          receivedLsn: m.receivedLsn,
          snapshotSeq: m.snapshotSeq,
        },
      };
      break;
    case 'heartbeat':
      body = { heartbeat: { timeMs: m.timeMs, newestLsn: m.newestLsn } };
      break;
    case 'error':
      body = { error: { code: m.code, message: m.message } };
      break;
    case 'snapshot-begin':
      body = {
        snapshotBegin: {
          protocolVersion: m.protocolVersion,
          journalId: m.journalId,
          checkpointId: m.checkpointId,
          lsn: m.lsn,
          replayFromLsn: m.replayFromLsn,
          openTxns: m.openTxns,
          entries: m.entries,
          files: m.files,
          bytes: m.bytes,
          blockBytes: m.blockBytes,
          root: m.root ? encodeEntry(m.root) : null,
          oldestLsn: m.oldestLsn,
          newestLsn: m.newestLsn,
        },
      };
      break;
    case 'snapshot-piece':
      body = {
        snapshotPiece: {
          seq: m.seq,
          items: m.items.map((it) =>
            it.kind === 'entry' ? { entry: encodeEntry(it.entry) } : { block: it.block },
          ),
        },
      };
      break;
    case 'snapshot-end':
      body = { snapshotEnd: { pieces: m.pieces, entries: m.entries, blocks: m.blocks } };
      break;
  }
  return v1.StreamMessage.encode(body).finish();
}

/**
 * Decodes one WebSocket message and checks it means something sane.
 * Throws ProtocolError (FSJ_ERR_PROTOCOL_*) otherwise.
 */
export function decodeMessage(data: Uint8Array): StreamMessage {
  if (data.length > MAX_MESSAGE_BYTES) invalid(`message of ${data.length} bytes`);
  let msg: fsjournal.v1.StreamMessage;
  try {
    msg = v1.StreamMessage.decode(data);
  } catch (cause) {
    throw new ProtocolError('FSJ_ERR_PROTOCOL_DECODE', 'stream message does not decode', { cause });
  }
  if (msg.hello) {
    const h = msg.hello as fsjournal.v1.Hello;
    if (h.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError('FSJ_ERR_PROTOCOL_VERSION', `protocol version ${h.protocolVersion}`);
    }
    if (!REPLICA_ID.test(h.replicaId))
      invalid(`replica id ${JSON.stringify(h.replicaId.slice(0, 80))}`);
    if (h.journalId !== '' && !JOURNAL_ID.test(h.journalId)) invalid('journal id');
    // A position means nothing without the journal it is a position in.
    if (h.journalId === '' && h.lastAppliedLsn !== 0)
      invalid('last applied lsn without a journal id');
    if (!Number.isInteger(h.window) || h.window < 1 || h.window > MAX_WINDOW)
      invalid(`window ${h.window}`);
    return {
      type: 'hello',
      protocolVersion: h.protocolVersion,
      replicaId: h.replicaId,
      journalId: h.journalId,
      lastAppliedLsn: lsn(h.lastAppliedLsn, 'last applied lsn'),
      window: h.window,
    };
  }
  if (msg.welcome) {
    const w = msg.welcome as fsjournal.v1.Welcome;
    if (w.protocolVersion !== PROTOCOL_VERSION) {
      throw new ProtocolError('FSJ_ERR_PROTOCOL_VERSION', `protocol version ${w.protocolVersion}`);
    }
    if (!JOURNAL_ID.test(w.journalId)) invalid('journal id');
    const oldest = lsn(w.oldestLsn, 'oldest lsn');
    const newest = lsn(w.newestLsn, 'newest lsn');
    if (oldest < 1 || newest < oldest - 1) invalid(`lsn range ${oldest}..${newest}`);
    return {
      type: 'welcome',
      protocolVersion: w.protocolVersion,
      journalId: w.journalId,
      oldestLsn: oldest,
      newestLsn: newest,
    };
  }
  if (msg.resync) {
    const r = msg.resync as fsjournal.v1.Resync;
    // A Resync makes the replica empty its target: it must say why, with a reason this version knows.
    if (
      r.reason === ResyncReason.REASON_UNSPECIFIED ||
      !(Object.values(ResyncReason) as number[]).includes(r.reason)
    )
      invalid(`resync reason ${r.reason}`);
    return { type: 'resync', reason: r.reason, detail: r.detail.slice(0, 1000) };
  }
  if (msg.batch) {
    const b = msg.batch as fsjournal.v1.Batch;
    const first = lsn(b.firstLsn, 'first lsn');
    if (first < 1 || b.prevLsn !== first - 1) invalid(`batch first ${first} prev ${b.prevLsn}`);
    if (b.frames.length === 0 || b.frames.length > MAX_BATCH_FRAMES)
      invalid(`batch of ${b.frames.length} frames`);
    const frames = b.frames.map((raw, i) => {
      const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      const parsed = parseFrame(buf, 0);
      if (!parsed.ok) invalid(`batch frame ${i}: ${parsed.problem}`);
      if (parsed.end !== buf.length) invalid(`batch frame ${i}: trailing bytes`);
      if (parsed.frame.lsn !== first + i)
        invalid(`batch frame ${i}: lsn ${parsed.frame.lsn}, expected ${first + i}`);
      return parsed.frame;
    });
    return { type: 'batch', firstLsn: first, prevLsn: b.prevLsn, frames };
  }
  if (msg.ack) {
    const a = msg.ack as fsjournal.v1.Ack;
    const applied = lsn(a.appliedLsn, 'applied lsn');
    const durable = lsn(a.durableLsn, 'durable lsn');
    // 0 (left out): a replica from before the field, whose applied LSN is what it received.
    const received = lsn(a.receivedLsn, 'received lsn') || applied;
    if (durable > applied) invalid(`durable lsn ${durable} above applied ${applied}`);
    if (applied > received) invalid(`applied lsn ${applied} above received ${received}`);
    const snapshotSeq = lsn(a.snapshotSeq, 'snapshot seq');
    return {
      type: 'ack',
      appliedLsn: applied,
      durableLsn: durable,
      receivedLsn: received,
      ...(snapshotSeq > 0 ? { snapshotSeq } : {}),
    };
  }
  if (msg.snapshotBegin) return snapshotBegin(msg.snapshotBegin as fsjournal.v1.SnapshotBegin);
  if (msg.snapshotPiece) {
    const p = msg.snapshotPiece as fsjournal.v1.SnapshotPiece;
    const seq = lsn(p.seq, 'snapshot piece seq');
    if (seq < 1) invalid('snapshot piece seq 0');
    if (p.items.length === 0 || p.items.length > MAX_PIECE_ITEMS)
      invalid(`snapshot piece of ${p.items.length} items`);
    return { type: 'snapshot-piece', seq, items: p.items.map(snapshotItem) };
  }
  if (msg.snapshotEnd) {
    const e = msg.snapshotEnd as fsjournal.v1.SnapshotEnd;
    return {
      type: 'snapshot-end',
      pieces: lsn(e.pieces, 'snapshot pieces'),
      entries: lsn(e.entries, 'snapshot entries'),
      blocks: lsn(e.blocks, 'snapshot blocks'),
    };
  }
  if (msg.heartbeat) {
    const h = msg.heartbeat as fsjournal.v1.Heartbeat;
    return { type: 'heartbeat', timeMs: h.timeMs, newestLsn: lsn(h.newestLsn, 'newest lsn') };
  }
  if (msg.error) {
    const e = msg.error as fsjournal.v1.StreamError;
    return { type: 'error', code: e.code.slice(0, 100), message: e.message.slice(0, 1000) };
  }
  return invalid('empty stream message');
}

function snapshotBegin(b: fsjournal.v1.SnapshotBegin): SnapshotBegin {
  if (b.protocolVersion !== PROTOCOL_VERSION) {
    throw new ProtocolError('FSJ_ERR_PROTOCOL_VERSION', `protocol version ${b.protocolVersion}`);
  }
  if (!JOURNAL_ID.test(b.journalId)) invalid('journal id');
  if (
    b.checkpointId === '' ||
    b.checkpointId.length > MAX_CHECKPOINT_ID ||
    !/^[\x21-\x7e]+$/.test(b.checkpointId)
  )
    invalid(`checkpoint id ${JSON.stringify(b.checkpointId.slice(0, 80))}`);
  const at = lsn(b.lsn, 'snapshot lsn');
  const from = lsn(b.replayFromLsn, 'replay from lsn');
  const oldest = lsn(b.oldestLsn, 'oldest lsn');
  const newest = lsn(b.newestLsn, 'newest lsn');
  if (at < 1 || newest < at) invalid(`snapshot lsn ${at}, newest ${newest}`);
  const openTxns = b.openTxns.map((t) => {
    const txn = lsn(Number(t.txn ?? 0), 'open txn');
    const begin = lsn(Number(t.beginLsn ?? 0), 'open txn begin lsn');
    if (txn < 1 || begin < 1 || begin > at) invalid(`open txn ${txn} begun at ${begin}`);
    return { txn, beginLsn: begin };
  });
  // The replay starts where the checkpoint says; the primary must still hold it.
  if (from !== Math.min(at + 1, ...openTxns.map((t) => t.beginLsn)))
    invalid(`replay from lsn ${from} for a snapshot at ${at}`);
  if (oldest < 1 || oldest > from) invalid(`oldest lsn ${oldest}, replay from ${from}`);
  if (b.blockBytes < 1 || b.blockBytes > MAX_SNAPSHOT_BLOCK_BYTES)
    invalid(`block size ${b.blockBytes}`);
  let root: SnapshotBegin['root'] = null;
  if (b.root) {
    const r = snapshotEntry(b.root, true);
    if (r.type !== 'dir' || r.path !== '') invalid('snapshot root is not the root directory');
    root = r;
  }
  return {
    type: 'snapshot-begin',
    protocolVersion: b.protocolVersion,
    journalId: b.journalId,
    checkpointId: b.checkpointId,
    lsn: at,
    replayFromLsn: from,
    openTxns,
    entries: lsn(b.entries, 'snapshot entries'),
    files: lsn(b.files, 'snapshot files'),
    bytes: lsn(b.bytes, 'snapshot bytes'),
    blockBytes: b.blockBytes,
    root,
    oldestLsn: oldest,
    newestLsn: newest,
  };
}
