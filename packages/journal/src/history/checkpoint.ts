/**
 * Checkpoints: the tree as of one LSN, kept beside the journal
 * (`DIR/checkpoints/<LSN as 16 hex digits>.ckpt`, content in the content
 * store), so that a restore or a new replica starts there instead of at
 * LSN 1, and the segments before it can be released.
 *
 * A checkpoint is built from the journal, never from the live tree: the
 * newest earlier checkpoint (or the empty tree at LSN 0) plus the records
 * after it, applied to an in-memory model (tree/model.ts). So it is exactly
 * the tree the journal describes at its LSN, however busy the source is.
 * A transaction still open at that LSN is not in it; the checkpoint lists it
 * (`openTxns`) and whoever continues from the checkpoint replays from its
 * TXN_BEGIN, taking only that transaction's records up to the LSN.
 *
 * The file is NDJSON: a header line, one line per path (parents first),
 * and a trailer with the entry count and the CRC32C of everything before
 * it. It is written to a temp file, fsynced and renamed into place after
 * the content it names is durable (sys/durable_file.ts). docs/JOURNAL_FORMAT.md has the fields.
 * In memory an entry is a tree/entry.ts TreeEntry (Timespec times); the file
 * keeps times as `[sec, nsec]` pairs, converted here and nowhere else.
 */
import { createReadStream } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { crc32c } from '@node-rs/crc32';
import { ContentStore, type BlockStore } from './content_store.js';
import { fsyncDir, mkdirDurable, writeDurably } from '../sys/durable_file.js';
import { JournalError } from '../errors.js';
import type { Journal } from '../store/journal.js';
import type { Logger } from '../logger.js';
import {
  attrsOf,
  type BlockNames,
  type EntryAttrs,
  type Timespec,
  type TreeEntry,
} from '../tree/entry.js';
import { pathProblem } from '../record/path_rules.js';
import { RecordKind, type JournalEntry } from '../record/record.js';
import { newDir, TreeModel, type TreeNode } from '../tree/model.js';
import { TxnGate, type OpenTxn } from '../tree/txn_gate.js';
import { Spool } from '../tree/spool.js';

export const CHECKPOINTS_DIR = 'checkpoints';
export const CHECKPOINT_FORMAT = 'fsjournal-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** Block size of checkpoint content. */
export const CHECKPOINT_BLOCK_BYTES = 64 * 1024;
/** Dirty block bytes a build holds in memory before storing them. */
const FLUSH_BYTES = 64 * 1024 * 1024;

/** What a checkpoint is, as listed by `GET /v1/checkpoints` and `checkpoint`. */
export interface CheckpointInfo {
  id: string;
  lsn: number;
  /** Time of the record at `lsn` (ISO 8601), or null for LSN 0. */
  time: string | null;
  createdAt: string;
  files: number;
  dirs: number;
  symlinks: number;
  hardlinks: number;
  /** Sum of the files' sizes. */
  bytes: number;
  /** Transactions open at `lsn` (not in the checkpoint). */
  openTxns: OpenTxn[];
}

export interface CheckpointHeader extends CheckpointInfo {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  journalId: string;
  timeUs: number;
  blockBytes: number;
  /** The root's attributes, when the journal set them. */
  root: EntryAttrs | null;
}

/** One path of a checkpoint (tree/entry.ts): its files name their blocks. */
export type CheckpointEntry = TreeEntry<BlockNames>;

/** A time as the file keeps it: `[seconds, nanoseconds]`. */
type DiskTime = [number, number];

/** The LSN a replay continuing from `h` starts at. */
export function replayStart(h: Pick<CheckpointHeader, 'lsn' | 'openTxns'>): number {
  return Math.min(h.lsn + 1, ...h.openTxns.map((t) => t.beginLsn));
}

function fileName(lsn: number): string {
  return `${lsn.toString(16).padStart(16, '0')}.ckpt`;
}

function toDisk(t: Timespec): DiskTime {
  return [t.sec, t.nsec];
}

