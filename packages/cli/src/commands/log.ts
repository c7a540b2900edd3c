/** `fsjournal log`: audit the journal offline (`--journal`) or through a primary (`--api`). */
import { InvalidArgumentError, type Command } from 'commander';
import {
  Journal,
  isJournalError,
  parseQuery,
  queryErrorParam,
  queryJournal,
  type AuditRecord,
  type QueryInput,
} from '@fsjournal/journal';
import { parseApi } from '../args.js';
import {
  API_CA_HELP,
  API_TOKEN_HELP,
  apiAuth,
  apiFetch,
  describeApiError,
  type ApiAuth,
} from '../api_client.js';
import { CliError, usageError } from '../errors.js';
import type { CliIo } from '../program.js';
import { excludeEachOther } from '../settings.js';

interface LogFlags {
  journal?: string;
  api?: string;
  tokenFile?: string;
  tlsCa?: string;
  since?: string;
  until?: string;
  path?: string;
  op?: string;
  json?: boolean;
}

/** Records asked for per request when paging through the API. */
const PAGE = 10_000;

/** A flag parser checking one query field with the journal's own rules. */
function queryFlag(field: 'since' | 'until' | 'path' | 'op'): (value: string) => string {
  return (value) => {
    try {
      parseQuery({ [field]: value });
    } catch (err) {
      if (isJournalError(err, 'FSJ_ERR_JOURNAL_QUERY'))
        throw new InvalidArgumentError(err.message.replace(/^\w+: /, ''));
      throw err;
    }
    return value;
  };
}

/** The details column: everything but lsn, time, op and path. */
export function details(r: AuditRecord): string {
  const parts: string[] = [];
  if (r.path2 !== undefined) parts.push(`-> ${r.path2}`);
  if (r.size !== undefined) parts.push(`size=${r.size}`);
  if (r.mode !== undefined) parts.push(`mode=${r.mode.toString(8).padStart(4, '0')}`);
  if (r.uid !== undefined) parts.push(`uid=${r.uid}`);
  if (r.gid !== undefined) parts.push(`gid=${r.gid}`);
  if (r.pid !== undefined) parts.push(`pid=${r.pid}`);
  if (r.comm !== undefined) parts.push(`comm=${r.comm}`);
  if (r.txn !== undefined) parts.push(`txn=${r.txn}`);
  if (r.text !== undefined) parts.push(JSON.stringify(r.text));
  return parts.join(' ');
}

const WIDTHS = { lsn: 8, time: 27, op: 10, path: 32 };

/** One table line (fixed widths, so the table can stream). */
export function tableLine(cells: [string, string, string, string, string]): string {
  const [lsn, time, op, path, more] = cells;
  return `${lsn.padStart(WIDTHS.lsn)}  ${time.padEnd(WIDTHS.time)}  ${op.padEnd(WIDTHS.op)}  ${path.padEnd(WIDTHS.path)}  ${more}`.trimEnd();
}

async function* offline(dir: string, input: QueryInput): AsyncGenerator<AuditRecord> {
  let journal: Journal;
  try {
    journal = await Journal.open({ dir, readOnly: true, create: false });
  } catch (cause) {
    throw journalFailure(dir, cause);
  }
  try {
    yield* queryJournal(journal, parseQuery(input));
  } catch (cause) {
    throw journalFailure(dir, cause);
  } finally {
    await journal.close();
  }
}

function journalFailure(dir: string, cause: unknown): CliError {
  const code = isJournalError(cause) ? ` (${cause.code})` : '';
  return new CliError('FSJ_ERR_CLI_JOURNAL', `log: ${dir}: ${(cause as Error).message}${code}`, 1, {
    cause,
  });
}

