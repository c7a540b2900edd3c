// Generates the journal format fixtures under testdata/journal/<case>/:
//   journal/     a complete journal folder (journal.json, segments/, index/)
//   expect.json  what opening it must do (read by packages/journal/test/format_fixtures.test.ts)
//   README.md    what the case is
//
// Run once, then commit the output: `npx tsc -b && node testdata/journal/make-fixtures.mjs`.
// Record contents, sizes and offsets are the same on every run; the journal ids
// and record times are not (they come from the real writer), which is fine.
//
// Expectations are computed from the damage done here (which frame was hit,
// where), never by opening the result with the journal's own recovery.
import { Buffer } from 'node:buffer';
import { mkdir, readdir, readFile, rm, rmdir, truncate, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32c } from '@node-rs/crc32';
import {
  encodeFrame,
  encodeSegmentHeader,
  FRAME_HEADER_BYTES,
  Journal,
  parseFrame,
  RecordKind,
  scanSegment,
  SEGMENT_HEADER_BYTES,
  segmentName,
} from '../../packages/journal/dist/internal_mod.js';
import { fsjournal } from '../../packages/journal/schema/fsjournal.js';

const here = dirname(fileURLToPath(import.meta.url));
const K = RecordKind;
const cred = { uid: 1000, gid: 1000, pid: 4242, comm: 'editor' };

/** The i-th sample record (0-based): a small, varied, deterministic tree history. */
function sample(i) {
  const n = Math.floor(i / 12);
  const dir = n === 0 ? 'docs' : `docs/d${n}`;
  const file = `${dir}/notes.txt`;
  const text = `line ${i}: the quick brown fox jumps over the lazy dog\n`;
  switch (i % 12) {
    case 0:
      return { kind: K.RECORD_KIND_MKDIR, path: dir, mode: 0o755, uid: 1000, gid: 1000, cred };
    case 1:
      return { kind: K.RECORD_KIND_CREATE, path: file, mode: 0o644, uid: 1000, gid: 1000, cred };
    case 2:
      return { kind: K.RECORD_KIND_WRITE, path: file, offset: 0, data: Buffer.from(text), cred };
    case 3:
      return { kind: K.RECORD_KIND_CHMOD, path: file, mode: 0o600, cred };
    case 4:
      return { kind: K.RECORD_KIND_RENAME, path: file, path2: `${dir}/todo.txt`, cred };
    case 5:
      return { kind: K.RECORD_KIND_ANNOTATE, text: `marker ${i}` };
    case 6:
      return { kind: K.RECORD_KIND_SYMLINK, path: `${dir}/link`, target: 'todo.txt', cred };
    case 7:
      return {
        kind: K.RECORD_KIND_UTIMES,
        path: `${dir}/todo.txt`,
        atime: { sec: 1700000000, nsec: 250000000 },
        mtime: { sec: 1700000000, nsec: 123456789 },
        cred,
      };
    case 8:
      return { kind: K.RECORD_KIND_TRUNCATE, path: `${dir}/todo.txt`, size: 5, cred };
    case 9:
      return {
        kind: K.RECORD_KIND_SETXATTR,
        path: `${dir}/todo.txt`,
        xattrName: 'user.tag',
        xattrValue: Buffer.from('blue'),
        cred,
      };
    case 10:
      return { kind: K.RECORD_KIND_UNLINK, path: `${dir}/link`, cred };
    default:
      return { kind: K.RECORD_KIND_BARRIER, barrierId: `barrier-${i}` };
  }
}

/** Writes `count` sample records (one append each) into a new journal at `dir`. */
async function writeJournal(dir, count, options = {}) {
  const journal = await Journal.open({ dir, sync: 'always', ...options });
  try {
    const target = journal.lastLsn + count;
    while (journal.lastLsn < target) await journal.append(sample(journal.lastLsn));
    return journal.segmentNames();
  } finally {
    await journal.close();
  }
}

/** Small segments and a dense sparse index, so a few KB of records make several segments. */
const SMALL = { segmentBytes: 1024, indexEveryBytes: 256 };