function fromDisk(t: DiskTime): Timespec {
  return { sec: t[0], nsec: t[1] };
}

/** An entry or the root's attributes as a line of the file: times as pairs, fields in place. */
function diskForm<T extends { atime: Timespec; mtime: Timespec }>(a: T): object {
  return { ...a, atime: toDisk(a.atime), mtime: toDisk(a.mtime) };
}

/** A line checked by `entryProblem` (or the header's root) with Timespec times. */
function memoryForm<T>(o: Record<string, unknown>): T {
  if (o.type === 'hardlink') return o as T;
  return { ...o, atime: fromDisk(o.atime as DiskTime), mtime: fromDisk(o.mtime as DiskTime) } as T;
}

function corrupt(file: string, why: string): JournalError {
  return new JournalError('FSJ_ERR_CHECKPOINT_CORRUPT', `checkpoint ${file}: ${why}`);
}

const isInt = (v: unknown, max = Number.MAX_SAFE_INTEGER): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const isTime = (v: unknown): v is DiskTime =>
  Array.isArray(v) &&
  v.length === 2 &&
  typeof v[0] === 'number' &&
  Number.isInteger(v[0]) &&
  isInt(v[1], 999_999_999);
const isAttrs = (o: Record<string, unknown>): boolean =>
  isInt(o.mode, 0o7777) && isInt(o.uid) && isInt(o.gid) && isTime(o.atime) && isTime(o.mtime);

/** Why a parsed line is not a valid entry, or undefined. */
function entryProblem(o: Record<string, unknown>): string | undefined {
  if (typeof o.path !== 'string') return 'entry without a path';
  const p = pathProblem(o.path, false);
  if (p) return `path ${JSON.stringify(o.path)}: ${p}`;
  if (o.type === 'hardlink') {
    return typeof o.linkTo === 'string' && !pathProblem(o.linkTo, false)
      ? undefined
      : 'hardlink without a valid linkTo';
  }
  if (!isAttrs(o)) return `bad attributes for ${o.path}`;
  if (o.type === 'dir') return undefined;
  if (o.type === 'symlink')
    return typeof o.target === 'string' && o.target !== '' && !o.target.includes('\0')
      ? undefined
      : 'bad symlink target';
  if (o.type === 'file') {
    if (!isInt(o.size) || !Array.isArray(o.blocks)) return `bad size or blocks for ${o.path}`;
    if (o.blocks.length !== Math.ceil(o.size / CHECKPOINT_BLOCK_BYTES))
      return `block count does not match size for ${o.path}`;
    if (!o.blocks.every((b) => b === null || (typeof b === 'string' && /^[0-9a-f]{64}$/.test(b))))
      return `bad block name for ${o.path}`;
    return undefined;
  }
  return `unknown entry type for ${o.path}`;
}

export interface CheckpointsOptions {
  readOnly?: boolean;
  logger?: Logger;
}

