/**
 * Bytes set aside on disk until asked for again: the data of records held in
 * an open transaction past a memory budget (txn_gate.ts), so a transaction as
 * large as a file is held in bounded memory, however large the file.
 *
 * One file per spool, unlinked as soon as it is open: nothing of it outlives
 * the process, a crash included, and no stale file is ever left to clean.
 * Space is taken back whenever nothing is held (the file is cut to zero).
 *
 * Not guaranteed: durability. Nothing is fsynced; what is held comes again
 * from the journal after a crash (a position stays below an open
 * transaction's TXN_BEGIN).
 */
import { randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { JournalError } from '../errors.js';
import { writeAll } from '../sys/write_all.js';

/** Where a `put` left its bytes. */
export interface SpoolRef {
  offset: number;
  length: number;
}

export class Spool {
  private handle: Promise<FileHandle> | undefined;
  /** Where the next put goes. */
  private end = 0;
  /** Puts whose bytes are still wanted (not yet `release`d). */
  private live = 0;
  /** A cut to zero that puts wait for, so a put is never cut away. */
  private cutting: Promise<void> = Promise.resolve();
  private closed = false;

  /** `dir`: a folder on a disk with room for the largest transaction held at once. */
  constructor(private readonly dir: string) {}

  /** Bytes written and not yet released (the file's size, at most). */
  get heldBytes(): number {
    return this.end;
  }

  /** Writes `data` at the end of the spool; the promise settles once it is written. */
  async put(data: Uint8Array): Promise<SpoolRef> {
    if (this.closed) throw new JournalError('FSJ_ERR_JOURNAL_CLOSED', 'the spool is closed');
    const ref: SpoolRef = { offset: this.end, length: data.length };
    this.end += data.length;
    this.live++;
    await this.cutting;
    await writeAll(await this.file(), data, ref.offset);
    return ref;
  }

  /** The bytes a put left at `ref`. */
  async get(ref: SpoolRef): Promise<Buffer> {
    const fh = await this.file();
    const buf = Buffer.allocUnsafe(ref.length);
    let done = 0;
    while (done < ref.length) {
      const { bytesRead } = await fh.read(buf, done, ref.length - done, ref.offset + done);
      if (bytesRead === 0) {
        throw new JournalError(
          'FSJ_ERR_JOURNAL_IO',
          `spool in ${this.dir} ends at ${ref.offset + done}, before the ${ref.length} bytes held at ${ref.offset}`,
        );
      }
      done += bytesRead;
    }
    return buf;
  }

  /**
   * `count` puts are no longer wanted, and none of them is still being
   * written. Once none is wanted, the file is cut to zero and reused.
   */
  release(count: number): void {
    this.live -= count;
    if (this.live > 0 || this.end === 0 || this.handle === undefined) return;
    this.end = 0;
    const fh = this.handle;
    this.cutting = this.cutting.then(async () => (await fh).truncate(0)).catch(() => undefined); // a failed cut only keeps disk space until the next one
  }

  /** Closes the file (its space is freed). Safe to call more than once. */
  async close(): Promise<void> {
    this.closed = true;
    const fh = this.handle;
    this.handle = undefined;
    if (fh) await (await fh.catch(() => undefined))?.close();
  }

  private file(): Promise<FileHandle> {
    this.handle ??= (async () => {
      const path = join(this.dir, `.txn-spool-${process.pid}-${randomBytes(6).toString('hex')}`);
      const fh = await open(path, 'wx+', 0o600);
      await unlink(path).catch(async (err: unknown) => {
        await fh.close();
        throw err;
      });
      return fh;
    })();
    return this.handle;
  }
}
