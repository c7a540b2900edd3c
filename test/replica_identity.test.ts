/**
 * A replica can only be itself (issue 16, item 4), against a real primary:
 * with --tokens-file a token opens the stream only under its own replica
 * id; one live session per id (a second is refused while the first lives,
 * and the first goes on); a forged Hello claiming the primary's head does
 * not move a replica's durable position, so `waitForLsn` does not answer
 * for data the replica never had; connections past the cap are refused
 * with flat memory; `fsjournal replicas forget` drops a row and its hold.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@fsjournal/journal/wire';
import { barrier, http, runCli, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('identity');

interface Answer {
  /** The first message the primary sent, decoded, or the HTTP status of a refused upgrade. */
  first: ReturnType<typeof decodeMessage> | number;
  ws: WebSocket | undefined;
}

/** Opens the stream with `token` and says Hello as `id` claiming `lsn`; answers what came back first. */
function hello(url: string, id: string, lsn: number, journalId: string, token?: string) {
  return new Promise<Answer>((res, rej) => {
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, r) => {
      res({ first: r.statusCode ?? 0, ws: undefined });
      ws.terminate();
    });
    ws.on('error', rej);
    ws.on('open', () =>
      ws.send(
        encodeMessage({
          type: 'hello',
          protocolVersion: PROTOCOL_VERSION,
          replicaId: id,
          journalId,
          lastAppliedLsn: lsn,
          window: 64,
        }),
      ),
    );
    ws.once('message', (d: Buffer) => res({ first: decodeMessage(d), ws }));
  });
}

const codeOf = (a: Answer): string | undefined =>
  typeof a.first === 'object' && a.first.type === 'error' ? a.first.code : undefined;

async function rssKb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