/** The checkpoints of one journal folder and their content store. */
export class Checkpoints {
  private headers: CheckpointHeader[] = [];
  private building: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly journalDir: string,
    readonly content: ContentStore,
    private readonly logger: Logger | undefined,
  ) {}

  static async open(journalDir: string, options: CheckpointsOptions = {}): Promise<Checkpoints> {
    const dir = join(journalDir, CHECKPOINTS_DIR);
    if (!options.readOnly) await mkdirDurable(dir);
    const content = await ContentStore.open(journalDir, { readOnly: options.readOnly });
    const cps = new Checkpoints(journalDir, content, options.logger);
    const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    for (const n of names.sort()) {
      if (/^[0-9a-f]{16}\.ckpt$/.test(n)) cps.headers.push(await cps.readHeader(n));
      else if (n.endsWith('.tmp') && !options.readOnly) await rm(join(dir, n), { force: true });
    }
    cps.headers.sort((a, b) => a.lsn - b.lsn);
    return cps;
  }

  private get dir(): string {
    return join(this.journalDir, CHECKPOINTS_DIR);
  }

  private async readHeader(name: string): Promise<CheckpointHeader> {
    const rl = createInterface({
      input: createReadStream(join(this.dir, name)),
      crlfDelay: Infinity,
    });
    try {
      for await (const line of rl) {
        let h: CheckpointHeader;
        try {
          h = JSON.parse(line) as CheckpointHeader;
        } catch {
          throw corrupt(name, 'header is not JSON');
        }
        if (h.format !== CHECKPOINT_FORMAT) throw corrupt(name, 'not a checkpoint file');
        if (h.version !== CHECKPOINT_VERSION)
          throw new JournalError(
            'FSJ_ERR_JOURNAL_VERSION',
            `checkpoint ${name}: version ${h.version}`,
          );
        if (!isInt(h.lsn) || fileName(h.lsn) !== name)
          throw corrupt(name, 'LSN does not match the name');
        if (h.blockBytes !== CHECKPOINT_BLOCK_BYTES) throw corrupt(name, 'unexpected block size');
        const root = h.root as Record<string, unknown> | null;
        if (root !== null && !(typeof root === 'object' && isAttrs(root)))
          throw corrupt(name, 'bad root attributes');
        return { ...h, root: root && memoryForm<EntryAttrs>(root) };
      }
    } finally {
      rl.close();
    }
    throw corrupt(name, 'empty file');
  }

  /** Every checkpoint, oldest first. */
  list(): CheckpointInfo[] {
    return this.headers.map((h) => ({
      id: h.id,
      lsn: h.lsn,
      time: h.time,
      createdAt: h.createdAt,
      files: h.files,
      dirs: h.dirs,
      symlinks: h.symlinks,
      hardlinks: h.hardlinks,
      bytes: h.bytes,
      openTxns: h.openTxns,
    }));
  }

  get newest(): CheckpointHeader | undefined {
    return this.headers[this.headers.length - 1];
  }

  /**
   * The newest checkpoint at or before `lsn` that a replay can continue
   * from, given that the journal's oldest record is `firstLsn`.
   */
  baseFor(lsn: number, firstLsn: number): CheckpointHeader | undefined {
    for (let i = this.headers.length - 1; i >= 0; i--) {
      const h = this.headers[i]!;
      if (h.lsn <= lsn && (h.lsn === lsn || replayStart(h) >= firstLsn)) return h;
    }
    return undefined;
  }

  /** The entries of a checkpoint, checked as they are read (the trailer last). */
  async *entries(h: CheckpointHeader): AsyncGenerator<CheckpointEntry> {
    const name = fileName(h.lsn);
    const rl = createInterface({
      input: createReadStream(join(this.dir, name)),
      crlfDelay: Infinity,
    });
    let crc = 0;
    let count = 0;
    let first = true;
    let ended = false;
    try {
      for await (const line of rl) {
        if (ended) throw corrupt(name, 'data after the trailer');
        let o: Record<string, unknown>;
        try {
          o = JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw corrupt(name, `line ${count + 2} is not JSON`);
        }
        if (o.end === true) {
          if (o.entries !== count || o.crc32c !== crc)
            throw corrupt(name, 'trailer does not match');
          ended = true;
          continue;
        }
        crc = crc32c(`${line}\n`, crc);
        if (first) {
          first = false;
          continue;
        }
        const problem = entryProblem(o);
        if (problem) throw corrupt(name, problem);
        count++;
        yield memoryForm<CheckpointEntry>(o);
      }
    } finally {
      rl.close();
    }
    if (!ended) throw corrupt(name, 'no trailer (cut short)');
  }

  /** A checkpoint as an in-memory tree, to build the next one from. */
  async loadModel(h: CheckpointHeader, store: BlockStore = this.content): Promise<TreeModel> {
    const model = new TreeModel(store, h.blockBytes);
    if (h.root) {
      Object.assign(model.root, attrsOf(h.root));
      model.root.attrsKnown = true;
    }
    for await (const e of this.entries(h)) {
      let node: TreeNode | undefined;
      if (e.type === 'hardlink') {
        const target = model.get(e.linkTo);
        if (target?.type !== 'file') throw corrupt(fileName(h.lsn), `bad hardlink ${e.path}`);
        node = target;
      } else if (e.type === 'dir') node = newDir(attrsOf(e));
      else if (e.type === 'symlink') {
        const { uid, gid, atime, mtime } = e;
        // A checkpoint's symlinks always have a mode (entryProblem checks it).
        node = { type: 'symlink', target: e.target, mode: e.mode ?? 0o777, uid, gid, atime, mtime };
      } else
        node = { type: 'file', size: e.size, blocks: e.blocks, dirty: new Map(), ...attrsOf(e) };
      if (!model.put(e.path, node)) throw corrupt(fileName(h.lsn), `no parent for ${e.path}`);
    }
    return model;
  }

  /**
   * Builds a checkpoint at `lsn` (default: the newest durable record) and
   * returns it; an existing one at that LSN is returned as it is. One build
   * runs at a time. With `mark`, a CHECKPOINT record naming it is appended.
   */
  create(
    journal: Journal,
    lsn?: number,
    options: { mark?: boolean } = {},
  ): Promise<CheckpointInfo> {
    const run = this.building.then(async () => {
      const known = this.headers.some((h) => h.lsn === (lsn ?? journal.durableLsn));
      const info = await this.build(journal, lsn ?? journal.durableLsn);
      // The journal says a checkpoint was taken (once), for audits and replicas.
      if (options.mark && !known)
        await journal.append({ kind: RecordKind.RECORD_KIND_CHECKPOINT, checkpointId: info.id });
      return info;
    });
    this.building = run.catch(() => undefined);
    return run;
  }

  private async build(journal: Journal, target: number): Promise<CheckpointInfo> {
    if (!isInt(target) || target < 1 || target > journal.durableLsn) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_OUT_OF_RANGE',
        `cannot checkpoint at lsn ${target}: durable records are ${journal.firstLsn}..${journal.durableLsn}`,
      );
    }
    const existing = this.headers.find((h) => h.lsn === target);
    if (existing) return this.list().find((i) => i.lsn === target)!;
    const base = this.baseFor(target, journal.firstLsn);
    if (!base && journal.firstLsn > 1) {
      throw new JournalError(
        'FSJ_ERR_JOURNAL_RELEASED',
        `records before lsn ${journal.firstLsn} were released and no checkpoint covers them`,
      );
    }
    const started = performance.now();
    // A transaction as large as a file is held on disk past a few MiB.
    const spool = new Spool(this.dir);
    try {
      const model = base
        ? await this.loadModel(base)
        : new TreeModel(this.content, CHECKPOINT_BLOCK_BYTES);
      const gate = new TxnGate({ spool });
      const carried = new Set(base?.openTxns.map((t) => t.txn));
      let timeUs = 0;
      let replayed = 0;
      for await (const e of journal.read({ fromLsn: base ? replayStart(base) : 1 })) {
        if (e.lsn > target) break;
        // Up to the base's LSN, only the transactions it left open are needed.
        if (base && e.lsn <= base.lsn && !carried.has(Number(e.record.txn))) continue;
        await applyAdmitted(model, gate, e);
        replayed++;
        if (model.dirtyBytes > FLUSH_BYTES) await model.flush();
        if (e.lsn === target) {
          timeUs = e.timeUs;
          break;
        }
      }
      await model.flush();
      await this.content.seal();
      const header = await this.write(model, {
        journalId: journal.journalId,
        lsn: target,
        timeUs,
        openTxns: gate.open,
      });
      this.logger?.info(
        {
          checkpoint: header.id,
          lsn: target,
          base: base?.lsn ?? 0,
          replayed,
          files: header.files,
          ms: Math.round(performance.now() - started),
        },
        'checkpoint written',
      );
      return this.list().find((i) => i.lsn === target)!;
    } catch (err) {
      await this.content.discard();
      throw err;
    } finally {
      await spool.close();
    }
  }

  private async write(
    model: TreeModel,
    h: { journalId: string; lsn: number; timeUs: number; openTxns: OpenTxn[] },
  ): Promise<CheckpointHeader> {
    const counts = { files: 0, dirs: 0, symlinks: 0, hardlinks: 0, bytes: 0 };
    for (const e of model.entries()) {
      if (e.type === 'dir') counts.dirs++;
      else if (e.type === 'symlink') counts.symlinks++;
      else if (e.type === 'hardlink') counts.hardlinks++;
      else {
        counts.files++;
        counts.bytes += e.size;
      }
    }
    const header: CheckpointHeader = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      id: `cp-${h.lsn}`,
      journalId: h.journalId,
      lsn: h.lsn,
      timeUs: h.timeUs,
      time: h.timeUs > 0 ? new Date(h.timeUs / 1000).toISOString() : null,
      createdAt: new Date().toISOString(),
      blockBytes: model.blockBytes,
      openTxns: h.openTxns,
      ...counts,
      root: model.root.attrsKnown ? attrsOf(model.root) : null,
    };
    await writeDurably(join(this.dir, fileName(h.lsn)), async (fh) => {
      let crc = 0;
      let chunk: string[] = [];
      let chunkBytes = 0;
      let position = 0;
      const drain = async (): Promise<void> => {
        const buf = Buffer.from(chunk.join(''));
        crc = crc32c(buf, crc);
        await fh.write(buf, 0, buf.length, position);
        position += buf.length;
        chunk = [];
        chunkBytes = 0;
      };
      const out = async (line: string): Promise<void> => {
        chunk.push(line, '\n');
        chunkBytes += line.length + 1;
        if (chunkBytes >= 1 << 20) await drain();
      };
      await out(JSON.stringify({ ...header, root: header.root && diskForm(header.root) }));
      let entries = 0;
      for (const e of model.entries()) {
        await out(JSON.stringify(e.type === 'hardlink' ? e : diskForm(e)));
        entries++;
      }
      await drain();
      const trailer = `${JSON.stringify({ end: true, entries, crc32c: crc })}\n`;
      await fh.write(trailer, position);
    });
    this.headers.push(header);
    this.headers.sort((a, b) => a.lsn - b.lsn);
    return header;
  }

  /**
   * Removes the checkpoints older than `keepFromLsn` and the content packs
   * no remaining checkpoint names. Returns the ids removed.
   */
  async removeBefore(keepFromLsn: number): Promise<string[]> {
    const gone = this.headers.filter((h) => h.lsn < keepFromLsn);
    if (gone.length === 0) return [];
    for (const h of gone) await rm(join(this.dir, fileName(h.lsn)), { force: true });
    await fsyncDir(this.dir);
    this.headers = this.headers.filter((h) => h.lsn >= keepFromLsn);
    const live = new Set<string>();
    for (const h of this.headers) {
      for await (const e of this.entries(h)) {
        if (e.type === 'file') for (const b of e.blocks) if (b) live.add(b);
      }
    }
    const packs = await this.content.prune(live);
    this.logger?.info(
      { checkpoints: gone.map((h) => h.id), packs },
      'checkpoints released by retention',
    );
    return gone.map((h) => h.id);
  }

  async close(): Promise<void> {
    await this.building.catch(() => undefined);
    await this.content.close();
  }
}

/** Feeds one entry through a transaction gate into a model. */
export async function applyAdmitted(
  model: TreeModel,
  gate: TxnGate,
  e: JournalEntry,
): Promise<void> {
  const a = gate.admit(e);
  if (a.kind === 'held') await a.spooled;
  else if (a.kind === 'one') await model.apply(a.entry);
  else if (a.kind === 'commit') {
    for await (const held of a.records()) await model.apply(held);
    gate.applied(a.txn);
  }
}
