/**
 * Writes a snapshot (a checkpoint sent by the primary, docs/PROTOCOL.md
 * "Bootstrap") into an emptied target: directories, files block by block
 * (each block's SHA-256 checked before it is written; never a whole file in
 * memory), symlinks, hard links, then owners, modes and times, directories
 * deepest first so that their mtimes stay. Everything written is fsynced
 * before `finish` resolves: a position covering the snapshot may then be
 * persisted.
 *
 * The same safety rules as record application: a path obeys the record path
 * rules, its parent is a directory this snapshot created (the target was
 * emptied first, so nothing planted there is followed), files are opened
 * with O_NOFOLLOW and O_EXCL, and a hard link names a regular file this
 * snapshot wrote. Not guaranteed: someone swapping a directory of the target
 * for a symlink while the snapshot is written (the same limit as restore).
 */
import { createHash } from 'node:crypto';
import { constants as fsc } from 'node:fs';
import {
  chmod,
  lchown,
  link,
  lutimes,
  mkdir,
  open,
  readdir,
  rm,
  symlink,
  type FileHandle,
} from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDir, pathProblem } from '@fsjournal/journal';
import { utimeSeconds } from '@fsjournal/journal/internal';
import { ReplicaError } from './errors.js';
import {
  ProtocolError,
  type SnapshotBegin,
  type SnapshotBlock,
  type SnapshotEnd,
  type SnapshotEntry,
  type SnapshotPiece,
  type SnapshotTime,
} from '@fsjournal/journal/wire';

const canChown = typeof process.getuid === 'function' && process.getuid() === 0;

/** How far a bootstrap has come, as the replica's status reports it. */
export interface BootstrapProgress {
  checkpointId: string;
  /** The LSN the checkpoint holds the tree at. */
  lsn: number;
  entriesDone: number;
  entriesTotal: number;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** ISO 8601. */
  startedAt: string;
}

type Attrs = Extract<SnapshotEntry, { type: 'dir' }>;

interface OpenFile {
  entry: Extract<SnapshotEntry, { type: 'file' }>;
  abs: string;
  fh: FileHandle;
  blocksSeen: number;
  lastIndex: number;
  written: number;
}

function refused(why: string): ReplicaError {
  return new ReplicaError('FSJ_ERR_REPLICA_REFUSED_SNAPSHOT', why);
}

function secs(t: SnapshotTime): number {
  return utimeSeconds(t.sec, t.nsec);
}

