/**
 * Bootstrap from a checkpoint, end to end: a primary whose retention has
 * released LSN 1 (short `--retain`, a fast retention pass, small segments)
 * sends a brand-new replica its newest checkpoint (entries and content
 * blocks over the stream), then the records after it; the replica ends
 * byte-identical to the source, hard links, symlinks, modes, owners and a
 * 40 MB file included. A replica killed (SIGKILL) in the middle of its
 * bootstrap starts it again and never claims a position it does not hold.
 * A hostile primary's snapshot (a block whose SHA-256 does not match, `..`
 * in a path, a hard link out of the tree, an entry under a symlink) is
 * refused with a clear code and nothing outside the target changes; a
 * transaction open at the checkpoint's LSN is replayed from its TXN_BEGIN.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  chmod,
  chown,
  link,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  symlink,
  truncate,
  unlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { encodeFrame, RecordKind as K } from '@fsjournal/journal/internal';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@fsjournal/journal/wire';
import { fsjournal } from '../packages/journal/schema/fsjournal.js';
import { FaultProxy } from './fault_proxy.js';
import {
  barrier,
  freePort,
  http,
  pairSetup,
  readPosition,
  rng,
  runCli,
  sentinel,
  sleep,
  useHarness,
  waitUntil,
  type Daemon,
  type Harness,
  type Json,
} from './harness.js';
import { mountSetup, noFuse, useMounts } from './mount_harness.js';
import { mixedWorkload, runSteps } from './workload.js';

const harness = useHarness('bootstrap');
useMounts();

/** Retention that releases within a second or two: records older than 1 s, looked at every 300 ms. */
const SHORT_RETENTION = [
  '--retain',
  '1s',
  '--retention-interval',
  '300ms',
  '--segment-size',
  '256KiB',
];
const BIG = 40 * 1024 * 1024;
const isRoot = process.getuid?.() === 0;
/** Where in the bootstrap (share of its bytes) the replica is killed: 3 points, 10 with FSJ_LONG=1. */
const KILL_AT = process.env.FSJ_LONG
  ? [0.05, 0.15, 0.25, 0.35, 0.45, 0.55, 0.65, 0.75, 0.85, 0.95]
  : [0.15, 0.45, 0.75];

/** Writes `bytes` of random content to `path` in 1 MiB writes (never the whole file in memory). */
async function bigFile(path: string, bytes: number): Promise<void> {
  const out = createWriteStream(path);
  for (let done = 0; done < bytes; done += 1024 * 1024) {
    if (!out.write(randomBytes(Math.min(1024 * 1024, bytes - done))))
      await new Promise<void>((r) => out.once('drain', () => r()));
  }
  out.end();
  await finished(out);
}

/** Takes a checkpoint and waits until retention has released LSN 1 (and what the checkpoint covers). */
async function checkpointAndRelease(api: string): Promise<Json> {
  const cp = await http(`${api}/v1/checkpoints`, { method: 'POST', timeoutMs: 120_000 });
  expect(cp.status, JSON.stringify(cp.body)).toBe(200);
  await waitUntil(
    'retention to release lsn 1',
    async () => ((await http(`${api}/v1/status`)).body.firstLsn as number) > 1,
    60_000,
  );
  return cp.body;
}

/**
 * Polls a replica's status and notes every state it shows; a status that
 * says bootstrapping with a durable position, or whose progress passes its
 * totals, is a problem.
 */
class BootstrapWatch {
  readonly states = new Set<string>();
  readonly problems: string[] = [];
  maxBytesSeen = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(private readonly current: () => Daemon) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const d = this.current();
      const s = d.running ? await d.status().catch(() => undefined) : undefined;
      if (s) {
        this.states.add(s.state as string);
        const b = s.bootstrap as Json | null;
        if (s.state === 'bootstrapping') {
          if (s.durableLsn !== 0 || s.appliedLsn !== 0)
            this.problems.push(`bootstrapping at durable ${String(s.durableLsn)}`);
          if (!b) this.problems.push('bootstrapping without progress');
        }
        if (b) {
          const done = b.bytesDone as number;
          this.maxBytesSeen = Math.max(this.maxBytesSeen, done);
          if (done > (b.bytesTotal as number) || (b.filesDone as number) > (b.filesTotal as number))
            this.problems.push(`progress past its total: ${JSON.stringify(b)}`);
        }
      }
      await sleep(20);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return Number(line?.split(' ').pop());
}

