/** `fsjournal restore`: write the tree as it was at an LSN, a time or an annotation. */
import { InvalidArgumentError, type Command } from 'commander';
import { SingleBar } from 'cli-progress';
import { isJournalError, restoreTree, type RestoreProgress } from '@fsjournal/journal';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../program.js';
import { excludeEachOther } from '../settings.js';

interface RestoreFlags {
  journal: string;
  to: string;
  at?: string;
  lsn?: number;
  force?: boolean;
  json?: boolean;
}

export function parseLsn(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a record number (1 or more)');
  return n;
}

/** A progress bar on stderr when it is a terminal; nothing otherwise. */
function progressBar(): { update: (p: RestoreProgress) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar({
    stream: process.stderr,
    format: 'restore {phase} [{bar}] {percentage}% {value}/{total}',
    hideCursor: true,
  });
  let phase = '';
  return {
    update: (p) => {
      if (p.phase !== phase) {
        if (phase !== '') bar.stop();
        phase = p.phase;
        bar.start(p.total, p.done, { phase: p.phase === 'replay' ? 'replaying' : 'writing' });
      } else bar.update(p.done);
    },
    stop: () => {
      if (phase !== '') bar.stop();
    },
  };
}

export function addRestoreCommand(program: Command, io: CliIo): void {
  const cmd = program
    .command('restore')
    .description(
      'Write the tree as it was at a point of the journal into an empty folder (content, type, mode, symlink target, mtime, owner).',
    )
    .requiredOption('--journal <DIR>', 'the journal folder (read only; a primary may be running)')
    .requiredOption('--to <DIR>', 'where to write the tree (created; must be empty unless --force)')
    .option(
      '--at <TIME|ANNOTATION>',
      'a time (ISO 8601 or relative: 10m, 2h) or the text of an annotation',
    )
    .option('--lsn <N>', 'the last record to include', parseLsn)
    .option('--force', 'empty a non-empty --to first')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Exactly one of --at and --lsn. --at TIME restores the last record at or before
TIME; an annotation restores up to and including its ANNOTATE record. The
restore starts from the newest checkpoint at or before the point and replays
the records after it; a transaction not committed by the point is left out.

Examples:
  fsjournal restore --journal /var/lib/fsjournal/journal --to /srv/restore --at 2026-11-22T10:42:07Z
  fsjournal restore --journal ./journal --to ./yesterday --at 1d
  fsjournal restore --journal ./journal --to ./before --at 'before upgrade to v2'
  fsjournal restore --journal ./journal --to ./exact --lsn 81233
`,
    )
    .action(async (flags: RestoreFlags) => {
      if ((flags.at === undefined) === (flags.lsn === undefined))
        throw usageError('exactly one of --at and --lsn is required');
      const bar = progressBar();
      try {
        const r = await restoreTree({
          journalDir: flags.journal,
          to: flags.to,
          at: flags.at,
          lsn: flags.lsn,
          force: flags.force,
          onProgress: bar.update,
        });
        bar.stop();
        if (flags.json) io.out(`${JSON.stringify(r)}\n`);
        else
          io.out(
            `restored lsn ${r.lsn} (${r.time}) into ${flags.to}: ${r.files} files, ${r.dirs} directories, ${r.symlinks} symlinks, ${r.bytes} bytes; ` +
              `${r.checkpoint ? `checkpoint ${r.checkpoint}` : 'from the start'} + ${r.replayed} records\n`,
          );
      } catch (err) {
        bar.stop();
        if (isJournalError(err))
          throw new CliError('FSJ_ERR_CLI_RESTORE', `restore: ${err.message} (${err.code})`, 1, {
            cause: err,
          });
        throw err;
      }
    });
  excludeEachOther(cmd, 'at', 'lsn');
}
