/** `fsjournal primary`: capture a tree, journal it, serve REST and the stream. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { ServerTls, startPrimary } from '@fsjournal/api';
import { tuneMalloc, type SyncPolicy } from '@fsjournal/journal';
import {
  collect,
  parseDuration,
  parseHostPort,
  parseMode,
  parseSize,
  parseSync,
  readToken,
  readTokens,
  checkTlsPair,
  type HostPort,
} from '../args.js';
import { runUntilSignal } from '../daemon.js';
import { CliError, usageError } from '../errors.js';
import { makeLogger } from '../logger.js';

interface PrimaryFlags {
  source: string;
  journal: string;
  listen: HostPort;
  mode: 'watch' | 'mount';
  mountpoint?: string;
  sync: SyncPolicy;
  tokenFile?: string;
  tokensFile?: string;
  allowedHost: string[];
  metricsPublic?: boolean;
  replicaExpire: number;
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  ignore: string[];
  retain: number;
  checkpointEvery: number;
  retentionInterval: number;
  segmentSize?: number;
  syncReplicas: number;
  syncTimeout: number;
}

function parseCount(value: string): number {
  if (!/^\d{1,3}$/.test(value.trim())) throw new InvalidArgumentError('expected a count, e.g. 1');
  return Number(value);
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
    .option(
      '--mountpoint <DIR>',
      'mount mode: where the journaled view of --source is mounted (an empty folder)',
    )
    .option(
      '--sync <always|batch|none>',
      'durability of each append',
      parseSync,
      'batch' as SyncPolicy,
    )
    .option(
      '--token-file <FILE>',
      'require this bearer token on the stream and every route but /healthz',
    )
    .option(
      '--tokens-file <FILE>',
      'lines ID TOKEN: a token per replica, each bound to its replica id (also accepted on the API)',
    )
    .addOption(
      new Option(
        '--allowed-host <NAME>',
        'a name the Host header may carry besides IP addresses, localhost and this host (repeatable; * for any)',
      )
        .argParser(collect)
        .default([] as string[], 'none'),
    )
    .option('--metrics-public', 'serve /metrics without a token')
    .option('--tls-cert <FILE>', 'serve https:// and wss:// only, with this certificate (PEM)')
    .option('--tls-key <FILE>', "the certificate's private key (PEM)")
    .option(
      '--tls-client-ca <FILE>',
      'accept replica client certificates signed by this CA (PEM) instead of a token; the CN names the replica id',
    )
    .addOption(
      new Option(
        '--replica-expire <DURATION>',
        'forget a replica not connected for this long (its retention hold goes with it)',
      )
        .argParser(parseDuration)
        .default(parseDuration('7d'), '7d'),
    )
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
    // Tuning for tests (hidden): how often retention looks, and the size at
    // which a journal segment is sealed (only sealed segments are released).
    .addOption(
      new Option('--retention-interval <DURATION>', 'how often retention looks')
        .argParser(parseDuration)
        .default(parseDuration('60s'), '60s')
        .hideHelp(),
    )
    .addOption(
      new Option('--segment-size <SIZE>', 'journal segment size').argParser(parseSize).hideHelp(),
    )
    .addOption(
      new Option(
        '--sync-replicas <N>',
        'mount mode: a change returns only once N replicas hold it durably',
      )
        .argParser(parseCount)
        .default(0),
    )
    .addOption(
      new Option(
        '--sync-timeout <DURATION>',
        'mount mode: how long a change waits for --sync-replicas before replication degrades to asynchronous',
      )
        .argParser(parseDuration)
        .default(parseDuration('10s'), '10s'),
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

  # across a network: https/wss only (replicas and clients verify with --tls-ca);
  # kill -HUP reloads renewed certificate files
  fsjournal primary --source /srv/data --journal /var/lib/fsjournal/journal --listen 0.0.0.0:7070 \\
      --tls-cert /etc/fsjournal/tls/primary.crt --tls-key /etc/fsjournal/tls/primary.key \\
      --token-file /etc/fsjournal/token --allowed-host primary.example.internal

  # mount mode (Linux, FUSE): /mnt/data serves /srv/data-backing; every change made
  # there is journaled (with who made it) before it returns; each waits for one
  # replica, or 30s, after which replication degrades until the replica catches up
  fsjournal primary --mode mount --source /srv/data-backing --mountpoint /mnt/data \\
      --journal /var/lib/fsjournal/journal --sync-replicas 1 --sync-timeout 30s
`,
    )
    .action(async (flags: PrimaryFlags) => {
      if (flags.mode === 'mount' && flags.mountpoint === undefined) {
        throw usageError("option '--mountpoint <DIR>' is required with --mode mount");
      }
      if (flags.mode !== 'mount') {
        for (const [flag, given] of [
          ['--mountpoint', flags.mountpoint !== undefined],
          ['--sync-replicas', flags.syncReplicas !== 0],
        ] as const) {
          if (given) throw usageError(`option '${flag}' needs --mode mount`);
        }
      }
      checkTlsPair(flags, [['--tls-client-ca', flags.tlsClientCa]]);
      const token = flags.tokenFile === undefined ? undefined : readToken(flags.tokenFile);
      const replicaTokens =
        flags.tokensFile === undefined ? undefined : readTokens(flags.tokensFile);
      const logger = makeLogger('fsjournal-primary');
      // Freed buffers back to the system rather than kept in RSS (sys/malloc_tuning.ts).
      tuneMalloc();
      let primary;
      try {
        const tls =
          flags.tlsCert === undefined
            ? undefined
            : await ServerTls.load({
                cert: flags.tlsCert,
                key: flags.tlsKey!,
                clientCa: flags.tlsClientCa,
              });
        primary = await startPrimary({
          tls,
          source: flags.source,
          journalDir: flags.journal,
          host: flags.listen.host,
          port: flags.listen.port,
          sync: flags.sync,
          token,
          replicaTokens,
          allowedHosts: flags.allowedHost,
          metricsPublic: flags.metricsPublic === true,
          replicaExpireMs: flags.replicaExpire,
          ignore: flags.ignore,
          logger,
          retainMs: flags.retain,
          checkpointBytes: flags.checkpointEvery,
          retentionIntervalMs: flags.retentionInterval,
          segmentBytes: flags.segmentSize,
          mode: flags.mode,
          mountpoint: flags.mountpoint,
          syncReplicas: flags.syncReplicas,
          syncTimeoutMs: flags.syncTimeout,
        });
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        if (code === 'FSJ_ERR_MOUNT_UNAVAILABLE') {
          throw new CliError(
            'FSJ_ERR_CLI_UNAVAILABLE',
            `fsjournal primary: --mode mount is not available: ${(cause as Error).message} (${code}); ` +
              'it needs Linux, libfuse3-dev at install time (then npm ci again) and /dev/fuse',
            1,
            { cause },
          );
        }
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
          listen: `${flags.tlsCert ? 'https' : 'http'}://${primary.address.host}:${primary.address.port}`,
          retainMs: flags.retain,
          mode: flags.mode,
          ...(flags.mode === 'mount'
            ? {
                mountpoint: flags.mountpoint,
                syncReplicas: flags.syncReplicas,
                syncTimeoutMs: flags.syncTimeout,
              }
            : {}),
        },
        'primary ready',
      );
      await runUntilSignal(
        logger,
        () => primary.close(),
        () => primary.reloadTls(),
      );
    });
}
