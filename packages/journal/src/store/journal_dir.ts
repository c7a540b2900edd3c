/**
 * The journal folder: `journal.json` (identity, written once at creation),
 * `LOCK` (the pid and boot of the process that has it open for writing),
 * `capture.json` (the tree a primary captures into it), and the subfolders
 * `segments/` and `index/`.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurable, fsyncDir, mkdirDurable } from '../sys/durable_file.js';
import { JournalError } from '../errors.js';

export const META_FILE = 'journal.json';
export const LOCK_FILE = 'LOCK';
export const CAPTURE_FILE = 'capture.json';
export const SEGMENTS_DIR = 'segments';
export const INDEX_DIR = 'index';
export const META_FORMAT = 'fsjournal-journal';
export const META_VERSION = 1;

export interface JournalMeta {
  format: typeof META_FORMAT;
  version: number;
  journalId: string;
  createdAt: string;
}

/**
 * Reads journal.json, creating a new journal when the folder is missing or
 * empty and `create` is set. A non-empty folder without journal.json is not
 * a journal and is left untouched.
 */
export async function loadOrCreateMeta(
  dir: string,
  create: boolean,
): Promise<{ meta: JournalMeta; created: boolean }> {
  let text: string | undefined;
  try {
    text = await readFile(join(dir, META_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') {
      throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: not a directory`, {
        cause: err,
      });
    }
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new JournalError('FSJ_ERR_JOURNAL_IO', `read ${META_FILE}`, {
        cause: err,
        retryable: true,
      });
    }
  }
  if (text !== undefined) return { meta: parseMeta(text), created: false };

  const entries = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    if (err.code === 'ENOTDIR') {
      throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: not a directory`, {
        cause: err,
      });
    }
    throw new JournalError('FSJ_ERR_JOURNAL_IO', `read ${dir}`, { cause: err, retryable: true });
  });
  // A creation cut short leaves only the temp file of journal.json: still empty.
  const leftovers = (entries ?? []).filter((n) => isTempOf(n, META_FILE));
  if (entries && entries.length > leftovers.length) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_NOT_A_JOURNAL',
      `${dir}: not empty and has no ${META_FILE}`,
    );
  }
  if (!create) throw new JournalError('FSJ_ERR_JOURNAL_NOT_A_JOURNAL', `${dir}: no journal here`);
  for (const n of leftovers) await rm(join(dir, n), { force: true });
  await mkdirDurable(dir);
  const meta: JournalMeta = {
    format: META_FORMAT,
    version: META_VERSION,
    journalId: randomUUID(),
    createdAt: new Date().toISOString(),
  };
  await writeFileDurable(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return { meta, created: true };
}

function parseMeta(text: string): JournalMeta {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new JournalError('FSJ_ERR_JOURNAL_META', `${META_FILE}: not JSON`, { cause });
  }
  const m = value as Partial<JournalMeta> | null;
  if (typeof m !== 'object' || m === null || m.format !== META_FORMAT) {
    throw new JournalError('FSJ_ERR_JOURNAL_META', `${META_FILE}: format is not ${META_FORMAT}`);
  }
  if (typeof m.version !== 'number' || !Number.isInteger(m.version) || m.version < 1) {
    throw new JournalError(
      'FSJ_ERR_JOURNAL_META',
      `${META_FILE}: bad version ${String(m.version)}`,
    );
  }
  if (m.version > META_VERSION) {
    throw new JournalError('FSJ_ERR_JOURNAL_VERSION', `${META_FILE}: version ${String(m.version)}`);
  }
  if (typeof m.journalId !== 'string' || !/^[0-9a-f-]{36}$/.test(m.journalId)) {
    throw new JournalError('FSJ_ERR_JOURNAL_META', `${META_FILE}: bad journalId`);
  }
  return m as JournalMeta;
}

/** Whether `name` is a temp file writeFileDurable made for `target` (any target if omitted). */
function isTempOf(name: string, target?: string): boolean {
  // `.<name>.<pid>.<n>.tmp` (and `.<name>.<pid>.tmp` from earlier builds)
  const m = /^\.(.+?)\.\d+(?:\.\d+)?\.tmp$/.exec(name);
  return m !== null && (target === undefined || m[1] === target);
}

