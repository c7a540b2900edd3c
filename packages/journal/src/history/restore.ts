/**
 * Point-in-time restore: the tree as it was at an LSN, a time or an
 * annotation, written into an empty folder.
 *
 * The tree is built in memory first (tree/model.ts): the newest checkpoint
 * at or before the point, then the records after it up to the point,
 * whole transactions only. Content changed by the replay goes to a scratch
 * store inside the target (the journal folder is only read, so a restore
 * can run beside a live primary). Then the tree is written out once by the
 * tree writer (tree/writer.ts, shared with a replica's bootstrap):
 * directories, files (content block by block, never a whole file in
 * memory), symlinks, hard links, then directory attributes, deepest first
 * so that their mtimes stay; one syncfs makes it durable. Nothing is
 * written outside the target: every path is checked, every parent is a
 * directory this restore created, and nothing is followed.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatTimeUs, parseTime } from '../time.js';
import {
  applyAdmitted,
  CHECKPOINT_BLOCK_BYTES,
  Checkpoints,
  replayStart,
  type CheckpointHeader,
} from './checkpoint.js';
import { ContentStore, LayeredStore, type BlockStore } from './content_store.js';
import { JournalError } from '../errors.js';
import { Journal } from '../store/journal.js';
import { refuseOverlap } from './keep_out.js';
import { RecordKind } from '../record/record.js';
import type { HardlinkEntry } from '../tree/entry.js';
import { TreeModel } from '../tree/model.js';
import { TxnGate } from '../tree/txn_gate.js';
import { Spool } from '../tree/spool.js';
import { emptyDir, TreeWriter } from '../tree/writer.js';

/** Where the restore keeps replayed content until the tree is written (removed at the end). */
export const RESTORE_SCRATCH = '.fsjournal-restore.tmp';
const FLUSH_BYTES = 64 * 1024 * 1024;
const WRITERS = 16;

export interface RestoreProgress {
  phase: 'replay' | 'write';
  done: number;
  total: number;
}

export interface RestoreOptions {
  journalDir: string;
  to: string;
  /** Restore to this LSN... */
  lsn?: number;
  /** ...or to this time (ISO 8601 or relative) or annotation text. */
  at?: string;
  /** Empty a non-empty target first instead of refusing. */
  force?: boolean;
  onProgress?: (p: RestoreProgress) => void;
}

export interface RestoreResult {
  lsn: number;
  /** Time of the record at `lsn`. */
  time: string;
  /** How the point was named. */
  by: 'lsn' | 'time' | 'annotation';
  checkpoint: string | null;
  replayed: number;
  files: number;
  dirs: number;
  symlinks: number;
  bytes: number;
}

function rangeError(message: string): JournalError {
  return new JournalError('FSJ_ERR_RESTORE_RANGE', message);
}

/**
 * The LSN a `--at` value names: a time (ISO 8601 or relative) gives the
 * last record at or before it; anything else is an annotation's text.
 */
export async function resolveAt(
  journal: Journal,
  at: string,
): Promise<{ lsn: number; by: 'time' | 'annotation' }> {
  const timeUs = parseTime(at);
  if (timeUs !== undefined) {
    const lsn = (await journal.lsnAtTime(timeUs + 1)) - 1;
    if (lsn < journal.firstLsn) {
      throw rangeError(`${at} is before the oldest retained record (lsn ${journal.firstLsn})`);
    }
    if (lsn >= journal.durableLsn) {
      const newest = await lastTime(journal);
      if (newest !== undefined && timeUs > newest) {
        throw rangeError(
          `${at} is after the newest record (lsn ${journal.durableLsn} at ${formatTimeUs(newest)})`,
        );
      }
    }
    return { lsn, by: 'time' };
  }
  const found: number[] = [];
  for await (const e of journal.read()) {
    if (e.record.kind === RecordKind.RECORD_KIND_ANNOTATE && e.record.text === at)
      found.push(e.lsn);
  }
  if (found.length === 1) return { lsn: found[0]!, by: 'annotation' };
  throw new JournalError(
    'FSJ_ERR_RESTORE_ANNOTATION',
    found.length === 0
      ? `--at ${JSON.stringify(at)} is neither a time nor the text of an annotation`
      : `${found.length} annotations have the text ${JSON.stringify(at)} (lsn ${found.join(', ')}); restore with --lsn`,
  );
}

