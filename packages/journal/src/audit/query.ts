/**
 * Audit queries over the journal: a pure spec parsed from strings (the REST
 * query string and the CLI flags share it), and an executor that seeks with
 * the sparse index and yields what each matching record did — never file
 * content.
 */
import picomatch from 'picomatch';
import { JournalError } from '../errors.js';
import type { Journal } from '../store/journal.js';
import { RecordKind, kindFromName, kindName, type JournalEntry } from '../record/record.js';
import { formatTimeUs, parseTime } from '../time.js';

/** A query as given: strings (or numbers) straight from a query string or flags. */
export interface QueryInput {
  /** ISO 8601 time, or relative (a duration, `10m`, `2h`, `7d`: that long before now; time.ts). */
  since?: string;
  until?: string;
  /** A picomatch glob over the record's path or path2 (`dot: true`). */
  path?: string;
  /** Comma-separated kind names, case-insensitive: `WRITE,RENAME`. */
  op?: string;
  /** Return records after this LSN (paging). Default 0. */
  afterLsn?: string | number;
  /** Stop after this many records. */
  limit?: string | number;
}

/** A parsed query: every field checked. */
export interface JournalQuery {
  /** First time included, microseconds since the epoch. */
  sinceUs?: number;
  /** Last time included, microseconds since the epoch. */
  untilUs?: number;
  /** Matches a record when its path or path2 passes. */
  pathMatcher?: (path: string) => boolean;
  ops?: Set<RecordKind>;
  afterLsn: number;
  limit?: number;
  /**
   * Stop scanning at this time (ms since the epoch, `Date.now()`): the
   * query then throws FSJ_ERR_JOURNAL_QUERY_TIMEOUT naming how far it read.
   * A glob over a large journal reads all of it; `limit` bounds the answer,
   * this the work.
   */
  deadlineMs?: number;
}

/** What one record did, as audit answers show it. */
export interface AuditRecord {
  lsn: number;
  /** ISO 8601 UTC with microseconds. */
  time: string;
  op: string;
  path: string;
  path2?: string;
  size?: number;
  mode?: number;
  uid?: number;
  gid?: number;
  pid?: number;
  comm?: string;
  txn?: number;
  /** ANNOTATE: the marker's text; GAP: the reason; CHECKPOINT/BARRIER: the id. */
  text?: string;
}

/** The parameters of a query, in the order they are checked. */
export const QUERY_PARAMS = ['since', 'until', 'path', 'op', 'afterLsn', 'limit'] as const;
export type QueryParam = (typeof QUERY_PARAMS)[number];

function bad(param: QueryParam, message: string): JournalError {
  return new JournalError('FSJ_ERR_JOURNAL_QUERY', `${param}: ${message}`);
}

/** The parameter a query error is about (its message starts with it), or undefined. */
export function queryErrorParam(err: unknown): QueryParam | undefined {
  if (!(err instanceof JournalError) || err.code !== 'FSJ_ERR_JOURNAL_QUERY') return undefined;
  const name = /^(\w+):/.exec(err.message)?.[1];
  return QUERY_PARAMS.find((p) => p === name);
}

function parseCount(param: QueryParam, value: string | number, min: number): number {
  const n = typeof value === 'number' ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw bad(param, `expected an integer >= ${min}, got ${JSON.stringify(String(value))}`);
  }
  return n;
}

