/** `fsjournal checkpoint`: snapshot the journaled tree at its newest record. */
import type { Command } from 'commander';
import { Checkpoints, isJournalError, Journal, type CheckpointInfo } from '@fsjournal/journal';
import { parseApi } from '../args.js';
import { API_CA_HELP, API_TOKEN_HELP, apiAuth, callApi, describeApiError } from '../api_client.js';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../program.js';
import { excludeEachOther } from '../settings.js';

interface CheckpointFlags {
  journal?: string;
  api?: string;
  tokenFile?: string;
  tlsCa?: string;
  json?: boolean;
}

/** Offline: the journal must not be open in a running primary (use --api then). */
async function offline(dir: string): Promise<CheckpointInfo> {
  let journal: Journal;
  try {
    journal = await Journal.open({ dir, create: false });
  } catch (err) {
    const hint = isJournalError(err, 'FSJ_ERR_JOURNAL_LOCKED')
      ? '; a primary has it open: use --api'
      : '';
    throw new CliError(
      'FSJ_ERR_CLI_JOURNAL',
      `checkpoint: ${dir}: ${(err as Error).message}${hint}`,
      1,
      { cause: err },
    );
  }
  const checkpoints = await Checkpoints.open(journal.dir);
  try {
    return await checkpoints.create(journal, undefined, { mark: true });
  } catch (err) {
    if (!isJournalError(err)) throw err;
    throw new CliError('FSJ_ERR_CLI_JOURNAL', `checkpoint: ${err.message} (${err.code})`, 1, {
      cause: err,
    });
  } finally {
    await checkpoints.close();
    await journal.close();
  }
}

export function addCheckpointCommand(program: Command, io: CliIo): void {
  const cmd = program
    .command('checkpoint')
    .description(
      'Write a checkpoint: the tree as of the newest record, content stored once, so restores and retention can start there.',
    )
    .option('--journal <DIR>', 'a journal folder no primary has open')
    .option('--api <URL>', 'a running primary, e.g. http://127.0.0.1:7070', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .option('--json', 'print the checkpoint as JSON')
    .addHelpText(
      'after',
      `
Exactly one of --journal and --api. Through --api, every change made before
the call is journaled first (a barrier), then the checkpoint is taken there.

Examples:
  fsjournal checkpoint --api http://127.0.0.1:7070
  fsjournal checkpoint --journal /var/lib/fsjournal/journal --json
`,
    )
    .action(async (flags: CheckpointFlags) => {
      if ((flags.journal === undefined) === (flags.api === undefined))
        throw usageError('exactly one of --journal and --api is required');
      let info: CheckpointInfo;
      if (flags.journal !== undefined) info = await offline(flags.journal);
      else {
        const answer = await callApi<CheckpointInfo>(
          'POST',
          `${flags.api}/v1/checkpoints`,
          {},
          apiAuth(flags),
        );
        if (answer.status !== 200)
          throw new CliError('FSJ_ERR_CLI_API', `checkpoint: ${describeApiError(answer)}`, 1);
        info = answer.body;
      }
      if (flags.json) io.out(`${JSON.stringify(info)}\n`);
      else
        io.out(
          `${info.id} at lsn ${info.lsn}: ${info.files} files, ${info.dirs} directories, ${info.symlinks} symlinks, ${info.bytes} bytes\n`,
        );
    });
  excludeEachOther(cmd, 'journal', 'api');
}
