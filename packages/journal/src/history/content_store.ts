/**
 * The content store beside the journal (`DIR/content/`): blocks of file
 * content kept once, named by their SHA-256, shared by every checkpoint.
 *
 * Blocks are appended to pack files (`<seq>.pack`) rather than stored one
 * file per block: a checkpoint of 100,000 small files then costs one fsync,
 * not 100,000. A pack becomes part of the store when its index (`<seq>.idx`,
 * written durably after the pack is fsynced) exists; a pack without one is
 * what a build cut short left behind, and is removed at the next writable
 * open. Every block read is checked against its name.
 *
 * SHA-256 (node:crypto, OpenSSL, hardware-accelerated where the CPU has it)
 * rather than the capture's xxh3: a name here stands for content that a
 * restore writes back, so two different blocks must never share one, even
 * when someone crafts them to.
 */
import { createHash } from 'node:crypto';
import { open, readdir, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32c } from '@node-rs/crc32';
import { fsyncDir, mkdirDurable, writeFileDurable } from '../sys/durable_file.js';
import { JournalError } from '../errors.js';

export const CONTENT_DIR = 'content';
const PACK_MAGIC = Buffer.from('FSJPACK1');
const IDX_MAGIC = Buffer.from('FSJIDX01');
const HASH_BYTES = 32;
/** Per block in a pack: hash, length, then the data. */
const BLOCK_HEADER = HASH_BYTES + 4;
/** Per block in an index: hash, offset of the data in the pack (u64), length (u32). */
const IDX_ENTRY = HASH_BYTES + 8 + 4;
/** Roll to a new pack past this size. */
const PACK_LIMIT = 1024 * 1024 * 1024;

interface Location {
  pack: number;
  offset: number;
  length: number;
}

interface OpenPack {
  seq: number;
  fh: FileHandle;
  /** End of the pack including blocks not yet written out. */
  end: number;
  /** End of what is written to the file. */
  written: number;
  entries: Buffer[];
  /** Blocks put but not yet written (written together, several MiB at a time). */
  pending: Buffer[];
  pendingBytes: number;
  pendingData: Map<string, Buffer>;
}

/** Bytes of new blocks gathered before one write to the pack. */
const WRITE_BATCH = 4 * 1024 * 1024;

/** The SHA-256 of `data`, hex: the block's name in the store. */
export function blockHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** What a tree model needs of a store. */
export interface BlockStore {
  get(hash: string): Promise<Buffer>;
  put(data: Uint8Array): Promise<string>;
  lengthOf(hash: string): number;
}

/**
 * A read-only store with a scratch store over it: blocks already below are
 * read from there, new ones go to the scratch store (a restore, which must
 * not write into the journal folder).
 */
export class LayeredStore implements BlockStore {
  constructor(
    private readonly below: ContentStore,
    private readonly scratch: ContentStore,
  ) {}

  get(hash: string): Promise<Buffer> {
    return this.scratch.has(hash) ? this.scratch.get(hash) : this.below.get(hash);
  }

  async put(data: Uint8Array): Promise<string> {
    const hash = blockHash(data);
    return this.below.has(hash) ? hash : this.scratch.put(data);
  }

  lengthOf(hash: string): number {
    return this.scratch.lengthOf(hash) || this.below.lengthOf(hash);
  }
}

function packName(seq: number): string {
  return seq.toString(16).padStart(16, '0');
}

export class ContentStore implements BlockStore {
  private readonly where = new Map<string, Location>();
  private readonly readers = new Map<number, FileHandle>();
  private writing: OpenPack | undefined;
  private nextSeq = 1;
  /** Bytes appended by this process (new blocks only). */
  bytesWritten = 0;
  /** Blocks put that were already stored. */
  deduplicated = 0;

  private constructor(
    readonly dir: string,
    private readonly readOnly: boolean,
    private readonly verify: boolean,
  ) {}

