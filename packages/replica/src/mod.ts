/**
 * @fsjournal/replica: the replica daemon (stream client, applier, durable
 * position, resync). The stream protocol it speaks is @fsjournal/journal/wire.
 */
export {
  ReplicaDaemon,
  defaultStateDir,
  type ReplicaOptions,
  type ReplicaState,
  type ReplicaObserver,
  type ReplicaStatus,
  type BootstrapProgress,
  type UpstreamTls,
} from './replica.js';
export { ReplicaError, REPLICA_ERROR_CODES, type ReplicaErrorCode } from './errors.js';
