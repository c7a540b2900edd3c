/**
 * docs/JOURNAL_FORMAT.md, kept true: every fixture under testdata/journal/
 * is opened (as a copy: opening may repair) and must do what its
 * expect.json says; the document names every error code; its worked frame
 * decodes to what it says; the committed generated schema matches the .proto.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Journal,
  JOURNAL_ERROR_CODES,
  JournalError,
  kindFromName,
  kindName,
  RecordKind,
  type JournalEntry,
  type JournalErrorCode,
  type JournalOptions,
} from '@fsjournal/journal';
import { decodeRecord, encodeFrame, encodeRecord, parseFrame } from '@fsjournal/journal/internal';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(root, 'testdata/journal');
const docPath = join(root, 'docs/JOURNAL_FORMAT.md');

/** Where an error is expected, as expect.json spells it. */
interface ErrorAt {
  code: JournalErrorCode;
  segment?: string;
  offset?: number;
  lsn?: number;
}

interface OpenOk {
  open: 'ok';
  firstLsn: number;
  lastLsn: number;
  segments: string[];
  /** The live segment's torn tail is cut at this offset, with a warning. */
  cut?: { segment: string; offset: number };
  /** Files (relative to the journal folder) the open removes, with a warning. */
  removed?: string[];
  /** Reading from the first LSN stops with this error after `after` records. */
  read?: ErrorAt & { after: number };
}

type Outcome = OpenOk | ({ open: 'error' } & ErrorAt);

type Expectation = Outcome & {
  /** The outcome of an open with verify 'full', when it differs. */
  verifyFull?: Outcome;
  /** The outcome of a read-only open, when it is not the same as above minus repairs. */
  readOnly?: Outcome;
  /** Set when the code does not do what the format says; the open test is expected to fail. */
  knownBug?: string;
};

const caseNames = readdirSync(fixtures, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function expectation(name: string): Expectation {
  return JSON.parse(readFileSync(join(fixtures, name, 'expect.json'), 'utf8')) as Expectation;
}

const temps: string[] = [];
afterAll(async () => {
  await Promise.all(temps.map((t) => rm(t, { recursive: true, force: true })));
});

/** A private copy of a fixture's journal folder. */
async function copyFixture(name: string): Promise<string> {
  const tmp = await mkdtemp(join(tmpdir(), `fsj-fixture-${name}-`));
  temps.push(tmp);
  const dir = join(tmp, 'journal');
  await cp(join(fixtures, name, 'journal'), dir, { recursive: true });
  return dir;
}

/** Every regular file under `dir`, by relative path. */
async function snapshot(dir: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out[relative(dir, path)] = await readFile(path);
  }
  return out;
}

interface Logged {
  obj: Record<string, unknown>;
  msg: string;
}

function collectingLogger(): {
  warns: Logged[];
  logger: NonNullable<JournalOptions['logger']>;
} {
  const warns: Logged[] = [];
  return {
    warns,
    logger: {
      info: () => undefined,
      warn: (obj, msg) => warns.push({ obj: obj as Record<string, unknown>, msg }),
      error: () => undefined,
    },
  };
}

function where(err: unknown): ErrorAt {
  expect(err).toBeInstanceOf(JournalError);
  const e = err as JournalError;
  return { code: e.code, segment: e.segment, offset: e.offset, lsn: e.lsn };
}

function range(first: number, last: number): number[] {
  return Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => first + i);
}

/**
 * Opens a copy as `options` say and checks the outcome: the error and its
 * place, with every file left byte-identical; or the LSN range and segments,
 * with exactly the repairs expected (when `repairs`) and their warnings.
 */
