/**
 * A hostile primary: a WebSocket server of the test's own that speaks the
 * protocol and sends a real `fsjournal replica` process records built to
 * escape its target (`..`, absolute paths, NUL, a symlink planted in the
 * target, a directory swapped for a symlink between batches, a hard link to
 * a symlink pointing outside), frames with damaged or oversized lengths,
 * and LSN gaps and repeats. Each is refused with a clear error in the
 * replica's status, and a sentinel folder outside the target is unchanged,
 * byte for byte. Backslashes are a legal file-name byte on Linux: such a
 * path stays one name inside the target.
 */
import { readdir, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FRAME_HEADER_BYTES, RecordKind as K } from '@fsjournal/journal/internal';
import { fakePrimary, frame, type RawRecord, type Script } from './fake_primary.js';
import {
  sentinel,
  useHarness,
  waitUntil,
  type Daemon,
  type Harness,
  type Json,
} from './harness.js';

const harness = useHarness('hostile-primary');

/** Waits until the replica reports an error in its status; returns it. */
async function lastError(replica: Daemon): Promise<Json> {
  return waitUntil('the replica to report an error', async () => {
    const e = (await replica.status()).lastError as Json | null;
    return e ?? undefined;
  });
}

/** Runs a replica against `script` until it reports an error; returns that error. */
async function refusedWith(
  h: Harness,
  script: Script,
  prepare?: (target: string) => Promise<void>,
): Promise<{ code: string; message: string; target: string }> {
  const primary = await fakePrimary(script);
  const target = await h.dir(`target-${Math.random().toString(36).slice(2, 8)}`);
  await prepare?.(target);
  const replica = await h.replica({ upstream: primary.url, target, id: 'victim' });
  const err = await lastError(replica);
  await replica.kill();
  await primary.close();
  return { code: err.code as string, message: err.message as string, target };
}

const mkdirRec = (path: string): RawRecord => ({ kind: K.RECORD_KIND_MKDIR, path, mode: 0o755 });
const create = (path: string): RawRecord => ({ kind: K.RECORD_KIND_CREATE, path, mode: 0o644 });
const write = (path: string, text: string): RawRecord => ({
  kind: K.RECORD_KIND_WRITE,
  path,
  offset: 0,
  data: Buffer.from(text),
});

