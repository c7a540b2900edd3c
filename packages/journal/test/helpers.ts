/** Shared test helpers: temp folders, a collecting logger, record makers, reading a journal whole. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { RecordKind, type JournalEntry, type Logger, type RecordInput } from '@fsjournal/journal';
import type { ManifestEntry, Observed } from '@fsjournal/journal/internal';

const made: string[] = [];

/** A fresh temp folder, removed after the test. */
export async function tempDir(prefix = 'fsj-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterEach(async () => {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  obj: Record<string, unknown>;
  msg: string;
}

/** A logger that keeps what it is told. */
export function collectingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (obj, msg) => lines.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
  };
}

/** A WRITE record whose data is `n` bytes derived from `seed`. */
export function writeRecord(seed: number, n = 32): RecordInput {
  const data = Buffer.alloc(n);
  for (let i = 0; i < n; i++) data[i] = (seed * 31 + i) & 0xff;
  return { kind: RecordKind.RECORD_KIND_WRITE, path: `dir/file-${seed}`, offset: seed * 10, data };
}

/** Every entry a journal read yields, in order (for a read that ends). */
export async function collect(it: AsyncIterable<JournalEntry>): Promise<JournalEntry[]> {
  const out: JournalEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** A Timespec of `sec` seconds and `nsec` nanoseconds. */
export const t = (sec: number, nsec = 0): { sec: number; nsec: number } => ({ sec, nsec });

/** A regular file as lstat shows it, for the watch-mode decision tables. */
export const observedFile: Observed = {
  type: 'file',
  size: 10,
  mode: 0o644,
  uid: 1,
  gid: 1,
  mtime: t(100),
  ctime: t(100),
  ino: '1:2:3',
  nlink: 1,
};

/** The same file as the manifest knows it. */
export const knownFile: ManifestEntry = { ...observedFile, hashes: '\0'.repeat(16) };
