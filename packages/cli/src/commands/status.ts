/** `fsjournal status`: the primary's or a replica's status, as a table or JSON. */
import type { Command } from 'commander';
import { parseApi } from '../args.js';
import { callApi, describeApiError } from '../api_client.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../program.js';

interface StatusFlags {
  api: string;
  json?: boolean;
}

type Json = Record<string, unknown>;

function table(rows: Json[], columns: string[]): string {
  const cells = [columns, ...rows.map((r) => columns.map((c) => String(r[c] ?? '-')))];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A status answer as text for people. */
export function renderStatus(s: Json): string {
  const head = Object.entries(s)
    .filter(([k, v]) => k !== 'replicas' && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k.padEnd(12)} ${String(v)}`);
  const lines = [...head];
  if (s.lastError && typeof s.lastError === 'object') {
    const e = s.lastError as Json;
    lines.push(
      `${'lastError'.padEnd(12)} ${String(e.code)}: ${String(e.message)} (${String(e.at)})`,
    );
  }
  if (Array.isArray(s.replicas)) {
    lines.push(
      '',
      (s.replicas as Json[]).length === 0
        ? 'no replicas'
        : table(s.replicas as Json[], [
            'id',
            'connected',
            'address',
            'appliedLsn',
            'durableLsn',
            'lagRecords',
            'lagBytes',
            'lagMs',
            'lastAckAt',
          ]),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function addStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('Show the status of a primary or replica API.')
    .requiredOption('--api <URL>', 'a primary (:7070) or replica (:7071) API URL', parseApi)
    .option('--json', 'print the status as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  fsjournal status --api http://127.0.0.1:7070\n  fsjournal status --api http://127.0.0.1:7071 --json\n',
    )
    .action(async (flags: StatusFlags) => {
      const answer = await callApi<Json>('GET', `${flags.api}/v1/status`);
      if (answer.status !== 200)
        throw new CliError('FSJ_ERR_CLI_API', `status: ${describeApiError(answer)}`, 1);
      io.out(flags.json ? `${JSON.stringify(answer.body, null, 2)}\n` : renderStatus(answer.body));
    });
}
