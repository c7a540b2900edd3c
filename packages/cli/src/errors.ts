/** Errors of the CLI: usage errors exit 2, operation failures exit 1. */

export const CLI_ERROR_CODES = {
  FSJ_ERR_CLI_USAGE: 'a flag or argument is missing, unknown or malformed',
  FSJ_ERR_CLI_UNAVAILABLE: 'the command or mode exists but is not available in this build yet',
  FSJ_ERR_CLI_API: 'the API could not be reached or answered with an error',
  FSJ_ERR_CLI_TLS:
    'TLS with an https:// API failed: its certificate is not trusted (--tls-ca), expired or for another name',
  FSJ_ERR_CLI_TIMEOUT: 'what the command waited for did not happen in time',
  FSJ_ERR_CLI_DIFFERENT: 'the compared trees differ',
  FSJ_ERR_CLI_JOURNAL: 'the journal could not be opened or read',
  FSJ_ERR_CLI_RESTORE: 'the restore could not be done (the message names the reason code)',
  FSJ_ERR_CLI_FAILED: 'the daemon could not start or stopped on an error',
} as const;

export type CliErrorCode = keyof typeof CLI_ERROR_CODES;

export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly code: CliErrorCode,
    message: string,
    readonly exitCode: 1 | 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function usageError(message: string): CliError {
  return new CliError('FSJ_ERR_CLI_USAGE', message, 2);
}
