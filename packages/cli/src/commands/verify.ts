/** `fsjournal verify A B`: are two trees identical (content, type, mode, symlink target, mtime)? */
import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { compareTrees } from '@fsjournal/journal';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../program.js';

export function addVerifyCommand(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description(
      'Compare two trees: content, type, mode, symlink target and mtime (ms). Exit 0 if identical, 1 if not.',
    )
    .argument('<DIR_A>')
    .argument('<DIR_B>')
    .option('--json', 'print differences as JSON lines')
    .addHelpText(
      'after',
      `
Exit codes: 0 identical, 1 different (each difference on stdout), 2 bad usage.

Examples:
  fsjournal verify /srv/data /srv/standby
  fsjournal wait --api http://primary:7070 && fsjournal verify /srv/data /mnt/standby --json
`,
    )
    .action(async (a: string, b: string, flags: { json?: boolean }) => {
      for (const d of [a, b]) {
        const st = await stat(d).catch(() => undefined);
        if (!st?.isDirectory()) throw usageError(`${d} is not a directory`);
      }
      const diffs = await compareTrees(a, b);
      if (diffs.length === 0) {
        if (!flags.json) io.out('identical\n');
        return;
      }
      for (const d of diffs) {
        io.out(
          flags.json
            ? `${JSON.stringify(d)}\n`
            : `${d.what.padEnd(12)} ${d.path || '.'}${d.a !== undefined ? `  (${d.a} vs ${d.b})` : ''}\n`,
        );
      }
      throw new CliError('FSJ_ERR_CLI_DIFFERENT', `${diffs.length} difference(s)`, 1);
    });
}