/** Every whole frame of a segment file: offset, end, LSN and time. */
function framesOf(buf) {
  const out = [];
  let at = SEGMENT_HEADER_BYTES;
  for (;;) {
    const p = parseFrame(buf, at);
    if (!p.ok) return out;
    out.push({ offset: at, end: p.end, lsn: p.frame.lsn, timeUs: p.frame.timeUs });
    at = p.end;
  }
}

function segPath(dir, name) {
  return join(dir, 'segments', name);
}

/** Re-computes a frame's CRC32C after its bytes were edited on purpose. */
function rechecksum(buf, offset, end) {
  buf.writeUInt32LE(crc32c(buf.subarray(offset + 4, end)), offset);
}

async function removeEmptyDirs(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) await removeEmptyDirs(join(dir, entry.name));
  }
  if ((await readdir(dir)).length === 0) await rmdir(dir);
}

const cases = [];
function fixture(name, about, build) {
  cases.push({ name, about, build });
}

fixture(
  'valid-two-segments',
  'A healthy journal with segmentBytes 1024: segment 1 rolled and sealed (with its index file), segment 2 live.',
  async (dir) => {
    let names = [];
    let count = 0;
    // Append until the second segment holds a few records.
    for (;;) {
      names = await writeJournal(dir, 1, SMALL);
      count++;
      if (names.length === 2) {
        const last = framesOf(await readFile(segPath(dir, names[1])));
        if (last.length >= 4) break;
      }
    }
    return { open: 'ok', firstLsn: 1, lastLsn: count, segments: names };
  },
);

fixture(
  'torn-tail',
  'The last record was cut mid-frame (a crash during the write). Opening cuts the file back to the end of the previous record and logs a warning.',
  async (dir) => {
    const [name] = await writeJournal(dir, 12);
    const path = segPath(dir, name);
    const frames = framesOf(await readFile(path));
    const last = frames.at(-1);
    await truncate(path, last.offset + Math.floor((last.end - last.offset) / 2));
    return {
      open: 'ok',
      firstLsn: 1,
      lastLsn: last.lsn - 1,
      segments: [name],
      cut: { segment: name, offset: last.offset },
    };
  },
);

fixture(
  'zeroed-sector',
  'Bytes 1024..1535 of the only segment were zeroed (a lost sector) and whole records follow: corruption, not a torn tail.',
  async (dir) => {
    const [name] = await writeJournal(dir, 40);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    const frames = framesOf(buf);
    const hit = frames.find((f) => f.offset <= 1024 && 1024 < f.end);
    if (!frames.some((f) => f.offset >= 1536)) throw new Error('zeroed-sector: no record after');
    buf.fill(0, 1024, 1536);
    await writeFile(path, buf);
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_CORRUPT', segment: name, offset: hit.offset };
  },
);

fixture(
  'bit-flip',
  'One bit flipped in the payload of record 2; records 3..12 are intact, so the open fails naming record 2.',
  async (dir) => {
    const [name] = await writeJournal(dir, 12);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    const hit = framesOf(buf).find((f) => f.lsn === 2);
    buf[hit.offset + FRAME_HEADER_BYTES + 3] ^= 0x10;
    await writeFile(path, buf);
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_CORRUPT', segment: name, offset: hit.offset };
  },
);

fixture(
  'bad-length',
  'The length field of record 6 (of 12) says 65536, past the end of the file (under the 4 MiB cap); valid records follow it.',
  async (dir) => {
    const [name] = await writeJournal(dir, 12);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    const hit = framesOf(buf).find((f) => f.lsn === 6);
    if (buf.length >= 65536) throw new Error('bad-length: file too large');
    buf.writeUInt32LE(65536, hit.offset + 4);
    await writeFile(path, buf);
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_CORRUPT', segment: name, offset: hit.offset };
  },
);

