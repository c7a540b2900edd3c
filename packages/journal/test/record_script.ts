/**
 * Random but legal record sequences for property tests: a `Script` turns
 * random numbers into records that a real source could have produced
 * (tracking the tree's shape and hard links), and `writeJournal` journals
 * them, some groups inside committed or aborted transactions.
 */
import { Journal, RecordKind as K, type RecordInput } from '@fsjournal/journal';

type Kind = 'file' | 'dir' | 'symlink';

/** Turns random numbers into a legal sequence of records, tracking the tree's shape. */
export class Script {
  readonly shape = new Map<string, Kind>();
  /** Hard-link groups: paths naming one file share a number. */
  private readonly inode = new Map<string, number>();
  private inodes = 0;

  private sameFile(a: string, b: string): boolean {
    return this.inode.get(a) !== undefined && this.inode.get(a) === this.inode.get(b);
  }
  readonly records: RecordInput[][] = [];
  private t = 1_700_000_000;

  constructor(private readonly n: () => number) {}

  private pick<T>(list: T[]): T | undefined {
    return list.length === 0 ? undefined : list[this.n() % list.length];
  }
  private paths(kind?: Kind): string[] {
    return [...this.shape].filter(([, k]) => !kind || k === kind).map(([p]) => p);
  }
  private freshPath(): string | undefined {
    const parent = this.pick(['', ...this.paths('dir')]);
    if (parent === undefined) return undefined;
    const name = `${'fgh'[this.n() % 3]}${this.n() % 4}`;
    const p = parent === '' ? name : `${parent}/${name}`;
    return this.shape.has(p) ? undefined : p;
  }
  private time(): { sec: number; nsec: number } {
    this.t += 1 + (this.n() % 100);
    return { sec: this.t, nsec: (this.n() % 1000) * 1000 };
  }
  private data(bytes: number): Buffer {
    const seed = this.n();
    return Buffer.from(Array.from({ length: bytes }, (_, i) => (seed + i * 7) & 0xff));
  }

