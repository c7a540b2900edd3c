/**
 * The `fsjournal` command: one commander program whose subcommands wire the
 * journal, replica and api packages. Commands are added by the issues that
 * build them; DESIGN.md fixes their names and flags.
 */
import { Command, CommanderError } from 'commander';
import { CliError, usageError } from './errors.js';
import { addAnnotateCommand } from './commands/annotate.js';
import { addReplicasCommand } from './commands/replicas.js';
import { addCheckpointCommand } from './commands/checkpoint.js';
import { addDemoCommand } from './commands/demo.js';
import { addLogCommand } from './commands/log.js';
import { addPrimaryCommand } from './commands/primary.js';
import { addReplicaCommand } from './commands/replica.js';
import { addRestoreCommand } from './commands/restore.js';
import { addStatusCommand } from './commands/status.js';
import { addVerifyCommand } from './commands/verify.js';
import { addWaitCommand } from './commands/wait.js';
import { addSettings, applySettings, settingsHelp, type Env } from './settings.js';

export const VERSION = '0.1.0';

/**
 * Where a command writes: results to `out`, messages for people to `err`;
 * `env` is the environment its FSJOURNAL_* settings are read from
 * (process.env when absent).
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env?: Env;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('fsjournal')
    .description('Real-time file-system journaling and replication.')
    .version(VERSION)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .configureHelp(settingsHelp())
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      'after',
      `
Every flag of every command can also come from an environment variable
(FSJOURNAL_<FLAG>, e.g. FSJOURNAL_LISTEN, FSJOURNAL_TOKEN_FILE) or from a
JSON or YAML file given with --config FILE (or FSJOURNAL_CONFIG), keyed by
flag name. A flag beats the environment, which beats the file, which beats
the default. Logs: pino JSON on stderr (pretty on a terminal), level from
FSJOURNAL_LOG_LEVEL. Exit codes: 0 success, 1 failure, 2 bad usage.

Examples:
  fsjournal primary --source /srv/data --journal /var/lib/fsjournal/journal
  FSJOURNAL_LISTEN=0.0.0.0:7070 fsjournal primary --config /etc/fsjournal/primary.yml
  fsjournal status --api http://127.0.0.1:7070
  fsjournal demo
`,
    );

  addPrimaryCommand(program);
  addReplicaCommand(program);
  addWaitCommand(program, io);
  addStatusCommand(program, io);
  addLogCommand(program, io);
  addRestoreCommand(program, io);
  addCheckpointCommand(program, io);
  addAnnotateCommand(program, io);
  addReplicasCommand(program, io);
  addVerifyCommand(program, io);

  addDemoCommand(program, io);

  // Environment and config file for every command, applied once the command
  // line is parsed and before the action runs.
  for (const cmd of program.commands) addSettings(cmd);
  program.hook('preAction', (_program, action) => applySettings(action, io.env ?? process.env));

  return program;
}

/**
 * Runs the CLI with `argv` (without node and script); returns the exit code.
 * `program` is buildProgram(io) unless a test passes one with stubbed actions.
 */
export async function runCli(
  argv: string[],
  io: CliIo,
  program: Command = buildProgram(io),
): Promise<number> {
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0; commander has
      // already printed its one-line message for usage errors.
      if (
        err.exitCode === 0 ||
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version'
      )
        return 0;
      return usageError(err.message).exitCode;
    }
    if (err instanceof CliError) {
      io.err(err.exitCode === 2 ? `error: ${err.message}\n` : `${err.message} [${err.code}]\n`);
      return err.exitCode;
    }
    io.err(`fsjournal: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
