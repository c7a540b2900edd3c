/**
 * @fsjournal/journal/wire: the stream protocol both ends speak (the messages
 * of docs/PROTOCOL.md, their codec and validation, and their error codes).
 * The replica daemon and the primary's stream endpoint import it from here;
 * it knows nothing of sockets.
 */
export {
  decodeMessage,
  encodeMessage,
  PROTOCOL_VERSION,
  STREAM_PATH,
  MAX_MESSAGE_BYTES,
  MAX_BATCH_FRAMES,
  MAX_WINDOW,
  MAX_PIECE_ITEMS,
  MAX_SNAPSHOT_BLOCK_BYTES,
  ResyncReason,
  type StreamMessage,
  type StreamErrorMessage,
  type Hello,
  type Welcome,
  type Resync,
  type Batch,
  type Ack,
  type Heartbeat,
  type SnapshotBegin,
  type SnapshotPiece,
  type SnapshotEnd,
  type SnapshotEntry,
  type SnapshotBlock,
  type SnapshotItem,
  type SnapshotTime,
} from './protocol.js';
export { ProtocolError, PROTOCOL_ERROR_CODES, type ProtocolErrorCode } from './errors.js';
