/**
 * What a root replica applies of privileged content (issue 16, item 5): a
 * primary (the tests' own, fake_primary.ts) sends a set-user-ID file, a
 * set-group-ID file and folder, a CHMOD to 06755, a file capability
 * (`security.capability`), a `trusted.` and a `user.` xattr. Under the
 * default `--preserve safe` the set-ID bits of files and the privileged
 * xattrs are left out, each listed in the status's problems (and shown by
 * `fsjournal status`), and everything else is applied; under `--preserve
 * privileged` all of it is. Owner-changing and privileged xattrs need root.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordKind as K } from '@fsjournal/journal/internal';
import { getXattr, xattrsAvailable } from '@fsjournal/journal/internal';
import { fakePrimary, frame, type RawRecord } from './fake_primary.js';
import { runCli, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('preserve');
const isRoot = process.getuid?.() === 0;

/** A VFS_CAP_REVISION_2 file capability: cap_net_bind_service, permitted and effective. */
function capability(): Buffer {
  const b = Buffer.alloc(20);
  b.writeUInt32LE(0x02000001, 0);
  b.writeUInt32LE(1 << 10, 4);
  return b;
}

const records: RawRecord[] = [
  { kind: K.RECORD_KIND_CREATE, path: 'tool', mode: 0o4755 },
  { kind: K.RECORD_KIND_WRITE, path: 'tool', offset: 0, data: Buffer.from('#!/bin/sh\n') },
  { kind: K.RECORD_KIND_CREATE, path: 'grouped', mode: 0o2755 },
  { kind: K.RECORD_KIND_MKDIR, path: 'shared', mode: 0o2775 },
  { kind: K.RECORD_KIND_CREATE, path: 'later', mode: 0o644 },
  { kind: K.RECORD_KIND_CHMOD, path: 'later', mode: 0o6755 },
  {
    kind: K.RECORD_KIND_SETXATTR,
    path: 'tool',
    xattrName: 'security.capability',
    xattrValue: capability(),
  },
  {
    kind: K.RECORD_KIND_SETXATTR,
    path: 'tool',
    xattrName: 'trusted.origin',
    xattrValue: Buffer.from('x'),
  },
  {
    kind: K.RECORD_KIND_SETXATTR,
    path: 'tool',
    xattrName: 'user.note',
    xattrValue: Buffer.from('kept'),
  },
];

const modeOf = async (p: string): Promise<string> => ((await stat(p)).mode & 0o7777).toString(8);

// Skipped only where it cannot mean anything: not root (set-ID bits on
// another owner's files, trusted.* and security.* xattrs need root), or a
// build without the native binding (no xattr calls). CI runs as root and
// builds the binding (.ci/run installs libfuse3-dev), so it runs there.
describe.skipIf(!isRoot || !xattrsAvailable())('--preserve on a root replica', () => {
  it('safe (the default) leaves out set-ID bits of files and privileged xattrs, and lists each', async () => {
    const h = harness();
    const primary = await fakePrimary([
      { first: 1, frames: records.map((r, i) => frame(i + 1, r)) },
    ]);
    const target = join(h.root, 'target');
    try {
      const replica = await h.replica({ upstream: primary.url, target, id: 'safe' });
      const s = await waitUntil('every record applied', async () => {
        const st = await replica.status();
        return (st.appliedLsn as number) >= records.length ? st : undefined;
      });
      expect(s.lastError).toBeNull();
      expect(s.preserve).toBe('safe');
      expect(await modeOf(join(target, 'tool'))).toBe('755');
      expect(await modeOf(join(target, 'grouped'))).toBe('755');
      expect(await modeOf(join(target, 'later'))).toBe('755');
      // A folder's set-group-ID bit only makes new entries inherit its group: kept.
      expect(await modeOf(join(target, 'shared'))).toBe('2775');
      expect(getXattr(join(target, 'tool'), 'security.capability')).toBeTypeOf('number');
      expect(getXattr(join(target, 'tool'), 'trusted.origin')).toBeTypeOf('number');
      expect(getXattr(join(target, 'tool'), 'user.note')).toEqual(Buffer.from('kept'));
      // Records of different paths are applied in parallel: problems come in any order.
      const listed = [...(s.problems as Json[])].sort(
        (a, b) => (a.lsn as number) - (b.lsn as number),
      );
      const problems = listed.map((p) => [p.path, p.code, p.lsn]);
      expect(problems).toEqual([
        ['tool', 'FSJ_ERR_REPLICA_NOT_PRESERVED', 1],
        ['grouped', 'FSJ_ERR_REPLICA_NOT_PRESERVED', 3],
        ['later', 'FSJ_ERR_REPLICA_NOT_PRESERVED', 6],
        ['tool', 'FSJ_ERR_REPLICA_NOT_PRESERVED', 7],
        ['tool', 'FSJ_ERR_REPLICA_NOT_PRESERVED', 8],
      ]);
      expect(listed[0]!.message).toMatch(/set-user-ID bit \(mode 4755 applied as 0755\)/);
      expect(listed[3]!.message).toMatch(/security\.capability/);
      expect(s.problemCount).toBe(5);
      const shown = await runCli(['status', '--api', replica.url]);
      expect(shown.stdout).toMatch(/problems\s+5 \(newest: /);
    } finally {
      await primary.close();
    }
  }, 60_000);

  it('privileged applies all of it as sent', async () => {
    const h = harness();
    const primary = await fakePrimary([
      { first: 1, frames: records.map((r, i) => frame(i + 1, r)) },
    ]);
    const target = join(h.root, 'target');
    try {
      const replica = await h.replica({
        upstream: primary.url,
        target,
        id: 'exact',
        args: ['--preserve', 'privileged'],
      });
      const s = await waitUntil('every record applied', async () => {
        const st = await replica.status();
        return (st.appliedLsn as number) >= records.length ? st : undefined;
      });
      expect(s.problems).toEqual([]);
      expect(await modeOf(join(target, 'tool'))).toBe('4755');
      expect(await modeOf(join(target, 'grouped'))).toBe('2755');
      expect(await modeOf(join(target, 'later'))).toBe('6755');
      expect(getXattr(join(target, 'tool'), 'security.capability')).toEqual(capability());
      expect(getXattr(join(target, 'tool'), 'trusted.origin')).toEqual(Buffer.from('x'));
    } finally {
      await primary.close();
    }
  }, 60_000);
});