async function lastTime(journal: Journal): Promise<number | undefined> {
  for await (const e of journal.read({ fromLsn: journal.durableLsn })) return e.timeUs;
  return undefined;
}

/** Makes `to` an empty folder, or says why it cannot be one. */
async function prepareTarget(to: string, force: boolean): Promise<void> {
  const st = await lstat(to).catch(() => undefined);
  if (!st) {
    await mkdir(to, { recursive: true });
    return;
  }
  if (!st.isDirectory()) {
    throw new JournalError('FSJ_ERR_RESTORE_TARGET', `${to} exists and is not a directory`);
  }
  const names = await readdir(to);
  if (names.length === 0) return;
  if (!force) {
    throw new JournalError(
      'FSJ_ERR_RESTORE_TARGET',
      `${to} is not empty (${names.length} entries); restore into an empty folder or pass --force to empty it`,
    );
  }
  await emptyDir(to);
}

/** Restores the tree as of the point asked for into `o.to`. */
export async function restoreTree(o: RestoreOptions): Promise<RestoreResult> {
  if ((o.lsn === undefined) === (o.at === undefined)) {
    throw new JournalError('FSJ_ERR_JOURNAL_OPTION', 'restore needs exactly one of lsn and at');
  }
  const journal = await Journal.open({ dir: resolve(o.journalDir), readOnly: true, create: false });
  const checkpoints = await Checkpoints.open(journal.dir, { readOnly: true }).catch(async (err) => {
    await journal.close();
    throw err;
  });
  try {
    let lsn: number;
    let by: RestoreResult['by'] = 'lsn';
    if (o.at !== undefined) ({ lsn, by } = await resolveAt(journal, o.at));
    else lsn = o.lsn!;
    if (!Number.isSafeInteger(lsn) || lsn < 1) throw rangeError(`lsn ${lsn} is not a record`);
    if (lsn > journal.durableLsn) {
      throw rangeError(`lsn ${lsn} is after the newest record (lsn ${journal.durableLsn})`);
    }
    const base = checkpoints.baseFor(lsn, journal.firstLsn);
    if (!base && journal.firstLsn > 1) {
      const oldest = checkpoints.baseFor(Number.MAX_SAFE_INTEGER, journal.firstLsn);
      const usable = checkpoints.list().find((c) => c.lsn >= (oldest?.lsn ?? Infinity));
      throw rangeError(
        `lsn ${lsn} is before the oldest retained point (${usable ? `checkpoint ${usable.id} at lsn ${usable.lsn}` : `lsn ${journal.firstLsn}`})`,
      );
    }
    const to = resolve(o.to);
    await refuseOverlap(to, journal.dir);
    await prepareTarget(to, o.force ?? false);
    const scratchDir = join(to, RESTORE_SCRATCH);
    // The scratch store only holds what this restore wrote: no need to hash it again on read.
    const scratch = await ContentStore.open(scratchDir, { verify: false });
    try {
      const store = new LayeredStore(checkpoints.content, scratch);
      const { model, replayed, timeUs } = await replayTo(
        journal,
        checkpoints,
        base,
        lsn,
        store,
        scratchDir,
        o,
      );
      const counts = await writeTree(model, to, o.onProgress);
      await scratch.close();
      await rm(scratchDir, { recursive: true, force: true });
      await syncFileSystem(to);
      return {
        lsn,
        time: formatTimeUs(timeUs),
        by,
        checkpoint: base?.id ?? null,
        replayed,
        ...counts,
      };
    } finally {
      await scratch.close();
      await rm(scratchDir, { recursive: true, force: true });
    }
  } finally {
    await checkpoints.close();
    await journal.close();
  }
}

async function replayTo(
  journal: Journal,
  checkpoints: Checkpoints,
  base: CheckpointHeader | undefined,
  lsn: number,
  store: BlockStore,
  spoolDir: string,
  o: RestoreOptions,
): Promise<{ model: TreeModel; replayed: number; timeUs: number }> {
  const model = base
    ? await checkpoints.loadModel(base, store)
    : new TreeModel(store, CHECKPOINT_BLOCK_BYTES);
  if (base?.lsn === lsn) return { model, replayed: 0, timeUs: base.timeUs };
  // A transaction as large as a file is held on disk past a few MiB.
  const spool = new Spool(spoolDir);
  try {
    return await replayThrough(journal, base, lsn, model, new TxnGate({ spool }), o);
  } finally {
    await spool.close();
  }
}

