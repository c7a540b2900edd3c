/**
 * Stream authentication end to end: a primary started with --token-file
 * serves only replicas that present that token, and refuses the others
 * before any journal data is sent.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { compareTrees } from '@fsjournal/journal';
import { http, readPosition, runCli, useHarness, waitUntil, type Json } from './harness.js';

const harness = useHarness('auth');

describe('a primary with --token-file', () => {
  it(
    'refuses a replica with the wrong token and one with none, and serves the right one',
    { timeout: 60_000 },
    async () => {
      const h = harness();
      const source = await h.dir('source');
      const tokenFile = join(h.root, 'token');
      const wrongFile = join(h.root, 'wrong-token');
      await writeFile(tokenFile, 'sesame-4f7c2a9e\n');
      await writeFile(wrongFile, 'sesame-00000000\n');
      await writeFile(join(source, 'secret.txt'), 'only for the right replica\n');
      const primary = await h.primary({ source, journal: join(h.root, 'journal'), tokenFile });
      const upstream = `ws://127.0.0.1:${primary.port}/v1/stream`;

      const refused = [];
      for (const [id, file] of [
        ['wrong', wrongFile],
        ['none', undefined],
      ] as const) {
        const target = join(h.root, `target-${id}`);
        const state = join(h.root, `state-${id}`);
        const replica = await h.replica({ upstream, target, state, id, tokenFile: file });
        refused.push({ id, replica, target, state });
      }
      for (const { id, replica } of refused) {
        const s = await waitUntil(`replica ${id} to report the refusal`, async () => {
          const st = await replica.status();
          return (st.lastError as Json | null)?.code === 'FSJ_ERR_REPLICA_AUTH' ? st : undefined;
        });
        expect(['error', 'connecting']).toContain(s.state);
        expect(s.appliedLsn).toBe(0);
        expect(s.journalId).toBe('');
        expect((s.lastError as Json).message).toMatch(/401/);
      }

      const target = join(h.root, 'target-good');
      await h.replica({
        upstream,
        target,
        state: join(h.root, 'state-good'),
        id: 'good',
        tokenFile,
      });
      await writeFile(join(source, 'later.txt'), 'written after the replicas started\n');
      const waited = await runCli([
        'wait',
        '--api',
        primary.url,
        '--replica',
        'good',
        '--token-file',
        tokenFile,
      ]);
      expect(waited.code).toBe(0);
      expect(await compareTrees(source, target, { owner: true })).toEqual([]);

      // Nothing reached the refused replicas: no file, no journal id, no position.
      for (const { id, target: t, state } of refused) {
        expect(await readdir(t), id).toEqual([]);
        expect(await readPosition(state), id).toMatchObject({ journalId: '', appliedLsn: 0 });
      }
      // The primary never heard their hello: only the good replica is known.
      const rows = await http<{ id: string }[]>(`${primary.url}/v1/replicas`, {
        token: 'sesame-4f7c2a9e',
      });
      expect(rows.body.map((r) => r.id)).toEqual(['good']);

      // On the wire: the upgrade is answered 401 and the socket never opens.
      for (const headers of [
        {},
        { authorization: 'Bearer sesame-00000000' },
        { authorization: 'sesame-4f7c2a9e' },
      ]) {
        const status = await new Promise<number>((resolveStatus, reject) => {
          const ws = new WebSocket(upstream, { headers });
          ws.on('unexpected-response', (_req, res) => {
            resolveStatus(res.statusCode ?? 0);
            ws.terminate();
          });
          ws.on('open', () => reject(new Error('the stream opened without the right token')));
          ws.on('error', () => undefined);
        });
        expect(status).toBe(401);
      }
    },
  );
});
