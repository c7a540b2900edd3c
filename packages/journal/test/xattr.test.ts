/**
 * The l*xattr(2) calls of sys/xattr.ts on a real file and a symlink: values
 * round-trip, errors are negative errnos, a final symlink is not followed.
 * Skipped where this build has no xattr calls or the temp folder's file
 * system has no user xattrs.
 */
import { symlink, writeFile } from 'node:fs/promises';
import { constants as osc } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  getXattr,
  listXattrs,
  removeXattr,
  setXattr,
  xattrError,
  xattrsAvailable,
} from '@fsjournal/journal/internal';
import { tempDir } from './helpers.js';

const ENODATA = -osc.errno.ENODATA;

describe('xattrError', () => {
  it('names the call, the attribute and the errno', () => {
    const e = xattrError('setxattr', 'user.a', -osc.errno.ENOSPC);
    expect(e.message).toBe('setxattr user.a: ENOSPC');
    expect(e).toMatchObject({ code: 'ENOSPC', errno: -osc.errno.ENOSPC });
  });

  it('an unknown errno is EIO', () => {
    expect(xattrError('removexattr', 'user.a', -99999)).toMatchObject({
      code: 'EIO',
      errno: -99999,
    });
  });
});

describe.runIf(xattrsAvailable())('l*xattr', () => {
  it('set, get, list, remove on a file; a missing one is ENODATA', async (ctx) => {
    const f = join(await tempDir('fsj-xattr-'), 'f');
    await writeFile(f, 'x');
    const res = setXattr(f, 'user.color', Buffer.from('blue'));
    if (res === -osc.errno.ENOTSUP) ctx.skip();
    expect(res).toBe(0);
    expect(setXattr(f, 'user.bytes', Buffer.from([0, 1, 255]))).toBe(0);
    expect(getXattr(f, 'user.color')).toEqual(Buffer.from('blue'));
    expect(getXattr(f, 'user.bytes')).toEqual(Buffer.from([0, 1, 255]));
    expect((listXattrs(f) as string[]).filter((n) => n.startsWith('user.')).sort()).toEqual([
      'user.bytes',
      'user.color',
    ]);
    expect(getXattr(f, 'user.none')).toBe(ENODATA);
    expect(removeXattr(f, 'user.color')).toBe(0);
    expect(removeXattr(f, 'user.color')).toBe(ENODATA);
    expect(getXattr(f, 'user.color')).toBe(ENODATA);
  });

  it('XATTR_CREATE on an existing attribute is EEXIST', async (ctx) => {
    const f = join(await tempDir('fsj-xattr-'), 'f');
    await writeFile(f, 'x');
    if (setXattr(f, 'user.a', Buffer.from('1')) === -osc.errno.ENOTSUP) ctx.skip();
    expect(setXattr(f, 'user.a', Buffer.from('2'), 1)).toBe(-osc.errno.EEXIST);
    expect(getXattr(f, 'user.a')).toEqual(Buffer.from('1'));
  });

  it('a final symlink is not followed', async (ctx) => {
    const dir = await tempDir('fsj-xattr-');
    const f = join(dir, 'f');
    const l = join(dir, 'l');
    await writeFile(f, 'x');
    await symlink('f', l);
    if (setXattr(f, 'user.a', Buffer.from('1')) === -osc.errno.ENOTSUP) ctx.skip();
    // The symlink has no attribute of its own, whatever its target has.
    expect(getXattr(l, 'user.a')).toBe(ENODATA);
    // Linux allows no user.* attributes on a symlink: refused, the target untouched.
    expect(setXattr(l, 'user.b', Buffer.from('2'))).toBeLessThan(0);
    expect(getXattr(f, 'user.b')).toBe(ENODATA);
  });
});