async function expectOpen(
  dir: string,
  want: Outcome,
  options: Partial<JournalOptions>,
  repairs: boolean,
): Promise<void> {
  const before = await snapshot(dir);
  const log = collectingLogger();
  let journal: Journal;
  try {
    journal = await Journal.open({ dir, logger: log.logger, ...options });
  } catch (err) {
    if (want.open === 'ok') throw err;
    const { code, segment, offset } = want;
    expect(where(err)).toEqual({ code, segment, offset, lsn: undefined });
    expect(await snapshot(dir)).toEqual(before);
    return;
  }
  try {
    expect(want.open, `opened, expected ${want.open === 'error' ? want.code : ''}`).toBe('ok');
    if (want.open !== 'ok') return;
    expect({
      firstLsn: journal.firstLsn,
      lastLsn: journal.lastLsn,
      durableLsn: journal.durableLsn,
      segments: journal.segmentNames(),
    }).toEqual({
      firstLsn: want.firstLsn,
      lastLsn: want.lastLsn,
      durableLsn: want.lastLsn,
      segments: want.segments,
    });
  } finally {
    await journal.close();
  }

  const after = { ...before };
  const warned: Record<string, unknown>[] = [];
  if (want.cut) {
    const path = `segments/${want.cut.segment}`;
    expect(before[path]!.length).toBeGreaterThan(want.cut.offset);
    if (repairs) after[path] = before[path]!.subarray(0, want.cut.offset);
    warned.push({ segment: want.cut.segment, offset: want.cut.offset });
  }
  for (const path of want.removed ?? []) {
    expect(before[path], `${path} in the fixture`).toBeDefined();
    if (repairs) delete after[path];
    if (path.startsWith('segments/')) warned.push({ segment: path.slice('segments/'.length) });
  }
  expect(await snapshot(dir)).toEqual(after);
  expect(log.warns.map((w) => w.obj)).toEqual(warned.map((w) => expect.objectContaining(w)));
}

/** Reads every record from the first LSN and checks it against the expectation. */
async function expectRead(journal: Journal, want: OpenOk): Promise<void> {
  const entries: JournalEntry[] = [];
  let error: unknown;
  try {
    for await (const entry of journal.read()) entries.push(entry);
  } catch (err) {
    error = err;
  }
  if (want.read) {
    const { code, segment, offset, lsn, after } = want.read;
    expect(where(error)).toEqual({ code, segment, offset, lsn });
    expect(entries.map((e) => e.lsn)).toEqual(range(want.firstLsn, want.firstLsn + after - 1));
    return;
  }
  if (error) throw error;
  expect(entries.map((e) => e.lsn)).toEqual(range(want.firstLsn, want.lastLsn));
  for (let i = 1; i < entries.length; i++) {
    expect(entries[i]!.timeUs).toBeGreaterThanOrEqual(entries[i - 1]!.timeUs);
  }
}

function describeOutcome(o: Outcome): string {
  if (o.open === 'error') {
    const at =
      o.segment === undefined
        ? ''
        : ` at ${o.segment}${o.offset === undefined ? '' : `+${o.offset}`}`;
    return `refuses with ${o.code}${at}, changing no file`;
  }
  const repair = o.cut
    ? `, cutting ${o.cut.segment} at ${o.cut.offset}`
    : o.removed
      ? `, removing ${o.removed.join(' and ')}`
      : '';
  return `opens with LSNs ${o.firstLsn}..${o.lastLsn}${repair}`;
}

describe.each(caseNames)('fixture %s', (name) => {
  const want = expectation(name);
  const openTest = want.knownBug ? it.fails : it;

  openTest(`${describeOutcome(want)}${want.knownBug ? ' (KNOWN BUG)' : ''}`, async () => {
    await expectOpen(await copyFixture(name), want, {}, true);
  });

  if (want.open === 'ok') {
    const ok = want;
    it(
      ok.read
        ? `reading stops with ${ok.read.code} after ${ok.read.after} records`
        : `reads LSNs ${ok.firstLsn}..${ok.lastLsn} in order`,
      async () => {
        const journal = await Journal.open({ dir: await copyFixture(name) });
        try {
          await expectRead(journal, ok);
        } finally {
          await journal.close();
        }
      },
    );

    it(`appends continue at LSN ${ok.lastLsn + 1}`, async () => {
      const dir = await copyFixture(name);
      let journal = await Journal.open({ dir });
      try {
        const appended = await journal.append({
          kind: RecordKind.RECORD_KIND_ANNOTATE,
          text: 'after open',
        });
        expect(appended).toMatchObject({ firstLsn: ok.lastLsn + 1, lastLsn: ok.lastLsn + 1 });
      } finally {
        await journal.close();
      }
      journal = await Journal.open({ dir });
      try {
        expect(journal.lastLsn).toBe(ok.lastLsn + 1);
        const tail: JournalEntry[] = [];
        for await (const e of journal.read({ fromLsn: ok.lastLsn + 1 })) tail.push(e);
        expect(tail.map((e) => [e.lsn, kindName(e.record.kind), e.record.text])).toEqual([
          [ok.lastLsn + 1, 'ANNOTATE', 'after open'],
        ]);
      } finally {
        await journal.close();
      }
    });
  }

  const readOnly: Outcome = want.readOnly ?? want;
  it(`read-only: ${describeOutcome(readOnly).replace(/, (cutting|removing)/, ', not $1')}; nothing repaired`, async () => {
    const dir = await copyFixture(name);
    await expectOpen(dir, readOnly, { readOnly: true }, false);
    if (readOnly.open !== 'ok') return;
    const journal = await Journal.open({ dir, readOnly: true });
    try {
      await expectRead(journal, readOnly);
      await expect(
        journal.append({ kind: RecordKind.RECORD_KIND_ANNOTATE, text: 'x' }),
      ).rejects.toMatchObject({ code: 'FSJ_ERR_JOURNAL_CLOSED' });
    } finally {
      await journal.close();
    }
  });

  if (want.verifyFull) {
    const full = want.verifyFull;
    it(`verify 'full': ${describeOutcome(full)}`, async () => {
      await expectOpen(await copyFixture(name), full, { verify: 'full' }, true);
    });
  }
});