/** `wait` for r1, then the trees are identical for compareTrees (owners too) and `verify`. */
async function expectIdentical(api: string, source: string, target: string): Promise<void> {
  const waited = await runCli(['wait', '--api', api, '--replica', 'r1', '--timeout', '120']);
  expect(waited.stderr).toBe('');
  expect(waited.code).toBe(0);
  expect(await compareTrees(source, target, { owner: true })).toEqual([]);
  const verified = await runCli(['verify', source, target]);
  expect(verified.stdout).toBe('identical\n');
  expect(verified.code).toBe(0);
}

describe.skipIf(noFuse)(
  `bootstrap from a checkpoint, mount mode${noFuse ? ` (skipped: ${noFuse})` : ''}`,
  () => {
    it(
      'a new replica joins after lsn 1 is released: it is sent the checkpoint, then follows live changes, identical with hard links, symlinks, modes and a 40 MB file',
      { timeout: 300_000 },
      async () => {
        const h = harness();
        const m = await mountSetup(h);
        const primary = await m.startPrimary(SHORT_RETENTION);
        const p = (rel: string) => join(m.mnt, rel);
        await mkdir(p('a/b/deep'), { recursive: true });
        await writeFile(p('a/one.txt'), 'one\n');
        await writeFile(p('a/b/two.txt'), 'two\n');
        await writeFile(p('script.sh'), '#!/bin/sh\necho hi\n');
        await chmod(p('script.sh'), 0o755);
        await chmod(p('a/b'), 0o750);
        await chmod(p('a/b/deep'), 0o1777);
        await chmod(p('a/b/two.txt'), 0o640);
        await link(p('a/one.txt'), p('a/b/one-again.txt'));
        await symlink('../one.txt', p('a/b/rel-link'));
        await symlink('/etc/hosts', p('abs-link'));
        await symlink('does/not/exist', p('dangling'));
        if (isRoot) await chown(p('a/one.txt'), 1234, 5678);
        await bigFile(p('big.bin'), BIG);
        // A sparse file: its hole is not sent, the size makes it.
        await writeFile(p('sparse.bin'), 'head');
        await truncate(p('sparse.bin'), 3 * 1024 * 1024);
        await utimes(
          p('a/one.txt'),
          new Date('2001-02-03T04:05:06.789Z'),
          new Date('2001-02-03T04:05:06.789Z'),
        );
        await barrier(primary.url);
        const cp = await checkpointAndRelease(primary.url);
        expect(cp).toMatchObject({ hardlinks: 1, symlinks: 3 });
        expect(cp.bytes as number).toBeGreaterThan(BIG);

        // Changes after the checkpoint: the replica gets them as records.
        await writeFile(p('a/one.txt'), 'one, changed after the checkpoint\n');
        await rename(p('a/b/two.txt'), p('two-moved.txt'));
        await link(p('script.sh'), p('a/script-link.sh'));
        await unlink(p('dangling'));
        await barrier(primary.url);
        const before = await primary.status();
        expect(before.firstLsn as number).toBeGreaterThan(1);

        const replica = await m.startReplica();
        const watch = new BootstrapWatch(() => replica);
        await waitUntil(
          'the replica to bootstrap',
          async () => ((await replica.status()).bootstraps as number) === 1,
          180_000,
        );
        // Live changes while it streams.
        await writeFile(p('live.txt'), 'made after the replica joined\n');
        await mkdir(p('live-dir'));
        await link(p('live.txt'), p('live-dir/live-link.txt'));
        await expectIdentical(primary.url, m.backing, m.target);
        await watch.stop();
        expect(watch.problems).toEqual([]);

        // Hard links are links on the replica too, not copies.
        const ino = async (rel: string) => (await lstat(join(m.target, rel))).ino;
        expect(await ino('a/one.txt')).toBe(await ino('a/b/one-again.txt'));
        expect(await ino('script.sh')).toBe(await ino('a/script-link.sh'));
        expect(await ino('live.txt')).toBe(await ino('live-dir/live-link.txt'));
        expect((await lstat(join(m.target, 'big.bin'))).size).toBe(BIG);

        const s = await replica.status();
        expect(s).toMatchObject({ state: 'streaming', bootstrap: null, bootstraps: 1 });
        const pos = await readPosition(m.state);
        expect(pos).toEqual({
          replicaId: 'r1',
          journalId: before.journalId,
          appliedLsn: s.durableLsn,
        });
        expect(pos.appliedLsn).toBeGreaterThan(cp.lsn as number);
        expect(await metric(replica.url, 'fsjournal_replica_bootstraps_total')).toBe(1);
        expect(await metric(replica.url, 'fsjournal_replica_bootstrap_bytes_total')).toBe(0);
        expect(primary.log()).toMatch(/bootstrapping it from a checkpoint/);
        expect(replica.log()).toMatch(/replica bootstrapped from a checkpoint/);
      },
    );
  },
);

