/**
 * Who may open the stream: the upgrade request's path, then what `Access`
 * says of its Origin and bearer token (`../access.ts`), checked on the HTTP
 * upgrade before any WebSocket exists, so a refused client receives no
 * stream message and no journal data (docs/PROTOCOL.md, Authentication).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STREAM_PATH } from '@fsjournal/journal/wire';
import type { Access } from '../access.js';

/** The HTTP answer to an upgrade request that is refused. */
export interface UpgradeRefusal {
  status: 401 | 403 | 404 | 503;
  /** Why, for the log (the answer itself has no body). */
  reason: string;
}

const STATUS_TEXT = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
} as const;

/** Why an upgrade request may not become a stream, or undefined when it may. */
export function upgradeRefusal(req: IncomingMessage, access: Access): UpgradeRefusal | undefined {
  const path = (req.url ?? '').split('?')[0];
  if (path !== STREAM_PATH) return { status: 404, reason: `no stream at ${path}` };
  const r = access.upgradeRefusal(req.headers, req.socket);
  return r && { status: r.status, reason: r.message };
}

/** Answers a refused upgrade on its raw socket (`Connection: close`, empty body) and ends it. */
export function refuseUpgrade(socket: Duplex, r: UpgradeRefusal): void {
  const line = `${r.status} ${STATUS_TEXT[r.status]}`;
  socket.end(`HTTP/1.1 ${line}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
