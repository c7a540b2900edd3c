/**
 * Errors of the replica package. Codes are stable and documented in
 * docs/PROTOCOL.md; a test checks each appears there. The stream protocol's
 * own errors (FSJ_ERR_PROTOCOL_*) are `ProtocolError`s of @fsjournal/journal/wire.
 */
import { isJournalError } from '@fsjournal/journal';
import { ProtocolError } from '@fsjournal/journal/wire';

export const REPLICA_ERROR_CODES = {
  FSJ_ERR_REPLICA_AUTH: 'the primary refused the bearer token (or none was given)',
  FSJ_ERR_REPLICA_UPSTREAM: 'the primary cannot be reached or closed the stream',
  FSJ_ERR_REPLICA_TLS:
    'TLS with the primary failed: its certificate is not trusted (--tls-ca), expired or for another name, or it does not speak TLS',
  FSJ_ERR_REPLICA_REFUSED_RECORD:
    'a record would write outside the target or does not fit the tree; the stream stopped',
  FSJ_ERR_REPLICA_APPLY_IO:
    'applying a record failed with an I/O error (ENOSPC, EIO, ...); retrying',
  FSJ_ERR_REPLICA_NOT_PRESERVED:
    'a set-ID bit or a security./trusted. xattr the primary sent was left out under --preserve safe (a problem of the path, not an error of the stream)',
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

/** What ends a replica's stream session: a replica error, or a broken protocol rule. */
export type StreamFailure = ReplicaError | ProtocolError;

/** Whether `err` already carries a code a session can report as is. */
export function isStreamFailure(err: unknown): err is StreamFailure {
  return err instanceof ReplicaError || err instanceof ProtocolError;
}

/** The `E...` code of an error from the OS, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * Turns what failed while handling a message into the error the status
 * reports: a stream failure as is, a refused record (JournalError)
 * FSJ_ERR_REPLICA_REFUSED_RECORD, anything else FSJ_ERR_REPLICA_APPLY_IO.
 */
export function applyFailure(err: unknown): StreamFailure {
  if (isStreamFailure(err)) return err;
  if (isJournalError(err)) {
    return new ReplicaError('FSJ_ERR_REPLICA_REFUSED_RECORD', err.message, { cause: err });
  }
  const code = errnoCode(err);
  if (code) {
    return new ReplicaError(
      'FSJ_ERR_REPLICA_APPLY_IO',
      `apply: ${code}: ${(err as Error).message}`,
      {
        cause: err,
        retryable: true,
      },
    );
  }
  return new ReplicaError('FSJ_ERR_REPLICA_APPLY_IO', `apply: ${String(err)}`, {
    cause: err,
    retryable: true,
  });
}
