/**
 * The replication stream's messages: encoding, decoding and validation
 * (STYLE.md 9). protobufjs checks types only; `decodeMessage` also checks
 * sizes, ids, versions and, for batches, that every frame is whole,
 * checksummed and numbered first_lsn, first_lsn + 1, ... docs/PROTOCOL.md
 * describes the conversation.
 */
import { fsjournal } from '@fsjournal/journal/schema';
import { parseFrame, type Frame } from '@fsjournal/journal/internal';
import { ReplicaError } from './errors.js';

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

export type StreamMessage = Hello | Welcome | Resync | Batch | Ack | Heartbeat | StreamErrorMessage;

function invalid(what: string): never {
  throw new ReplicaError('FSJ_ERR_PROTOCOL_INVALID', what);
}

function lsn(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) invalid(`${name} ${value}`);
  return value;
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
        ack: { appliedLsn: m.appliedLsn, durableLsn: m.durableLsn, receivedLsn: m.receivedLsn },
      };
      break;
    case 'heartbeat':
      body = { heartbeat: { timeMs: m.timeMs, newestLsn: m.newestLsn } };
      break;
    case 'error':
      body = { error: { code: m.code, message: m.message } };
      break;
  }
  return v1.StreamMessage.encode(body).finish();
}

/**
 * Decodes one WebSocket message and checks it means something sane.
 * Throws ReplicaError (FSJ_ERR_PROTOCOL_*) otherwise.
 */
export function decodeMessage(data: Uint8Array): StreamMessage {
  if (data.length > MAX_MESSAGE_BYTES) invalid(`message of ${data.length} bytes`);
  let msg: fsjournal.v1.StreamMessage;
  try {
    msg = v1.StreamMessage.decode(data);
  } catch (cause) {
    throw new ReplicaError('FSJ_ERR_PROTOCOL_DECODE', 'stream message does not decode', { cause });
  }
  if (msg.hello) {
    const h = msg.hello as fsjournal.v1.Hello;
    if (h.protocolVersion !== PROTOCOL_VERSION) {
      throw new ReplicaError('FSJ_ERR_PROTOCOL_VERSION', `protocol version ${h.protocolVersion}`);
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
      throw new ReplicaError('FSJ_ERR_PROTOCOL_VERSION', `protocol version ${w.protocolVersion}`);
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
    return { type: 'ack', appliedLsn: applied, durableLsn: durable, receivedLsn: received };
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
