import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, RecordKind, isJournalError, kindName } from '@fsjournal/journal';
import { collect, collectingLogger, tempDir, writeRecord } from './helpers.js';

describe('append and read', () => {
  it.each(['always', 'batch', 'none'] as const)(
    'numbers records from 1 without gaps (sync=%s)',
    async (sync) => {
      const dir = await tempDir();
      const j = await Journal.open({ dir, sync });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => j.append(writeRecord(i))),
      );
      expect(results.map((r) => r.firstLsn)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(j.durableLsn).toBe(50);
      const entries = await collect(j.read());
      expect(entries.map((e) => e.record.path)).toEqual(results.map((_, i) => `dir/file-${i}`));
      expect(Buffer.from(entries[7]!.record.data)).toEqual(Buffer.from(writeRecord(7).data!));
      await j.close();
    },
  );

  it('keeps every field of a record, with credentials and transactions', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    await j.appendMany([
      { kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn: 7 },
      {
        kind: RecordKind.RECORD_KIND_RENAME,
        path: 'a/b',
        path2: 'c/d',
        txn: 7,
        inode: 2 ** 40 + 3,
        cred: { uid: 1000, gid: 100, pid: 4242, comm: 'dd' },
      },
      {
        kind: RecordKind.RECORD_KIND_UTIMES,
        path: 'c/d',
        mtime: { sec: 1_700_000_000, nsec: 123_456_789 },
        txn: 7,
      },
      { kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn: 7 },
    ]);
    const [begin, rename, utimes, commit] = await collect(j.read());
    expect(kindName(begin!.record.kind)).toBe('TXN_BEGIN');
    expect(rename!.record).toMatchObject({ path: 'a/b', path2: 'c/d', txn: 7, inode: 2 ** 40 + 3 });
    expect(rename!.record.cred).toMatchObject({ uid: 1000, gid: 100, pid: 4242, comm: 'dd' });
    expect(utimes!.record.mtime).toMatchObject({ sec: 1_700_000_000, nsec: 123_456_789 });
    expect(commit!.record.txn).toBe(7);
    expect(new Set([begin, rename, utimes, commit].map((e) => e!.timeUs)).size).toBe(1);
    await j.close();
  });

  it('stamps times that never go backwards', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    for (let i = 0; i < 200; i++) await j.append(writeRecord(i));
    const times = (await collect(j.read())).map((e) => e.timeUs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    await j.close();
  });

  it('continues numbering after reopen and keeps its journal id', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    await j.append(writeRecord(1));
    const id = j.journalId;
    await j.close();
    const again = await Journal.open({ dir });
    expect(again.journalId).toBe(id);
    expect((await again.append(writeRecord(2))).firstLsn).toBe(2);
    await again.close();
    expect(JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8'))).toMatchObject({
      journalId: id,
    });
  });
});

describe('bad records are refused and nothing is written', () => {
  it.each([
    ['an absolute path', { kind: RecordKind.RECORD_KIND_CREATE, path: '/etc/passwd' }],
    ['a .. component', { kind: RecordKind.RECORD_KIND_CREATE, path: 'a/../../b' }],
    ['a NUL byte', { kind: RecordKind.RECORD_KIND_UNLINK, path: 'a\0b' }],
    ['an empty component', { kind: RecordKind.RECORD_KIND_MKDIR, path: 'a//b' }],
    ['an empty path', { kind: RecordKind.RECORD_KIND_WRITE, path: '' }],
    ['a rename without destination', { kind: RecordKind.RECORD_KIND_RENAME, path: 'a' }],
    ['an unknown kind', { kind: 99 as RecordKind, path: 'a' }],
    ['the unspecified kind', { kind: RecordKind.RECORD_KIND_UNSPECIFIED, path: 'a' }],
    [
      'data over 1 MiB',
      { kind: RecordKind.RECORD_KIND_WRITE, path: 'a', data: Buffer.alloc(1024 * 1024 + 1) },
    ],
    [
      'data on an UNLINK',
      { kind: RecordKind.RECORD_KIND_UNLINK, path: 'a', data: Buffer.from('x') },
    ],
    ['a symlink without target', { kind: RecordKind.RECORD_KIND_SYMLINK, path: 'l' }],
    ['mode bits beyond 07777', { kind: RecordKind.RECORD_KIND_CHMOD, path: 'a', mode: 0o170000 }],
  ])('%s', async (_name, record) => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    await j.append(writeRecord(1));
    await expect(j.appendMany([writeRecord(2), record])).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_RECORD',
    });
    expect(j.lastLsn).toBe(1);
    expect((await j.append(writeRecord(3))).firstLsn).toBe(2);
    await j.close();
  });
});

