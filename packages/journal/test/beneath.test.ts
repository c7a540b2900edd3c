/**
 * Paths of a target resolved beneath it (sys/beneath.ts), with openat2 and
 * with the component-by-component fallback alike: a symlink at any
 * component, the last included, is refused (ELOOP), `..` and empty
 * components too, and an entry is reached through its parent's descriptor
 * even once the path to it is swapped for a symlink.
 */
import { constants as fsc, closeSync, fstatSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Beneath } from '@fsjournal/journal';

let root: string;
let target: string;
let outside: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'fsj-beneath-'));
  target = join(root, 'target');
  outside = join(root, 'outside');
  await mkdir(join(target, 'd/e'), { recursive: true });
  await mkdir(outside);
  await writeFile(join(target, 'd/e/f.txt'), 'inside\n');
  await writeFile(join(outside, 'f.txt'), 'outside\n');
  await symlink(outside, join(target, 'link'));
  await symlink(join(outside, 'f.txt'), join(target, 'd/final'));
});

afterEach(() => rm(root, { recursive: true, force: true }));

const methods = [
  ['openat2', (t: string) => new Beneath(t)],
  ['walk', (t: string) => new Beneath(t, { method: 'walk' })],
] as const;

describe.each(methods)('Beneath (%s)', (name, open) => {
  it('opens what is beneath, and says which method it uses', () => {
    const b = open(target);
    try {
      if (name === 'walk') expect(b.method).toBe('walk');
      const fd = b.openFd('d/e/f.txt', fsc.O_RDONLY);
      expect(readFileSync(fd, 'utf8')).toBe('inside\n');
      closeSync(fd);
      const dir = b.openFd('', fsc.O_RDONLY | fsc.O_DIRECTORY);
      expect(fstatSync(dir).ino).toBe(lstatSync(target).ino);
      closeSync(dir);
    } finally {
      b.close();
    }
  });

  it.each([
    // openat2 says ELOOP; the walk's O_DIRECTORY open of a symlink says ENOTDIR.
    ['a symlink in the middle', 'link/f.txt', /^(ELOOP|ENOTDIR)$/],
    ['a symlink at the end', 'd/final', /^ELOOP$/],
    ['..', 'd/../../outside/f.txt', undefined],
    ['an empty component', 'd//e/f.txt', undefined],
  ])('refuses %s', (_what, rel, code) => {
    const b = open(target);
    try {
      let thrown: NodeJS.ErrnoException | undefined;
      try {
        closeSync(b.openFd(rel, fsc.O_RDONLY));
      } catch (err) {
        thrown = err as NodeJS.ErrnoException;
      }
      expect(thrown).toBeDefined();
      if (code) expect(thrown!.code).toMatch(code);
      expect(thrown!.message).not.toMatch(/\/proc\/self\/fd/);
    } finally {
      b.close();
    }
  });

  it('names the first component that is not a folder', () => {
    const b = open(target);
    try {
      expect(b.blocker('link/f.txt')).toBe('link');
      expect(b.blocker('d/e/f.txt')).toBeUndefined();
      expect(b.blocker('d/e/f.txt/x')).toBe('d/e/f.txt');
    } finally {
      b.close();
    }
  });

  it('keeps acting in the folder it resolved, not where a symlink now points', async () => {
    const b = open(target);
    const place = b.place('d/e/f.txt');
    try {
      // The folder is swapped for a symlink to the outside after it was resolved.
      await rename(join(target, 'd'), join(target, 'd.moved'));
      await symlink(outside, join(target, 'd'));
      await writeFile(place.path, 'written through the place\n');
      expect(readFileSync(join(outside, 'f.txt'), 'utf8')).toBe('outside\n');
      expect(readFileSync(join(target, 'd.moved/e/f.txt'), 'utf8')).toBe(
        'written through the place\n',
      );
      // A new resolution refuses the symlink.
      expect(() => b.place('d/e/f.txt')).toThrow(/ELOOP|not a directory|symbolic/);
    } finally {
      place.release();
      b.close();
    }
  });
});
