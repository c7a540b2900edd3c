/**
 * Regressions found by the crash tests: a creation cut short, and records a
 * killed writer never synced being counted as durable on reopen.
 */
import { spawn } from 'node:child_process';
import { fstatSync, mkdirSync, watch } from 'node:fs';
import {
  appendFile,
  mkdtemp,
  open,
  readdir,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { Journal, RecordKind } from '@fsjournal/journal';
import { encodeFrame, encodeRecord, SEGMENTS_DIR } from '@fsjournal/journal/internal';

const APPENDER = fileURLToPath(new URL('./fixtures/journal_appender.mjs', import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function temp(prefix: string): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}

it('a writer killed while creating the journal leaves a folder that still opens', async () => {
  const dir = join(await temp('fsj-create-crash-'), 'journal');
  mkdirSync(dir);
  const child = spawn(process.execPath, [APPENDER, dir, 'batch', String(256 * 1024), 't'], {
    stdio: 'ignore',
  });
  const w = watch(dir, (_e, name) => {
    if (name?.startsWith('.journal.json')) child.kill('SIGKILL');
  });
  await new Promise((r) => child.on('close', r));
  w.close();
  expect(child.signalCode).toBe('SIGKILL');
  const j = await Journal.open({ dir });
  expect(j.lastLsn).toBeGreaterThanOrEqual(0);
  await j.close();
});

it('a leftover temp file of journal.json alone still counts as an empty folder', async () => {
  const dir = await temp('fsj-create-tmp-');
  await writeFile(join(dir, '.journal.json.4242.tmp'), '{"half":');
  const j = await Journal.open({ dir });
  expect(j.lastLsn).toBe(0);
  await j.close();
  expect((await readdir(dir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
});

it('does not count records a killed writer never fsynced as durable without syncing them', async () => {
  const dir = await temp('fsj-unsynced-tail-');
  const rec = { kind: RecordKind.RECORD_KIND_WRITE, path: 'a', data: Buffer.from('x') };
  const j1 = await Journal.open({ dir, sync: 'batch' });
  await j1.append(rec);
  const segPath = join(dir, SEGMENTS_DIR, j1.segmentNames()[0]!);
  await j1.close();
  // What a batch writer SIGKILLed between write and fdatasync leaves behind:
  await appendFile(segPath, encodeFrame(2, Date.now() * 1000, encodeRecord(rec)));
  const { ino, size } = await stat(segPath);
  const probe = await open(segPath, 'r');
  type Sync = (this: FileHandle) => Promise<void>;
  const proto = Object.getPrototypeOf(probe) as { sync: Sync; datasync: Sync };
  await probe.close();
  const real = { sync: proto.sync, datasync: proto.datasync };
  const seen: { ino: number; size: number }[] = [];
  for (const n of ['sync', 'datasync'] as const) {
    proto[n] = function (this: FileHandle) {
      const s = fstatSync(this.fd);
      seen.push({ ino: s.ino, size: s.size });
      return real[n].call(this);
    };
  }
  try {
    const j = await Journal.open({ dir, sync: 'batch' });
    const covered = seen.some((s) => s.ino === ino && s.size >= size);
    expect(j.durableLsn).toBe(2);
    expect(covered, 'durableLsn 2 without any sync of the segment').toBe(true);
    await j.close();
  } finally {
    proto.sync = real.sync;
    proto.datasync = real.datasync;
  }
});
