/** The bearer check on stream upgrades. */
import { describe, expect, it } from 'vitest';
import { tokenMatches } from '@fsjournal/api/internal';

describe('tokenMatches', () => {
  it.each([
    ['Bearer s3cret', true],
    ['bearer s3cret', true],
    ['BEARER   s3cret', true],
    ['Bearer s3cret ', true],
    ['Bearer s3cre', false],
    ['Bearer s3cretX', false],
    ['Basic s3cret', false],
    ['s3cret', false],
    ['Bearer ', false],
    ['', false],
    [undefined, false],
  ])('%j -> %s', (header, ok) => {
    expect(tokenMatches(header, 's3cret')).toBe(ok);
  });
});
