/**
 * GET /metrics on both roles, scraped from real processes the way Prometheus
 * would: the LSN gauges agree with /v1/status, the primary reports the
 * replica's position, lag and reconnects under its id, the latency
 * histograms are there and filled, API errors are counted by code, and the
 * process metrics (RSS, open fds) come along. Metric names and labels are
 * the ones docs/PROTOCOL.md lists.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { http, pairSetup, runCli, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('metrics');

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (what a scraper reads), checking its shape. */
function parseMetrics(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\w+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1]!, type[2]!);
      continue;
    }
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

async function scrape(url: string) {
  const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const parsed = parseMetrics(await res.text());
  /** The one sample named `name` whose labels include `labels`. */
  const one = (name: string, labels: Record<string, string> = {}): number => {
    const found = parsed.samples.filter(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
    );
    if (found.length !== 1)
      throw new Error(`${name} ${JSON.stringify(labels)}: ${found.length} samples`);
    return found[0]!.value;
  };
  return { ...parsed, one };
}

describe('GET /metrics on a primary and its replica', () => {
  it(
    'reports positions matching /v1/status, lag and reconnects by replica id, filled histograms, errors by code',
    { timeout: 90_000 },
    async () => {
      const pair = await pairSetup(harness());
      const primary = await pair.startPrimary();
      let replica = await pair.startReplica();
      for (let i = 0; i < 5; i++) await writeFile(join(pair.source, `f${i}.txt`), `file ${i}\n`);
      expect((await runCli(['wait', '--api', primary.url, '--timeout', '30'])).code).toBe(0);

      // The replica is killed and started again: the primary counts a reconnect.
      await replica.kill('SIGKILL');
      replica = await pair.startReplica();
      await writeFile(join(pair.source, 'after-restart.txt'), 'again\n');
      expect((await runCli(['wait', '--api', primary.url, '--timeout', '30'])).code).toBe(0);
      // One error answered by the API, to be counted.
      expect((await http(`${primary.url}/v1/replicas/nobody`)).status).toBe(404);

      // Status and metrics read while nothing changes: read until two statuses agree around a scrape.
      const { status, m } = await waitUntil('a scrape between two equal statuses', async () => {
        const before = await primary.status();
        const scraped = await scrape(primary.url);
        const after = await primary.status();
        return JSON.stringify(before) === JSON.stringify(after)
          ? { status: after, m: scraped }
          : undefined;
      });
      expect(m.one('fsjournal_journal_first_lsn')).toBe(status.firstLsn);
      expect(m.one('fsjournal_journal_last_lsn')).toBe(status.lastLsn);
      expect(m.one('fsjournal_journal_durable_lsn')).toBe(status.durableLsn);
      expect(m.one('fsjournal_journal_bytes')).toBeGreaterThan(0);
      expect(m.one('fsjournal_journal_records_total', { kind: 'BARRIER' })).toBeGreaterThanOrEqual(
        2,
      );
      expect(m.one('fsjournal_journal_gaps_total')).toBe(0);

      const row = (status.replicas as Json[])[0]!;
      const r1 = { replica: 'r1' };
      expect(m.one('fsjournal_replica_applied_lsn', r1)).toBe(row.appliedLsn);
      expect(m.one('fsjournal_replica_durable_lsn', r1)).toBe(row.durableLsn);
      expect(m.one('fsjournal_replica_lag_records', r1)).toBe(row.lagRecords);
      expect(m.one('fsjournal_replica_lag_bytes', r1)).toBe(row.lagBytes);
      expect(m.one('fsjournal_replica_lag_seconds', r1)).toBe((row.lagMs as number) / 1000);
      expect(m.one('fsjournal_replica_connected', r1)).toBe(1);
      expect(m.one('fsjournal_replica_connects_total', r1)).toBe(2);
      expect(m.one('fsjournal_replica_reconnects_total', r1)).toBe(1);
      expect(m.one('fsjournal_api_errors_total', { code: 'FSJ_ERR_API_UNKNOWN_REPLICA' })).toBe(1);

      for (const h of ['fsjournal_journal_append_seconds', 'fsjournal_journal_fsync_seconds']) {
        expect(m.types.get(h)).toBe('histogram');
        expect(m.one(`${h}_count`)).toBeGreaterThan(0);
        expect(m.one(`${h}_bucket`, { le: '+Inf' })).toBe(m.one(`${h}_count`));
      }
      expect(m.one('process_resident_memory_bytes')).toBeGreaterThan(0);
      expect(m.one('process_open_fds')).toBeGreaterThan(0);

      // The replica's own view, its series labelled with its id.
      const rs = await replica.status();
      const rm = await scrape(replica.url);
      expect(rm.one('fsjournal_replica_applied_lsn', r1)).toBe(rs.appliedLsn);
      expect(rm.one('fsjournal_replica_durable_lsn', r1)).toBe(rs.durableLsn);
      expect(rm.one('fsjournal_replica_upstream_lsn', r1)).toBe(rs.upstreamLsn);
      expect(rm.one('fsjournal_replica_applied_lsn', r1)).toBe(status.durableLsn);
      expect(rm.one('fsjournal_replica_lag_records', r1)).toBe(0);
      expect(rm.one('fsjournal_replica_lag_seconds', r1)).toBe(0);
      expect(rm.one('fsjournal_replica_state', { ...r1, state: 'streaming' })).toBe(1);
      expect(rm.one('fsjournal_replica_state', { ...r1, state: 'error' })).toBe(0);
      expect(rm.one('fsjournal_replica_reconnects_total', r1)).toBe(0);
      expect(rm.types.get('fsjournal_replica_apply_seconds')).toBe('histogram');
      expect(rm.one('fsjournal_replica_apply_seconds_count', r1)).toBeGreaterThan(0);
      expect(rm.one('fsjournal_replica_applied_records_total', r1)).toBeGreaterThan(0);
      expect(rm.one('process_resident_memory_bytes')).toBeGreaterThan(0);
    },
  );

  it(
    'a replica that cannot reach its primary counts reconnects and errors by code',
    { timeout: 60_000 },
    async () => {
      const pair = await pairSetup(harness());
      // No primary runs: the replica keeps trying.
      const replica = await pair.startReplica();
      await waitUntil('two failed connections', async () => {
        const m = await scrape(replica.url);
        return (
          m.one('fsjournal_replica_reconnects_total', { replica: 'r1' }) >= 2 &&
          m.one('fsjournal_replica_errors_total', {
            replica: 'r1',
            code: 'FSJ_ERR_REPLICA_UPSTREAM',
          }) >= 2
        );
      });
      const m = await scrape(replica.url);
      expect(m.one('fsjournal_replica_state', { replica: 'r1', state: 'streaming' })).toBe(0);
    },
  );
});
