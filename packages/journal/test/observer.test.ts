/**
 * The journal's observer: what the api turns into metrics (append and fsync
 * latency, records by kind, bytes). An observer that throws never fails an
 * append.
 */
import { describe, expect, it } from 'vitest';
import { Journal, RecordKind, type JournalObserver } from '@fsjournal/journal';
import { tempDir, writeRecord } from './helpers.js';

function recorder(): JournalObserver & {
  appended: { kinds: readonly RecordKind[]; bytes: number; seconds: number }[];
  fsyncs: number[];
} {
  const appended: { kinds: readonly RecordKind[]; bytes: number; seconds: number }[] = [];
  const fsyncs: number[] = [];
  return {
    appended,
    fsyncs,
    onAppended: (a) => appended.push(a),
    onFsync: (s) => fsyncs.push(s),
  };
}

describe('journal observer', () => {
  it('sees each append call once durable, with its kinds, framed bytes and latency', async () => {
    const j = await Journal.open({ dir: await tempDir(), sync: 'always' });
    const o = recorder();
    const stop = j.observe(o);
    const before = j.sizeBytes;
    await j.append(writeRecord(1));
    await j.appendMany([{ kind: RecordKind.RECORD_KIND_GAP, path: 'a', text: 'overflow' }]);
    expect(o.appended.map((a) => a.kinds)).toEqual([
      [RecordKind.RECORD_KIND_WRITE],
      [RecordKind.RECORD_KIND_GAP],
    ]);
    expect(o.appended.reduce((n, a) => n + a.bytes, 0)).toBe(j.sizeBytes - before);
    expect(o.appended.every((a) => a.seconds >= 0 && a.seconds < 60)).toBe(true);
    expect(o.fsyncs.length).toBeGreaterThanOrEqual(2);
    stop();
    await j.append(writeRecord(2));
    expect(o.appended).toHaveLength(2);
    await j.close();
  });

  it('reports no fsync under sync=none', async () => {
    const j = await Journal.open({ dir: await tempDir(), sync: 'none' });
    const o = recorder();
    j.observe(o);
    await j.append(writeRecord(1));
    expect(o.appended).toHaveLength(1);
    expect(o.fsyncs).toEqual([]);
    await j.close();
  });

  it('an observer that throws does not fail the append', async () => {
    const j = await Journal.open({ dir: await tempDir() });
    j.observe({
      onAppended: () => {
        throw new Error('boom');
      },
      onFsync: () => {
        throw new Error('boom');
      },
    });
    await expect(j.append(writeRecord(1))).resolves.toMatchObject({ lastLsn: 1 });
    await expect(j.append(writeRecord(2))).resolves.toMatchObject({ lastLsn: 2 });
    await j.close();
  });
});
