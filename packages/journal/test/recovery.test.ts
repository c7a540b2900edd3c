/**
 * Recovery on open, in the manner of LevelDB's log_test and etcd's WAL repair
 * tests: a torn or corrupt tail is cut back to the last good record; damage
 * followed by valid records is a hard error naming segment and offset, and
 * leaves every file as it was.
 */
import { crc32c } from '@node-rs/crc32';
import { cp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Journal, isJournalError, type JournalErrorCode } from '@fsjournal/journal';
import { scanSegment, segmentName } from '@fsjournal/journal/internal';
import { collectingLogger, tempDir, writeRecord } from './helpers.js';

const SEG = segmentName(1);

/** A closed journal with `n` records in one segment, and each record's byte range. */
async function makeJournal(
  n: number,
  dataBytes = 40,
): Promise<{ dir: string; ranges: [number, number][] }> {
  const dir = await tempDir();
  const j = await Journal.open({ dir });
  for (let i = 1; i <= n; i++) await j.append(writeRecord(i, dataBytes));
  await j.close();
  const scan = await scanSegment(join(dir, 'segments', SEG), SEG, 1);
  const starts = scan.index.entries().map((e) => e.offset);
  const ranges = starts.map((s, i): [number, number] => [s, starts[i + 1] ?? scan.validEnd]);
  return { dir, ranges };
}

async function copyOf(dir: string): Promise<string> {
  const to = await tempDir();
  await cp(dir, to, { recursive: true });
  return to;
}

