/**
 * The pure parts of mount mode, by table: mountinfo parsing, path mapping,
 * errno mapping, WRITE records (and their split), and the synchronous
 * replication gate's states. The mount itself is tested end to end in test/.
 */
import type { BigIntStats } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  JournalError,
  MAX_WRITE_DATA,
  RecordKind,
  type RecordInput,
  type ReplicaWaiter,
} from '@fsjournal/journal';
import {
  SyncGate,
  errnoOf,
  journalPath,
  lostOf,
  parentOf,
  parseMountInfo,
  writeRecords,
} from '@fsjournal/journal/internal';

describe('parseMountInfo', () => {
  it.each([
    {
      name: 'a FUSE mount of ours',
      line: '42 27 0:39 / /tmp/m rw,nosuid,nodev,relatime - fuse.fsjournal fsjournal rw,user_id=0,group_id=0',
      want: { mountpoint: '/tmp/m', fstype: 'fuse.fsjournal', source: 'fsjournal' },
    },
    {
      name: 'optional tags before the separator',
      line: '27 1 254:0 / / rw,relatime shared:1 master:2 - ext4 /dev/vda rw',
      want: { mountpoint: '/', fstype: 'ext4', source: '/dev/vda' },
    },
    {
      name: 'a space escaped as \\040',
      line: '50 27 0:40 / /tmp/with\\040space rw - fuse.bindfs /src rw',
      want: { mountpoint: '/tmp/with space', fstype: 'fuse.bindfs', source: '/src' },
    },
  ])('$name', ({ line, want }) => {
    expect(parseMountInfo(`${line}\n`)).toEqual([want]);
  });

  it('skips lines it cannot read', () => {
    expect(parseMountInfo('\ngarbage\n1 2 3\n')).toEqual([]);
  });
});

describe('paths and errnos', () => {
  it.each([
    ['/', ''],
    ['/a', 'a'],
    ['/a/b c', 'a/b c'],
  ])('journalPath(%j) is %j', (mount, rel) => expect(journalPath(mount)).toBe(rel));

  it.each([
    ['a', ''],
    ['a/b', 'a'],
    ['a/b/c', 'a/b'],
  ])('parentOf(%j) is %j', (rel, parent) => expect(parentOf(rel)).toBe(parent));

  it.each([
    [{ errno: -2, code: 'ENOENT' }, -2],
    [{ code: 'EACCES' }, -13],
    [{ errno: -95 }, -95],
    [new Error('no code'), -5],
    [undefined, -5],
  ])('errnoOf(%j) is %d', (err, errno) => expect(errnoOf(err)).toBe(errno));
});

describe('writeRecords', () => {
  const st = {
    atimeNs: 1_700_000_000_123_456_789n,
    mtimeNs: 1_700_000_001_000_000_001n,
  } as BigIntStats;

  it('a write that fits: WRITE then the file times', () => {
    const data = Buffer.from('hello');
    expect(writeRecords(10, 'f', 4096, data, st)).toEqual([
      { kind: RecordKind.RECORD_KIND_WRITE, path: 'f', offset: 4096, data },
      {
        kind: RecordKind.RECORD_KIND_UTIMES,
        path: 'f',
        atime: { sec: 1_700_000_000, nsec: 123_456_789 },
        mtime: { sec: 1_700_000_001, nsec: 1 },
      },
    ]);
  });

  it('a write over 1 MiB: a transaction of 1 MiB pieces, its id the LSN of its TXN_BEGIN', () => {
    const data = Buffer.alloc(MAX_WRITE_DATA * 2 + 5, 1);
    const out = writeRecords(77, 'big', 10, data, st);
    expect(out.map((r) => [r.kind, r.txn, r.offset, r.data?.length])).toEqual([
      [RecordKind.RECORD_KIND_TXN_BEGIN, 77, undefined, undefined],
      [RecordKind.RECORD_KIND_WRITE, 77, 10, MAX_WRITE_DATA],
      [RecordKind.RECORD_KIND_WRITE, 77, 10 + MAX_WRITE_DATA, MAX_WRITE_DATA],
      [RecordKind.RECORD_KIND_WRITE, 77, 10 + 2 * MAX_WRITE_DATA, 5],
      [RecordKind.RECORD_KIND_UTIMES, 77, undefined, undefined],
      [RecordKind.RECORD_KIND_TXN_COMMIT, 77, undefined, undefined],
    ]);
  });
});

