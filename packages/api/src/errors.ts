/**
 * Errors the REST API answers with, as `{error: {code, message}}`. Codes are
 * stable; docs/PROTOCOL.md lists them and a test checks each is documented.
 */

export const API_ERROR_CODES = {
  FSJ_ERR_API_BAD_REQUEST: 'a parameter or body is missing or malformed',
  FSJ_ERR_API_NOT_FOUND: 'no such route',
  FSJ_ERR_API_UNKNOWN_REPLICA: 'no replica with that id has ever connected',
  FSJ_ERR_API_REPLICA_CONNECTED: 'a connected replica cannot be forgotten',
  FSJ_ERR_API_TIMEOUT: 'the replica did not reach the LSN before the timeout',
  FSJ_ERR_API_UNAVAILABLE: 'the primary cannot do this now (capture stopped, journal failed)',
  FSJ_ERR_API_UNAUTHORIZED: 'no valid token: the daemon runs with --token-file or --tokens-file',
  FSJ_ERR_API_FORBIDDEN_HOST:
    'the Host header is not a name of this daemon (DNS rebinding); --allowed-host accepts one',
  FSJ_ERR_API_CROSS_ORIGIN:
    'a request that changes something, or a stream upgrade, from a web page of another origin',
  FSJ_ERR_API_BUSY: 'too many requests already wait for the same expensive work; try again later',
  FSJ_ERR_API_TLS: 'a --tls-cert, --tls-key or --tls-client-ca file cannot be read or used',
  FSJ_ERR_API_INTERNAL: 'an unexpected failure; the log has details',
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_CODES;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly statusCode: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
