/**
 * Point-in-time restore, PostgreSQL recovery-target style: six batches of
 * changes captured from a real tree, a copy (`cp -a`) of the tree after each,
 * then restores at every batch's LSN, at times between batches and at an
 * annotation, each compared with its copy path by path (content, type, mode,
 * symlink target, mtime, owner). Checkpoints sit between some batches, so
 * restores start from a checkpoint, from the empty tree, and exactly at one.
 */
import { execFileSync } from 'node:child_process';
import {
  appendFile,
  chmod,
  lchown,
  mkdir,
  mkdtemp,
  readFile,
  rename,
  rm,
  symlink,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Checkpoints,
  compareTrees,
  isJournalError,
  RecordKind,
  restoreTree,
  type CheckpointInfo,
} from '@fsjournal/journal';
import { settle, startRig, stopRig, type Rig } from './capture_helpers.js';

const isRoot = process.getuid?.() === 0;

interface Point {
  lsn: number;
  /** A time after this batch was journaled and before the next began. */
  afterUs: number;
  snapshot: string;
}

function pattern(seed: number, bytes: number): Buffer {
  const b = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return b;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The six batches: each a different mix of what capture journals. */
const batches: ((src: string) => Promise<void>)[] = [
  async (s) => {
    await mkdir(join(s, 'docs/deep'), { recursive: true });
    await writeFile(join(s, 'docs/a.txt'), 'alpha\n');
    await writeFile(join(s, 'docs/deep/b.bin'), pattern(1, 300_000));
    await writeFile(join(s, 'big.bin'), pattern(2, 3 * 1024 * 1024 + 123));
    await symlink('docs/a.txt', join(s, 'link-to-a'));
  },
  async (s) => {
    // Patch the middle of the big file, append to another, chmod, chown.
    const big = await readFile(join(s, 'big.bin'));
    pattern(9, 5000).copy(big, 1_500_000);
    await writeFile(join(s, 'big.bin'), big);
    await appendFile(join(s, 'docs/a.txt'), 'more alpha\n');
    await chmod(join(s, 'docs/a.txt'), 0o600);
    if (isRoot) await lchown(join(s, 'docs/deep/b.bin'), 1234, 5678);
  },
  async (s) => {
    // Rename a directory and a file, truncate, and an empty file.
    await rename(join(s, 'docs/deep'), join(s, 'moved'));
    await rename(join(s, 'docs/a.txt'), join(s, 'docs/a-renamed.txt'));
    await truncate(join(s, 'big.bin'), 70_000);
    await writeFile(join(s, 'empty'), '');
  },
  async (s) => {
    // Type flips: a file becomes a directory, a symlink becomes a file.
    await unlink(join(s, 'empty'));
    await mkdir(join(s, 'empty'));
    await writeFile(join(s, 'empty/inside.txt'), 'now a dir\n');
    await unlink(join(s, 'link-to-a'));
    await writeFile(join(s, 'link-to-a'), 'now a file\n');
  },
  async (s) => {
    // Deletions, rename over an existing file, explicit times.
    await rm(join(s, 'moved'), { recursive: true });
    await writeFile(join(s, 'docs/new.txt'), 'new\n');
    await rename(join(s, 'docs/new.txt'), join(s, 'docs/a-renamed.txt'));
    await utimes(join(s, 'big.bin'), 1_000_000_000, 1_000_000_000);
  },
  async (s) => {
    // Many small files and a file grown by extension.
    await mkdir(join(s, 'many'));
    for (let i = 0; i < 40; i++) await writeFile(join(s, `many/f${i}.txt`), `file ${i}\n`);
    await truncate(join(s, 'big.bin'), 200_000);
  },
];

describe('restore to a point in time', () => {
  let rig: Rig;
  let root: string;
  const points: Point[] = [];
  let annotationLsn = 0;
  const made: CheckpointInfo[] = [];

  beforeAll(async () => {
    // Not tempDir: that one is removed after each test, and these share one journal.
    root = await mkdtemp(join(tmpdir(), 'fsj-restore-'));
    rig = await startRig({}, { root });
    await settle(rig.capture);
    const cps = await Checkpoints.open(rig.journalDir);
    for (let i = 0; i < batches.length; i++) {
      await sleep(30);
      await batches[i]!(rig.source);
      await settle(rig.capture);
      const lsn = await rig.capture.barrier(`batch-${i}`);
      const snapshot = join(root, `snap-${i}`);
      execFileSync('cp', ['-a', rig.source, snapshot]);
      await sleep(30);
      points.push({ lsn, afterUs: Date.now() * 1000 - 15_000, snapshot });
      if (i === 1 || i === 3) made.push(await cps.create(rig.journal));
      if (i === 2) {
        const a = await rig.journal.append({
          kind: RecordKind.RECORD_KIND_ANNOTATE,
          text: 'before cleanup',
        });
        annotationLsn = a.lastLsn;
      }
    }
    await cps.close();
    await stopRig(rig);
  }, 120_000);

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function restoredEquals(
    to: string,
    snapshot: string,
    target: { lsn?: number; at?: string },
  ): Promise<void> {
    await restoreTree({ journalDir: rig.journalDir, to, ...target });
    expect(await compareTrees(snapshot, to, { owner: true })).toEqual([]);
  }

  it('checkpoints were written between the batches', () => {
    expect(made.map((c) => c.lsn)).toEqual([points[1]!.lsn, points[3]!.lsn]);
    expect(made[1]!.files).toBeGreaterThan(2);
  });

  it('restores every batch by LSN exactly', async () => {
    for (let i = 0; i < points.length; i++) {
      await restoredEquals(join(root, `by-lsn-${i}`), points[i]!.snapshot, { lsn: points[i]!.lsn });
    }
  });

  it('tells the batches apart: a restore one batch early differs', async () => {
    for (let i = 1; i < points.length; i++) {
      const to = join(root, `early-${i}`);
      await restoreTree({ journalDir: rig.journalDir, to, lsn: points[i - 1]!.lsn });
      expect(await compareTrees(points[i]!.snapshot, to, { owner: true })).not.toEqual([]);
    }
  });

  it('restores by a time between batches', async () => {
    for (const i of [0, 2, 4]) {
      const at = new Date(points[i]!.afterUs / 1000).toISOString();
      await restoredEquals(join(root, `by-time-${i}`), points[i]!.snapshot, { at });
    }
  });

  it('restores at an annotation by its text', async () => {
    const r = await restoreTree({
      journalDir: rig.journalDir,
      to: join(root, 'by-note'),
      at: 'before cleanup',
    });
    expect(r).toMatchObject({ lsn: annotationLsn, by: 'annotation' });
    expect(await compareTrees(points[2]!.snapshot, join(root, 'by-note'), { owner: true })).toEqual(
      [],
    );
  });

  it('refuses a point past the end, before the start, and an unknown annotation', async () => {
    const last = points[points.length - 1]!.lsn;
    const errors = await Promise.all([
      restoreTree({ journalDir: rig.journalDir, to: join(root, 'x1'), lsn: last + 1000 }).catch(
        (e: unknown) => e,
      ),
      restoreTree({
        journalDir: rig.journalDir,
        to: join(root, 'x2'),
        at: '2001-01-01T00:00:00Z',
      }).catch((e: unknown) => e),
      restoreTree({
        journalDir: rig.journalDir,
        to: join(root, 'x3'),
        at: '2999-01-01T00:00:00Z',
      }).catch((e: unknown) => e),
      restoreTree({ journalDir: rig.journalDir, to: join(root, 'x4'), at: 'no such note' }).catch(
        (e: unknown) => e,
      ),
    ]);
    expect(errors.map((e) => (isJournalError(e) ? e.code : String(e)))).toEqual([
      'FSJ_ERR_RESTORE_RANGE',
      'FSJ_ERR_RESTORE_RANGE',
      'FSJ_ERR_RESTORE_RANGE',
      'FSJ_ERR_RESTORE_ANNOTATION',
    ]);
  });

  it('refuses a non-empty target unless forced, then replaces its content', async () => {
    const to = join(root, 'busy');
    await mkdir(to);
    await writeFile(join(to, 'keep-me'), 'x');
    const err = await restoreTree({ journalDir: rig.journalDir, to, lsn: points[0]!.lsn }).catch(
      (e: unknown) => e,
    );
    expect(isJournalError(err, 'FSJ_ERR_RESTORE_TARGET')).toBe(true);
    expect(await readFile(join(to, 'keep-me'), 'utf8')).toBe('x');
    await restoreTree({ journalDir: rig.journalDir, to, lsn: points[0]!.lsn, force: true });
    expect(await compareTrees(points[0]!.snapshot, to, { owner: true })).toEqual([]);
  });
});
