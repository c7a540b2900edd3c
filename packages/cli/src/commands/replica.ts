/** `fsjournal replica`: follow a primary's stream into --target. */
import { Option, type Command } from 'commander';
import type { Server as TlsServer } from 'node:tls';
import { Access, buildReplicaApp, ServerTls } from '@fsjournal/api';
import { ReplicaDaemon, type UpstreamTls } from '@fsjournal/replica';
import { Beneath, PRESERVE_POLICIES, tuneMalloc, type PreservePolicy } from '@fsjournal/journal';
import {
  checkTlsPair,
  parseHostPort,
  parseReplicaId,
  parseUpstream,
  readFlagFile,
  readToken,
  type HostPort,
} from '../args.js';
import { runUntilSignal } from '../daemon.js';
import { CliError } from '../errors.js';
import { makeLogger } from '../logger.js';

interface ReplicaFlags {
  upstream: string;
  target: string;
  state?: string;
  id?: string;
  listen: HostPort;
  tokenFile?: string;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
  preserve: PreservePolicy;
}

export function addReplicaCommand(program: Command): void {
  program
    .command('replica')
    .description("Apply a primary's journal stream to --target and report progress on --listen.")
    .requiredOption(
      '--upstream <URL>',
      'the primary stream, ws://HOST:PORT/v1/stream',
      parseUpstream,
    )
    .requiredOption('--target <DIR>', 'the replicated tree (created if missing; must start empty)')
    .option(
      '--state <DIR>',
      'position and identity (default: <target>/../<basename>.fsjournal-state)',
    )
    .option(
      '--id <NAME>',
      'replica name shown by the primary (default: kept in --state, else hostname-based)',
      parseReplicaId,
    )
    .addOption(
      new Option('--listen <HOST:PORT>', 'status API address')
        .argParser(parseHostPort)
        .default(parseHostPort('127.0.0.1:7071'), '127.0.0.1:7071'),
    )
    .option(
      '--token-file <FILE>',
      'bearer token the primary requires; this replica then requires it on its own API too',
    )
    .addOption(
      new Option(
        '--preserve <safe|privileged>',
        'safe: leave out set-user-ID/set-group-ID bits and security./trusted. xattrs the primary sends (each listed in status problems); privileged: apply them',
      )
        .choices(PRESERVE_POLICIES)
        .default('safe'),
    )
    .option('--tls-ca <FILE>', "a wss:// upstream's certificate must chain to this CA (PEM)")
    .option(
      '--tls-cert <FILE>',
      'serve the status API over https with this certificate (PEM), and present it to the primary',
    )
    .option('--tls-key <FILE>', "the certificate's private key (PEM)")
    .addHelpText(
      'after',
      `
Examples:
  fsjournal replica --upstream ws://primary:7070/v1/stream --target /srv/standby
  fsjournal replica --upstream ws://10.0.0.5:7070/v1/stream --target ./mirror --id standby-1 \\
      --token-file /etc/fsjournal/token --listen 0.0.0.0:7071
  fsjournal replica --upstream wss://primary.example.internal:7070/v1/stream --target /srv/standby \\
      --tls-ca /etc/fsjournal/tls/ca.crt --token-file /etc/fsjournal/token
  FSJOURNAL_UPSTREAM=ws://primary:7070/v1/stream FSJOURNAL_TARGET=/srv/standby \\
      fsjournal replica --config /etc/fsjournal/replica.yml
`,
    )
    .action(async (flags: ReplicaFlags) => {
      checkTlsPair(flags);
      const token = flags.tokenFile === undefined ? undefined : readToken(flags.tokenFile);
      const upstreamTls = (): UpstreamTls | undefined => {
        const tls: UpstreamTls = {};
        if (flags.tlsCa !== undefined) tls.ca = readFlagFile('--tls-ca', flags.tlsCa);
        if (flags.tlsCert !== undefined) {
          tls.cert = readFlagFile('--tls-cert', flags.tlsCert);
          tls.key = readFlagFile('--tls-key', flags.tlsKey!);
        }
        return Object.keys(tls).length > 0 ? tls : undefined;
      };
      const logger = makeLogger('fsjournal-replica');
      // Freed buffers back to the system rather than kept in RSS (sys/malloc_tuning.ts).
      tuneMalloc();
      let daemon: ReplicaDaemon;
      try {
        daemon = await ReplicaDaemon.start({
          upstream: flags.upstream,
          target: flags.target,
          stateDir: flags.state,
          id: flags.id,
          token,
          tls: upstreamTls(),
          preserve: flags.preserve,
          logger,
        });
      } catch (cause) {
        const code = (cause as { code?: string }).code;
        throw new CliError(
          'FSJ_ERR_CLI_FAILED',
          `fsjournal replica: ${(cause as Error).message}${code ? ` (${code})` : ''}`,
          1,
          {
            cause,
          },
        );
      }
      let serverTls: ServerTls | undefined;
      try {
        serverTls =
          flags.tlsCert === undefined
            ? undefined
            : await ServerTls.load({ cert: flags.tlsCert, key: flags.tlsKey! });
      } catch (cause) {
        await daemon.stop();
        throw new CliError(
          'FSJ_ERR_CLI_FAILED',
          `fsjournal replica: ${(cause as Error).message}`,
          1,
          {
            cause,
          },
        );
      }
      const app = buildReplicaApp(
        daemon,
        undefined,
        new Access({ token, listenHost: flags.listen.host }),
        serverTls?.options,
      );
      try {
        await app.listen({ host: flags.listen.host, port: flags.listen.port });
      } catch (cause) {
        await daemon.stop();
        throw new CliError(
          'FSJ_ERR_CLI_FAILED',
          `fsjournal replica: listen ${flags.listen.host}:${flags.listen.port}: ${(cause as Error).message}`,
          1,
          { cause },
        );
      }
      // How target paths are resolved (sys/beneath.ts): openat2, or one component at a time.
      const probe = new Beneath(daemon.target);
      const targetPaths = probe.method;
      probe.close();
      if (targetPaths === 'walk') {
        logger.warn(
          { target: daemon.target },
          'target paths are resolved one component at a time, never through a symlink (the same guarantee as openat2, more calls): openat2 (Linux 5.6+) is missing or refused here, or FSJOURNAL_TARGET_PATHS=walk',
        );
      }
      logger.info(
        {
          id: daemon.id,
          targetPaths,
          upstream: flags.upstream,
          target: daemon.target,
          state: daemon.stateDir,
          listen: `${serverTls ? 'https' : 'http'}://${flags.listen.host}:${flags.listen.port}`,
        },
        'replica ready',
      );
      await runUntilSignal(
        logger,
        async () => {
          await app.close();
          await daemon.stop();
        },
        async () => {
          daemon.setUpstreamTls(upstreamTls());
          await serverTls?.reload(app.server as unknown as TlsServer);
        },
      );
    });
}
