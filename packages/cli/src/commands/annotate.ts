/** `fsjournal annotate`: append a user marker to a primary's journal. */
import { InvalidArgumentError, type Command } from 'commander';
import { parseApi } from '../args.js';
import { API_CA_HELP, API_TOKEN_HELP, apiAuth, callApi, describeApiError } from '../api_client.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../program.js';

interface AnnotateFlags {
  api: string;
  tokenFile?: string;
  tlsCa?: string;
  text: string;
}

/** The most characters an annotation may have (the API's limit). */
export const MAX_ANNOTATION = 4096;

export function parseText(value: string): string {
  if (value.length < 1 || value.length > MAX_ANNOTATION)
    throw new InvalidArgumentError(`expected 1 to ${MAX_ANNOTATION} characters`);
  return value;
}

export function addAnnotateCommand(program: Command, io: CliIo): void {
  program
    .command('annotate')
    .description("Append a marker with TEXT to the primary's journal; prints its LSN.")
    .requiredOption('--api <URL>', 'the primary API, e.g. http://127.0.0.1:7070', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .requiredOption('--text <TEXT>', 'the marker text (1 to 4096 characters)', parseText)
    .addHelpText(
      'after',
      `
Examples:
  fsjournal annotate --api http://127.0.0.1:7070 --text 'before upgrade to v2'
  LSN=$(fsjournal annotate --api http://primary:7070 --text "deploy $VERSION")
`,
    )
    .action(async (flags: AnnotateFlags) => {
      const auth = apiAuth(flags);
      const body = { text: flags.text };
      const answer = await callApi<{ lsn: number }>(
        'POST',
        `${flags.api}/v1/annotations`,
        body,
        auth,
      );
      if (answer.status !== 200)
        throw new CliError('FSJ_ERR_CLI_API', `annotate: ${describeApiError(answer)}`, 1);
      io.out(`${answer.body.lsn}\n`);
    });
}
