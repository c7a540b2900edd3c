/**
 * Every metric either role exposes has a row in the metrics table of
 * docs/PROTOCOL.md with its type and labels, and the table names no metric
 * that does not exist (like the error codes, STYLE.md 11).
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Checkpoints, Journal } from '@fsjournal/journal';
import { ReplicaDaemon } from '@fsjournal/replica';
import { buildPrimaryApp, buildReplicaApp, ReplicaRegistry } from '@fsjournal/api';

const doc = readFileSync(
  fileURLToPath(new URL('../../../docs/PROTOCOL.md', import.meta.url)),
  'utf8',
);

/** Metric table rows: name -> {type, labels}. */
function documented(): Map<string, { type: string; labels: string[] }> {
  const rows = new Map<string, { type: string; labels: string[] }>();
  for (const line of doc.split('\n')) {
    const m = /^\| `(fsjournal_\w+)` \| (\w+) \|([^|]*)\|/.exec(line);
    if (m)
      rows.set(m[1]!, { type: m[2]!, labels: [...m[3]!.matchAll(/`(\w+)`/g)].map((x) => x[1]!) });
  }
  return rows;
}

/** name -> {type, labels seen} from a scrape (TYPE lines and samples). */
function exposed(text: string): Map<string, { type: string; labels: Set<string> }> {
  const out = new Map<string, { type: string; labels: Set<string> }>();
  for (const line of text.split('\n')) {
    const t = /^# TYPE (fsjournal_\w+) (\w+)$/.exec(line);
    if (t) out.set(t[1]!, { type: t[2]!, labels: new Set() });
    const s = /^(fsjournal_\w+?)(?:_bucket|_sum|_count)?\{(.*)\} /.exec(line);
    const metric = s && (out.get(s[1]!) ?? out.get(s[1]!.replace(/_(bucket|sum|count)$/, '')));
    if (metric)
      for (const l of s[2]!.matchAll(/(\w+)="/g)) if (l[1] !== 'le') metric.labels.add(l[1]!);
  }
  return out;
}

let dir: string;
let journal: Journal;
let checkpoints: Checkpoints;
let daemon: ReplicaDaemon;
const scraped = new Map<string, { type: string; labels: Set<string> }>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fsj-metrics-doc-'));
  journal = await Journal.open({ dir: join(dir, 'journal') });
  checkpoints = await Checkpoints.open(journal.dir);
  const registry = new ReplicaRegistry(journal);
  registry.connected('r1', '127.0.0.1:1', 0); // so per-replica series have samples
  const primary = buildPrimaryApp({ journal, registry, checkpoints, mode: 'watch', source: '/x' });
  daemon = await ReplicaDaemon.start({
    upstream: 'ws://127.0.0.1:9/v1/stream',
    target: join(dir, 'target'),
    id: 'r-doc',
  });
  const replica = buildReplicaApp(daemon);
  for (const app of [primary, replica]) {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    for (const [name, m] of exposed(res.body)) {
      const seen = scraped.get(name);
      if (seen) for (const l of m.labels) seen.labels.add(l);
      else scraped.set(name, m);
    }
    await app.close();
  }
  await registry.flush();
});

afterAll(async () => {
  await daemon.stop();
  await checkpoints.close();
  await journal.close();
  await rm(dir, { recursive: true, force: true });
});

describe('metrics are documented', () => {
  it('every metric exposed has a row with its type and labels', () => {
    const rows = documented();
    expect(scraped.size).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const [name, m] of scraped) {
      const row = rows.get(name);
      if (!row) wrong.push(`${name}: no row`);
      else if (row.type !== m.type) wrong.push(`${name}: ${m.type}, documented ${row.type}`);
      else
        for (const l of m.labels)
          if (!row.labels.includes(l)) wrong.push(`${name}: label ${l} not documented`);
    }
    expect(wrong).toEqual([]);
  });

  it('the table names no metric that does not exist', () => {
    expect([...documented().keys()].filter((n) => !scraped.has(n))).toEqual([]);
  });
});
