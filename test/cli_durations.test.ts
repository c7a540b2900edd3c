/**
 * Every duration the CLI takes follows the journal's one grammar (time.ts):
 * the duration flags and the relative times of `log --since/--until` accept
 * the same units, `500ms` included, and refuse the same nonsense.
 */
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../packages/cli/src/args.js';
import { parse } from './cli_inprocess.js';

const PRIMARY = ['primary', '--source', 's', '--journal', 'j'];

describe('duration flags', () => {
  it.for([
    ['--retain', '500ms', 'retain', 500],
    ['--retain', '7d', 'retain', 604_800_000],
    ['--sync-timeout', '1.5s', 'syncTimeout', 1500],
    ['--retention-interval', '2m', 'retentionInterval', 120_000],
  ] as [string, string, string, number][])('%s %s', async ([flag, value, key, ms]) => {
    const r = await parse([...PRIMARY, flag, value]);
    expect(r.code, r.err).toBe(0);
    expect(r.opts[key]).toBe(ms);
  });

  it.for(['forever', '1h30m', '-5s', '10'])('--retain %j is a usage error', async (value) => {
    const r = await parse([...PRIMARY, '--retain', value]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected a duration such as 30s, 10m, 2h or 7d/);
  });

  it('rounds to whole milliseconds', () => {
    expect(parseDuration('0.4ms')).toBe(0);
    expect(parseDuration('1.0006s')).toBe(1001);
  });
});

describe('log --since and --until take the same durations', () => {
  it.for(['500ms', '30s', '10m', '2h', '7d', '1w'])('--since %s', async (value) => {
    const r = await parse(['log', '--journal', 'j', '--since', value, '--until', value]);
    expect(r.code, r.err).toBe(0);
    expect(r.opts).toMatchObject({ since: value, until: value });
  });

  it.for(['1h30m', 'forever'])('--since %j is a usage error', async (value) => {
    const r = await parse(['log', '--journal', 'j', '--since', value]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected an ISO 8601 time or a duration/);
  });
});