describe('segments, index and tail', () => {
  it('rolls segments at the configured size and reads across them from any LSN', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir, segmentBytes: 4096, indexEveryBytes: 512 });
    for (let i = 1; i <= 300; i++) await j.append(writeRecord(i, 60));
    const names = j.segmentNames();
    expect(names.length).toBeGreaterThan(5);
    expect(names[0]).toBe('0000000000000001.seg');
    expect(await readdir(join(dir, 'index'))).toEqual(names.slice(0, -1).map((n) => `${n}.idx`));
    for (const from of [1, 2, 57, 58, 150, 299, 300]) {
      const got = (await collect(j.read({ fromLsn: from }))).map((e) => e.lsn);
      expect(got[0]).toBe(from);
      expect(got.length).toBe(301 - from);
    }
    expect(await collect(j.read({ fromLsn: 301 }))).toEqual([]);
    await expect(collect(j.read({ fromLsn: 303 }))).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_OUT_OF_RANGE',
    });
    await j.close();
  });

  it('finds the first record at or after a time', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir, segmentBytes: 2048, indexEveryBytes: 256 });
    const stamps: number[] = [];
    for (let i = 1; i <= 100; i++) {
      stamps.push((await j.append(writeRecord(i, 50))).timeUs);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 3));
    }
    for (const lsn of [1, 10, 11, 55, 91, 100]) {
      const t = stamps[lsn - 1]!;
      const firstAtT = stamps.indexOf(t) + 1;
      expect(await j.lsnAtTime(t)).toBe(firstAtT);
    }
    expect(await j.lsnAtTime(stamps[99]! + 1)).toBe(101);
    expect(await j.lsnAtTime(0)).toBe(1);
    await j.close();
  });

  it('a tailing reader sees records as they become durable, across a segment roll', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir, segmentBytes: 1024 });
    await j.append(writeRecord(1));
    const abort = new AbortController();
    const seen: number[] = [];
    const reader = (async () => {
      for await (const e of j.read({ fromLsn: 1, tail: true, signal: abort.signal })) {
        expect(e.lsn).toBeLessThanOrEqual(j.durableLsn);
        seen.push(e.lsn);
        if (e.lsn === 40) abort.abort();
      }
    })();
    for (let i = 2; i <= 40; i++) {
      await j.append(writeRecord(i, 100));
      if (i % 7 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await reader;
    expect(seen).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(j.segmentNames().length).toBeGreaterThan(2);
    await j.close();
  });

  it('a tailing reader ends when the journal closes', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    const reader = collect(j.read({ tail: true }));
    await j.append(writeRecord(1));
    await new Promise((r) => setTimeout(r, 10));
    await j.close();
    expect((await reader).map((e) => e.lsn)).toEqual([1]);
  });
});

describe('retention', () => {
  it('releases whole sealed segments below an LSN, never the live one', async () => {
    const dir = await tempDir();
    const logger = collectingLogger();
    const j = await Journal.open({ dir, segmentBytes: 2048, logger });
    for (let i = 1; i <= 100; i++) await j.append(writeRecord(i, 60));
    const names = j.segmentNames();
    const released = await j.releaseBefore(40);
    expect(released.length).toBeGreaterThan(0);
    expect(j.firstLsn).toBeLessThanOrEqual(40);
    expect(j.firstLsn).toBeGreaterThan(1);
    expect(await readdir(join(dir, 'segments'))).toEqual(names.slice(released.length));
    await expect(collect(j.read({ fromLsn: 1 }))).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_RELEASED',
    });
    expect((await collect(j.read({ fromLsn: 40 })))[0]!.lsn).toBe(40);
    await j.releaseBefore(10_000);
    expect(j.segmentNames()).toEqual([names[names.length - 1]]);
    await j.close();
    const again = await Journal.open({ dir });
    expect(again.firstLsn).toBe(j.firstLsn);
    expect((await again.append(writeRecord(1))).firstLsn).toBe(101);
    await again.close();
  });
});