describe('a replica fed by a hostile primary', () => {
  it('refuses paths that leave the target: .., absolute, NUL, empty components', async () => {
    const h = harness();
    const outside = await sentinel(h);
    const rel = `../${outside.dir.split('/').pop()!}/sentinel.txt`;
    const cases: [RawRecord, RegExp][] = [
      [write(`a/../../outside/sentinel.txt`, 'pwned'), /".." component/],
      [write(rel, 'pwned'), /".." component/],
      [write(join(outside.dir, 'sentinel.txt'), 'pwned'), /absolute path/],
      [create(`x\0/../../sentinel.txt`), /NUL in path/],
      [{ kind: K.RECORD_KIND_RENAME, path: 'a', path2: `../escaped` }, /".." component/],
      [create('a//b'), /empty path component/],
    ];
    for (const [record, why] of cases) {
      const r = await refusedWith(h, [{ first: 1, frames: [frame(1, record)] }]);
      expect(r.code).toMatch(/^FSJ_ERR_(REPLICA_REFUSED_RECORD|PROTOCOL_INVALID)$/);
      expect(r.message).toMatch(why);
      expect(await readdir(r.target)).toEqual([]);
      await outside.check();
    }
  }, 120_000);

  it('does not follow a symlink planted in the target or sent by the primary', async () => {
    const h = harness();
    const outside = await sentinel(h);
    // The primary makes a symlink to the outside folder, then writes through it.
    const viaSent = await refusedWith(h, [
      {
        first: 1,
        frames: [
          frame(1, { kind: K.RECORD_KIND_SYMLINK, path: 'link', target: outside.dir }),
          frame(2, write('link/sentinel.txt', 'pwned')),
        ],
      },
    ]);
    expect(viaSent.code).toBe('FSJ_ERR_REPLICA_REFUSED_RECORD');
    expect(viaSent.message).toMatch(/parent link is not a directory/);
    await outside.check();
    // Someone planted a symlink in a replica's target where the primary has a folder.
    const quiet = await fakePrimary([]);
    const target = await h.dir('target-planted');
    const first = await h.replica({ upstream: quiet.url, target, id: 'victim' });
    await waitUntil('streaming', async () => (await first.status()).state === 'streaming');
    await first.kill();
    await quiet.close();
    await symlink(outside.dir, join(target, 'docs'));
    const planted = await fakePrimary([{ first: 1, frames: [frame(1, create('docs/new.txt'))] }]);
    const second = await h.replica({ upstream: planted.url, target, id: 'victim' });
    const err = await lastError(second);
    expect(err.code).toBe('FSJ_ERR_REPLICA_REFUSED_RECORD');
    expect(err.message).toMatch(/parent docs is not a directory/);
    await second.kill();
    await planted.close();
    await outside.check();
    // A symlink as the final component is replaced, never written through.
    const last = await refusedWith(h, [
      {
        first: 1,
        frames: [
          frame(1, {
            kind: K.RECORD_KIND_SYMLINK,
            path: 's',
            target: join(outside.dir, 'sentinel.txt'),
          }),
          frame(2, write('s', 'pwned')),
        ],
      },
    ]);
    expect(last.message).toMatch(/not a regular file/);
    await outside.check();
    // A hard link to a symlink that points outside is refused.
    const link = await refusedWith(h, [
      {
        first: 1,
        frames: [
          frame(1, {
            kind: K.RECORD_KIND_SYMLINK,
            path: 's',
            target: join(outside.dir, 'sentinel.txt'),
          }),
          frame(2, { kind: K.RECORD_KIND_LINK, path: 's', path2: 'hard' }),
        ],
      },
    ]);
    expect(link.message).toMatch(/link source is not a regular file/);
    await outside.check();
  }, 120_000);

  it('refuses a directory swapped for a symlink between batches', async () => {
    const h = harness();
    const outside = await sentinel(h);
    const primary = await fakePrimary([{ first: 1, frames: [frame(1, mkdirRec('d'))] }]);
    const target = await h.dir('target');
    const replica = await h.replica({ upstream: primary.url, target, id: 'victim' });
    // Durable, not only applied: a restart must not replay the MKDIR over the swap.
    await waitUntil('d durable', async () => (await replica.status()).durableLsn === 1);
    await replica.kill();
    await primary.close();
    // Between two connections, someone swaps the folder for a symlink.
    await rm(join(target, 'd'), { recursive: true });
    await symlink(outside.dir, join(target, 'd'));
    const second = await fakePrimary([
      { first: 2, frames: [frame(2, write('d/sentinel.txt', 'pwned'))] },
    ]);
    const again = await h.replica({ upstream: second.url, target, id: 'victim' });
    const err = await lastError(again);
    expect(err.code).toBe('FSJ_ERR_REPLICA_REFUSED_RECORD');
    await again.kill();
    await second.close();
    await outside.check();
  }, 60_000);

  it('refuses damaged frames, oversized lengths, LSN gaps and repeats', async () => {
    const h = harness();
    const outside = await sentinel(h);
    const good = frame(1, mkdirRec('ok'));
    const flipped = Buffer.from(good);
    flipped[FRAME_HEADER_BYTES + 2]! ^= 0x40;
    const huge = Buffer.from(good);
    huge.writeUInt32LE(0xfffffff0, 4); // the length field
    const cases: [Script, RegExp][] = [
      [[{ first: 1, frames: [flipped] }], /checksum/],
      [[{ first: 1, frames: [huge] }], /bad-length|checksum|short-payload/],
      [[{ first: 1, frames: [good, frame(3, mkdirRec('gap'))] }], /lsn 3, expected 2/],
      [
        [
          { first: 1, frames: [good] },
          { first: 1, frames: [good] },
        ],
        /lsn|expected|batch/i,
      ],
      [
        [
          { first: 1, frames: [good] },
          { first: 3, frames: [frame(3, mkdirRec('b'))] },
        ],
        /lsn|expected|gap/i,
      ],
      [[{ first: 2, prev: 0, frames: [frame(2, mkdirRec('x'))] }], /batch first 2 prev 0/],
    ];
    for (const [script, why] of cases) {
      const r = await refusedWith(h, script);
      expect(r.code).toMatch(/^FSJ_ERR_(PROTOCOL_\w+|REPLICA_\w+)$/);
      expect(r.message).toMatch(why);
      await outside.check();
    }
  }, 120_000);

  it('keeps a backslash path as one name inside the target', async () => {
    const h = harness();
    const outside = await sentinel(h);
    const primary = await fakePrimary([
      {
        first: 1,
        frames: [
          frame(1, create('..\\..\\outside\\sentinel.txt')),
          frame(2, write('..\\..\\outside\\sentinel.txt', 'inside')),
        ],
      },
    ]);
    const target = await h.dir('target');
    const replica = await h.replica({ upstream: primary.url, target, id: 'victim' });
    await waitUntil('applied', async () => (await replica.status()).appliedLsn === 2);
    expect(await readdir(target)).toEqual(['..\\..\\outside\\sentinel.txt']);
    expect(await readFile(join(target, '..\\..\\outside\\sentinel.txt'), 'utf8')).toBe('inside');
    await replica.kill();
    await primary.close();
    await outside.check();
  }, 60_000);
});