describe('bootstrap from a checkpoint, watch mode', () => {
  it(
    `a replica killed (SIGKILL) ${KILL_AT.length} times in the middle of its bootstrap starts it again and ends identical, never claiming a position it does not hold`,
    { timeout: 600_000 },
    async () => {
      const h = harness();
      const pair = await pairSetup(h);
      const primary = await h.primary({
        source: pair.source,
        journal: pair.journal,
        args: SHORT_RETENTION,
      });
      await runSteps(mixedWorkload(pair.source, pair.outside), rng(11), 0);
      await bigFile(join(pair.source, 'big-40m.bin'), BIG);
      await barrier(primary.url);
      const cp = await checkpointAndRelease(primary.url);
      await writeFile(join(pair.source, 'after-checkpoint.txt'), 'after\n');
      await barrier(primary.url);

      // A slow link (about 6 MB/s) so that the bootstrap takes long enough to be cut.
      const proxy = await FaultProxy.start(Number(new URL(primary.url).port), {
        slowBytes: 64 * 1024,
        slowDelayMs: 10,
      });
      await proxy.set('slow');
      const start = () =>
        h.replica({
          upstream: `ws://127.0.0.1:${proxy.port}/v1/stream`,
          target: pair.target,
          state: pair.state,
          id: 'r1',
        });
      let replica = await start();
      const watch = new BootstrapWatch(() => replica);
      try {
        for (const share of KILL_AT) {
          const b = await waitUntil(
            `the bootstrap to pass ${share * 100}% of its bytes`,
            async () => {
              const got = (await replica.status()).bootstrap as Json | null;
              return got !== null && (got.bytesDone as number) >= share * (got.bytesTotal as number)
                ? got
                : undefined;
            },
            120_000,
            10,
          );
          await replica.kill('SIGKILL');
          // Killed mid-bootstrap: the position is new, marked as bootstrapping; it claims nothing.
          const pos = await readPosition(pair.state);
          expect(pos).toMatchObject({
            journalId: '',
            appliedLsn: 0,
            bootstrap: { checkpointId: b.checkpointId, lsn: b.lsn },
          });
          expect(b.lsn as number).toBeGreaterThanOrEqual(cp.lsn as number);
          replica = await start();
        }
        await proxy.set('pass');
        await waitUntil(
          'the bootstrap to complete',
          async () => ((await replica.status()).bootstraps as number) === 1,
          180_000,
        );
        await writeFile(join(pair.source, 'live.txt'), 'live\n');
        await expectIdentical(primary.url, pair.source, pair.target);
      } finally {
        await watch.stop();
        await proxy.close();
      }
      expect(watch.problems).toEqual([]);
      expect(watch.states.has('bootstrapping')).toBe(true);
      expect(watch.maxBytesSeen).toBeGreaterThan(0);
      const pos = await readPosition(pair.state);
      expect(pos).not.toHaveProperty('bootstrap');
      expect(pos.appliedLsn).toBeGreaterThanOrEqual(cp.lsn as number);
      expect(replica.log()).toMatch(/cut in the middle of a bootstrap/);
    },
  );
});

// ---------------------------------------------------------------------------
// A primary of the test's own that sends snapshots built by hand.
// ---------------------------------------------------------------------------

const JOURNAL_ID = '0b8e2a52-1c55-4c4a-9d7e-3f0a5d1c2b99';
type RawEntry = fsjournal.v1.ISnapshotEntry;
const T = fsjournal.v1.SnapshotEntry.Type;
const at = { sec: 1_000_000_000, nsec: 0 };

