/** `fsjournal wait`: a barrier, then wait until replicas have applied it (failover scripts). */
import type { Command } from 'commander';
import { parseApi, parseReplicaId, parseSeconds } from '../args.js';
import { API_CA_HELP, API_TOKEN_HELP, apiAuth, callApi, describeApiError } from '../api_client.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../program.js';

interface WaitFlags {
  api: string;
  tokenFile?: string;
  tlsCa?: string;
  replica?: string;
  timeout: number;
}

interface ReplicaRow {
  id: string;
  connected: boolean;
  appliedLsn: number;
}

export function addWaitCommand(program: Command, io: CliIo): void {
  program
    .command('wait')
    .description(
      'Append a barrier (everything changed before it is journaled first) and wait until the replica, or every connected one, has applied it and made it durable.',
    )
    .requiredOption('--api <URL>', 'the primary API, e.g. http://127.0.0.1:7070', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .option('--replica <ID>', 'wait for this replica only', parseReplicaId)
    .option('--timeout <SECONDS>', 'give up after this long (exit 1)', parseSeconds, 60)
    .addHelpText(
      'after',
      `
Exit codes: 0 caught up, 1 timeout or failure, 2 bad usage.

Examples:
  fsjournal wait --api http://127.0.0.1:7070
  fsjournal wait --api http://primary:7070 --replica standby-1 --timeout 120 && promote-standby
`,
    )
    .action(async (flags: WaitFlags) => {
      const deadline = Date.now() + flags.timeout * 1000;
      const auth = apiAuth(flags);
      const barrier = await callApi<{ lsn: number }>(
        'POST',
        `${flags.api}/v1/barrier`,
        undefined,
        auth,
      );
      if (barrier.status !== 200)
        throw new CliError('FSJ_ERR_CLI_API', `barrier: ${describeApiError(barrier)}`, 1);
      const lsn = barrier.body.lsn;
      let ids: string[];
      if (flags.replica !== undefined) {
        ids = [flags.replica];
      } else {
        const list = await callApi<ReplicaRow[]>(
          'GET',
          `${flags.api}/v1/replicas`,
          undefined,
          auth,
        );
        if (list.status !== 200)
          throw new CliError('FSJ_ERR_CLI_API', `replicas: ${describeApiError(list)}`, 1);
        ids = list.body.filter((r) => r.connected).map((r) => r.id);
        if (ids.length === 0)
          throw new CliError(
            'FSJ_ERR_CLI_API',
            `barrier at lsn ${lsn}, but no replica is connected`,
            1,
          );
      }
      for (const id of ids) {
        const timeoutMs = Math.max(0, deadline - Date.now());
        const url = `${flags.api}/v1/replicas/${encodeURIComponent(id)}?waitForLsn=${lsn}&timeoutMs=${Math.round(timeoutMs)}`;
        const answer = await callApi<ReplicaRow>('GET', url, undefined, auth);
        if (answer.status === 408) {
          throw new CliError(
            'FSJ_ERR_CLI_TIMEOUT',
            `replica ${id} has not applied lsn ${lsn} after ${flags.timeout} s`,
            1,
          );
        }
        if (answer.status !== 200)
          throw new CliError('FSJ_ERR_CLI_API', `replica ${id}: ${describeApiError(answer)}`, 1);
      }
      io.out(`caught up: lsn ${lsn} applied by ${ids.join(', ')}\n`);
    });
}
