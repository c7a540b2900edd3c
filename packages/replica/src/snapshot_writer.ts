/**
 * Writes a snapshot (a checkpoint sent by the primary, docs/PROTOCOL.md
 * "Bootstrap") into an emptied target: directories, files block by block
 * (each block's SHA-256 checked before it is written; never a whole file in
 * memory), symlinks, hard links, then owners, modes and times, directories
 * deepest first so that their mtimes stay. Everything written is fsynced
 * before `finish` resolves: a position covering the snapshot may then be
 * persisted.
 *
 * The disk side is the journal's tree writer (tree/writer.ts, shared with
 * restore), with its safety rules: a path obeys the record path rules, its
 * parent is a directory this snapshot created (the target was emptied
 * first, so nothing planted there is followed), files are opened with
 * O_NOFOLLOW and O_EXCL, and a hard link names a regular file this snapshot
 * wrote, every call made beneath the target without following a symlink at
 * any component. This module holds what is the stream's: piece order,
 * counts, block checks, progress.
 */
import { createHash } from 'node:crypto';
import {
  allowedMode,
  emptyDir,
  TreeWriter,
  type FileSink,
  type NotPreserved,
  type PreservePolicy,
  type WriteRefusal,
} from '@fsjournal/journal';
import { ReplicaError } from './errors.js';
import {
  ProtocolError,
  type SnapshotBegin,
  type SnapshotBlock,
  type SnapshotEnd,
  type SnapshotEntry,
  type SnapshotPiece,
} from '@fsjournal/journal/wire';

export { emptyDir };

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

interface OpenFile {
  entry: Extract<SnapshotEntry, { type: 'file' }>;
  sink: FileSink;
  blocksSeen: number;
  lastIndex: number;
  written: number;
}

function refused(why: string): ReplicaError {
  return new ReplicaError('FSJ_ERR_REPLICA_REFUSED_SNAPSHOT', why);
}

/** The words for what the tree writer refused (docs/PROTOCOL.md, "Bootstrap"). */
function refusal(r: WriteRefusal): ReplicaError {
  const p = JSON.stringify(r.path);
  switch (r.why) {
    case 'path':
      return refused(`snapshot entry ${p}: ${r.problem}`);
    case 'parent':
      return refused(`snapshot entry ${p}: parent is not a directory of it`);
    case 'link':
      return refused(`snapshot hard link ${p} to ${JSON.stringify(r.linkTo)}, not a file of it`);
    case 'exists':
      return refused(`snapshot entry ${p} sent twice`);
  }
}

export class SnapshotWriter {
  readonly progress: BootstrapProgress;
  /** Pieces written (the last `seq`). */
  pieces = 0;
  private entries = 0;
  private blocks = 0;
  private readonly tree: TreeWriter;
  private current: OpenFile | undefined;
  private finished = false;

  constructor(
    readonly target: string,
    readonly begin: SnapshotBegin,
    /** `--preserve` and where what it leaves out is told (replica.ts). */
    preserve: { policy: PreservePolicy; onNotPreserved: (n: NotPreserved) => void } = {
      policy: 'privileged',
      onNotPreserved: () => undefined,
    },
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
    const mode = (path: string, m: number, isDir: boolean): number => {
      const a = allowedMode(preserve.policy, m, isDir);
      if (a.left) preserve.onNotPreserved({ path, what: a.left, lsn: 0 });
      return a.mode;
    };
    this.tree = new TreeWriter(target, { fsync: true, refuse: refusal, mode });
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
    await this.tree.finish(b.root);
    this.finished = true;
  }

  /** Closes what is open (a connection that ended mid-snapshot). */
  async abort(): Promise<void> {
    const f = this.current;
    this.current = undefined;
    await f?.sink.abort();
    this.tree.close();
  }

  private async entry(e: SnapshotEntry): Promise<void> {
    await this.closeFile();
    // decodeMessage checked the path; checked again where it meets the disk.
    this.tree.check(e.path);
    if (this.entries >= this.begin.entries)
      throw refused(`snapshot sends more than the ${this.begin.entries} entries it announced`);
    switch (e.type) {
      case 'dir':
        await this.tree.dir(e);
        break;
      case 'file': {
        const sink = await this.tree.file(e);
        this.current = { entry: e, sink, blocksSeen: 0, lastIndex: -1, written: 0 };
        break;
      }
      case 'symlink':
        await this.tree.symlink(e);
        break;
      case 'hardlink':
        await this.tree.hardlink(e);
        break;
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
    const want = await f.sink.write(b.data, offset);
    f.blocksSeen++;
    f.lastIndex = b.index;
    f.written += want;
    this.progress.bytesDone += want;
    this.blocks++;
  }

  /** The file being written is whole: its size, owner, mode, times, fsync (tree/writer.ts). */
  private async closeFile(): Promise<void> {
    const f = this.current;
    if (!f) return;
    this.current = undefined;
    const e = f.entry;
    if (f.blocksSeen !== e.blocks) {
      await f.sink.abort();
      throw refused(
        `snapshot file ${JSON.stringify(e.path)}: ${f.blocksSeen} of ${e.blocks} blocks`,
      );
    }
    await f.sink.close();
    this.progress.filesDone++;
    this.progress.bytesDone += e.size - f.written;
  }
}
