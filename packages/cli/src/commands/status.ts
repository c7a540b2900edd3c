/** `fsjournal status`: the primary's or a replica's status, as a table or JSON. */
import type { Command } from 'commander';
import { parseApi } from '../args.js';
import { API_CA_HELP, API_TOKEN_HELP, apiAuth, callApi, describeApiError } from '../api_client.js';
import { CliError } from '../errors.js';
import type { CliIo } from '../program.js';

interface StatusFlags {
  api: string;
  tokenFile?: string;
  tlsCa?: string;
  json?: boolean;
}

type Json = Record<string, unknown>;

function table(rows: string[][], columns: string[]): string {
  const cells = [columns, ...rows];
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

/** `1536` -> `1.5 KiB`. */
export function humanBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** `1234` -> `1.2s`; `0` -> `0ms`. */
export function humanMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

/** An ISO time as its age, `3.2s ago`; `-` when absent. */
function age(iso: unknown, now: number): string {
  if (typeof iso !== 'string') return '-';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${humanMs(Math.max(0, now - t))} ago`;
}

const str = (v: unknown): string => (v === undefined || v === null ? '-' : String(v));

/** The primary's `journal` health: `ok`, or FAILED with the code, since when and the attempts. */
function journalLine(h: Json | undefined, now: number): string {
  if (!h) return '-';
  const recovered = Number(h.recoveries ?? 0);
  const times = recovered > 0 ? ` (recovered ${recovered} time${recovered === 1 ? '' : 's'})` : '';
  if (h.state !== 'failed') return `${str(h.state)}${times}`;
  const e = (h.error ?? {}) as Json;
  return `FAILED ${str(e.code)}: ${str(e.message)} (since ${age(h.since, now)}, ${str(h.attempts)} recovery attempts; changes are not journaled until it recovers)${times}`;
}

function lines(pairs: [string, string][]): string[] {
  return pairs.map(([k, v]) => `${k.padEnd(12)} ${v}`.trimEnd());
}

/** The fields of a status a role's renderer shows; the rest is printed after them as is. */
const SHOWN = new Set([
  'role',
  'journalId',
  'mode',
  'source',
  'firstLsn',
  'lastLsn',
  'durableLsn',
  'replicas',
  'id',
  'state',
  'upstream',
  'appliedLsn',
  'upstreamLsn',
  'lagRecords',
  'lagMs',
  'lastError',
  'bootstrap',
  'problems',
  'problemCount',
  'retentionHold',
]);

/** What holds the journal's retention back. */
function holdLine(h: Json | null | undefined): string {
  if (!h) return 'held by no replica';
  return `held after lsn ${str(h.lsn)} by replica ${str(h.replicaId)} (fsjournal replicas forget ID releases a replica gone for good)`;
}

/** A replica's problems: how many, and the newest few (path, code, message). */
function problemLines(s: Json): [string, string][] {
  const count = Number(s.problemCount ?? 0);
  const list = Array.isArray(s.problems) ? (s.problems as Json[]) : [];
  if (count === 0) return [['problems', 'none']];
  const newest = list
    .slice(-3)
    .map((p) => `${str(p.path)}: ${str(p.code)}: ${str(p.message)}`)
    .join('; ');
  return [['problems', `${count} (newest: ${newest})`]];
}

/** A replica's bootstrap progress (files and bytes of the checkpoint written), if it has one. */
function bootstrapLine(b: Json | null | undefined): [string, string][] {
  if (!b) return [];
  const bytes = Number(b.bytesDone ?? 0);
  const total = Number(b.bytesTotal ?? 0);
  const pct = total > 0 ? ` (${Math.floor((bytes * 100) / total)}%)` : '';
  return [
    [
      'bootstrap',
      `checkpoint ${str(b.checkpointId)} at lsn ${str(b.lsn)}: files ${str(b.filesDone)}/${str(b.filesTotal)}, bytes ${bytes}/${total}${pct}`,
    ],
  ];
}

/**
 * A status answer as text for people: the primary with a table of its
 * replicas (id, connected, applied and durable LSN, lag in records, bytes
 * and time, last ack), a replica with its state, positions and last error.
 * `now` makes the ages testable.
 */
export function renderStatus(s: Json, now = Date.now()): string {
  const out: string[] = [];
  if (s.role === 'primary') {
    out.push(
      ...lines([
        ['role', 'primary'],
        ['journalId', str(s.journalId)],
        ['mode', str(s.mode)],
        ['source', str(s.source)],
        ['lsn', `first ${str(s.firstLsn)}, last ${str(s.lastLsn)}, durable ${str(s.durableLsn)}`],
        ['journal', journalLine(s.journal as Json | undefined, now)],
        ['retention', holdLine(s.retentionHold as Json | null | undefined)],
      ]),
    );
  } else if (s.role === 'replica') {
    const e = s.lastError as Json | null | undefined;
    out.push(
      ...lines([
        ['role', 'replica'],
        ['id', str(s.id)],
        ['state', str(s.state)],
        ['upstream', str(s.upstream)],
        ['journalId', str(s.journalId)],
        [
          'lsn',
          `received ${str(s.receivedLsn)}, applied ${str(s.appliedLsn)}, durable ${str(s.durableLsn)}, upstream ${str(s.upstreamLsn)}`,
        ],
        ['lag', `${str(s.lagRecords)} records, ${humanMs(Number(s.lagMs ?? 0))}`],
        ...bootstrapLine(s.bootstrap as Json | null | undefined),
        ...problemLines(s),
        [
          'lastError',
          e ? `${str(e.code)}: ${str(e.message)} (${age(e.at, now)}, ${str(e.at)})` : 'none',
        ],
      ]),
    );
  }
  const rest = Object.entries(s).filter(
    ([k, v]) => !(s.role !== undefined && SHOWN.has(k)) && (typeof v !== 'object' || v === null),
  );
  out.push(...lines(rest.map(([k, v]) => [k, str(v)])));
  if (Array.isArray(s.replicas)) {
    const rows = (s.replicas as Json[]).map((r) => [
      str(r.id),
      r.connected ? 'yes' : 'no',
      str(r.address),
      str(r.appliedLsn),
      str(r.durableLsn),
      str(r.lagRecords),
      humanBytes(Number(r.lagBytes ?? 0)),
      humanMs(Number(r.lagMs ?? 0)),
      age(r.lastAckAt, now),
    ]);
    out.push(
      '',
      rows.length === 0
        ? 'no replicas'
        : table(rows, [
            'id',
            'connected',
            'address',
            'applied',
            'durable',
            'lag',
            'lag bytes',
            'lag time',
            'last ack',
          ]),
    );
  }
  return `${out.join('\n')}\n`;
}

export function addStatusCommand(program: Command, io: CliIo): void {
  program
    .command('status')
    .description('Show the status of a primary or replica API.')
    .requiredOption('--api <URL>', 'a primary (:7070) or replica (:7071) API URL', parseApi)
    .option('--token-file <FILE>', API_TOKEN_HELP)
    .option('--tls-ca <FILE>', API_CA_HELP)
    .option('--json', 'print the status as JSON (the API answer as is)')
    .addHelpText(
      'after',
      `
A primary shows its positions and a table of its replicas (lag in records,
bytes and time; age of the last ack); a replica its state, positions and last
error.

Examples:
  fsjournal status --api http://127.0.0.1:7070
  fsjournal status --api http://127.0.0.1:7071 --json | jq .lagRecords
`,
    )
    .action(async (flags: StatusFlags) => {
      const auth = apiAuth(flags);
      const answer = await callApi<Json>('GET', `${flags.api}/v1/status`, undefined, auth);
      if (answer.status !== 200)
        throw new CliError('FSJ_ERR_CLI_API', `status: ${describeApiError(answer)}`, 1);
      io.out(flags.json ? `${JSON.stringify(answer.body, null, 2)}\n` : renderStatus(answer.body));
    });
}
