/**
 * Errors of the replica package and the stream protocol. Codes are stable and
 * documented in docs/PROTOCOL.md (protocol) and docs/operations of the
 * replica; a test checks each appears there.
 */

export const REPLICA_ERROR_CODES = {
  FSJ_ERR_PROTOCOL_DECODE: 'a stream message does not decode as protobuf',
  FSJ_ERR_PROTOCOL_INVALID: 'a decoded stream message breaks a rule (sizes, ids, LSN continuity)',
  FSJ_ERR_PROTOCOL_VERSION: 'the peer speaks a protocol version this build does not',
  FSJ_ERR_PROTOCOL_UNEXPECTED:
    'a message arrived that is not allowed at this point of the conversation',
  FSJ_ERR_REPLICA_AUTH: 'the primary refused the bearer token (or none was given)',
  FSJ_ERR_REPLICA_UPSTREAM: 'the primary cannot be reached or closed the stream',
  FSJ_ERR_REPLICA_REFUSED_RECORD:
    'a record would write outside the target or does not fit the tree; the stream stopped',
  FSJ_ERR_REPLICA_APPLY_IO:
    'applying a record failed with an I/O error (ENOSPC, EIO, ...); retrying',
  FSJ_ERR_REPLICA_STATE: 'the state folder cannot be read or written',
  FSJ_ERR_REPLICA_RESYNC:
    'the replica must be rebuilt and the primary cannot serve what that needs',
  FSJ_ERR_REPLICA_REFUSED_SNAPSHOT:
    'a snapshot piece breaks the rules (a block whose SHA-256 does not match, an entry out of order or outside the tree, counts that do not add up); the bootstrap stopped',
} as const;

export type ReplicaErrorCode = keyof typeof REPLICA_ERROR_CODES;

export class ReplicaError extends Error {
  override readonly name = 'ReplicaError';
  readonly code: ReplicaErrorCode;
  readonly retryable: boolean;

  constructor(
    code: ReplicaErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
