/** The pure core of capture, tested by tables (STYLE.md 2). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { RecordKind, kindName } from '@fsjournal/journal';
import {
  attributeRecords,
  createRecord,
  Manifest,
  planPath,
  WriteCoalescer,
  type ManifestEntry,
  type Observed,
} from '@fsjournal/journal/internal';
import { knownFile as known, observedFile as file, t, tempDir } from './helpers.js';

describe('planPath', () => {
  it.each<[string, ManifestEntry | undefined, Observed | undefined, string]>([
    ['nothing anywhere', undefined, undefined, 'none'],
    ['new on disk', undefined, file, 'add'],
    ['gone from disk', known, undefined, 'remove'],
    ['unchanged', known, file, 'none'],
    ['type flip file -> dir', known, { ...file, type: 'dir' }, 'replace'],
    [
      'symlink retargeted',
      { ...known, type: 'symlink', target: 'a' },
      { ...file, type: 'symlink', target: 'b' },
      'replace',
    ],
    ['size changed', known, { ...file, size: 11 }, 'update content'],
    ['mtime changed (ns)', known, { ...file, mtime: t(100, 1) }, 'update content utimes'],
    ['new inode, same stat', known, { ...file, ino: '1:9:9' }, 'update content'],
    ['content unknown', { ...known, hashes: undefined }, file, 'update content'],
    [
      'read within a tick of a change (racy), same stat',
      { ...known, racy: true },
      file,
      'update content',
    ],
    ['mode only', known, { ...file, mode: 0o600 }, 'update chmod'],
    ['owner only', known, { ...file, gid: 7 }, 'update chown'],
    [
      'directory mtime',
      { ...known, type: 'dir' },
      { ...file, type: 'dir', mtime: t(5) },
      'update utimes',
    ],
  ])('%s -> %s', (_name, old, now, expected) => {
    const plan = planPath(old, now);
    const text =
      plan.kind === 'update'
        ? [
            'update',
            ...(['content', 'chmod', 'chown', 'utimes'] as const).filter((k) => plan[k]),
          ].join(' ')
        : plan.kind;
    expect(text).toBe(expected);
  });
});

describe('records', () => {
  it('creates each type with its attributes', () => {
    expect(createRecord('f', file)).toMatchObject({
      kind: RecordKind.RECORD_KIND_CREATE,
      mode: 0o644,
      size: 10,
    });
    expect(createRecord('d', { ...file, type: 'dir' }).kind).toBe(RecordKind.RECORD_KIND_MKDIR);
    expect(createRecord('l', { ...file, type: 'symlink', target: '../x' })).toMatchObject({
      kind: RecordKind.RECORD_KIND_SYMLINK,
      target: '../x',
    });
  });

  it('orders attributes owner, mode, times', () => {
    const kinds = attributeRecords('f', file, { chmod: true, chown: true, utimes: true }).map((r) =>
      kindName(r.kind),
    );
    expect(kinds).toEqual(['CHOWN', 'CHMOD', 'UTIMES']);
  });

  it('coalesces consecutive blocks into WRITEs of at most 1 MiB', () => {
    const c = new WriteCoalescer('f');
    const block = Buffer.alloc(64 * 1024);
    const out = [];
    for (let i = 0; i < 20; i++) out.push(c.add(i * block.length, block));
    out.push(c.add(30 * block.length, block)); // not adjacent: a new record
    out.push(c.flush());
    const writes = out.filter((r) => r !== undefined);
    expect(writes.map((w) => [w.offset, w.data!.length])).toEqual([
      [0, 1024 * 1024],
      [16 * 64 * 1024, 4 * 64 * 1024],
      [30 * 64 * 1024, 64 * 1024],
    ]);
  });
});

describe('Manifest', () => {
  it('moves and removes whole subtrees and keeps the inode index true', () => {
    const m = new Manifest();
    const dir: ManifestEntry = { ...known, type: 'dir', ino: 'd' };
    m.set('', { ...dir, ino: 'root' });
    m.set('a', dir);
    m.set('a/x', { ...known, ino: 'x' });
    m.set('a/b', { ...dir, ino: 'b' });
    m.set('a/b/y', { ...known, ino: 'y' });
    m.moveSubtree('a', 'c');
    expect([...m.paths()].sort()).toEqual(['', 'c', 'c/b', 'c/b/y', 'c/x']);
    expect(m.pathsWithIno('y')).toEqual(['c/b/y']);
    expect(m.childrenOf('c').sort()).toEqual(['c/b', 'c/x']);
    expect(m.removeSubtree('c').sort()).toEqual(['c', 'c/b', 'c/b/y', 'c/x']);
    expect(m.pathsWithIno('y')).toEqual([]);
  });

  it('removes children before their parents', () => {
    const m = new Manifest();
    const dir: ManifestEntry = { ...known, type: 'dir', ino: 'd' };
    m.set('a', dir);
    m.set('a/b', { ...dir, ino: 'b' });
    m.set('a/b/y', { ...known, ino: 'y' });
    const removed = m.removeSubtree('a');
    expect(removed.indexOf('a/b/y')).toBeLessThan(removed.indexOf('a/b'));
    expect(removed.indexOf('a/b')).toBeLessThan(removed.indexOf('a'));
    expect(m.size).toBe(0);
    expect(m.pathsWithIno('y')).toEqual([]);
  });

  it('brings itself forward over records, forgetting what a record cannot tell', () => {
    const m = new Manifest();
    m.set('f', known);
    m.applyRecord(5, { kind: RecordKind.RECORD_KIND_WRITE, path: 'f' } as never);
    expect(m.get('f')?.hashes).toBeUndefined();
    m.applyRecord(6, { kind: RecordKind.RECORD_KIND_RENAME, path: 'f', path2: 'g' } as never);
    expect(m.get('f')).toBeUndefined();
    expect(m.get('g')?.size).toBe(10);
    m.applyRecord(7, { kind: RecordKind.RECORD_KIND_UNLINK, path: 'g' } as never);
    expect(m.size).toBe(0);
    expect(m.lsn).toBe(7);
  });

  it('indexes an inode with one name and with several (hard links)', () => {
    const m = new Manifest();
    m.set('a', { ...known, ino: 'i' });
    expect(m.pathsWithIno('i')).toEqual(['a']);
    m.set('b', { ...known, ino: 'i' });
    m.set('c', { ...known, ino: 'i' });
    expect(m.pathsWithIno('i').sort()).toEqual(['a', 'b', 'c']);
    m.removeSubtree('a');
    m.removeSubtree('c');
    expect(m.pathsWithIno('i')).toEqual(['b']);
    m.set('b', { ...known, ino: 'j' }); // the same path, another inode
    expect(m.pathsWithIno('i')).toEqual([]);
    expect(m.pathsWithIno('j')).toEqual(['b']);
  });

  it('moves its revision on every change and only then', () => {
    const m = new Manifest();
    const r0 = m.revision;
    m.set('f', known);
    const r1 = m.revision;
    expect(r1).not.toBe(r0);
    m.removeSubtree('nothing-there');
    m.applyRecord(3, { kind: RecordKind.RECORD_KIND_GAP, path: '' } as never);
    expect(m.revision).toBe(r1);
    m.applyRecord(4, { kind: RecordKind.RECORD_KIND_UNLINK, path: 'f' } as never);
    expect(m.revision).not.toBe(r1);
  });

  it('saves and loads hashes as they were; reads a version 1 file (Uint8Array hashes)', async () => {
    const dir = await tempDir();
    const hashes = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37) & 0xff));
    const m = new Manifest();
    m.set('f', { ...known, size: 70_000, hashes: hashes.toString('latin1') });
    m.lsn = 9;
    await m.save(join(dir, 'v2.bin'), 'journal-a');
    const v2 = await Manifest.load(join(dir, 'v2.bin'), 'journal-a');
    expect(v2?.lsn).toBe(9);
    expect(Buffer.from(v2!.get('f')!.hashes!, 'latin1').equals(hashes)).toBe(true);

    const entry = { ...known, size: 70_000, hashes: new Uint8Array(hashes) };
    const v1 = { format: 'fsjournal-manifest', version: 1, journalId: 'journal-a', lsn: 9 };
    await writeFile(join(dir, 'v1.bin'), serialize({ ...v1, entries: [['f', entry]] }));
    const loaded = await Manifest.load(join(dir, 'v1.bin'), 'journal-a');
    expect(Buffer.from(loaded!.get('f')!.hashes!, 'latin1').equals(hashes)).toBe(true);
    expect(loaded!.pathsWithIno(known.ino)).toEqual(['f']);
  });
});