describe('replica identity on the stream', () => {
  it('a per-replica token opens the stream only under its own id', async () => {
    const h = harness();
    const source = await h.dir('source');
    await writeFile(join(source, 'a.txt'), 'for r1\n');
    const tokens = join(h.root, 'tokens');
    await writeFile(tokens, '# id token\nr1 tok-of-r1-77aa\nr2 tok-of-r2-88bb\n');
    const r1Token = join(h.root, 'r1.token');
    await writeFile(r1Token, 'tok-of-r1-77aa\n');
    const primary = await h.primary({
      source,
      journal: join(h.root, 'journal'),
      args: ['--tokens-file', tokens],
      token: 'tok-of-r1-77aa',
    });
    const stream = `ws://127.0.0.1:${primary.port}/v1/stream`;
    const jid = (await http(`${primary.url}/v1/status`, { token: 'tok-of-r1-77aa' })).body
      .journalId as string;
    // r2's token, saying it is r1.
    const posing = await hello(stream, 'r1', 0, jid, 'tok-of-r2-88bb');
    expect(codeOf(posing)).toBe('FSJ_ERR_PROTOCOL_IDENTITY');
    posing.ws?.terminate();
    // r1 with its own token replicates.
    const target = join(h.root, 'target');
    await h.replica({ upstream: stream, target, id: 'r1', tokenFile: r1Token });
    const waited = await runCli(['wait', '--api', primary.url, '--token-file', r1Token]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(source, target)).toEqual([]);
    const rows = await http<Json[]>(`${primary.url}/v1/replicas`, { token: 'tok-of-r2-88bb' });
    expect(rows.body.map((r) => r.id)).toEqual(['r1']);
  }, 60_000);

  it('one live session per id; a forged Hello moves no durable position', async () => {
    const h = harness();
    const source = await h.dir('source');
    const primary = await h.primary({ source, journal: join(h.root, 'journal') });
    const stream = `ws://127.0.0.1:${primary.port}/v1/stream`;
    const target = join(h.root, 'target');
    const r1 = await h.replica({ upstream: stream, target, id: 'r1' });
    await writeFile(join(source, 'one.txt'), 'one\n');
    const first = await barrier(primary.url);
    await waitUntil('r1 durable at the barrier', async () => {
      const row = (await http(`${primary.url}/v1/replicas/r1`)).body;
      return (row.durableLsn as number) >= first;
    });
    const jid = (await primary.status()).journalId as string;

    // While r1 lives, another Hello as r1 is refused, and r1 goes on.
    const second = await hello(stream, 'r1', (await primary.status()).durableLsn as number, jid);
    expect(codeOf(second)).toBe('FSJ_ERR_PROTOCOL_ID_IN_USE');
    second.ws?.terminate();
    await writeFile(join(source, 'two.txt'), 'two\n');
    const waited = await runCli(['wait', '--api', primary.url, '--replica', 'r1']);
    expect(waited.code, waited.stderr).toBe(0);
    expect(await compareTrees(source, target)).toEqual([]);

    // r1 goes away; someone says Hello as r1 claiming everything, then a change is made.
    await r1.kill();
    await waitUntil('r1 disconnected', async () => {
      const row = (await http(`${primary.url}/v1/replicas/r1`)).body;
      return row.connected === false;
    });
    const held = (await http(`${primary.url}/v1/replicas/r1`)).body.durableLsn as number;
    await writeFile(join(source, 'three.txt'), 'three\n');
    const after = await barrier(primary.url);
    const forged = await hello(stream, 'r1', after, jid);
    expect(forged.first).toMatchObject({ type: 'welcome' });
    const row = (await http(`${primary.url}/v1/replicas/r1`)).body;
    expect(row.durableLsn).toBe(held);
    const wait = await http(`${primary.url}/v1/replicas/r1?waitForLsn=${after}&timeoutMs=500`);
    expect(wait.status).toBe(408);
    forged.ws?.terminate();
  }, 60_000);

  it('refuses connections past the cap with flat memory, and forgets a replica on request', async () => {
    const h = harness();
    const primary = await h.primary({
      source: await h.dir('source'),
      journal: join(h.root, 'journal'),
    });
    const stream = `ws://127.0.0.1:${primary.port}/v1/stream`;
    const pid = primary.pid!;
    const before = await rssKb(pid);
    const open: WebSocket[] = [];
    let refused = 0;
    for (let i = 0; i < 200; i++) {
      const status = await new Promise<number>((res) => {
        const ws = new WebSocket(stream);
        ws.on('open', () => {
          open.push(ws);
          res(101);
        });
        ws.on('unexpected-response', (_req, r) => {
          res(r.statusCode ?? 0);
          ws.terminate();
        });
        ws.on('error', () => res(-1));
      });
      if (status === 503) refused++;
    }
    expect(open.length).toBe(64);
    expect(refused).toBe(136);
    const grown = (await rssKb(pid)) - before;
    expect(grown, `RSS grew ${grown} kB`).toBeLessThan(64 * 1024);
    for (const ws of open) ws.terminate();

    // A replica that is gone is forgotten on request; a connected one is not.
    const jid = (await primary.status()).journalId as string;
    const ghost = await waitUntil('a session under a new id', async () => {
      const a = await hello(stream, 'ghost', 0, jid).catch(() => undefined);
      if (a && typeof a.first === 'object' && a.first.type === 'welcome') return a;
      a?.ws?.terminate();
      return undefined;
    });
    const busy = await runCli(['replicas', 'forget', 'ghost', '--api', primary.url]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(/FSJ_ERR_API_REPLICA_CONNECTED/);
    ghost.ws?.terminate();
    await waitUntil('ghost disconnected', async () => {
      const rows = (await http<Json[]>(`${primary.url}/v1/replicas`)).body;
      return rows.some((r) => r.id === 'ghost' && r.connected === false);
    });
    const gone = await runCli(['replicas', 'forget', 'ghost', '--api', primary.url]);
    expect(gone.code, gone.stderr).toBe(0);
    expect((await http<Json[]>(`${primary.url}/v1/replicas`)).body).toEqual([]);
    const again = await runCli(['replicas', 'forget', 'ghost', '--api', primary.url]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/FSJ_ERR_API_UNKNOWN_REPLICA/);
  }, 90_000);
});