/**
 * Creates `segments/` and `index/` if missing, and removes temp files that a
 * writer killed in the middle of a durable write left in the folder and in
 * `index/` (the file they were to replace is intact).
 */
export async function ensureSubdirs(dir: string): Promise<void> {
  await mkdir(join(dir, SEGMENTS_DIR), { recursive: true });
  await mkdir(join(dir, INDEX_DIR), { recursive: true });
  for (const sub of [dir, join(dir, INDEX_DIR)]) {
    for (const n of await readdir(sub)) if (isTempOf(n)) await rm(join(sub, n), { force: true });
  }
  await fsyncDir(dir);
}

const heldLocks = new Set<string>();

/**
 * Takes the journal's writer lock: `LOCK` holds the owner's pid. A lock left
 * by a process that no longer runs is taken over. Not safe across machines
 * sharing a network file system.
 */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, LOCK_FILE);
  if (heldLocks.has(path)) {
    throw new JournalError('FSJ_ERR_JOURNAL_LOCKED', `${dir}: already open in this process`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o644);
      await fh.writeFile(`${process.pid} ${await bootId()}\n`);
      await fh.sync();
      await fh.close();
      heldLocks.add(path);
      return async () => {
        heldLocks.delete(path);
        await rm(path, { force: true });
        // A clean close stays a clean close after a power cut.
        await fsyncDir(dir).catch(() => undefined);
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new JournalError('FSJ_ERR_JOURNAL_IO', `lock ${dir}`, {
          cause: err,
          retryable: true,
        });
      }
    }
    const pid = await lockOwner(dir);
    if (pid !== undefined && pid !== process.pid) {
      throw new JournalError('FSJ_ERR_JOURNAL_LOCKED', `${dir}: open by pid ${pid}`, {
        retryable: true,
      });
    }
    await rm(path, { force: true }); // stale: its owner is gone
  }
  throw new JournalError('FSJ_ERR_JOURNAL_LOCKED', `${dir}: lock keeps reappearing`, {
    retryable: true,
  });
}

/** The pid of the live process that has the journal open for writing, if any. */
export async function lockOwner(dir: string): Promise<number | undefined> {
  const text = await readFile(join(dir, LOCK_FILE), 'utf8').catch(() => '');
  const [pidText = '', boot] = text.trim().split(' ');
  const pid = Number.parseInt(pidText, 10);
  // A lock from before a reboot is stale whatever process has its pid now.
  const sameBoot = boot === undefined || boot === (await bootId());
  return sameBoot && Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

/** What a primary captures into this journal (`capture.json`), for tools that must keep out of it. */
export interface CaptureInfo {
  mode: 'watch' | 'mount';
  /** Absolute: the captured tree (mount mode: the backing folder). */
  source: string;
  /** Mount mode: where the journaled view is mounted. */
  mountpoint?: string;
}

/** Records, durably, what a starting primary captures (`capture.json`). */
export async function writeCaptureInfo(dir: string, info: CaptureInfo): Promise<void> {
  await writeFileDurable(join(dir, CAPTURE_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

/** What `capture.json` says, or undefined (no primary ever ran here, or an earlier build). */
export async function readCaptureInfo(dir: string): Promise<CaptureInfo | undefined> {
  try {
    const v = JSON.parse(await readFile(join(dir, CAPTURE_FILE), 'utf8')) as Partial<CaptureInfo>;
    if (typeof v.source !== 'string') return undefined;
    return {
      mode: v.mode === 'mount' ? 'mount' : 'watch',
      source: v.source,
      ...(typeof v.mountpoint === 'string' ? { mountpoint: v.mountpoint } : {}),
    };
  } catch {
    return undefined;
  }
}

let bootIdValue: string | undefined;

/** This boot's id (Linux), or `-` where there is none. */
async function bootId(): Promise<string> {
  bootIdValue ??= await readFile('/proc/sys/kernel/random/boot_id', 'utf8').then(
    (s) => s.trim(),
    () => '-',
  );
  return bootIdValue;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