fixture(
  'unknown-frame-type',
  'Record 5 (of 12) has frame type 7 and a recomputed, valid CRC32C: a frame from a newer writer, refused rather than skipped.',
  async (dir) => {
    const [name] = await writeJournal(dir, 12);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    const hit = framesOf(buf).find((f) => f.lsn === 5);
    buf[hit.offset + 8] = 7;
    rechecksum(buf, hit.offset, hit.end);
    await writeFile(path, buf);
    return {
      open: 'error',
      code: 'FSJ_ERR_JOURNAL_UNKNOWN_FRAME',
      segment: name,
      offset: hit.offset,
    };
  },
);

fixture(
  'unknown-kind',
  'Record 6 is a valid frame whose protobuf Record has kind 99. Opening succeeds (open checks frames, not payloads); reading from the start stops at record 6 with FSJ_ERR_JOURNAL_UNKNOWN_KIND.',
  async (dir) => {
    const [name] = await writeJournal(dir, 5);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    const prev = framesOf(buf).at(-1);
    const payload = fsjournal.v1.Record.encode({ kind: 99, path: 'docs/future.dat' }).finish();
    const frame = encodeFrame(prev.lsn + 1, prev.timeUs, payload);
    await writeFile(path, Buffer.concat([buf, frame]));
    await writeJournal(dir, 3); // valid records after it, appended by the real writer
    return {
      open: 'ok',
      firstLsn: 1,
      lastLsn: 9,
      segments: [name],
      read: {
        code: 'FSJ_ERR_JOURNAL_UNKNOWN_KIND',
        after: 5,
        lsn: 6,
        segment: name,
        offset: buf.length,
      },
    };
  },
);

fixture(
  'foreign-magic',
  'The only segment starts with magic "XXJSEG\\r\\n" instead of "FSJSEG\\r\\n" (header CRC recomputed, so the magic is the only fault).',
  async (dir) => {
    const [name] = await writeJournal(dir, 4);
    const path = segPath(dir, name);
    const buf = await readFile(path);
    buf.write('XX', 0, 'latin1');
    buf.writeUInt32LE(crc32c(buf.subarray(0, 60)), 60);
    await writeFile(path, buf);
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_BAD_MAGIC', segment: name, offset: 0 };
  },
);

fixture(
  'newer-version',
  'journal.json says version 2; this build reads version 1 and refuses before touching anything.',
  async (dir) => {
    await writeJournal(dir, 3);
    const metaPath = join(dir, 'journal.json');
    const meta = JSON.parse(await readFile(metaPath, 'utf8'));
    meta.version = 2;
    await writeFile(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_VERSION' };
  },
);

fixture(
  'not-a-journal',
  'A folder holding an unrelated file and no journal.json: refused and left untouched, never turned into a journal.',
  async (dir) => {
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'shopping: milk, eggs, bread\n');
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_NOT_A_JOURNAL' };
  },
);

fixture(
  'sealed-bit-flip',
  'One bit flipped in record 3, inside sealed segment 1 (whose index file is intact). The default open trusts the index and succeeds; reading from LSN 1 yields records 1-2, then raises FSJ_ERR_JOURNAL_CORRUPT; an open with verify "full" refuses.',
  async (dir) => {
    let names = [];
    while (names.length < 2) names = await writeJournal(dir, 1, SMALL);
    names = await writeJournal(dir, 3, SMALL);
    const lastLsn = framesOf(await readFile(segPath(dir, names.at(-1)))).at(-1).lsn;
    const path = segPath(dir, names[0]);
    const buf = await readFile(path);
    const hit = framesOf(buf).find((f) => f.lsn === 3);
    buf[hit.offset + FRAME_HEADER_BYTES + 2] ^= 0x01;
    await writeFile(path, buf);
    const bad = { code: 'FSJ_ERR_JOURNAL_CORRUPT', segment: names[0], offset: hit.offset };
    return {
      open: 'ok',
      firstLsn: 1,
      lastLsn,
      segments: names,
      // The decoder hands out the good frames of a chunk before it reports the bad one.
      read: { ...bad, after: 2 },
      verifyFull: { open: 'error', ...bad },
    };
  },
);

