import { describe, expect, it } from 'vitest';
import { pathProblem } from '@fsjournal/journal';

describe('record path rules', () => {
  it.each([
    ['a', undefined],
    ['a/b/c.txt', undefined],
    ['.hidden/..dots/...', undefined],
    ['a/.b', undefined],
    ['', 'empty path'],
    ['/abs', 'absolute path'],
    ['a//b', 'empty path component'],
    ['a/', 'empty path component'],
    ['.', '"." component'],
    ['a/..', '".." component'],
    ['../x', '".." component'],
    ['a/./b', '"." component'],
    ['a\0b', 'NUL in path'],
    ['x'.repeat(4097), 'path too long'],
    ['é'.repeat(2049), 'path too long'],
    ['é'.repeat(2048), undefined],
  ])('%j -> %s', (path, problem) => {
    expect(pathProblem(path, false)).toBe(problem);
  });

  it('accepts the root only where the root is allowed', () => {
    expect(pathProblem('', true)).toBeUndefined();
  });
});