function begin(o: Partial<fsjournal.v1.ISnapshotBegin> = {}): Uint8Array {
  return fsjournal.v1.StreamMessage.encode({
    snapshotBegin: {
      protocolVersion: PROTOCOL_VERSION,
      journalId: JOURNAL_ID,
      checkpointId: 'cp-5',
      lsn: 5,
      replayFromLsn: 6,
      entries: 1,
      files: 0,
      bytes: 0,
      blockBytes: 65536,
      oldestLsn: 3,
      newestLsn: 5,
      ...o,
    },
  }).finish();
}

function piece(seq: number, items: fsjournal.v1.ISnapshotItem[]): Uint8Array {
  return fsjournal.v1.StreamMessage.encode({ snapshotPiece: { seq, items } }).finish();
}

function end(pieces: number, entries: number, blocks: number): Uint8Array {
  return fsjournal.v1.StreamMessage.encode({ snapshotEnd: { pieces, entries, blocks } }).finish();
}

const dir = (path: string): fsjournal.v1.ISnapshotItem => ({
  entry: { type: T.TYPE_DIR, path, mode: 0o755, atime: at, mtime: at },
});
const file = (path: string, size: number, blocks: number): fsjournal.v1.ISnapshotItem => ({
  entry: { type: T.TYPE_FILE, path, mode: 0o644, size, blocks, atime: at, mtime: at },
});
const block = (index: number, data: Buffer, hashOf = data): fsjournal.v1.ISnapshotItem => ({
  block: { index, data, sha256: createHash('sha256').update(hashOf).digest() },
});
const entry = (e: RawEntry): fsjournal.v1.ISnapshotItem => ({
  entry: { atime: at, mtime: at, ...e },
});

type RawRecord = fsjournal.v1.Record.$Properties;
function batch(first: number, records: RawRecord[]): Uint8Array {
  return fsjournal.v1.StreamMessage.encode({
    batch: {
      firstLsn: first,
      prevLsn: first - 1,
      frames: records.map((r, i) =>
        encodeFrame(first + i, Date.now() * 1000, fsjournal.v1.Record.encode(r).finish()),
      ),
    },
  }).finish();
}

