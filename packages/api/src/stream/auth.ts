/**
 * Who may open the stream: the upgrade request's path and bearer token,
 * checked on the HTTP upgrade before any WebSocket exists, so a refused
 * client receives no stream message and no journal data (docs/PROTOCOL.md,
 * Authentication). The token travels in clear unless something in front of
 * the primary terminates TLS; nothing here hides it on the wire.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { STREAM_PATH } from '@fsjournal/journal/wire';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison of a presented bearer token with the expected one. */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? ''); // the scheme is case-insensitive (RFC 7235)
  return timingSafeEqual(digest(m?.[1] ?? ''), digest(token)) && m !== null;
}

/** The HTTP answer to an upgrade request that is refused. */
export interface UpgradeRefusal {
  status: 401 | 404;
  text: 'Unauthorized' | 'Not Found';
}

/**
 * Why an upgrade request to `url` is refused, or undefined when it may
 * become a stream: another path is 404; with a `token`, a missing or wrong
 * `Authorization` header is 401.
 */
export function upgradeRefusal(
  url: string | undefined,
  authorization: string | undefined,
  token: string | undefined,
): UpgradeRefusal | undefined {
  const path = (url ?? '').split('?')[0];
  if (path !== STREAM_PATH) return { status: 404, text: 'Not Found' };
  if (token !== undefined && !tokenMatches(authorization, token))
    return { status: 401, text: 'Unauthorized' };
  return undefined;
}

/** Answers a refused upgrade on its raw socket (`Connection: close`, empty body) and ends it. */
export function refuseUpgrade(socket: Duplex, r: UpgradeRefusal): void {
  socket.end(`HTTP/1.1 ${r.status} ${r.text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