/** Every file under `dir` with its bytes, to prove nothing was rewritten. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(path, (await readFile(path)).toString('base64'));
  }
  return out;
}

async function patch(path: string, at: number, bytes: Buffer): Promise<void> {
  const fh = await open(path, 'r+');
  await fh.write(bytes, 0, bytes.length, at);
  await fh.close();
}

async function expectRefused(dir: string, code: JournalErrorCode, offset: number): Promise<Error> {
  const before = await snapshot(dir);
  const error = await Journal.open({ dir }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isJournalError(error, code), String(error)).toBe(true);
  const e = error as Error & { segment?: string; offset?: number };
  expect(e.segment).toBe(SEG);
  expect(e.offset).toBe(offset);
  expect(e.message).toContain(`offset ${offset}`);
  expect(await snapshot(dir)).toEqual(before);
  return e;
}

async function lsns(dir: string): Promise<number[]> {
  const j = await Journal.open({ dir, readOnly: true });
  const out: number[] = [];
  for await (const e of j.read()) out.push(e.lsn);
  await j.close();
  return out;
}

describe('torn tail', () => {
  it('is cut at every byte of the last record: exactly the earlier records survive, appends continue', async () => {
    const base = await makeJournal(5);
    const [start, end] = base.ranges[4]!;
    for (let cut = start; cut < end; cut++) {
      const dir = await copyOf(base.dir);
      const path = join(dir, 'segments', SEG);
      await truncate(path, cut);
      const logger = collectingLogger();
      const j = await Journal.open({ dir, logger });
      expect(j.lastLsn, `cut at ${cut}`).toBe(4);
      expect((await stat(path)).size).toBe(start);
      if (cut > start) {
        const warn = logger.lines.find((l) => l.level === 'warn');
        expect(warn?.obj).toMatchObject({ segment: SEG, offset: start, bytes: cut - start });
      }
      const next = await j.append(writeRecord(99));
      expect(next.firstLsn).toBe(5);
      const got: string[] = [];
      for await (const e of j.read()) got.push(e.record.path);
      expect(got).toEqual(['dir/file-1', 'dir/file-2', 'dir/file-3', 'dir/file-4', 'dir/file-99']);
      await j.close();
    }
  });

  it('cuts garbage after the last record', async () => {
    const { dir } = await makeJournal(5);
    const path = join(dir, 'segments', SEG);
    const size = (await stat(path)).size;
    await writeFile(path, Buffer.from('not a frame, just noise after a crash'), { flag: 'a' });
    const j = await Journal.open({ dir });
    expect(j.lastLsn).toBe(5);
    expect((await stat(path)).size).toBe(size);
    await j.close();
  });

  it('cuts a partial last record that has only its header', async () => {
    const { dir, ranges } = await makeJournal(5);
    const path = join(dir, 'segments', SEG);
    await truncate(path, ranges[4]![0] + 28);
    const j = await Journal.open({ dir });
    expect(j.lastLsn).toBe(4);
    await j.close();
  });

  it('cuts a last record whose checksum fails (a torn write inside the frame)', async () => {
    const { dir, ranges } = await makeJournal(5);
    await patch(join(dir, 'segments', SEG), ranges[4]![0] + 40, Buffer.from([0xee]));
    const j = await Journal.open({ dir });
    expect(j.lastLsn).toBe(4);
    await j.close();
  });

  it('read-only open treats a torn tail as the end and repairs nothing', async () => {
    const { dir, ranges } = await makeJournal(5);
    const path = join(dir, 'segments', SEG);
    await truncate(path, ranges[4]![0] + 10);
    const before = await snapshot(dir);
    const j = await Journal.open({ dir, readOnly: true });
    expect(j.lastLsn).toBe(4);
    await j.close();
    expect(await snapshot(dir)).toEqual(before);
  });
});

describe('corruption before the tail is a hard error', () => {
  it('a zeroed 512-byte sector mid-journal', async () => {
    const { dir, ranges } = await makeJournal(200, 100);
    const sector = 4096;
    const hit = ranges.find(([s, e]) => s <= sector && sector < e)!;
    await patch(join(dir, 'segments', SEG), sector, Buffer.alloc(512));
    await expectRefused(dir, 'FSJ_ERR_JOURNAL_CORRUPT', hit[0]);
  });

  it('a bit flip names the offset of the damaged record', async () => {
    const { dir, ranges } = await makeJournal(10);
    const path = join(dir, 'segments', SEG);
    const at = ranges[2]![0] + 35;
    const b = (await readFile(path))[at]!;
    await patch(path, at, Buffer.from([b ^ 0x10]));
    const e = await expectRefused(dir, 'FSJ_ERR_JOURNAL_CORRUPT', ranges[2]![0]);
    expect(e.message).toMatch(/checksum; a valid record follows/);
  });

  it.each([
    ['over the cap', 0x7fff_ffff],
    ['past the end of the file', 1_000_000],
    ['too short', 3],
  ])('a bad length (%s) with records after it', async (_name, length) => {
    const { dir, ranges } = await makeJournal(10);
    const len = Buffer.alloc(4);
    len.writeUInt32LE(length);
    await patch(join(dir, 'segments', SEG), ranges[3]![0] + 4, len);
    await expectRefused(dir, 'FSJ_ERR_JOURNAL_CORRUPT', ranges[3]![0]);
  });

  it('a bad frame type with a valid checksum is refused even at the tail (a newer writer)', async () => {
    const { dir, ranges } = await makeJournal(5);
    const path = join(dir, 'segments', SEG);
    const [start, end] = ranges[4]!;
    const frame = (await readFile(path)).subarray(start, end);
    frame[8] = 9;
    frame.writeUInt32LE(crc32c(frame.subarray(4)), 0);
    await patch(path, start, frame);
    await expectRefused(dir, 'FSJ_ERR_JOURNAL_UNKNOWN_FRAME', start);
  });

  it('a bad frame type with a bad checksum mid-journal', async () => {
    const { dir, ranges } = await makeJournal(5);
    await patch(join(dir, 'segments', SEG), ranges[1]![0] + 8, Buffer.from([9]));
    await expectRefused(dir, 'FSJ_ERR_JOURNAL_CORRUPT', ranges[1]![0]);
  });

  it('a record with a repeated LSN', async () => {
    const { dir, ranges } = await makeJournal(5);
    const path = join(dir, 'segments', SEG);
    const [start, end] = ranges[3]!;
    const frame = (await readFile(path)).subarray(start, end);
    frame.writeUInt32LE(3, 12); // lsn 4 -> 3
    frame.writeUInt32LE(crc32c(frame.subarray(4)), 0);
    await patch(path, start, frame);
    await expectRefused(dir, 'FSJ_ERR_JOURNAL_LSN_GAP', start);
  });
});

describe('sealed segments', () => {
  async function rolled(): Promise<{ dir: string; first: string }> {
    const dir = await tempDir();
    const j = await Journal.open({ dir, segmentBytes: 2048 });
    for (let i = 1; i <= 60; i++) await j.append(writeRecord(i, 100));
    const names = j.segmentNames();
    expect(names.length).toBeGreaterThan(2);
    await j.close();
    return { dir, first: names[0]! };
  }

  it('damage in a sealed segment is found by a reader and by a full verify, naming segment and offset', async () => {
    const { dir, first } = await rolled();
    const path = join(dir, 'segments', first);
    const frameStart = 64;
    await patch(path, frameStart + 50, Buffer.from([0xff, 0xff]));
    const j = await Journal.open({ dir });
    const reading = (async () => {
      for await (const e of j.read()) void e;
    })();
    await expect(reading).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_CORRUPT',
      segment: first,
      offset: frameStart,
    });
    await j.close();
    await expect(Journal.open({ dir, verify: 'full' })).rejects.toMatchObject({
      code: 'FSJ_ERR_JOURNAL_CORRUPT',
      segment: first,
      offset: frameStart,
    });
  });

  it('a missing middle segment is an LSN gap', async () => {
    const { dir } = await rolled();
    const names = (await readdir(join(dir, 'segments'))).sort();
    await rm(join(dir, 'segments', names[1]!));
    await rm(join(dir, 'index', `${names[1]!}.idx`));
    await expect(Journal.open({ dir })).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_LSN_GAP' });
  });

  it('a damaged index file is rebuilt from the segment', async () => {
    const { dir, first } = await rolled();
    await writeFile(join(dir, 'index', `${first}.idx`), 'garbage');
    expect(await lsns(dir)).toHaveLength(60);
    const j = await Journal.open({ dir });
    const got: number[] = [];
    for await (const e of j.read({ fromLsn: 3 })) got.push(e.lsn);
    expect(got[0]).toBe(3);
    expect(got).toHaveLength(58);
    await j.close();
    expect((await readFile(join(dir, 'index', `${first}.idx`))).subarray(0, 6).toString()).toBe(
      'FSJIDX',
    );
  });

  it('a last segment whose header never became whole is removed and the previous one continues', async () => {
    const { dir } = await rolled();
    const j = await Journal.open({ dir });
    const last = j.lastLsn;
    await j.close();
    const half = join(dir, 'segments', segmentName(last + 1));
    await writeFile(half, Buffer.from('FSJSEG\r\n\x01\x00'));
    const logger = collectingLogger();
    const again = await Journal.open({ dir, logger });
    expect(
      logger.lines.some((l) => l.level === 'warn' && l.obj.segment === segmentName(last + 1)),
    ).toBe(true);
    expect((await again.append(writeRecord(1))).firstLsn).toBe(last + 1);
    await again.close();
    expect(await lsns(dir)).toHaveLength(last + 1);
  });
});