/** Checks a query's strings; throws FSJ_ERR_JOURNAL_QUERY naming the first bad parameter. */
export function parseQuery(input: QueryInput, nowMs: number = Date.now()): JournalQuery {
  const q: JournalQuery = { afterLsn: 0 };
  for (const param of ['since', 'until'] as const) {
    const value = input[param];
    if (value === undefined) continue;
    const us = parseTime(value, nowMs);
    if (us === undefined) {
      throw bad(
        param,
        `expected an ISO 8601 time or a duration such as 10m, 2h or 7d, got ${JSON.stringify(value)}`,
      );
    }
    if (param === 'since') q.sinceUs = us;
    else q.untilUs = us;
  }
  if (q.sinceUs !== undefined && q.untilUs !== undefined && q.untilUs < q.sinceUs) {
    throw bad('until', `${input.until} is before since ${input.since}`);
  }
  if (input.path !== undefined) {
    const glob = input.path;
    try {
      q.pathMatcher = picomatch(glob, { dot: true, strictBrackets: true });
    } catch (cause) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_QUERY',
        `path: bad glob ${JSON.stringify(glob)}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }
  if (input.op !== undefined) {
    const names = input.op.split(',').map((s) => s.trim());
    const ops = new Set<RecordKind>();
    for (const name of names) {
      const kind = name === '' ? undefined : kindFromName(name);
      if (kind === undefined) {
        throw bad('op', `unknown op ${JSON.stringify(name)} (expected names such as WRITE,RENAME)`);
      }
      ops.add(kind);
    }
    q.ops = ops;
  }
  if (input.afterLsn !== undefined) q.afterLsn = parseCount('afterLsn', input.afterLsn, 0);
  if (input.limit !== undefined) q.limit = parseCount('limit', input.limit, 1);
  return q;
}

const MODE_KINDS = new Set<number>([
  RecordKind.RECORD_KIND_CREATE,
  RecordKind.RECORD_KIND_MKDIR,
  RecordKind.RECORD_KIND_CHMOD,
]);

/** The audit view of one journal entry: metadata and credentials, no content. */
export function toAuditRecord(e: JournalEntry): AuditRecord {
  const r = e.record;
  const out: AuditRecord = {
    lsn: e.lsn,
    time: formatTimeUs(e.timeUs),
    op: kindName(r.kind),
    path: r.path,
  };
  if (r.path2) out.path2 = r.path2;
  const size = Number(r.size ?? 0);
  if (size > 0 || r.kind === RecordKind.RECORD_KIND_TRUNCATE) out.size = size;
  const mode = r.mode ?? 0;
  if (mode > 0 || MODE_KINDS.has(r.kind)) out.mode = mode;
  if (r.cred) {
    out.uid = r.cred.uid ?? 0;
    out.gid = r.cred.gid ?? 0;
    if (r.cred.pid) out.pid = r.cred.pid;
    if (r.cred.comm) out.comm = r.cred.comm;
  }
  const txn = Number(r.txn ?? 0);
  if (txn > 0) out.txn = txn;
  // The words of an annotation, the reason of a gap, the id of a checkpoint or barrier.
  const text = r.text || r.checkpointId || r.barrierId;
  if (text) out.text = text;
  return out;
}

function matches(q: JournalQuery, e: JournalEntry): boolean {
  if (q.ops && !q.ops.has(e.record.kind)) return false;
  if (q.pathMatcher) {
    const { path, path2 } = e.record;
    if (!q.pathMatcher(path) && !(path2 && q.pathMatcher(path2))) return false;
  }
  return true;
}

/**
 * The durable records matching `q`, oldest first: from max(afterLsn + 1,
 * the first record at or after `since`) — found with the sparse index — to
 * the last one at or before `until`, at most `limit` of them.
 */
export async function* queryJournal(
  journal: Journal,
  q: JournalQuery,
): AsyncGenerator<AuditRecord> {
  let from = Math.max(q.afterLsn + 1, journal.firstLsn);
  if (q.sinceUs !== undefined) from = Math.max(from, await journal.lsnAtTime(q.sinceUs));
  if (from > journal.durableLsn) return;
  if (q.limit !== undefined && q.limit < 1) return;
  let n = 0;
  let scanned = 0;
  for await (const e of journal.read({ fromLsn: from })) {
    if (q.deadlineMs !== undefined && (++scanned & 1023) === 0 && Date.now() >= q.deadlineMs) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_QUERY_TIMEOUT',
        `the query read lsn ${from}..${e.lsn} (${scanned} records) within its time limit without finishing: narrow it (since, path) or go on with afterLsn=${e.lsn - 1}`,
      );
    }
    if (q.untilUs !== undefined && e.timeUs > q.untilUs) return;
    if (!matches(q, e)) continue;
    yield toAuditRecord(e);
    if (q.limit !== undefined && ++n >= q.limit) return;
  }
}