describe('lostOf: what a failed journal lost of one change', () => {
  const failedAfter = (lsn: number): JournalError =>
    new JournalError('FSJ_ERR_JOURNAL_IO', `journal write failed after lsn ${lsn}: EIO`, { lsn });
  const write: RecordInput[] = [
    { kind: RecordKind.RECORD_KIND_WRITE, path: 'f', offset: 0, data: Buffer.from('abc') },
    { kind: RecordKind.RECORD_KIND_UTIMES, path: 'f' },
  ];
  const txn: RecordInput[] = [
    { kind: RecordKind.RECORD_KIND_TXN_BEGIN, txn: 20 },
    { kind: RecordKind.RECORD_KIND_WRITE, path: 'f', offset: 0, data: Buffer.from('a'), txn: 20 },
    { kind: RecordKind.RECORD_KIND_TXN_COMMIT, txn: 20 },
  ];
  const kinds = (l: ReturnType<typeof lostOf>): unknown =>
    l && { kinds: l.records.map((r) => r.kind), abortTxn: l.abortTxn };

  it('nothing of it was made durable: all of it, its data copied', () => {
    const l = lostOf(1, write, 20, failedAfter(19));
    expect(kinds(l)).toEqual({
      kinds: [RecordKind.RECORD_KIND_WRITE, RecordKind.RECORD_KIND_UTIMES],
      abortTxn: undefined,
    });
    expect(l!.records[0]!.data).toEqual(write[0]!.data);
    expect(l!.records[0]!.data).not.toBe(write[0]!.data);
  });

  it('a roll inside the call made its first record durable: the rest', () => {
    expect(kinds(lostOf(1, write, 20, failedAfter(20)))).toEqual({
      kinds: [RecordKind.RECORD_KIND_UTIMES],
      abortTxn: undefined,
    });
  });

  it('all of it durable, or refused as invalid: nothing to journal again', () => {
    expect(lostOf(1, write, 20, failedAfter(21))).toBeUndefined();
    expect(lostOf(1, write, 20, new JournalError('FSJ_ERR_JOURNAL_RECORD', 'bad'))).toBeUndefined();
  });

  it('a transaction cut by the failure: all of it again, and its first id aborted', () => {
    expect(kinds(lostOf(1, txn, 20, failedAfter(21)))).toEqual({
      kinds: txn.map((r) => r.kind),
      abortTxn: 20,
    });
    expect(kinds(lostOf(1, txn, 20, failedAfter(19)))).toEqual({
      kinds: txn.map((r) => r.kind),
      abortTxn: undefined,
    });
  });
});

/** Replicas whose durable position the test moves by hand. */
class FakeReplicas implements ReplicaWaiter {
  durable = 0;
  private waiters: (() => void)[] = [];
  replicasDurableAt(lsn: number): number {
    return this.durable >= lsn ? 1 : 0;
  }
  async waitForReplicas(
    count: number,
    lsn: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.replicasDurableAt(lsn) < count) {
      if (Date.now() >= deadline || signal.aborted) return false;
      await new Promise<void>((res) => {
        const t = setTimeout(res, Math.max(0, deadline - Date.now()));
        signal.addEventListener('abort', () => res(), { once: true });
        this.waiters.push(() => {
          clearTimeout(t);
          res();
        });
      });
    }
    return true;
  }
  ack(lsn: number): void {
    this.durable = lsn;
    for (const w of this.waiters.splice(0)) w();
  }
}

describe('SyncGate', () => {
  it('required 0: never waits', async () => {
    const r = new FakeReplicas();
    const gate = new SyncGate({ required: 0, timeoutMs: 10, waiter: r }, () => 5);
    await gate.wait(1, 5);
    expect(gate.status()).toMatchObject({ state: 'sync', waits: 0 });
  });

  it('waits for the replica, degrades on timeout, stops waiting, resumes once caught up', async () => {
    const r = new FakeReplicas();
    let last = 1;
    const gate = new SyncGate({ required: 1, timeoutMs: 30, waiter: r }, () => last);

    const first = gate.wait(1, 1);
    r.ack(1);
    await first;
    expect(gate.status()).toMatchObject({ state: 'sync', waits: 1, timeouts: 0 });

    last = 2;
    await gate.wait(2, 2); // nobody acknowledges: times out
    expect(gate.status()).toMatchObject({ state: 'degraded', degradations: 1, timeouts: 1 });

    last = 3;
    await gate.wait(3, 3); // degraded, replica behind: no wait
    expect(gate.status()).toMatchObject({ state: 'degraded', waits: 2 });

    r.ack(3); // caught up with everything before the next change
    last = 4;
    const next = gate.wait(4, 4);
    expect(gate.status()).toMatchObject({ state: 'sync', waits: 3 });
    r.ack(4);
    await next;
    expect(gate.status()).toMatchObject({ state: 'sync', degradations: 1, timeouts: 1 });
  });

  it('a degradation releases every wait in progress at once', async () => {
    const r = new FakeReplicas();
    const gate = new SyncGate({ required: 1, timeoutMs: 40, waiter: r }, () => 2);
    const slow = gate.wait(1, 1);
    await new Promise((res) => setTimeout(res, 20));
    const other = gate.wait(2, 2);
    await slow;
    await other;
    // One timeout: `other` was released by the degradation, it did not time out itself.
    expect(gate.status()).toMatchObject({ state: 'degraded', degradations: 1, timeouts: 1 });
  });
});
