/**
 * A seeded file exerciser in the spirit of fsx: random writes at offsets,
 * appends (O_APPEND), truncates (by descriptor and by path), renames over
 * existing names, creates and unlinks, on a few files kept open, with every
 * read checked against an in-memory model of what the files must hold.
 * Synchronous calls on purpose: one operation at a time, as fsx does; the
 * file system under test runs in another process.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { rng } from './harness.js';

export interface FsxOptions {
  dir: string;
  seed: number;
  ops: number;
  /** Names in play. Default 4. */
  names?: number;
  /** Largest file size the exerciser makes. Default 3 MiB. */
  maxSize?: number;
}

export interface FsxResult {
  /** Operations done, by kind. */
  counts: Record<string, number>;
  /** Each mismatch between a read and the model: operation number and what differed. */
  mismatches: string[];
  /** Names present at the end, with their sizes. */
  files: Record<string, number>;
}

interface Entry {
  data: Buffer;
  size: number;
  fd: number;
}

function grow(e: Entry, need: number): void {
  if (need <= e.data.length) return;
  const next = Buffer.alloc(Math.max(need, e.data.length * 2));
  e.data.copy(next, 0, 0, e.size);
  e.data = next;
}

/** Runs `ops` operations in `dir` (empty) and checks every read. */
export function runFsx(o: FsxOptions): FsxResult {
  const r = rng(o.seed);
  const maxSize = o.maxSize ?? 3 * 1024 * 1024;
  const names = Array.from({ length: o.names ?? 4 }, (_, i) => `f${i}`);
  const files = new Map<string, Entry>();
  const counts: Record<string, number> = {};
  const mismatches: string[] = [];
  const path = (n: string): string => join(o.dir, n);
  const bytes = (n: number): Buffer => {
    const b = Buffer.allocUnsafe(n + 4);
    for (let i = 0; i < n; i += 4) b.writeUInt32LE((r.next() * 2 ** 32) >>> 0, i);
    return b.subarray(0, n);
  };
  const check = (op: number, name: string, e: Entry, off: number, len: number): void => {
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(e.fd, buf, got, len - got, off + got);
      if (n === 0) break;
      got += n;
    }
    const want = Math.max(0, Math.min(len, e.size - off));
    if (got !== want) {
      mismatches.push(`op ${op}: ${name} read ${len}@${off}: ${got} bytes, model ${want}`);
      return;
    }
    const model = e.data.subarray(off, off + want);
    if (!buf.subarray(0, got).equals(model)) {
      let at = 0;
      while (at < got && buf[at] === model[at]) at++;
      mismatches.push(`op ${op}: ${name} read ${len}@${off}: first difference at ${off + at}`);
    }
  };
  const create = (name: string): Entry => {
    const e: Entry = { data: Buffer.alloc(64 * 1024), size: 0, fd: openSync(path(name), 'w+') };
    files.set(name, e);
    return e;
  };

  for (const n of names.slice(0, 2)) create(n);
  for (let op = 1; op <= o.ops; op++) {
    const roll = r.next();
    const name = r.pick(names);
    let e = files.get(name);
    let kind: string;
    if (!e) {
      kind = 'create';
      create(name);
    } else if (roll < 0.3) {
      kind = 'write';
      const big = r.next() < 0.03;
      const len = 1 + r.int(big ? 1536 * 1024 : 64 * 1024);
      const off = Math.min(r.int(e.size + 64 * 1024), Math.max(0, maxSize - len));
      const data = bytes(len);
      let done = 0;
      while (done < len) done += writeSync(e.fd, data, done, len - done, off + done);
      grow(e, off + len);
      if (off > e.size) e.data.fill(0, e.size, off);
      data.copy(e.data, off);
      e.size = Math.max(e.size, off + len);
    } else if (roll < 0.38) {
      kind = 'append';
      const len = 1 + r.int(16 * 1024);
      if (e.size + len > maxSize) {
        kind = 'truncate-down';
        ftruncateSync(e.fd, 0);
        e.size = 0;
      } else {
        const data = bytes(len);
        const fd = openSync(path(name), 'a');
        try {
          let done = 0;
          while (done < len) done += writeSync(fd, data, done, len - done);
        } finally {
          closeSync(fd);
        }
        grow(e, e.size + len);
        data.copy(e.data, e.size);
        e.size += len;
      }
    } else if (roll < 0.48) {
      const byPath = r.next() < 0.35;
      kind = byPath ? 'truncate-path' : 'truncate';
      const size = r.int(Math.min(maxSize, Math.floor(e.size * 1.5) + 4096));
      if (byPath) truncateSync(path(name), size);
      else ftruncateSync(e.fd, size);
      grow(e, size);
      if (size > e.size) e.data.fill(0, e.size, size);
      e.size = size;
    } else if (roll < 0.75) {
      kind = 'read';
      const off = r.int(e.size + 1024);
      check(op, name, e, off, 1 + r.int(128 * 1024));
    } else if (roll < 0.85) {
      kind = 'rename';
      const to = r.pick(names);
      if (to !== name) {
        renameSync(path(name), path(to));
        const over = files.get(to);
        if (over) closeSync(over.fd);
        files.set(to, e);
        files.delete(name);
      }
    } else if (roll < 0.9) {
      kind = 'unlink';
      if (files.size > 1) {
        unlinkSync(path(name));
        closeSync(e.fd);
        files.delete(name);
      }
    } else if (roll < 0.93) {
      kind = 'fsync';
      fsyncSync(e.fd);
    } else {
      kind = 'read-whole';
      const whole = readFileSync(path(name));
      if (!whole.equals(e.data.subarray(0, e.size))) {
        mismatches.push(`op ${op}: ${name} whole file differs (${whole.length} vs ${e.size})`);
      }
    }
    counts[kind] = (counts[kind] ?? 0) + 1;
    e = undefined;
  }
  const sizes: Record<string, number> = {};
  for (const [name, e] of files) {
    const whole = readFileSync(path(name));
    if (!whole.equals(e.data.subarray(0, e.size))) mismatches.push(`end: ${name} differs`);
    sizes[name] = e.size;
    closeSync(e.fd);
  }
  for (const n of names) {
    if (!files.has(n) && existsSync(path(n))) mismatches.push(`end: ${n} exists, model has none`);
  }
  return { counts, mismatches, files: sizes };
}