function errnoOf(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/** Removes everything inside `dir` and makes that durable. */
export async function emptyDir(dir: string): Promise<void> {
  for (const n of await readdir(dir)) await rm(join(dir, n), { recursive: true, force: true });
  await fsyncDir(dir);
}

export class SnapshotWriter {
  readonly progress: BootstrapProgress;
  /** Pieces written (the last `seq`). */
  pieces = 0;
  private entries = 0;
  private blocks = 0;
  /** Directories created, in creation order (parents first); '' is the target. */
  private readonly dirs = new Set<string>(['']);
  private readonly dirAttrs: Attrs[] = [];
  /** Regular files written: what a hard link may name. */
  private readonly files = new Set<string>();
  private current: OpenFile | undefined;
  private finished = false;

  constructor(
    readonly target: string,
    readonly begin: SnapshotBegin,
  ) {
    this.progress = {
      checkpointId: begin.checkpointId,
      lsn: begin.lsn,
      entriesDone: 0,
      entriesTotal: begin.entries,
      filesDone: 0,
      filesTotal: begin.files,
      bytesDone: 0,
      bytesTotal: begin.bytes,
      startedAt: new Date().toISOString(),
    };
  }

  /** Empties the target: the snapshot is the whole tree. */
  async start(): Promise<void> {
    await emptyDir(this.target);
  }

  /** Writes one piece; pieces come in order (seq 1, 2, ...). */
  async piece(p: SnapshotPiece): Promise<void> {
    if (this.finished) throw refused('piece after the end of the snapshot');
    if (p.seq !== this.pieces + 1)
      throw new ProtocolError(
        'FSJ_ERR_PROTOCOL_INVALID',
        `snapshot piece ${p.seq}, expected ${this.pieces + 1}`,
      );
    for (const it of p.items) {
      if (it.kind === 'entry') await this.entry(it.entry);
      else await this.block(it.block);
    }
    this.pieces = p.seq;
  }

  /** Checks the counts, sets directory attributes and makes the whole tree durable. */
  async finish(end: SnapshotEnd): Promise<void> {
    await this.closeFile();
    const b = this.begin;
    if (end.pieces !== this.pieces || end.entries !== this.entries || end.blocks !== this.blocks)
      throw refused(
        `snapshot ends after ${end.pieces} pieces, ${end.entries} entries, ${end.blocks} blocks; received ${this.pieces}, ${this.entries}, ${this.blocks}`,
      );
    if (this.entries !== b.entries || this.progress.filesDone !== b.files)
      throw refused(
        `snapshot announced ${b.entries} entries and ${b.files} files, sent ${this.entries} and ${this.progress.filesDone}`,
      );
    if (this.progress.bytesDone !== b.bytes)
      throw refused(
        `snapshot announced ${b.bytes} bytes, its files hold ${this.progress.bytesDone}`,
      );
    // Deepest first: setting a directory's attributes never moves its parent's mtime.
    for (let i = this.dirAttrs.length - 1; i >= 0; i--) {
      const d = this.dirAttrs[i]!;
      const abs = join(this.target, d.path);
      await setAttrs(abs, d, true);
      await fsyncDir(abs);
    }
    if (b.root) await setAttrs(this.target, b.root, true);
    await fsyncDir(this.target);
    this.finished = true;
  }

  /** Closes what is open (a connection that ended mid-snapshot). */
  async abort(): Promise<void> {
    const f = this.current;
    this.current = undefined;
    await f?.fh.close().catch(() => undefined);
  }

  private parentOf(path: string): string {
    const slash = path.lastIndexOf('/');
    return slash < 0 ? '' : path.slice(0, slash);
  }

  private async entry(e: SnapshotEntry): Promise<void> {
    await this.closeFile();
    // decodeMessage checked the path; checked again where it meets the disk.
    const problem = pathProblem(e.path, false);
    if (problem) throw refused(`snapshot entry ${JSON.stringify(e.path)}: ${problem}`);
    if (!this.dirs.has(this.parentOf(e.path)))
      throw refused(`snapshot entry ${JSON.stringify(e.path)}: parent is not a directory of it`);
    if (this.entries >= this.begin.entries)
      throw refused(`snapshot sends more than the ${this.begin.entries} entries it announced`);
    const abs = join(this.target, e.path);
    try {
      switch (e.type) {
        case 'dir':
          await mkdir(abs, { mode: 0o700 });
          this.dirs.add(e.path);
          this.dirAttrs.push(e);
          break;
        case 'file': {
          const fh = await open(
            abs,
            fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW,
            0o600,
          );
          this.current = { entry: e, abs, fh, blocksSeen: 0, lastIndex: -1, written: 0 };
          break;
        }
        case 'symlink':
          await symlink(e.target, abs);
          if (canChown) await lchown(abs, e.uid, e.gid);
          await lutimes(abs, secs(e.atime), secs(e.mtime));
          break;
        case 'hardlink':
          if (!this.files.has(e.linkTo))
            throw refused(
              `snapshot hard link ${JSON.stringify(e.path)} to ${JSON.stringify(e.linkTo)}, not a file of it`,
            );
          await link(join(this.target, e.linkTo), abs);
          break;
      }
    } catch (err) {
      if (errnoOf(err) === 'EEXIST')
        throw refused(`snapshot entry ${JSON.stringify(e.path)} sent twice`);
      throw err;
    }
    this.entries++;
    this.progress.entriesDone = this.entries;
  }

  private async block(b: SnapshotBlock): Promise<void> {
    const f = this.current;
    if (!f) throw refused('snapshot block without a file entry before it');
    const bb = this.begin.blockBytes;
    const where = `snapshot block ${b.index} of ${JSON.stringify(f.entry.path)}`;
    const offset = b.index * bb;
    if (b.index <= f.lastIndex || offset >= f.entry.size)
      throw refused(`${where}: out of order or past the end`);
    if (f.blocksSeen >= f.entry.blocks) throw refused(`${where}: more blocks than announced`);
    if (b.data.length > bb) throw refused(`${where}: ${b.data.length} bytes`);
    if (!createHash('sha256').update(b.data).digest().equals(b.sha256))
      throw refused(`${where}: SHA-256 does not match its content`);
    const want = Math.min(b.data.length, f.entry.size - offset);
    let done = 0;
    while (done < want) {
      const { bytesWritten } = await f.fh.write(b.data, done, want - done, offset + done);
      done += bytesWritten;
    }
    f.blocksSeen++;
    f.lastIndex = b.index;
    f.written += want;
    this.progress.bytesDone += want;
    this.blocks++;
  }

  /** The file being written is whole: its size, owner, mode, times, fsync. */
  private async closeFile(): Promise<void> {
    const f = this.current;
    if (!f) return;
    this.current = undefined;
    const e = f.entry;
    try {
      if (f.blocksSeen !== e.blocks)
        throw refused(
          `snapshot file ${JSON.stringify(e.path)}: ${f.blocksSeen} of ${e.blocks} blocks`,
        );
      // Holes and the tail are not sent: the size makes them.
      await f.fh.truncate(e.size);
      // Owner before mode: chown(2) clears set-user-ID and set-group-ID bits.
      if (canChown) await f.fh.chown(e.uid, e.gid);
      await f.fh.chmod(e.mode);
      await f.fh.utimes(secs(e.atime), secs(e.mtime));
      await f.fh.sync();
    } finally {
      await f.fh.close();
    }
    this.files.add(e.path);
    this.progress.filesDone++;
    this.progress.bytesDone += e.size - f.written;
  }
}

async function setAttrs(abs: string, a: Attrs, isDir: boolean): Promise<void> {
  if (canChown) await lchown(abs, a.uid, a.gid);
  if (isDir) await chmod(abs, a.mode);
  await lutimes(abs, secs(a.atime), secs(a.mtime));
}
