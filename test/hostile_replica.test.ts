/**
 * Hostile and greedy clients against a real primary process: garbage
 * frames, forged acknowledgements, a message over the size limit (closed
 * with 1009), a REST body over the limit (413 with its error code), and a
 * crowd of idle and slow connections. The primary says why it closed, keeps
 * the forged position out of its registry, and keeps serving a real replica
 * and the REST API throughout.
 */
import { connect, type Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@fsjournal/journal/wire';
import { http, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('hostile-replica');

interface Closed {
  code: number;
  reason: string;
  /** The StreamError the primary sent before closing, if any. */
  error?: { code: string; message: string };
}

/** Opens a stream connection, runs `act`, and resolves with how the primary closed it. */
function session(url: string, act: (ws: WebSocket) => void): Promise<Closed> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url.replace('http', 'ws') + '/v1/stream');
    let error: Closed['error'];
    ws.on('open', () => act(ws));
    ws.on('message', (d: Buffer) => {
      try {
        const m = decodeMessage(d);
        if (m.type === 'error') error = { code: m.code, message: m.message };
      } catch {
        /* only the close matters */
      }
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), error }));
    ws.on('error', reject);
  });
}

const hello = (id: string): Uint8Array =>
  encodeMessage({
    type: 'hello',
    protocolVersion: PROTOCOL_VERSION,
    replicaId: id,
    journalId: '',
    lastAppliedLsn: 0,
    window: 1000,
  });

describe('a primary facing hostile and greedy clients', () => {
  it('closes on garbage, forged acks and oversized messages, and keeps serving', async () => {
    const h = harness();
    const source = await h.dir('source');
    await writeFile(join(source, 'a.txt'), 'hello\n');
    const primary = await h.primary({ source, journal: join(h.root, 'journal') });
    const target = await h.dir('target');
    const replica = await h.replica({
      upstream: `${primary.url.replace('http', 'ws')}/v1/stream`,
      target,
      id: 'honest',
    });

    const garbage = await session(primary.url, (ws) =>
      ws.send(Buffer.from('not a protobuf message')),
    );
    expect(garbage.code).toBe(1008);
    expect(garbage.error?.code).toMatch(/^FSJ_ERR_PROTOCOL_/);

    const forged = await session(primary.url, (ws) => {
      ws.send(hello('forger'));
      ws.once('message', () =>
        ws.send(
          encodeMessage({
            type: 'ack',
            appliedLsn: 1_000_000,
            durableLsn: 1_000_000,
            receivedLsn: 1_000_000,
          }),
        ),
      );
    });
    expect(forged.code).toBe(1008);
    expect(forged.error?.message).toMatch(/ack|sent/i);
    const row = await http(`${primary.url}/v1/replicas/forger`);
    expect(row.status).toBe(200);
    expect(row.body.durableLsn as number).toBeLessThan(1_000_000);

    const huge = await session(primary.url, (ws) => ws.send(Buffer.alloc(17 * 1024 * 1024, 1)));
    expect(huge.code).toBe(1009);

    const body = await fetch(`${primary.url}/v1/annotations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(body.status).toBe(413);
    expect(((await body.json()) as Json).error).toMatchObject({ code: 'FSJ_ERR_API_BAD_REQUEST' });

    // Through all of it the honest replica follows.
    await writeFile(join(source, 'b.txt'), 'still replicating\n');
    const barrier = await http(`${primary.url}/v1/barrier`, { method: 'POST' });
    const lsn = barrier.body.lsn as number;
    await waitUntil('the honest replica at the barrier', async () => {
      const r = await http(`${primary.url}/v1/replicas/honest`);
      return (r.body.durableLsn as number) >= lsn;
    });
    expect(await compareTrees(source, target)).toEqual([]);
    expect((await replica.status()).lastError).toBeNull();
  }, 90_000);

  it('keeps answering while 100 connections sit idle or trickle bytes', async () => {
    const h = harness();
    const source = await h.dir('source');
    const primary = await h.primary({ source, journal: join(h.root, 'journal') });
    const port = Number(new URL(primary.url).port);
    const sockets: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      sockets.push(s);
      // Half say nothing; half start a request and never finish its headers.
      if (i % 2) s.write('GET /v1/status HTTP/1.1\r\nHost: x\r\n');
    }
    const trickle = setInterval(() => {
      for (let i = 1; i < sockets.length; i += 2) sockets[i]!.write('X-Slow: 1\r\n');
    }, 200);
    try {
      for (let i = 0; i < 20; i++) {
        const a = await http(`${primary.url}/v1/status`, { timeoutMs: 5000 });
        expect(a.status).toBe(200);
      }
      const target = await h.dir('target');
      const replica = await h.replica({
        upstream: `${primary.url.replace('http', 'ws')}/v1/stream`,
        target,
        id: 'r1',
      });
      await writeFile(join(source, 'c.txt'), 'through the crowd\n');
      const lsn = (await http(`${primary.url}/v1/barrier`, { method: 'POST' })).body.lsn as number;
      await waitUntil('the replica at the barrier', async () => {
        return ((await replica.status()).appliedLsn as number) >= lsn;
      });
      expect(await compareTrees(source, target)).toEqual([]);
    } finally {
      clearInterval(trickle);
      for (const s of sockets) s.destroy();
    }
  }, 90_000);
});
