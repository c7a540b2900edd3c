/**
 * The bytes of a checkpoint file (docs/JOURNAL_FORMAT.md, "Checkpoints"):
 * one line per path with its fields in a fixed order and times as
 * `[seconds, nanoseconds]`, the root's attributes in the header, and a
 * checkpoint read back into the same entries, with times as Timespecs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoints, Journal, RecordKind, type RecordInput } from '@fsjournal/journal';

const K = RecordKind;
const t1 = { sec: 1_700_000_000, nsec: 111_000_000 };
const t2 = { sec: 1_700_000_100, nsec: 222_000_000 };
const RECORDS: RecordInput[] = [
  { kind: K.RECORD_KIND_MKDIR, path: 'd', mode: 0o750, uid: 10, gid: 20, mtime: t1 },
  { kind: K.RECORD_KIND_CREATE, path: 'd/f', mode: 0o640, uid: 11, gid: 21, mtime: t1 },
  { kind: K.RECORD_KIND_WRITE, path: 'd/f', offset: 70_000, data: Buffer.from('tail') },
  { kind: K.RECORD_KIND_UTIMES, path: 'd/f', atime: t1, mtime: t2 },
  { kind: K.RECORD_KIND_LINK, path: 'd/f', path2: 'h' },
  { kind: K.RECORD_KIND_SYMLINK, path: 's', target: '../x', uid: 12, gid: 22, mtime: t2 },
  { kind: K.RECORD_KIND_CHMOD, path: '', mode: 0o711 },
  { kind: K.RECORD_KIND_UTIMES, path: '', atime: t1, mtime: t2 },
];

let dir: string;
let lines: string[];
let checkpoints: Checkpoints;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsj-ckpt-format-'));
  const journal = await Journal.open({ dir });
  for (const r of RECORDS) await journal.append(r);
  checkpoints = await Checkpoints.open(dir);
  const info = await checkpoints.create(journal);
  await journal.close();
  const name = `${info.lsn.toString(16).padStart(16, '0')}.ckpt`;
  lines = (await readFile(join(dir, 'checkpoints', name), 'utf8')).split('\n');
});
afterAll(async () => {
  await checkpoints.close();
  await rm(dir, { recursive: true, force: true });
});

describe('checkpoint file', () => {
  it('has the root attributes last in the header, times as pairs', () => {
    expect(lines[0]).toMatch(
      /^\{"format":"fsjournal-checkpoint","version":1,"id":"cp-8","journalId":"[0-9a-f-]{36}","lsn":8,"timeUs":\d+,"time":"[^"]+","createdAt":"[^"]+","blockBytes":65536,"openTxns":\[\],"files":1,"dirs":1,"symlinks":1,"hardlinks":1,"bytes":70004,"root":\{"mode":457,"uid":0,"gid":0,"atime":\[1700000000,111000000\],"mtime":\[1700000100,222000000\]\}\}$/,
    );
  });

  it('has one line per path, fields in order', () => {
    const block = JSON.parse(lines[2]!).blocks[1] as string;
    expect(block).toMatch(/^[0-9a-f]{64}$/);
    expect(lines.slice(1, 5)).toEqual([
      '{"path":"d","type":"dir","mode":488,"uid":10,"gid":20,"atime":[1700000000,111000000],"mtime":[1700000000,111000000]}',
      `{"path":"d/f","type":"file","mode":416,"uid":11,"gid":21,"atime":[1700000000,111000000],"mtime":[1700000100,222000000],"size":70004,"blocks":[null,"${block}"]}`,
      '{"path":"h","type":"hardlink","linkTo":"d/f"}',
      '{"path":"s","type":"symlink","mode":511,"uid":12,"gid":22,"atime":[1700000100,222000000],"mtime":[1700000100,222000000],"target":"../x"}',
    ]);
    expect(lines[5]).toMatch(/^\{"end":true,"entries":4,"crc32c":\d+\}$/);
    expect(lines[6]).toBe('');
  });

  it('reads back as entries with Timespec times, the root too', async () => {
    const h = checkpoints.newest!;
    expect(h.root).toEqual({ mode: 0o711, uid: 0, gid: 0, atime: t1, mtime: t2 });
    const entries = [];
    for await (const e of checkpoints.entries(h)) entries.push(e);
    expect(entries.map((e) => e.type)).toEqual(['dir', 'file', 'hardlink', 'symlink']);
    expect(entries[0]).toEqual({
      path: 'd',
      type: 'dir',
      mode: 0o750,
      uid: 10,
      gid: 20,
      atime: t1,
      mtime: t1,
    });
    expect(entries[3]).toMatchObject({ type: 'symlink', mode: 0o777, atime: t2, target: '../x' });
  });
});
