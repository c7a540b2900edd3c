/**
 * The one grammar of durations (time.ts): what every duration flag and the
 * relative form of a TIME (`--since`, `--until`, `restore --at`) accept.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration, parseQuery, parseTime } from '@fsjournal/journal';

const NOW = Date.parse('2026-03-10T12:00:00Z');

describe('parseDuration', () => {
  it.for([
    ['500ms', 500],
    ['1500ms', 1500],
    ['0ms', 0],
    ['0.5ms', 0.5],
    ['30s', 30_000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['2h', 7_200_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['  60s ', 60_000],
  ] as [string, number][])('%j is %d ms', ([text, ms]) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.for([
    [''],
    ['10'],
    ['s'],
    ['-5s'],
    ['+5s'],
    ['5 s'],
    ['5S'],
    ['1h30m'],
    ['1e3ms'],
    ['.5s'],
    ['5.s'],
    ['3y'],
    ['2mo'],
    ['10us'],
    ['forever'],
  ] as [string][])('%j is not a duration', ([text]) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('a relative TIME is a duration before now', () => {
  it.for(['500ms', '1.5s', '30s', '10m', '2h', '7d', '1w'])('%s', (text) => {
    expect(parseTime(text, NOW)).toBe(Math.round((NOW - parseDuration(text)!) * 1000));
  });

  it('--since 500ms and --until 0ms parse as a query', () => {
    const q = parseQuery({ since: '500ms', until: '0ms' }, NOW);
    expect(q.sinceUs).toBe((NOW - 500) * 1000);
    expect(q.untilUs).toBe(NOW * 1000);
  });

  it.for(['1h30m', '-5s', 'soon'])('%j is neither a duration nor a time', (text) => {
    expect(parseTime(text, NOW)).toBeUndefined();
  });
});
