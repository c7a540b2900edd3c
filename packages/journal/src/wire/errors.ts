/**
 * Errors of the stream protocol, raised by either end when a message does
 * not decode or breaks a rule of the conversation. Codes are stable and
 * documented in docs/PROTOCOL.md; a test checks each appears there.
 */

export const PROTOCOL_ERROR_CODES = {
  FSJ_ERR_PROTOCOL_DECODE: 'a stream message does not decode as protobuf',
  FSJ_ERR_PROTOCOL_INVALID: 'a decoded stream message breaks a rule (sizes, ids, LSN continuity)',
  FSJ_ERR_PROTOCOL_VERSION: 'the peer speaks a protocol version this build does not',
  FSJ_ERR_PROTOCOL_UNEXPECTED:
    'a message arrived that is not allowed at this point of the conversation',
  FSJ_ERR_PROTOCOL_IDENTITY:
    "a Hello names another replica id than the one the connection's token is bound to",
  FSJ_ERR_PROTOCOL_ID_IN_USE: 'a Hello names a replica id that another live connection holds',
  FSJ_ERR_PROTOCOL_REPLICA_LIMIT:
    'a Hello names a new replica id and the primary already keeps as many replicas as it may',
} as const;

export type ProtocolErrorCode = keyof typeof PROTOCOL_ERROR_CODES;

/** A broken rule of the stream protocol: the conversation cannot go on. Never retryable as is. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ProtocolErrorCode;
  readonly retryable = false;

  constructor(code: ProtocolErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