  /**
   * Opens (creating when writable) the store under `journalDir`. Writable
   * opens remove packs that never got an index; callers hold the journal's
   * writer lock, so no other writer is building one. `verify: false` skips
   * hashing blocks on read (a restore's own scratch store).
   */
  static async open(
    journalDir: string,
    options: { readOnly?: boolean; verify?: boolean } = {},
  ): Promise<ContentStore> {
    const store = new ContentStore(
      join(journalDir, CONTENT_DIR),
      options.readOnly ?? false,
      options.verify ?? true,
    );
    if (!store.readOnly) await mkdirDurable(store.dir);
    const names = await readdir(store.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const idx = new Set(names.filter((n) => n.endsWith('.idx')).map((n) => n.slice(0, -4)));
    for (const n of names) {
      if (!/^[0-9a-f]{16}\.(pack|idx)$/.test(n)) continue;
      const seq = Number.parseInt(n.slice(0, 16), 16);
      store.nextSeq = Math.max(store.nextSeq, seq + 1);
      if (n.endsWith('.pack') && !idx.has(n.slice(0, 16)) && !store.readOnly) {
        await rm(join(store.dir, n), { force: true });
      }
    }
    for (const base of [...idx].sort()) await store.loadIndex(base);
    return store;
  }

  private async loadIndex(base: string): Promise<void> {
    const seq = Number.parseInt(base, 16);
    const path = join(this.dir, `${base}.idx`);
    const buf = await readFile(path);
    const body = buf.subarray(0, buf.length - 4);
    if (
      buf.length < IDX_MAGIC.length + 4 ||
      !buf.subarray(0, IDX_MAGIC.length).equals(IDX_MAGIC) ||
      (body.length - IDX_MAGIC.length) % IDX_ENTRY !== 0 ||
      crc32c(body) !== buf.readUInt32LE(buf.length - 4)
    ) {
      throw new JournalError('FSJ_ERR_CONTENT_CORRUPT', `content index ${base}.idx is damaged`);
    }
    for (let o = IDX_MAGIC.length; o < body.length; o += IDX_ENTRY) {
      const hash = body.toString('hex', o, o + HASH_BYTES);
      const offset = Number(body.readBigUInt64LE(o + HASH_BYTES));
      const length = body.readUInt32LE(o + HASH_BYTES + 8);
      this.where.set(hash, { pack: seq, offset, length });
    }
    this.readers.set(seq, await open(join(this.dir, `${base}.pack`), 'r'));
  }

  /** How many blocks the store holds. */
  get size(): number {
    return this.where.size;
  }

  has(hash: string): boolean {
    return this.where.has(hash);
  }

  /** A stored block's length (0 when not stored). */
  lengthOf(hash: string): number {
    return this.where.get(hash)?.length ?? 0;
  }

  /** A block's content, checked against its name. */
  async get(hash: string): Promise<Buffer> {
    const loc = this.where.get(hash);
    if (!loc) {
      throw new JournalError(
        'FSJ_ERR_CONTENT_MISSING',
        `content block ${hash} is not in the store`,
      );
    }
    const held = this.writing?.pendingData.get(hash);
    if (held) return Buffer.from(held); // callers may change what they get
    const fh =
      this.writing?.seq === loc.pack ? this.writing.fh : (this.readers.get(loc.pack) ?? undefined);
    if (!fh) throw new JournalError('FSJ_ERR_CONTENT_MISSING', `pack of block ${hash} is gone`);
    const data = Buffer.allocUnsafe(loc.length);
    let done = 0;
    while (done < loc.length) {
      const { bytesRead } = await fh.read(data, done, loc.length - done, loc.offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    if (done !== loc.length || (this.verify && blockHash(data) !== hash)) {
      throw new JournalError(
        'FSJ_ERR_CONTENT_CORRUPT',
        `content block ${hash} in pack ${packName(loc.pack)} at offset ${loc.offset} is damaged`,
      );
    }
    return data;
  }

  /** Stores `data` unless a block with the same content is there; returns its name. */
  async put(data: Uint8Array): Promise<string> {
    const hash = blockHash(data);
    if (this.where.has(hash)) {
      this.deduplicated++;
      return hash;
    }
    if (this.readOnly)
      throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'content store is read-only');
    let pack = this.writing;
    if (pack && pack.end > PACK_LIMIT) {
      await this.seal();
      pack = undefined;
    }
    if (!pack) {
      const seq = this.nextSeq++;
      const fh = await open(join(this.dir, `${packName(seq)}.pack`), 'wx+', 0o644);
      await fh.write(PACK_MAGIC, 0, PACK_MAGIC.length, 0);
      pack = {
        seq,
        fh,
        end: PACK_MAGIC.length,
        written: PACK_MAGIC.length,
        entries: [],
        pending: [],
        pendingBytes: 0,
        pendingData: new Map(),
      };
      this.writing = pack;
    }
    const header = Buffer.alloc(BLOCK_HEADER);
    header.write(hash, 0, 'hex');
    header.writeUInt32LE(data.length, HASH_BYTES);
    const copy = Buffer.from(data);
    pack.pending.push(header, copy);
    pack.pendingBytes += BLOCK_HEADER + copy.length;
    pack.pendingData.set(hash, copy);
    const offset = pack.end + BLOCK_HEADER;
    pack.end = offset + data.length;
    const entry = Buffer.alloc(IDX_ENTRY);
    entry.write(hash, 0, 'hex');
    entry.writeBigUInt64LE(BigInt(offset), HASH_BYTES);
    entry.writeUInt32LE(data.length, HASH_BYTES + 8);
    pack.entries.push(entry);
    this.where.set(hash, { pack: pack.seq, offset, length: data.length });
    this.bytesWritten += data.length;
    if (pack.pendingBytes >= WRITE_BATCH) await this.writePending(pack);
    return hash;
  }

  /** Writes the gathered blocks to the pack in one call. */
  private async writePending(pack: OpenPack): Promise<void> {
    if (pack.pendingBytes === 0) return;
    const buf = Buffer.concat(pack.pending, pack.pendingBytes);
    pack.pending = [];
    pack.pendingBytes = 0;
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await pack.fh.write(buf, done, buf.length - done, pack.written);
      done += bytesWritten;
      pack.written += bytesWritten;
    }
    pack.pendingData.clear();
  }

  /**
   * Makes every block put so far durable and part of the store: fsync the
   * pack, then write its index durably. Call before anything names them.
   */
  async seal(): Promise<void> {
    const pack = this.writing;
    if (!pack) return;
    await this.writePending(pack);
    await pack.fh.sync();
    const body = Buffer.concat([IDX_MAGIC, ...pack.entries]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32LE(crc32c(body));
    await writeFileDurable(join(this.dir, `${packName(pack.seq)}.idx`), Buffer.concat([body, crc]));
    this.writing = undefined;
    this.readers.set(pack.seq, pack.fh);
  }

  /** Drops blocks put since the last seal (a build that failed). */
  async discard(): Promise<void> {
    const pack = this.writing;
    if (!pack) return;
    this.writing = undefined;
    for (const e of pack.entries) this.where.delete(e.toString('hex', 0, HASH_BYTES));
    await pack.fh.close().catch(() => undefined);
    await rm(join(this.dir, `${packName(pack.seq)}.pack`), { force: true });
  }

  /**
   * Removes the packs none of whose blocks is in `keep` (the blocks the
   * remaining checkpoints name). A pack with some live blocks stays whole.
   */
  async prune(keep: ReadonlySet<string>): Promise<number> {
    const live = new Set<number>();
    for (const hash of keep) {
      const loc = this.where.get(hash);
      if (loc) live.add(loc.pack);
    }
    if (this.writing) live.add(this.writing.seq);
    let removed = 0;
    for (const [seq, fh] of [...this.readers]) {
      if (live.has(seq)) continue;
      // The index goes first: a pack without one is garbage at the next open.
      await rm(join(this.dir, `${packName(seq)}.idx`), { force: true });
      await rm(join(this.dir, `${packName(seq)}.pack`), { force: true });
      await fh.close().catch(() => undefined);
      this.readers.delete(seq);
      for (const [hash, loc] of this.where) if (loc.pack === seq) this.where.delete(hash);
      removed++;
    }
    if (removed > 0) await fsyncDir(this.dir);
    return removed;
  }

  async close(): Promise<void> {
    await this.discard();
    for (const fh of this.readers.values()) await fh.close().catch(() => undefined);
    this.readers.clear();
  }
}
