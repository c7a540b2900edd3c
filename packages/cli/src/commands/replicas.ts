/** `fsjournal replicas forget ID`: drop a replica the primary will not see again, and its retention hold. */
import type { Command } from 'commander';
import { parseApi, parseReplicaId } from '../args.js';
import { API_CA_HELP, API_TOKEN_HELP, apiAuth, callApi, describeApiError } from '../api_client.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../program.js';

interface ForgetFlags {
  api: string;
  tokenFile?: string;
  tlsCa?: string;
}

export function addReplicasCommand(program: Command, io: CliIo): void {
  const replicas = program
    .command('replicas')
    .description("Manage the primary's list of known replicas.");
  replicas
    .command('forget')
    .description(
      'Forget a replica that is not connected: its row and the records it held back from retention.',
    )
    .argument('<ID>', 'the replica id', parseReplicaId)
    .requiredOption('--api <URL>', 'the primary API, e.g. http://127.0.0.1:7070', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .addHelpText(
      'after',
      `
A replica not connected for --replica-expire (default 7d) is forgotten by
itself. A connected replica cannot be forgotten (exit 1): stop it first.
If it comes back later it is a new replica to the primary.

Examples:
  fsjournal replicas forget standby-old --api http://127.0.0.1:7070
`,
    )
    .action(async (id: string, flags: ForgetFlags) => {
      const auth = apiAuth(flags);
      const url = `${flags.api}/v1/replicas/${encodeURIComponent(id)}`;
      const answer = await callApi<{ id: string }>('DELETE', url, undefined, auth);
      if (answer.status !== 200)
        throw new CliError('FSJ_ERR_CLI_API', `replicas forget: ${describeApiError(answer)}`, 1);
      io.out(`forgot replica ${id}\n`);
    });
}
