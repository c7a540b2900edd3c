/**
 * The checks before a mount, on real folders (nothing is mounted here): each
 * refusal has its code, and a fine mountpoint is made ready.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareMountpoint } from '@fsjournal/journal/internal';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fsj-mountpoint-'));
  await mkdir(join(root, 'src'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A stand-in for /dev/fuse that exists and is readable and writable. */
async function fakeDevice(): Promise<string> {
  const dev = join(root, 'fuse');
  await writeFile(dev, '');
  return dev;
}

describe('prepareMountpoint', () => {
  it('missing /dev/fuse: FSJ_ERR_MOUNT_NO_FUSE', async () => {
    await expect(
      prepareMountpoint(join(root, 'src'), join(root, 'mnt'), undefined, join(root, 'no-fuse')),
    ).rejects.toMatchObject({ code: 'FSJ_ERR_MOUNT_NO_FUSE' });
  });

  it.each([
    ['the mountpoint inside the source', 'src/mnt', 'src'],
    ['the source inside the mountpoint', 'mnt', 'mnt/src'],
    ['the same folder', 'src', 'src'],
    ['a source that does not exist', 'mnt', 'nowhere'],
  ])('%s: FSJ_ERR_MOUNT_OPTION', async (_, mnt, src) => {
    await expect(
      prepareMountpoint(join(root, src), join(root, mnt), undefined, await fakeDevice()),
    ).rejects.toMatchObject({ code: 'FSJ_ERR_MOUNT_OPTION' });
  });

  it('a mountpoint that holds entries: FSJ_ERR_MOUNT_NOT_EMPTY', async () => {
    await mkdir(join(root, 'mnt'));
    await writeFile(join(root, 'mnt/x'), 'x');
    await expect(
      prepareMountpoint(join(root, 'src'), join(root, 'mnt'), undefined, await fakeDevice()),
    ).rejects.toMatchObject({ code: 'FSJ_ERR_MOUNT_NOT_EMPTY' });
  });

  it('a missing mountpoint is created, empty', async () => {
    await prepareMountpoint(join(root, 'src'), join(root, 'a/mnt'), undefined, await fakeDevice());
    expect(await readdir(join(root, 'a/mnt'))).toEqual([]);
  });

  it('a mountpoint that is a file: FSJ_ERR_MOUNT_OPTION', async () => {
    await writeFile(join(root, 'mnt'), 'x');
    await expect(
      prepareMountpoint(join(root, 'src'), join(root, 'mnt'), undefined, await fakeDevice()),
    ).rejects.toMatchObject({ code: 'FSJ_ERR_MOUNT_OPTION' });
  });
});