async function* online(api: string, input: QueryInput, auth: ApiAuth): AsyncGenerator<AuditRecord> {
  let afterLsn = 0;
  for (;;) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(input)) if (v !== undefined) params.set(k, String(v));
    params.set('afterLsn', String(afterLsn));
    params.set('limit', String(PAGE));
    const url = `${api}/v1/journal?${params.toString()}`;
    const res = await apiFetch(url, { headers: { accept: 'application/x-ndjson' } }, auth);
    if (res.status !== 200) {
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      throw new CliError(
        'FSJ_ERR_CLI_API',
        `log: ${describeApiError({ status: res.status, body })}`,
        1,
      );
    }
    let count = 0;
    let partial = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body ?? []) {
      partial += decoder.decode(chunk as Uint8Array, { stream: true });
      const lines = partial.split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (line.trim() === '') continue;
        const r = JSON.parse(line) as AuditRecord | { error: { code: string; message: string } };
        // A query stopped by the primary's time limit ends with an error line.
        if ('error' in r)
          throw new CliError('FSJ_ERR_CLI_API', `log: ${r.error.code}: ${r.error.message}`, 1);
        count++;
        afterLsn = r.lsn;
        yield r;
      }
    }
    if (partial.trim() !== '') {
      const r = JSON.parse(partial) as AuditRecord;
      count++;
      afterLsn = r.lsn;
      yield r;
    }
    if (count < PAGE) return;
  }
}

export function addLogCommand(program: Command, io: CliIo): void {
  const cmd = program
    .command('log')
    .description(
      'Show what the journal recorded (never file content), read offline from the journal folder or from a primary API.',
    )
    .option('--journal <DIR>', 'read this journal folder (read-only; works while a primary runs)')
    .option('--api <URL>', 'ask this primary API, e.g. http://127.0.0.1:7070', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .option(
      '--since <TIME>',
      'records at or after TIME: ISO 8601 or relative (10m, 2h, 7d ago)',
      queryFlag('since'),
    )
    .option(
      '--until <TIME>',
      'records at or before TIME (same forms as --since)',
      queryFlag('until'),
    )
    .option(
      '--path <GLOB>',
      'records whose path or rename/link target match GLOB',
      queryFlag('path'),
    )
    .option('--op <OP[,OP]>', 'only these operations, e.g. WRITE,RENAME', queryFlag('op'))
    .option('--json', 'print one JSON object per line (NDJSON)')
    .addHelpText(
      'after',
      `
Exactly one of --journal and --api is required. Times without a zone are UTC.

Examples:
  fsjournal log --journal /var/lib/fsjournal --since 2h
  fsjournal log --api http://127.0.0.1:7070 --path 'docs/**' --op WRITE,RENAME
  fsjournal log --journal ./journal --since 2026-01-01T00:00:00Z --until 1d --json
`,
    )
    .action(async (flags: LogFlags) => {
      if ((flags.journal === undefined) === (flags.api === undefined))
        throw usageError('exactly one of --journal and --api is required');
      const input: QueryInput = {
        since: flags.since,
        until: flags.until,
        path: flags.path,
        op: flags.op,
      };
      try {
        parseQuery(input);
      } catch (err) {
        const param = queryErrorParam(err);
        if (param)
          throw usageError(`option '--${param}' ${(err as Error).message.replace(/^\w+: /, '')}`);
        throw err;
      }
      const auth = apiAuth(flags);
      const records =
        flags.journal !== undefined
          ? offline(flags.journal, input)
          : online(flags.api!, input, auth);
      // The header once the source is open, so a failure prints nothing on stdout.
      let first = await records.next();
      if (!flags.json) io.out(`${tableLine(['lsn', 'time', 'op', 'path', 'details'])}\n`);
      for (; !first.done; first = await records.next()) {
        const r = first.value;
        io.out(
          flags.json
            ? `${JSON.stringify(r)}\n`
            : `${tableLine([String(r.lsn), r.time, r.op, r.path, details(r)])}\n`,
        );
      }
    });
  excludeEachOther(cmd, 'journal', 'api');
}
