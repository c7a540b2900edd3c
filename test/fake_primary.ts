/**
 * A primary of the tests' own: a WebSocket server that speaks the stream
 * protocol and sends a real `fsjournal replica` process whatever frames a
 * test builds, valid or not, skipping the codec's checks. Used by the
 * hostile-primary tests and the apply-race test.
 */
import { WebSocketServer, type WebSocket } from 'ws';
import { fsjournal } from '../packages/journal/schema/fsjournal.js';
import { encodeFrame } from '@fsjournal/journal/internal';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION } from '@fsjournal/journal/wire';
import { freePort } from './harness.js';

export const JOURNAL_ID = '0b8e2a52-1c55-4c4a-9d7e-3f0a5d1c2b99';

export type RawRecord = fsjournal.v1.Record.$Properties;

/** A frame for any record, valid or not. */
export function frame(lsn: number, r: RawRecord): Buffer {
  return encodeFrame(lsn, Date.now() * 1000, fsjournal.v1.Record.encode(r).finish());
}

/** A batch of frames, from LSN `first`. */
export type Batch = { first: number; frames: Buffer[]; prev?: number };

/**
 * What the fake primary sends after Welcome, in order: batches, raw
 * messages, or a function it awaits before going on (a test's gate).
 */
export type Script = (Batch | Uint8Array | (() => Promise<void>))[];

export interface FakePrimary {
  url: string;
  /** The applied LSNs the replicas acknowledged, in order. */
  acks: number[];
  close: () => Promise<void>;
}

function isBatch(step: Script[number]): step is Batch {
  return !(step instanceof Uint8Array) && typeof step !== 'function';
}

/** Serves one script to every replica that connects; records what they say back. */
export async function fakePrimary(script: Script): Promise<FakePrimary> {
  const port = await freePort();
  const wss = new WebSocketServer({ host: '127.0.0.1', port, path: '/v1/stream' });
  const acks: number[] = [];
  const batches = script.filter(isBatch);
  const newest =
    batches.length > 0 ? Math.max(...batches.map((b) => b.first + b.frames.length - 1)) : 1;
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (d: Buffer) => {
      try {
        const m = decodeMessage(d);
        if (m.type === 'ack') acks.push(m.appliedLsn);
      } catch {
        /* the replica's messages are not under test here */
      }
    });
    ws.once('message', (data: Buffer) => {
      const hello = decodeMessage(data);
      if (hello.type !== 'hello') return ws.close();
      ws.send(
        encodeMessage({
          type: 'welcome',
          protocolVersion: PROTOCOL_VERSION,
          journalId: JOURNAL_ID,
          oldestLsn: 1,
          newestLsn: newest,
        }),
      );
      void (async () => {
        for (const step of script) {
          if (ws.readyState !== ws.OPEN) return;
          if (typeof step === 'function') await step();
          else if (step instanceof Uint8Array) ws.send(step);
          else {
            const m = fsjournal.v1.StreamMessage.encode({
              batch: {
                firstLsn: step.first,
                prevLsn: step.prev ?? step.first - 1,
                frames: step.frames,
              },
            }).finish();
            ws.send(m);
          }
        }
      })();
    });
  });
  return {
    url: `ws://127.0.0.1:${port}/v1/stream`,
    acks,
    close: () =>
      new Promise<void>((res) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => res());
      }),
  };
}
