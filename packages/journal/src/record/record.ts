/**
 * The record codec: friendly types over the generated protobuf schema, and
 * the validation every record passes before it is written or used.
 */
import { fsjournal } from '../../schema/fsjournal.js';
import { JournalError, type JournalLocation } from '../errors.js';
import { pathProblem } from './path_rules.js';

export const RecordKind = fsjournal.v1.RecordKind;
export type RecordKind = fsjournal.v1.RecordKind;

/** What callers pass to append: the protobuf Record's fields, all optional but `kind`. */
export type RecordInput = fsjournal.v1.Record.$Properties & { kind: RecordKind };

/** A decoded record payload (unset fields read as their zero values). */
export type RecordBody = fsjournal.v1.Record;

/** A record with its place in the journal. */
export interface JournalEntry {
  lsn: number;
  /** Microseconds since the Unix epoch when the record was appended. */
  timeUs: number;
  record: RecordBody;
}

/** Largest data carried by one WRITE record; larger writes are split in a transaction. */
export const MAX_WRITE_DATA = 1024 * 1024;
/** Largest extended attribute value (Linux XATTR_SIZE_MAX). */
export const MAX_XATTR_VALUE = 64 * 1024;
const MAX_TEXT_BYTES = 64 * 1024;

const KIND_NAMES = new Map<number, string>(
  Object.entries(RecordKind)
    .filter(([name]) => name !== 'RECORD_KIND_UNSPECIFIED')
    .map(([name, value]) => [value as number, name.slice('RECORD_KIND_'.length)]),
);
const KINDS_BY_NAME = new Map<string, RecordKind>(
  [...KIND_NAMES].map(([value, name]) => [name, value as RecordKind]),
);

/** Kinds whose `path` may be the tree's root (`""`). */
const ROOT_OK = new Set<number>([
  RecordKind.RECORD_KIND_CHMOD,
  RecordKind.RECORD_KIND_CHOWN,
  RecordKind.RECORD_KIND_UTIMES,
  RecordKind.RECORD_KIND_SETXATTR,
  RecordKind.RECORD_KIND_TXN_BEGIN,
  RecordKind.RECORD_KIND_TXN_COMMIT,
  RecordKind.RECORD_KIND_TXN_ABORT,
  RecordKind.RECORD_KIND_CHECKPOINT,
  RecordKind.RECORD_KIND_GAP,
  RecordKind.RECORD_KIND_ANNOTATE,
  RecordKind.RECORD_KIND_BARRIER,
]);
const TWO_PATHS = new Set<number>([RecordKind.RECORD_KIND_RENAME, RecordKind.RECORD_KIND_LINK]);

/** The name of a kind as used in logs, queries and JSON (`WRITE`, `RENAME`, ...). */
export function kindName(kind: number): string {
  return KIND_NAMES.get(kind) ?? `UNKNOWN_${kind}`;
}

/** The kind for a name such as `WRITE` (case-insensitive), or undefined. */
export function kindFromName(name: string): RecordKind | undefined {
  return KINDS_BY_NAME.get(name.toUpperCase());
}

export function isKnownKind(kind: number): boolean {
  return KIND_NAMES.has(kind);
}

/** Why a record is not valid, or undefined. Pure; used on both sides of the disk. */
export function recordProblem(r: fsjournal.v1.Record.$Properties): string | undefined {
  const kind = r.kind ?? 0;
  if (!isKnownKind(kind)) return `unknown kind ${kind}`;
  const pathIssue = pathProblem(r.path ?? '', ROOT_OK.has(kind));
  if (pathIssue) return `path: ${pathIssue}`;
  if (TWO_PATHS.has(kind)) {
    const issue = pathProblem(r.path2 ?? '', false);
    if (issue) return `path2: ${issue}`;
  } else if (r.path2) {
    return `path2 set on ${kindName(kind)}`;
  }
  if ((r.data?.length ?? 0) > MAX_WRITE_DATA) return `data over ${MAX_WRITE_DATA} bytes`;
  if ((r.data?.length ?? 0) > 0 && kind !== RecordKind.RECORD_KIND_WRITE) {
    return `data set on ${kindName(kind)}`;
  }
  if ((r.xattrValue?.length ?? 0) > MAX_XATTR_VALUE) return 'xattr value too large';
  if (Buffer.byteLength(r.text ?? '') > MAX_TEXT_BYTES) return 'text too long';
  if (kind === RecordKind.RECORD_KIND_SYMLINK && !r.target) return 'symlink without target';
  if (r.target?.includes('\0')) return 'NUL in symlink target';
  if ((r.mode ?? 0) > 0o7777) return 'mode has bits beyond 07777';
  return undefined;
}

/** Encodes a record for a frame, refusing an invalid one. */
export function encodeRecord(r: RecordInput): Uint8Array {
  const problem = recordProblem(r);
  if (problem) throw new JournalError('FSJ_ERR_JOURNAL_RECORD', `record: ${problem}`);
  return fsjournal.v1.Record.encode(r).finish();
}

/** Decodes and validates a frame payload. `where` names the frame in errors. */
export function decodeRecord(payload: Uint8Array, where: JournalLocation = {}): RecordBody {
  let record: RecordBody;
  try {
    record = fsjournal.v1.Record.decode(payload);
  } catch (cause) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_RECORD',
      `${describe(where)}: payload does not decode`,
      {
        ...where,
        cause,
      },
    );
  }
  if (!isKnownKind(record.kind)) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_UNKNOWN_KIND',
      `${describe(where)}: unknown record kind ${record.kind} (written by a newer version?)`,
      where,
    );
  }
  const problem = recordProblem(record);
  if (problem) {
    throw new JournalError('FSJ_ERR_JOURNAL_RECORD', `${describe(where)}: ${problem}`, where);
  }
  return record;
}

function describe(where: JournalLocation): string {
  const parts: string[] = [];
  if (where.segment !== undefined) parts.push(`segment ${where.segment}`);
  if (where.offset !== undefined) parts.push(`offset ${where.offset}`);
  if (where.lsn !== undefined) parts.push(`lsn ${where.lsn}`);
  return parts.length > 0 ? parts.join(' ') : 'record';
}
