/**
 * The fsjournal program built in this process with its actions stubbed:
 * parse a command line (with an environment of the test's choosing) exactly
 * as `fsjournal` would, and look at the flag values the action would get.
 * For checks of parsing only; anything that runs uses real processes.
 */
import type { Command } from 'commander';
import { buildProgram, runCli } from '../packages/cli/src/program.js';

export interface Parsed {
  /** The exit code: 0 parsed, 2 usage error. */
  code: number;
  /** The values the action would have been called with. */
  opts: Record<string, unknown>;
  /** Where each value came from: cli, env, config or default. */
  sources: Record<string, string | undefined>;
  /** What the CLI printed on stderr. */
  err: string;
}

/** The program as `fsjournal` builds it, for reading its flag definitions. */
export function program(env: Record<string, string> = {}): Command {
  return buildProgram({ out: () => undefined, err: () => undefined, env });
}

/** Parses `argv` (`[command, ...flags]`) without running the command. */
export async function parse(argv: string[], env: Record<string, string> = {}): Promise<Parsed> {
  let err = '';
  const io = { out: () => undefined, err: (t: string) => void (err += t), env };
  const prog = buildProgram(io);
  const cmd = prog.commands.find((c) => c.name() === argv[0]);
  cmd?.action(() => undefined);
  const code = await runCli(argv, io, prog);
  const opts = cmd?.opts() ?? {};
  const sources = Object.fromEntries(
    Object.keys(opts).map((k) => [k, cmd?.getOptionValueSource(k)]),
  );
  return { code, opts, sources, err };
}