describe('the journal folder', () => {
  it('refuses a non-empty folder that is not a journal and leaves it alone', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(Journal.open({ dir })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_NOT_A_JOURNAL',
    });
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('refuses a journal.json that is not JSON, or from a newer version', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'journal.json'), '{ nope');
    await expect(Journal.open({ dir })).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_META' });
    await writeFile(
      join(dir, 'journal.json'),
      JSON.stringify({
        format: 'fsjournal-journal',
        version: 2,
        journalId: '00000000-0000-0000-0000-000000000000',
      }),
    );
    await expect(Journal.open({ dir })).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_VERSION' });
  });

  it('refuses a segment from another journal', async () => {
    const a = await tempDir();
    const b = await tempDir();
    for (const dir of [a, b]) {
      const j = await Journal.open({ dir });
      await j.append(writeRecord(1));
      await j.close();
    }
    await writeFile(
      join(b, 'segments', '0000000000000001.seg'),
      await readFile(join(a, 'segments', '0000000000000001.seg')),
    );
    await expect(Journal.open({ dir: b })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_FOREIGN_SEGMENT',
    });
  });

  it('refuses a segment with a foreign magic', async () => {
    const dir = await tempDir();
    await (await Journal.open({ dir })).close();
    await writeFile(join(dir, 'segments', '0000000000000001.seg'), Buffer.alloc(200, 0x41));
    await expect(Journal.open({ dir })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_BAD_MAGIC',
    });
  });

  it('lets one writer in at a time, and takes over a lock left by a dead process', async () => {
    const dir = await tempDir();
    const j = await Journal.open({ dir });
    const second = await Journal.open({ dir }).catch((err: unknown) => err);
    expect(isJournalError(second, 'FSJ_ERR_JOURNAL_LOCKED')).toBe(true);
    const reader = await Journal.open({ dir, readOnly: true });
    await expect(reader.append(writeRecord(1))).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_CLOSED',
    });
    await reader.close();
    await j.close();
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'LOCK'), '2147483646\n'); // no such process
    const taken = await Journal.open({ dir });
    await taken.close();
  });

  // Regression (power cuts): after a reboot the pid in LOCK may belong to an
  // unrelated live process; the boot id says the lock is from before.
  it('takes over a lock from another boot even when its pid is alive now', async () => {
    const dir = await tempDir();
    await (await Journal.open({ dir })).close();
    const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
    const other = '00000000-0000-4000-8000-000000000000';
    // pid 1 is alive; from this boot, the lock is held.
    await writeFile(join(dir, 'LOCK'), `1 ${boot}\n`);
    await expect(Journal.open({ dir })).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_LOCKED' });
    await writeFile(join(dir, 'LOCK'), `1 ${other}\n`);
    const taken = await Journal.open({ dir });
    expect((await readFile(join(dir, 'LOCK'), 'utf8')).trim()).toBe(`${process.pid} ${boot}`);
    await taken.close();
    // A clean close removes it.
    await expect(readFile(join(dir, 'LOCK'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses an unknown sync policy', async () => {
    const dir = await tempDir();
    await expect(Journal.open({ dir, sync: 'sometimes' as 'batch' })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_OPTION',
    });
  });
});

describe('options', () => {
  it.each([
    ['segmentBytes', { segmentBytes: 10 }],
    ['segmentBytes', { segmentBytes: 1.5e3 + 0.5 }],
    ['indexEveryBytes', { indexEveryBytes: 0 }],
    ['verify', { verify: 'some' as 'full' }],
  ])('refuses a bad %s', async (_name, opts) => {
    const dir = await tempDir();
    await expect(Journal.open({ dir, ...opts })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_OPTION',
    });
  });
});

describe('read-only opens', () => {
  it('refuse a journal whose only segment never became whole, with a code', async () => {
    const dir = await tempDir();
    await (await Journal.open({ dir })).close();
    await writeFile(join(dir, 'segments', '0000000000000001.seg'), Buffer.from('FSJSEG\r\n'));
    await expect(Journal.open({ dir, readOnly: true })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_NOT_A_JOURNAL',
    });
  });
});
