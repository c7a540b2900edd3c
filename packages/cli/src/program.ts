/**
 * The `fsjournal` command: one commander program whose subcommands wire the
 * journal, replica and api packages. Commands are added by the issues that
 * build them; DESIGN.md fixes their names and flags.
 */
import { Command, CommanderError } from 'commander';
import { CliError, usageError } from './errors.js';
import { addAnnotateCommand } from './commands/annotate.js';
import { addCheckpointCommand } from './commands/checkpoint.js';
import { addDemoCommand } from './commands/demo.js';
import { addLogCommand } from './commands/log.js';
import { addPrimaryCommand } from './commands/primary.js';
import { addReplicaCommand } from './commands/replica.js';
import { addRestoreCommand } from './commands/restore.js';
import { addStatusCommand } from './commands/status.js';
import { addVerifyCommand } from './commands/verify.js';
import { addWaitCommand } from './commands/wait.js';

export const VERSION = '0.1.0';

/** Where a command writes: results to `out`, messages for people to `err`. */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

export function buildProgram(io: CliIo): Command {
  const program = new Command('fsjournal')
    .description('Real-time file-system journaling and replication.')
    .version(VERSION)
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showSuggestionAfterError(true)
    .exitOverride();

  addPrimaryCommand(program);
  addReplicaCommand(program);
  addWaitCommand(program, io);
  addStatusCommand(program, io);
  addLogCommand(program, io);
  addRestoreCommand(program, io);
  addCheckpointCommand(program, io);
  addAnnotateCommand(program, io);
  addVerifyCommand(program, io);

  addDemoCommand(program, io);

  return program;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
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
