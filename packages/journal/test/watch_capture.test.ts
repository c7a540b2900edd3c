import { spawnSync } from 'node:child_process';
import { utimesSync, writeFileSync } from 'node:fs';
import {
  chmod,
  chown,
  mkdir,
  open,
  rename,
  rm,
  symlink,
  truncate,
  utimes,
  writeFile,
  appendFile,
  copyFile,
  stat,
} from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind, kindName } from '@fsjournal/journal';
import { rng } from '../../../bench/rng.mjs';
import { defaultBurstThreshold } from '../src/capture/watch/intake.js';
import { tempDir } from './helpers.js';
import {
  describeEntries,
  entries,
  expectReplayEqual,
  settle,
  startRig,
  stopRig,
  type Rig,
} from './capture_helpers.js';

const isRoot = process.getuid?.() === 0;

describe('watch capture: each change becomes the right records', () => {
  it('creations of files, directories and symlinks (links never followed)', async () => {
    const rig = await startRig();
    const start = rig.journal.lastLsn + 1;
    await mkdir(join(rig.source, 'docs/deep'), { recursive: true });
    await writeFile(join(rig.source, 'docs/readme.txt'), 'hello');
    await writeFile(join(rig.source, 'docs/deep/empty'), '');
    await symlink('/etc', join(rig.source, 'docs/etc-link'));
    await symlink('readme.txt', join(rig.source, 'docs/rel-link'));
    await settle(rig.capture);
    const got = describeEntries(await entries(rig.journal, start));
    expect(got).toEqual(
      expect.arrayContaining([
        'MKDIR docs',
        'MKDIR docs/deep',
        'CREATE docs/readme.txt',
        'WRITE docs/readme.txt',
        'CREATE docs/deep/empty',
        'SYMLINK docs/etc-link',
        'SYMLINK docs/rel-link',
      ]),
    );
    expect(got.some((g) => g.includes('etc-link/'))).toBe(false);
    const link = (await entries(rig.journal, start)).find(
      (e) => e.record.path === 'docs/etc-link',
    )!;
    expect(link.record.target).toBe('/etc');
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('a change in the middle of a big file sends only the changed block', async () => {
    const rig = await startRig();
    const path = join(rig.source, 'big.bin');
    await writeFile(path, rng(1).bytes(2 * 1024 * 1024));
    await settle(rig.capture);
    const start = rig.journal.lastLsn + 1;
    const fh = await open(path, 'r+');
    await fh.write(Buffer.from('PATCHED'), 0, 7, 1_000_000);
    await fh.close();
    await settle(rig.capture);
    const writes = (await entries(rig.journal, start)).filter(
      (e) => e.record.kind === RecordKind.RECORD_KIND_WRITE,
    );
    expect(writes).toHaveLength(1);
    expect(writes[0]!.record.offset).toBe(Math.floor(1_000_000 / 65536) * 65536);
    expect(writes[0]!.record.data.length).toBe(65536);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('truncate, append, chmod, chown and utimes', async () => {
    const rig = await startRig();
    const path = join(rig.source, 'f.txt');
    await writeFile(path, rng(2).bytes(300_000));
    await settle(rig.capture);
    let start = rig.journal.lastLsn + 1;
    await truncate(path, 1000);
    await settle(rig.capture);
    expect(describeEntries(await entries(rig.journal, start))).toContain('TRUNCATE f.txt');
    start = rig.journal.lastLsn + 1;
    await appendFile(path, 'more');
    await chmod(path, 0o600);
    if (isRoot) await chown(path, 1234, 5678);
    await settle(rig.capture);
    await utimes(path, new Date('2020-01-02T03:04:05Z'), new Date('2020-01-02T03:04:05Z'));
    await settle(rig.capture);
    const kinds = (await entries(rig.journal, start)).map((e) => kindName(e.record.kind));
    expect(kinds).toEqual(
      expect.arrayContaining(['WRITE', 'CHMOD', 'UTIMES', ...(isRoot ? ['CHOWN'] : [])]),
    );
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('a file rename is one RENAME record, and so is a directory rename with its children', async () => {
    const rig = await startRig();
    await mkdir(join(rig.source, 'dir/sub'), { recursive: true });
    for (let i = 0; i < 50; i++) await writeFile(join(rig.source, `dir/sub/f${i}`), `content ${i}`);
    await writeFile(join(rig.source, 'a.txt'), 'a');
    await settle(rig.capture);
    const start = rig.journal.lastLsn + 1;
    await rename(join(rig.source, 'a.txt'), join(rig.source, 'b.txt'));
    await rename(join(rig.source, 'dir'), join(rig.source, 'moved'));
    await settle(rig.capture);
    const got = describeEntries(await entries(rig.journal, start)).filter(
      (g) => !g.startsWith('UTIMES'),
    );
    expect(got.sort()).toEqual(['RENAME a.txt->b.txt', 'RENAME dir->moved']);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('rename over an existing file, and type flips file <-> directory', async () => {
    const rig = await startRig();
    await writeFile(join(rig.source, 'x'), 'x content');
    await writeFile(join(rig.source, 'y'), 'y content');
    await writeFile(join(rig.source, 'flip'), 'a file first');
    await settle(rig.capture);
    const start = rig.journal.lastLsn + 1;
    await rename(join(rig.source, 'x'), join(rig.source, 'y'));
    await rm(join(rig.source, 'flip'));
    await mkdir(join(rig.source, 'flip'));
    await writeFile(join(rig.source, 'flip/inner'), 'now a directory');
    await settle(rig.capture);
    expect(describeEntries(await entries(rig.journal, start))).toContain('RENAME x->y');
    await expectReplayEqual(rig);
    await rm(join(rig.source, 'flip'), { recursive: true });
    await writeFile(join(rig.source, 'flip'), 'a file again');
    await settle(rig.capture);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  // Found by the network fault test in a fresh-clone CI run: a directory
  // emptied, removed and replaced by another renamed over its name, all
  // within the rename window, was journaled as RENAME before the removal of
  // what the manifest still had there, and the replica's rename onto a
  // non-empty directory failed with ENOTEMPTY forever.
  it('a directory renamed onto the name of one just emptied and removed', async () => {
    const rig = await startRig();
    await mkdir(join(rig.source, 'old'));
    await writeFile(join(rig.source, 'old/in'), 'the old one');
    await mkdir(join(rig.source, 'new'));
    await writeFile(join(rig.source, 'new/in'), 'the new one');
    await settle(rig.capture);
    const start = rig.journal.lastLsn + 1;
    await rm(join(rig.source, 'old/in'));
    await rename(join(rig.source, 'new'), join(rig.source, 'old'));
    await settle(rig.capture);
    const got = describeEntries(await entries(rig.journal, start));
    expect(got).toContain('RENAME new->old');
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('a 24 MB file is >= 23 WRITE records in one transaction', async () => {
    const rig = await startRig();
    const start = rig.journal.lastLsn + 1;
    // Made whole outside the source and renamed in: written in place, the
    // capture (in this process, reading between the writer's chunks) may
    // journal a first part of it as a transaction of its own.
    await writeFile(join(rig.root, 'large.bin'), rng(3).bytes(24 * 1024 * 1024));
    await rename(join(rig.root, 'large.bin'), join(rig.source, 'large.bin'));
    await settle(rig.capture);
    const list = await entries(rig.journal, start);
    // A read that raced the writer is aborted (TXN_ABORT) and the file read again.
    const committed = list.filter((e) => e.record.kind === RecordKind.RECORD_KIND_TXN_COMMIT);
    const aborted = new Set(
      list
        .filter((e) => e.record.kind === RecordKind.RECORD_KIND_TXN_ABORT)
        .map((e) => e.record.txn),
    );
    const txn = committed.map((e) => e.record.txn).find((t) => !aborted.has(t))!;
    expect(txn).toBeGreaterThan(0);
    const writes = list.filter(
      (e) => e.record.kind === RecordKind.RECORD_KIND_WRITE && e.record.txn === txn,
    );
    expect(writes.length).toBeGreaterThanOrEqual(23);
    const begin = list.find(
      (e) => e.record.kind === RecordKind.RECORD_KIND_TXN_BEGIN && e.record.txn === txn,
    )!;
    const commit = committed.find((e) => e.record.txn === txn)!;
    expect(begin.lsn).toBe(txn);
    expect(begin.lsn).toBeLessThan(writes[0]!.lsn);
    expect(commit.lsn).toBeGreaterThan(writes[writes.length - 1]!.lsn);
    expect(writes.reduce((n, w) => n + w.record.data.length, 0)).toBe(24 * 1024 * 1024);
    expect(writes.every((w) => w.record.data.length <= 1024 * 1024)).toBe(true);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('ignores globs and the journal folder inside the source', async () => {
    const root = (await startRig()).root; // a folder to build in
    const { Journal, WatchCapture } = await import('@fsjournal/journal');
    const source = join(root, 'tree');
    await mkdir(join(source, 'node_modules/pkg'), { recursive: true });
    await writeFile(join(source, 'node_modules/pkg/index.js'), 'x');
    await writeFile(join(source, 'keep.txt'), 'keep');
    await writeFile(join(source, 'skip.log'), 'skip');
    const journal = await Journal.open({ dir: join(source, '.fsjournal') });
    const capture = await WatchCapture.start({
      source,
      journal,
      ignore: ['node_modules', '**/*.log'],
    });
    await writeFile(join(source, 'later.log'), 'skip');
    await writeFile(join(source, 'later.txt'), 'keep');
    await settle(capture);
    const paths = (await entries(journal)).map((e) => e.record.path);
    expect(paths).toEqual(expect.arrayContaining(['keep.txt', 'later.txt']));
    expect(
      paths.filter(
        (p) => p.includes('node_modules') || p.endsWith('.log') || p.startsWith('.fsjournal'),
      ),
    ).toEqual([]);
    await capture.stop();
    await journal.close();
  });

  it('a name starting with two dots is inside the tree', async () => {
    const rig = await startRig();
    const start = rig.journal.lastLsn + 1;
    await writeFile(join(rig.source, '..dots'), 'not the parent folder');
    await mkdir(join(rig.source, '..dir'));
    await writeFile(join(rig.source, '..dir/inner'), 'x');
    await settle(rig.capture);
    expect(describeEntries(await entries(rig.journal, start))).toEqual(
      expect.arrayContaining(['CREATE ..dots', 'MKDIR ..dir', 'CREATE ..dir/inner']),
    );
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});

describe('watch capture: events chokidar throttles', () => {
  it('a second write 5-40 ms after the first is journaled (chokidar drops that change event)', async () => {
    const rig = await startRig();
    const files = Array.from({ length: 20 }, (_, i) => join(rig.source, `twice-${i}.txt`));
    for (const [i, f] of files.entries()) await writeFile(f, `original ${i}`);
    await settle(rig.capture);
    // The first write's `change` passes chokidar's throttle and the capture reads
    // the file; the second, within 50 ms of the first, gets no `change` event.
    await Promise.all(
      files.map(async (f, i) => {
        await writeFile(f, `first write of ${i}`);
        await new Promise((r) => setTimeout(r, 5 + ((i * 7) % 36)));
        await writeFile(f, `second write of ${i}, the one that must survive`);
      }),
    );
    await settle(rig.capture);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});

describe('watch capture: the watcher follows directories', () => {
  it('a renamed, removed or recreated directory is watched under its new path', async () => {
    const rig = await startRig();
    await mkdir(join(rig.source, 'a/deep'), { recursive: true });
    await writeFile(join(rig.source, 'a/deep/f'), 'f');
    await settle(rig.capture);
    // Renamed: changes under the new path are seen (fs.watch watches by path).
    await rename(join(rig.source, 'a'), join(rig.source, 'b'));
    await settle(rig.capture);
    await writeFile(join(rig.source, 'b/deep/g'), 'g');
    await writeFile(join(rig.source, 'b/deep/f'), 'f changed');
    await settle(rig.capture);
    await expectReplayEqual(rig);
    // A new directory at the old path, and one removed and made again.
    await mkdir(join(rig.source, 'a/deep'), { recursive: true });
    await settle(rig.capture);
    await writeFile(join(rig.source, 'a/deep/h'), 'h');
    await rm(join(rig.source, 'b'), { recursive: true });
    await settle(rig.capture);
    await mkdir(join(rig.source, 'b/deep'), { recursive: true });
    await settle(rig.capture);
    await writeFile(join(rig.source, 'b/deep/i'), 'i');
    await settle(rig.capture);
    expect(rig.capture.stats.gaps).toBe(0);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});

describe('watch capture: a clock that ticks coarsely', () => {
  it('a same-size write stamped with the same mtime as the read one is journaled', async () => {
    const rig = await startRig();
    const files = Array.from({ length: 10 }, (_, i) => join(rig.source, `tick-${i}`));
    const stamp = new Date('2024-05-06T07:08:09Z');
    for (const f of files) await writeFile(f, 'seed');
    await settle(rig.capture);
    // What a kernel whose clock ticks every few ms does to two writes in one
    // tick: same size, same mtime. The capture reads the first (its events
    // come within the 20 ms), then lstat shows nothing new for the second.
    // Each step is synchronous: the capture (same process) never sees a file
    // written but not yet stamped.
    const step = (text: (i: number) => string): void =>
      files.forEach((f, i) => {
        writeFileSync(f, text(i));
        utimesSync(f, stamp, stamp);
      });
    step((i) => `one ${i}`);
    await new Promise((r) => setTimeout(r, 20));
    step((i) => `two ${i}`);
    await settle(rig.capture);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});

describe('watch capture: start-up', () => {
  it('a first start looks at each path once, not once per listing', async () => {
    const root = await tempDir('fsj-capture-');
    const source = join(root, 'source');
    for (let d = 0; d < 4; d++) {
      await mkdir(join(source, `d${d}/sub`), { recursive: true });
      for (let f = 0; f < 20; f++) await writeFile(join(source, `d${d}/f${f}`), `file ${d}/${f}`);
      await writeFile(join(source, `d${d}/sub/leaf`), 'leaf');
    }
    const paths = 1 + 4 * (1 + 20 + 1 + 1); // root, then per folder: itself, files, sub, leaf
    const folders = 1 + 4 * 2;
    // A listing is trusted only for a folder changed long enough ago that a
    // coarse kernel clock cannot stamp a later change the same (50 ms).
    await new Promise((r) => setTimeout(r, 100));
    const rig = await startRig({}, { root });
    // Each path once, plus each folder once more: its mtime is checked again
    // after entries were created in it.
    expect(rig.capture.stats.pathsProcessed).toBeLessThanOrEqual(paths + folders);
    expect(rig.capture.stats.contentReads).toBe(4 * 21);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('a folder moved in from outside is listed: its entries never made an event', async () => {
    const rig = await startRig();
    const outside = join(rig.root, 'outside');
    await mkdir(join(outside, 'tree/deeper'), { recursive: true });
    for (let f = 0; f < 30; f++) await writeFile(join(outside, `tree/f${f}`), `f${f}`);
    await writeFile(join(outside, 'tree/deeper/leaf'), 'leaf');
    const start = rig.journal.lastLsn + 1;
    await rename(join(outside, 'tree'), join(rig.source, 'tree'));
    await settle(rig.capture);
    const creates = (await entries(rig.journal, start)).filter(
      (e) => e.record.kind === RecordKind.RECORD_KIND_CREATE,
    );
    expect(creates).toHaveLength(31);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });

  it('a restart that finds nothing to do does not rewrite the manifest', async () => {
    const root = await tempDir('fsj-capture-');
    await mkdir(join(root, 'source'));
    await writeFile(join(root, 'source/a'), 'a');
    // Read more than 50 ms after it was written, `a` is not racy (a racy file
    // is read again at the next start, and the manifest saved again).
    await new Promise((r) => setTimeout(r, 100));
    const first = await startRig({}, { root });
    await stopRig(first);
    const manifest = join(first.journalDir, 'manifest.bin');
    const saved = await stat(manifest);
    const again = await startRig({}, first);
    await stopRig(again);
    // Saving writes a new file and renames it over the old one: a new inode.
    expect((await stat(manifest)).ino).toBe(saved.ino);
    await writeFile(join(first.source, 'b'), 'b');
    const changed = await startRig({}, first);
    await stopRig(changed);
    expect((await stat(manifest)).ino).not.toBe(saved.ino);
  });
});

describe('watch capture: restarts', () => {
  it('journals changes made while it was down, and does not re-send unchanged content', async () => {
    const first = await startRig();
    await mkdir(join(first.source, 'd'));
    await writeFile(join(first.source, 'd/keep'), rng(4).bytes(200_000));
    await writeFile(join(first.source, 'd/change'), rng(5).bytes(200_000));
    await writeFile(join(first.source, 'd/delete'), 'bye');
    await writeFile(join(first.source, 'd/rename-me'), 'moving');
    await settle(first.capture);
    await stopRig(first);
    const start = first.journal.lastLsn + 1;

    const fh = await open(join(first.source, 'd/change'), 'r+');
    await fh.write(Buffer.from('offline edit'), 0, 12, 100_000);
    await fh.close();
    await rm(join(first.source, 'd/delete'));
    await rename(join(first.source, 'd/rename-me'), join(first.source, 'd/renamed'));
    await writeFile(join(first.source, 'd/new'), 'born offline');

    const rig = await startRig({}, first);
    const after = describeEntries(await entries(rig.journal, start));
    expect(after).toEqual(
      expect.arrayContaining([
        'UNLINK d/delete',
        'RENAME d/rename-me->d/renamed',
        'CREATE d/new',
        'WRITE d/change',
      ]),
    );
    const restartRecords = await entries(rig.journal, start);
    expect(
      restartRecords.filter(
        (e) => e.record.path === 'd/keep' && e.record.kind === RecordKind.RECORD_KIND_WRITE,
      ),
    ).toEqual([]);
    await expectReplayEqual(rig);
    const last = rig.journal.lastLsn;
    await stopRig(rig);
    const again = await startRig({}, first);
    expect(again.journal.lastLsn).toBe(last);
    await stopRig(again);
  });

  it('a manifest older than the journal is brought forward, not trusted blindly', async () => {
    const rig = await startRig({ manifestSaveMs: 3_600_000 });
    await writeFile(join(rig.source, 'one'), 'first');
    await settle(rig.capture);
    const manifest = join(rig.journalDir, 'manifest.bin');
    const stale = join(rig.root, 'stale-manifest.bin');
    await rig.capture.stop();
    await copyFile(manifest, stale);
    await rig.journal.close();
    const mid = await startRig({ manifestSaveMs: 3_600_000 }, rig);
    await writeFile(join(mid.source, 'one'), 'second version, longer');
    await rename(join(mid.source, 'one'), join(mid.source, 'two'));
    await settle(mid.capture);
    await mid.capture.stop();
    await mid.journal.close();
    await copyFile(stale, manifest); // as if the process died before saving
    const after = await startRig({}, rig);
    await expectReplayEqual(after);
    await stopRig(after);
  });
});

/**
 * 20,000 files in 20 watched folders, each created with content, chmodded,
 * renamed, one in four removed: 105,000 inotify events (create, modify,
 * attrib, moved_from, moved_to, delete), over six times the kernel's queue.
 */
const BURST_SCRIPT = `
const fs = require('node:fs');
const root = process.argv[1];
for (let f = 0; f < 1000; f++) {
  for (let d = 0; d < 20; d++) {
    const p = root + '/burst/d' + d + '/f' + f;
    fs.writeFileSync(p, 'file ' + d + '/' + f);
    fs.chmodSync(p, 0o600);
    fs.renameSync(p, p + '.r');
    if (f % 4 === 0) fs.unlinkSync(p + '.r');
  }
}`;

/** A rig with the burst's 20 folders made and watched (a file made in a folder not watched yet makes no event). */
async function burstRig(): Promise<Rig> {
  const rig = await startRig();
  for (let d = 0; d < 20; d++) await mkdir(join(rig.source, `burst/d${d}`), { recursive: true });
  await settle(rig.capture);
  return rig;
}

describe('watch capture: bursts and gaps', () => {
  it(
    'a burst while the capture cannot read (its thread blocked) overflows the kernel queue: a recorded GAP and a rescan, nothing lost',
    { timeout: 240_000 },
    async () => {
      const rig = await burstRig();
      const start = rig.journal.lastLsn + 1;
      // spawnSync blocks this process, the capture's: the kernel's queue
      // fills up (16,384 events here) and drops the rest.
      const r = spawnSync(process.execPath, ['-e', BURST_SCRIPT, rig.source], {
        stdio: 'inherit',
      });
      expect(r.status).toBe(0);
      await settle(rig.capture, 500);
      const list = await entries(rig.journal, start);
      const gaps = list.filter((e) => e.record.kind === RecordKind.RECORD_KIND_GAP);
      expect(gaps.length).toBeGreaterThanOrEqual(1);
      expect(gaps[0]!.record.text).toMatch(/inotify queue may have overflowed/);
      expect(rig.capture.stats.largestRead).toBeGreaterThanOrEqual(await defaultBurstThreshold());
      await expectReplayEqual(rig);
      await stopRig(rig);
    },
  );

  it('a file that keeps changing while read ends up journaled as it finally is', async () => {
    const rig = await startRig({ blockBytes: 4096 });
    const path = join(rig.source, 'growing.log');
    const fh = await open(path, 'a');
    for (let i = 0; i < 300; i++) {
      await fh.write(rng(i).bytes(3000));
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await fh.close();
    await settle(rig.capture);
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});

describe('watch capture: a transaction left open by a killed run', () => {
  it('is aborted at start, so replicas drop it and the manifest does not believe it', async () => {
    const first = await startRig();
    await writeFile(join(first.source, 'kept.txt'), 'kept');
    await settle(first.capture);
    await stopRig(first);
    // What a capture killed between the appends of a large file leaves behind.
    const { Journal: J } = await import('@fsjournal/journal');
    const j = await J.open({ dir: first.journalDir });
    const txn = j.lastLsn + 1;
    await j.appendMany([
      { kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn },
      { kind: RecordKind.RECORD_KIND_CREATE, path: 'half.bin', mode: 0o644, txn },
      { kind: RecordKind.RECORD_KIND_WRITE, path: 'half.bin', data: Buffer.alloc(10, 1), txn },
    ]);
    await j.close();
    await writeFile(join(first.source, 'half.bin'), rng(9).bytes(5000));
    const rig = await startRig({}, first);
    const list = await entries(rig.journal, txn);
    expect(
      list.some((e) => e.record.kind === RecordKind.RECORD_KIND_TXN_ABORT && e.record.txn === txn),
    ).toBe(true);
    // The file is journaled whole after the abort (CREATE, not a patch of a file nobody has).
    expect(describeEntries(list.filter((e) => e.lsn > txn + 2))).toContain('CREATE half.bin');
    await expectReplayEqual(rig);
    await stopRig(rig);
  });
});