async function replayThrough(
  journal: Journal,
  base: CheckpointHeader | undefined,
  lsn: number,
  model: TreeModel,
  gate: TxnGate,
  o: RestoreOptions,
): Promise<{ model: TreeModel; replayed: number; timeUs: number }> {
  let timeUs = base?.timeUs ?? 0;
  let replayed = 0;
  const carried = new Set(base?.openTxns.map((t) => t.txn));
  const from = base ? replayStart(base) : 1;
  const total = lsn - from + 1;
  for await (const e of journal.read({ fromLsn: from })) {
    if (e.lsn > lsn) break;
    if (!(base && e.lsn <= base.lsn && !carried.has(Number(e.record.txn)))) {
      await applyAdmitted(model, gate, e);
      replayed++;
    }
    if (model.dirtyBytes > FLUSH_BYTES) await model.flush();
    if (replayed % 4096 === 0) o.onProgress?.({ phase: 'replay', done: e.lsn - from + 1, total });
    if (e.lsn === lsn) {
      timeUs = e.timeUs;
      break;
    }
  }
  // Blocks still dirty stay in memory (at most FLUSH_BYTES): the files are written from them.
  o.onProgress?.({ phase: 'replay', done: total, total });
  return { model, replayed, timeUs };
}

/** Writes the model's tree into the empty folder `to` (tree/writer.ts). */
async function writeTree(
  model: TreeModel,
  to: string,
  onProgress?: (p: RestoreProgress) => void,
): Promise<{ files: number; dirs: number; symlinks: number; bytes: number }> {
  const counts = { files: 0, dirs: 0, symlinks: 0, bytes: 0 };
  const entries = [...model.entries()];
  const total = entries.length;
  let done = 0;
  const tick = (): void => {
    done++;
    if (done % 1024 === 0 || done === total) onProgress?.({ phase: 'write', done, total });
  };
  const writer = new TreeWriter(to, {
    // One syncfs at the end (restoreTree) instead of an fsync per file.
    fsync: false,
    refuse: (r) =>
      new JournalError('FSJ_ERR_RESTORE_TARGET', `refusing to write ${JSON.stringify(r.path)}`),
  });
  try {
    const links: HardlinkEntry[] = [];
    const inFlight = new Set<Promise<void>>();
    const run = async (job: () => Promise<void>): Promise<void> => {
      while (inFlight.size >= WRITERS) await Promise.race(inFlight);
      const p = job().finally(() => inFlight.delete(p));
      inFlight.add(p);
    };
    for (const e of entries) {
      writer.check(e.path);
      if (e.path === RESTORE_SCRATCH) {
        throw new JournalError(
          'FSJ_ERR_RESTORE_TARGET',
          `the tree has a path named ${RESTORE_SCRATCH}`,
        );
      }
      if (e.type === 'dir') {
        await writer.dir(e);
        counts.dirs++;
        tick();
      } else if (e.type === 'symlink') {
        counts.symlinks++;
        await run(async () => {
          await writer.symlink(e);
          tick();
        });
      } else if (e.type === 'hardlink') {
        links.push(e);
      } else {
        counts.files++;
        counts.bytes += e.size;
        await run(async () => {
          const sink = await writer.file(e);
          try {
            for await (const b of model.content(e.path)) await sink.write(b.data, b.offset);
          } catch (err) {
            await sink.abort();
            throw err;
          }
          await sink.close();
          tick();
        });
      }
    }
    await Promise.all(inFlight);
    // After every file is whole: a hard link names a finished file.
    for (const e of links) {
      await writer.hardlink(e);
      tick();
    }
    // Directory attributes last, deepest first: their mtimes must not move again.
    await writer.finish(model.root.attrsKnown ? model.root : null);
  } finally {
    writer.close();
  }
  return counts;
}

/** Makes everything written durable with one syncfs (coreutils `sync -f`). */
async function syncFileSystem(dir: string): Promise<void> {
  await promisify(execFile)('sync', ['-f', dir]);
}
