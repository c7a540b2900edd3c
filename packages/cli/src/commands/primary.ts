/** `fsjournal primary`: capture a tree, journal it, serve REST and the stream. */
import { Option, type Command } from 'commander';
import { startPrimary } from '@fsjournal/api';
import type { SyncPolicy } from '@fsjournal/journal';
import {
  collect,
  parseDuration,
  parseHostPort,
  parseMode,
  parseSize,
  parseSync,
  readToken,
  type HostPort,
} from '../args.js';
import { runUntilSignal } from '../daemon.js';
import { CliError } from '../errors.js';
import { makeLogger } from '../logger.js';

interface PrimaryFlags {
  source: string;
  journal: string;
  listen: HostPort;
  mode: 'watch' | 'mount';
  mountpoint?: string;
  sync: SyncPolicy;
  tokenFile?: string;
  ignore: string[];
  retain: number;
  checkpointEvery: number;
}

export function addPrimaryCommand(program: Command): void {
  program
    .command('primary')
    .description(
      'Capture changes under --source, journal them durably, and serve replicas and the REST API.',
    )
    .requiredOption('--source <DIR>', 'the tree to capture')
    .requiredOption('--journal <DIR>', 'the journal folder (created if missing or empty)')
    .addOption(
      new Option('--listen <HOST:PORT>', 'REST and stream address')
        .argParser(parseHostPort)
        .default(parseHostPort('127.0.0.1:7070'), '127.0.0.1:7070'),
    )
    .option('--mode <watch|mount>', 'capture mode', parseMode, 'watch' as const)
    .option('--mountpoint <DIR>', 'mount mode: where the journaled view of --source is mounted')
    .option(
      '--sync <always|batch|none>',
      'durability of each append',
      parseSync,
      'batch' as SyncPolicy,
    )
    .option('--token-file <FILE>', 'require this bearer token from replicas')
    .addOption(
      new Option('--ignore <GLOB>', 'leave out matching paths (repeatable)')
        .argParser(collect)
        .default([] as string[], 'none'),
    )
    .addOption(
      new Option('--retain <DURATION>', 'keep journal records at least this long')
        .argParser(parseDuration)
        .default(parseDuration('7d'), '7d'),
    )
    .addOption(
      new Option(
        '--checkpoint-every <SIZE>',
        'write a checkpoint after this much journal (e.g. 256MiB, 1GiB; 0: only on request)',
      )
        .argParser(parseSize)
        .default(parseSize('256MiB'), '256MiB'),
    )
    .addHelpText(
      'after',
      `
Examples:
  fsjournal primary --source /srv/data --journal /var/lib/fsjournal/journal
  fsjournal primary --source ./data --journal ./journal --listen 0.0.0.0:7070 \\
      --token-file /etc/fsjournal/token --ignore '**/*.tmp' --sync always
  fsjournal primary --config /etc/fsjournal/primary.yml     # keys: source, journal, listen, ...
  FSJOURNAL_LISTEN=0.0.0.0:7070 FSJOURNAL_IGNORE='**/*.tmp,cache/**' \\
      fsjournal primary --source /srv/data --journal /var/lib/fsjournal/journal
`,
    )
    .action(async (flags: PrimaryFlags) => {
      if (flags.mode === 'mount') {
        throw new CliError(
          'FSJ_ERR_CLI_UNAVAILABLE',
          'fsjournal primary: --mode mount is not available in this build yet',
          1,
        );
      }
      const token = flags.tokenFile === undefined ? undefined : readToken(flags.tokenFile);
      const logger = makeLogger('fsjournal-primary');
      let primary;
      try {
        primary = await startPrimary({
          source: flags.source,
          journalDir: flags.journal,
          host: flags.listen.host,
          port: flags.listen.port,
          sync: flags.sync,
          token,
          ignore: flags.ignore,
          logger,
          retainMs: flags.retain,
          checkpointBytes: flags.checkpointEvery,
        });
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        throw new CliError(
          'FSJ_ERR_CLI_FAILED',
          `fsjournal primary: ${(cause as Error).message}${code ? ` (${code})` : ''}`,
          1,
          {
            cause,
          },
        );
      }
      logger.info(
        {
          source: flags.source,
          journal: flags.journal,
          journalId: primary.journal.journalId,
          lastLsn: primary.journal.lastLsn,
          listen: `http://${primary.address.host}:${primary.address.port}`,
          retainMs: flags.retain,
        },
        'primary ready',
      );
      await runUntilSignal(logger, () => primary.close());
    });
}