/** Serves `script` (raw stream messages) to every replica that says Hello. */
async function snapshotPrimary(
  script: Uint8Array[],
): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/v1/stream' });
  wss.on('connection', (ws: WebSocket) => {
    ws.once('message', (data: Buffer) => {
      const hello = decodeMessage(data);
      if (hello.type !== 'hello') return ws.close();
      if (hello.journalId !== '') {
        // The bootstrap is done: what follows is an ordinary stream.
        ws.send(
          encodeMessage({
            type: 'welcome',
            protocolVersion: PROTOCOL_VERSION,
            journalId: JOURNAL_ID,
            oldestLsn: 3,
            newestLsn: hello.lastAppliedLsn,
          }),
        );
        return;
      }
      for (const m of script) ws.send(m);
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/v1/stream`,
    close: () =>
      new Promise<void>((res) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => res());
      }),
  };
}

/** Runs a new replica against `script` until its status shows an error; returns it. */
async function refusedWith(
  h: Harness,
  script: Uint8Array[],
): Promise<{ code: string; message: string; target: string; durableLsn: number }> {
  const primary = await snapshotPrimary(script);
  const target = join(h.root, `target-${Math.random().toString(36).slice(2, 8)}`);
  const replica = await h.replica({ upstream: primary.url, target, id: 'victim' });
  const s = await waitUntil('the replica to report an error', async () => {
    const st = await replica.status();
    return st.lastError ? st : undefined;
  });
  await replica.kill();
  await primary.close();
  const e = s.lastError as Json;
  return {
    code: e.code as string,
    message: e.message as string,
    target,
    durableLsn: s.durableLsn as number,
  };
}

describe('a replica bootstrapped by a hostile primary', () => {
  it('refuses a block whose SHA-256 does not match, .. in a path, a hard link out of the tree, an entry under a symlink', async () => {
    const h = harness();
    const outside = await sentinel(h);
    const data = Buffer.from('pwned\n');
    const cases: [Uint8Array[], string, RegExp][] = [
      [
        [
          begin({ entries: 1, files: 1, bytes: data.length }),
          piece(1, [file('f', data.length, 1), block(0, data, Buffer.from('other'))]),
          end(1, 1, 1),
        ],
        'FSJ_ERR_REPLICA_REFUSED_SNAPSHOT',
        /SHA-256 does not match/,
      ],
      [
        [
          begin({ entries: 1 }),
          piece(1, [entry({ type: T.TYPE_DIR, path: '../outside', mode: 0o755 })]),
        ],
        'FSJ_ERR_PROTOCOL_INVALID',
        /".." component/,
      ],
      [
        [
          begin({ entries: 1, files: 1, bytes: data.length }),
          piece(1, [file('a/../../outside/sentinel.txt', data.length, 1), block(0, data)]),
        ],
        'FSJ_ERR_PROTOCOL_INVALID',
        /".." component/,
      ],
      [
        [
          begin({ entries: 1 }),
          piece(1, [
            entry({ type: T.TYPE_HARDLINK, path: 'h', linkTo: '../outside/sentinel.txt' }),
          ]),
        ],
        'FSJ_ERR_PROTOCOL_INVALID',
        /link_to ".." component/,
      ],
      [
        [
          begin({ entries: 1 }),
          piece(1, [entry({ type: T.TYPE_HARDLINK, path: 'h', linkTo: 'not-sent' })]),
        ],
        'FSJ_ERR_REPLICA_REFUSED_SNAPSHOT',
        /not a file of it/,
      ],
      [
        [
          begin({ entries: 2, files: 1, bytes: data.length }),
          piece(1, [
            entry({ type: T.TYPE_SYMLINK, path: 'l', target: outside.dir }),
            file('l/sentinel.txt', data.length, 1),
            block(0, data),
          ]),
        ],
        'FSJ_ERR_REPLICA_REFUSED_SNAPSHOT',
        /parent is not a directory of it/,
      ],
      [
        [
          begin({ entries: 1, files: 1, bytes: 10 }),
          piece(1, [file('f', data.length, 1), block(0, data)]),
          end(1, 1, 1),
        ],
        'FSJ_ERR_REPLICA_REFUSED_SNAPSHOT',
        /announced 10 bytes/,
      ],
    ];
    for (const [script, code, why] of cases) {
      const r = await refusedWith(h, script);
      expect(r.code, r.message).toBe(code);
      expect(r.message).toMatch(why);
      expect(r.durableLsn).toBe(0);
      await outside.check();
    }
  }, 120_000);

  it('replays a transaction open at the checkpoint from its TXN_BEGIN and skips what the checkpoint holds', async () => {
    const h = harness();
    const hello = Buffer.from('hello\n');
    const primary = await snapshotPrimary([
      begin({
        lsn: 5,
        replayFromLsn: 3,
        openTxns: [{ txn: 7, beginLsn: 3 }],
        entries: 2,
        files: 1,
        bytes: hello.length,
        newestLsn: 8,
      }),
      piece(1, [dir('d'), file('d/f', hello.length, 1), block(0, hello)]),
      end(1, 2, 1),
      batch(3, [
        { kind: K.RECORD_KIND_TXN_BEGIN, txn: 7 },
        { kind: K.RECORD_KIND_CREATE, path: 'd/t', mode: 0o644, txn: 7 },
        // In the checkpoint already: not applied again.
        { kind: K.RECORD_KIND_CREATE, path: 'in-checkpoint', mode: 0o644 },
        {
          kind: K.RECORD_KIND_WRITE,
          path: 'd/t',
          offset: 0,
          data: Buffer.from('txn data'),
          txn: 7,
        },
        { kind: K.RECORD_KIND_TXN_COMMIT, txn: 7 },
        { kind: K.RECORD_KIND_CREATE, path: 'after', mode: 0o600 },
      ]),
    ]);
    const target = join(h.root, 'target');
    const state = join(h.root, 'state');
    const replica = await h.replica({ upstream: primary.url, target, state, id: 'carried' });
    await waitUntil('lsn 8 durable', async () => (await replica.status()).durableLsn === 8);
    expect((await readdir(target)).sort()).toEqual(['after', 'd']);
    expect(await readFile(join(target, 'd/f'), 'utf8')).toBe('hello\n');
    expect(await readFile(join(target, 'd/t'), 'utf8')).toBe('txn data');
    expect(await readPosition(state)).toEqual({
      replicaId: 'carried',
      journalId: JOURNAL_ID,
      appliedLsn: 8,
    });
    await replica.kill();
    await primary.close();
  }, 60_000);
});