  step(): void {
    const op = this.n() % 12;
    const out: RecordInput[] = [];
    const file = this.pick(this.paths('file'));
    if (op === 0) {
      const p = this.freshPath();
      if (!p) return;
      out.push({
        kind: K.RECORD_KIND_MKDIR,
        path: p,
        mode: 0o755,
        uid: 0,
        gid: 0,
        mtime: this.time(),
      });
      this.shape.set(p, 'dir');
    } else if (op === 1) {
      const p = this.freshPath();
      if (!p) return;
      const size = this.n() % 150_000;
      out.push(
        { kind: K.RECORD_KIND_CREATE, path: p, mode: 0o640, uid: 1000 + (this.n() % 3), gid: 100 },
        { kind: K.RECORD_KIND_WRITE, path: p, offset: 0, data: this.data(size) },
        { kind: K.RECORD_KIND_UTIMES, path: p, mtime: this.time() },
      );
      this.shape.set(p, 'file');
      this.inode.set(p, ++this.inodes);
    } else if (op === 2 && file) {
      const offset = this.n() % 200_000;
      out.push({
        kind: K.RECORD_KIND_WRITE,
        path: file,
        offset,
        data: this.data(1 + (this.n() % 90_000)),
      });
      out.push({ kind: K.RECORD_KIND_UTIMES, path: file, mtime: this.time() });
    } else if (op === 3 && file) {
      out.push({ kind: K.RECORD_KIND_TRUNCATE, path: file, size: this.n() % 250_000 });
    } else if (op === 4) {
      const p = this.pick([...this.paths('file'), ...this.paths('symlink')]);
      if (!p) return;
      out.push({ kind: K.RECORD_KIND_UNLINK, path: p });
      this.shape.delete(p);
      this.inode.delete(p);
    } else if (op === 5 && file) {
      // Rename a file to a fresh name or over another file.
      const to = this.n() % 2 ? this.freshPath() : this.pick(this.paths('file'));
      // (Two names of one file: rename(2) would do nothing; the model knows, the script does not.)
      if (!to || to === file || this.sameFile(file, to)) return;
      out.push({ kind: K.RECORD_KIND_RENAME, path: file, path2: to });
      this.shape.delete(file);
      this.shape.set(to, 'file');
      this.inode.set(to, this.inode.get(file)!);
      this.inode.delete(file);
    } else if (op === 6) {
      const p = this.freshPath();
      if (!p) return;
      out.push({
        kind: K.RECORD_KIND_SYMLINK,
        path: p,
        target: `../t${this.n() % 5}`,
        mtime: this.time(),
      });
      this.shape.set(p, 'symlink');
    } else if (op === 7 && file) {
      out.push({
        kind: K.RECORD_KIND_CHMOD,
        path: file,
        mode: [0o600, 0o644, 0o755, 0o4711][this.n() % 4],
      });
      if (this.n() % 2) out.push({ kind: K.RECORD_KIND_CHOWN, path: file, uid: 7, gid: 8 });
    } else if (op === 8) {
      const empty = this.paths('dir').filter(
        (d) => !this.paths().some((p) => p.startsWith(`${d}/`)),
      );
      const d = this.pick(empty);
      if (!d) return;
      out.push({ kind: K.RECORD_KIND_RMDIR, path: d });
      this.shape.delete(d);
    } else if (op === 9) {
      const d = this.pick(this.paths('dir'));
      const to = this.freshPath();
      if (!d || !to || to === d || to.startsWith(`${d}/`)) return;
      out.push({ kind: K.RECORD_KIND_RENAME, path: d, path2: to });
      for (const [p, k] of [...this.shape]) {
        if (p === d || p.startsWith(`${d}/`)) {
          this.shape.delete(p);
          this.shape.set(to + p.slice(d.length), k);
          const ino = this.inode.get(p);
          this.inode.delete(p);
          if (ino !== undefined) this.inode.set(to + p.slice(d.length), ino);
        }
      }
    } else if (op === 10 && file) {
      const to = this.freshPath();
      if (!to) return;
      out.push({ kind: K.RECORD_KIND_LINK, path: file, path2: to });
      this.shape.set(to, 'file');
      this.inode.set(to, this.inode.get(file)!);
    } else if (op === 11) {
      const d = this.pick(this.paths('dir'));
      if (d) out.push({ kind: K.RECORD_KIND_UTIMES, path: d, mtime: this.time() });
    }
    if (out.length > 0) this.records.push(out);
  }
}

export async function writeJournal(dir: string, script: Script, n: () => number): Promise<number> {
  const journal = await Journal.open({ dir, sync: 'none' });
  for (const group of script.records) {
    const mode = n() % 4;
    if (mode === 1) {
      // An aborted transaction first: its records must not show anywhere.
      const txn = journal.lastLsn + 1;
      const junk = {
        kind: K.RECORD_KIND_WRITE,
        path: group[0]!.path,
        offset: 5,
        data: Buffer.from('JUNK'),
      };
      await journal.appendMany([
        { kind: K.RECORD_KIND_TXN_BEGIN, txn },
        { ...junk, txn },
        { kind: K.RECORD_KIND_TXN_ABORT, txn },
      ]);
    }
    if (mode === 0) {
      const txn = journal.lastLsn + 1;
      await journal.appendMany([
        { kind: K.RECORD_KIND_TXN_BEGIN, txn },
        ...group.map((r) => ({ ...r, txn })),
        { kind: K.RECORD_KIND_TXN_COMMIT, txn },
      ]);
    } else {
      await journal.appendMany(group);
    }
  }
  await journal.appendMany([
    { kind: K.RECORD_KIND_CHMOD, path: '', mode: 0o755 },
    { kind: K.RECORD_KIND_UTIMES, path: '', mtime: { sec: 1_800_000_000, nsec: 0 } },
  ]);
  const last = journal.durableLsn;
  await journal.close();
  return last;
}