describe('docs/JOURNAL_FORMAT.md', () => {
  const doc = readFileSync(docPath, 'utf8');

  /** The first fenced block after the line `label`. */
  function blockAfter(label: string): string {
    const at = doc.indexOf(`\n${label}\n`);
    expect(at, `"${label}" in the doc`).toBeGreaterThanOrEqual(0);
    const m = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
    expect(m, `fenced block after "${label}"`).not.toBeNull();
    return m![1]!;
  }

  it('has the fixtures it describes', () => {
    expect(caseNames.length).toBeGreaterThanOrEqual(10);
    for (const name of caseNames) expect(doc).toContain(`\`${name}\``);
  });

  it.each(Object.keys(JOURNAL_ERROR_CODES))('documents %s', (code) => {
    expect(doc.includes(`| \`${code}\` |`), `${code} in the Error codes table`).toBe(true);
  });

  it('gives a worked frame that decodes to what it says', () => {
    const hex = blockAfter('Example frame (hex):').replace(/\s+/g, '');
    expect(hex).toMatch(/^([0-9a-f]{2})+$/);
    const bytes = Buffer.from(hex, 'hex');
    const said = JSON.parse(blockAfter('Example frame (decoded):')) as {
      lsn: number;
      timeUs: number;
      record: { kind: string; path: string; mode: number };
    };

    const parsed = parseFrame(bytes, 0);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.end).toBe(bytes.length);
    expect({ lsn: parsed.frame.lsn, timeUs: parsed.frame.timeUs }).toEqual({
      lsn: said.lsn,
      timeUs: said.timeUs,
    });
    const record = decodeRecord(parsed.frame.payload);
    expect({ kind: kindName(record.kind), path: record.path, mode: record.mode }).toEqual(
      said.record,
    );

    // And the writer produces exactly these bytes from what the doc says.
    const kind = kindFromName(said.record.kind)!;
    const again = encodeFrame(said.lsn, said.timeUs, encodeRecord({ ...said.record, kind }));
    expect(again.toString('hex')).toBe(hex);
  });
});

describe('generated schema', () => {
  it('packages/journal/schema/fsjournal.{js,d.ts} match proto/fsjournal.proto', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'fsj-schema-'));
    temps.push(tmp);
    // Imported by path: the script is plain JS without type declarations.
    const script = join(root, 'packages/journal/scripts/gen-proto.mjs');
    const { generate } = (await import(script)) as { generate: (target: string) => void };
    generate(join(tmp, 'fsjournal.js'));
    const schema = join(root, 'packages/journal/schema');
    for (const file of ['fsjournal.js', 'fsjournal.d.ts']) {
      const fresh = await readFile(join(tmp, file), 'utf8');
      const committed = await readFile(join(schema, file), 'utf8');
      expect(fresh === committed, `${file} is stale: run npm run proto`).toBe(true);
    }
  });
});
