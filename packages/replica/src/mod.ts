/**
 * @fsjournal/replica: the replica daemon (stream client, applier, durable
 * position, resync) and the stream protocol both roles speak.
 */
export {
  ReplicaDaemon,
  defaultStateDir,
  type ReplicaOptions,
  type ReplicaState,
  type ReplicaObserver,
  type ReplicaStatus,
  type BootstrapProgress,
  type Logger,
} from './replica.js';
export { ReplicaError, REPLICA_ERROR_CODES, type ReplicaErrorCode } from './errors.js';
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
} from './protocol.js';
