/**
 * Durable state files: write to a temp file, fsync it, rename it over the
 * target, fsync the directory. After `writeFileDurable` resolves, a crash
 * leaves either the old content or the new, never a mix or nothing.
 */
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

let tempSeq = 0;

/** Replaces `path` with `data` atomically and durably. */
export async function writeFileDurable(path: string, data: string | Uint8Array): Promise<void> {
  await writeDurably(path, (fh) => fh.writeFile(data));
}

/**
 * Replaces `path` with what `fill` writes into a temp file beside it (for
 * content written in pieces), atomically and durably.
 */
export async function writeDurably(
  path: string,
  fill: (fh: FileHandle) => Promise<void>,
): Promise<void> {
  // One temp file per call: two saves of one file at once must not share it.
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${++tempSeq}.tmp`);
  const fh = await open(tmp, 'w', 0o644);
  try {
    await fill(fh);
    await fh.sync();
  } catch (err) {
    await fh.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  await rename(tmp, path);
  await fsyncDir(dirname(path));
}

/** Makes a directory's entries (creations, renames, unlinks) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * `mkdir -p` whose result survives a power cut: each folder it creates is an
 * entry in its parent, and that entry is durable only once the parent is
 * fsynced.
 */
export async function mkdirDurable(dir: string): Promise<void> {
  const made = await mkdir(dir, { recursive: true });
  if (made === undefined) return;
  const first = resolve(made);
  for (let d = resolve(dir); ; d = dirname(d)) {
    await fsyncDir(dirname(d));
    if (d === first || dirname(d) === d) break;
  }
}
