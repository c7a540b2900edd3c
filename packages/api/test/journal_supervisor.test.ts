/**
 * The primary's supervisor of a failed journal (journal_supervisor.ts), over
 * a real journal and watch capture in a temp folder, the failure injected
 * below the journal: it reports the failure, retries with backoff (each
 * attempt logged) while the disk refuses, and recovers by itself once the
 * disk takes writes again, rescanning what changed meanwhile.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Journal,
  JournalError,
  RecordKind,
  WatchCapture,
  type Capture,
  type JournalEntry,
} from '@fsjournal/journal';
import { injectJournalFaults } from '@fsjournal/journal/internal';
import { JournalSupervisor } from '@fsjournal/api/internal';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

function logger(): {
  lines: { level: string; msg: string; obj: Record<string, unknown> }[];
  info(o: object, m: string): void;
  warn(o: object, m: string): void;
  error(o: object, m: string): void;
} {
  const lines: { level: string; msg: string; obj: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (obj: object, msg: string): void => {
      lines.push({ level, msg, obj: obj as Record<string, unknown> });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('JournalSupervisor', () => {
  it('reports a failed journal, retries while the disk refuses, and recovers by itself', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fsj-supervisor-'));
    dirs.push(root);
    const source = join(root, 'source');
    await mkdir(source);
    const journal = await Journal.open({ dir: join(root, 'journal') });
    const capture = await WatchCapture.start({ source, journal });
    const log = logger();
    const supervisor = new JournalSupervisor({
      journal,
      capture,
      logger: log,
      retryMs: 20,
      retryMaxMs: 80,
    });
    expect(supervisor.health()).toMatchObject({ state: 'ok', error: null, recoveries: 0 });

    let refuse = true;
    injectJournalFaults(journal, (step) => {
      if (refuse && step === 'datasync') {
        throw Object.assign(new Error(`ENOSPC: no space left on device, ${step}`), {
          code: 'ENOSPC',
        });
      }
    });
    await writeFile(join(source, 'a.txt'), 'written as the disk filled\n');
    await until('the failure to be reported', () => supervisor.health().state === 'failed');
    const failed = supervisor.health();
    expect(failed.error).toEqual({
      code: 'FSJ_ERR_JOURNAL_IO',
      message: expect.stringMatching(/ENOSPC/),
    });
    expect(failed.since).toMatch(/Z$/);
    const failedAttempts = (): number =>
      log.lines.filter((l) => l.msg === 'journal recovery failed; retrying').length;
    await until('two attempts that fail', () => failedAttempts() >= 2);
    expect(supervisor.health().state).toBe('failed');
    await writeFile(join(source, 'b.txt'), 'written while the journal was failed\n');

    refuse = false;
    await until('the recovery', () => supervisor.health().state === 'ok');
    const ok = supervisor.health();
    expect(ok).toMatchObject({ state: 'ok', error: null, since: null, attempts: 0, recoveries: 1 });
    expect(ok.totalAttempts).toBeGreaterThanOrEqual(3);
    const msgs = log.lines.map((l) => `${l.level} ${l.msg}`);
    expect(msgs).toContain(
      'error journal failed: changes are not journaled until it recovers; retrying',
    );
    expect(msgs).toContain('warn journal recovery failed; retrying');
    expect(msgs.filter((m) => m === 'info journal recovery: attempt').length).toBe(
      ok.totalAttempts,
    );
    expect(msgs[msgs.length - 1]).toBe('info journal recovered: changes are journaled again');
    // Each failed attempt doubles the wait, up to the most allowed.
    const waits = log.lines
      .filter((l) => l.msg === 'journal recovery failed; retrying')
      .map((l) => l.obj.retryInMs);
    expect(waits.slice(0, 3)).toEqual([40, 80, 80].slice(0, waits.length));

    // By the time it says ok, the change made while failed is journaled.
    const paths = new Map<string, number>();
    const all: JournalEntry[] = [];
    for await (const e of journal.read()) all.push(e);
    for (const e of all) paths.set(`${e.record.kind}:${e.record.path}`, e.lsn);
    expect(paths.has(`${RecordKind.RECORD_KIND_CREATE}:a.txt`)).toBe(true);
    expect(paths.has(`${RecordKind.RECORD_KIND_CREATE}:b.txt`)).toBe(true);
    expect(all.filter((e) => e.record.kind === RecordKind.RECORD_KIND_GAP)).toHaveLength(1);

    await supervisor.stop();
    await capture.stop();
    await journal.close();
  });

  it('a capture that fails alone is resumed with a GAP of its own, retried until it resumes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fsj-supervisor-'));
    dirs.push(root);
    const journal = await Journal.open({ dir: join(root, 'journal') });
    // A capture of the test's own: fails when told, resumes on the second try.
    const listeners = new Set<(e: Error) => void>();
    const resumes: (string | undefined)[] = [];
    const capture: Capture & { failure: Error | undefined } = {
      failure: undefined,
      barrier: () => Promise.resolve(0),
      idle: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      onFailed: (l) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
      resume: async (o = {}) => {
        resumes.push(o.gap);
        if (resumes.length === 1) throw new Error('EACCES: permission denied, scandir');
        capture.failure = undefined;
      },
    };
    const supervisor = new JournalSupervisor({ journal, capture, retryMs: 10, retryMaxMs: 20 });
    capture.failure = new JournalError('FSJ_ERR_JOURNAL_IO', 'capture: ENOSPC, manifest.bin');
    for (const l of listeners) l(capture.failure);
    expect(supervisor.health()).toMatchObject({
      state: 'failed',
      error: { code: 'FSJ_ERR_JOURNAL_IO', message: 'capture: ENOSPC, manifest.bin' },
    });
    await until('the capture to resume', () => supervisor.health().state === 'ok');
    expect(resumes).toEqual([
      'capture failed (capture: ENOSPC, manifest.bin); resumed',
      'capture failed (capture: ENOSPC, manifest.bin); resumed',
    ]);
    expect(supervisor.health()).toMatchObject({ recoveries: 1, totalAttempts: 2 });
    expect(journal.failure).toBeUndefined();
    await supervisor.stop();
    await journal.close();
  });
});