fixture(
  'lsn-gap',
  "Three segments with the middle one (and its index file) gone: segment 3 does not start one past segment 1's last LSN.",
  async (dir) => {
    let names = [];
    while (names.length < 3) names = await writeJournal(dir, 1, SMALL);
    await rm(segPath(dir, names[1]));
    await rm(join(dir, 'index', `${names[1]}.idx`));
    return { open: 'error', code: 'FSJ_ERR_JOURNAL_LSN_GAP', segment: names[2] };
  },
);

fixture(
  'torn-segment-header',
  'A crash while rolling: segment 2 was sealed (index written) and segment 3 holds only the first 30 bytes of its header. Opening removes segment 3, makes segment 2 live again (its index file goes) and logs a warning. A read-only open leaves both files and ends the journal at segment 2.',
  async (dir) => {
    let names = [];
    while (names.length < 2) names = await writeJournal(dir, 1, SMALL);
    names = await writeJournal(dir, 2, SMALL);
    const [, second] = names;
    const secondPath = segPath(dir, second);
    // Seal segment 2 the way a roll does: index file first, then the next header.
    const scan = await scanSegment(secondPath, second, SMALL.indexEveryBytes);
    const index = scan.index.encode({
      segmentBytes: scan.validEnd,
      lastLsn: scan.lastLsn,
      firstTimeUs: scan.firstTimeUs,
      lastTimeUs: scan.lastTimeUs,
    });
    await writeFile(join(dir, 'index', `${second}.idx`), index);
    const meta = JSON.parse(await readFile(join(dir, 'journal.json'), 'utf8'));
    const third = segmentName(scan.lastLsn + 1);
    const header = encodeSegmentHeader({
      journalId: meta.journalId,
      firstLsn: scan.lastLsn + 1,
      createdUs: scan.lastTimeUs + 1000,
    });
    await writeFile(segPath(dir, third), header.subarray(0, 30));
    return {
      open: 'ok',
      firstLsn: 1,
      lastLsn: scan.lastLsn,
      segments: names,
      removed: [`segments/${third}`, `index/${second}.idx`],
      // Read-only warns about segment 3 and ends at segment 2, removing nothing.
      readOnly: { open: 'ok', firstLsn: 1, lastLsn: scan.lastLsn, segments: names, removed: [`segments/${third}`] },
    };
  },
);

fixture(
  'corrupt-last-segment-header',
  "Three segments; one bit flipped in the creation time of segment 3's header, which is followed by valid, acknowledged records: not a half-created segment but damage, FSJ_ERR_JOURNAL_CORRUPT, nothing removed. (Regression: the search for valid records once started at LSN 1 instead of the segment's first LSN, and the segment was deleted.)",
  async (dir) => {
    let names = [];
    while (names.length < 3) names = await writeJournal(dir, 1, SMALL);
    names = await writeJournal(dir, 3, SMALL);
    const path = segPath(dir, names[2]);
    const buf = await readFile(path);
    buf[44] ^= 0x01;
    await writeFile(path, buf);
    return {
      open: 'error',
      code: 'FSJ_ERR_JOURNAL_CORRUPT',
      segment: names[2],
      offset: 0,
    };
  },
);

async function main() {
  const only = process.argv.slice(2);
  for (const c of cases) {
    if (only.length > 0 && !only.includes(c.name)) continue;
    const caseDir = join(here, c.name);
    await rm(caseDir, { recursive: true, force: true });
    await mkdir(caseDir, { recursive: true });
    const expect = await c.build(join(caseDir, 'journal'));
    await removeEmptyDirs(join(caseDir, 'journal'));
    await writeFile(join(caseDir, 'expect.json'), `${JSON.stringify(expect, null, 2)}\n`);
    await writeFile(
      join(caseDir, 'README.md'),
      `# ${c.name}\n\n${c.about}\n\nGenerated by ../make-fixtures.mjs; expected outcome in expect.json.\n`,
    );
    console.log(`${c.name}: ${JSON.stringify(expect)}`);
  }
}

await main();
