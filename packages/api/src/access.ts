/**
 * Who may call a daemon's REST API and open its stream (docs/security.md):
 *
 * - **Tokens.** With `--token-file` (one token) or `--tokens-file` (lines
 *   `ID TOKEN`, each token bound to one replica id), every route but
 *   `/healthz` (and `/metrics` with `--metrics-public`) needs
 *   `Authorization: Bearer TOKEN`. A browser cannot send a bearer header
 *   when it opens a page, so `Basic` with the token as the password is
 *   accepted too, and the pages (`/`, `/dashboard/*`, `/docs`) ask for it.
 * - **Host.** A browser tricked by DNS rebinding sends the attacker's name
 *   in `Host`: the header must be an IP literal, `localhost`, the listen
 *   host, this machine's host name or an `--allowed-host`.
 * - **Origin.** A request that changes something (any method but GET and
 *   HEAD), and a stream upgrade, is refused when the browser says it comes
 *   from another origin: a web page cannot start barriers or checkpoints,
 *   nor read the stream through a WebSocket of its own.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorCode } from './errors.js';
import { clientCertId } from './tls.js';

export interface AccessOptions {
  /** `--token-file`: one token, any replica id. */
  token?: string;
  /** `--tokens-file`: replica id -> its token (a replica bound to its id). */
  replicaTokens?: ReadonlyMap<string, string>;
  /** The host the daemon listens on (`--listen`). */
  listenHost: string;
  /** `--allowed-host`: more names `Host` may carry; `*` accepts any. */
  allowedHosts?: readonly string[];
  /** `--metrics-public`: `/metrics` without a token. */
  metricsPublic?: boolean;
  /**
   * `--tls-client-ca`: a client certificate the CA signed is a credential
   * too, bound to the replica id it names (tls.ts, clientCertId).
   */
  clientCerts?: boolean;
}

/** Who a valid token names: `replicaId` when it is bound to one. */
export interface Principal {
  replicaId?: string;
}

/** Why a request is refused: status, code, message and any extra header. */
export interface Refusal {
  status: 401 | 403;
  code: ApiErrorCode;
  message: string;
  headers?: Record<string, string>;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time equality of two tokens (their digests: lengths may differ). */
function sameToken(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** The token an `Authorization` header presents: `Bearer T`, or `Basic` with T as the password. */
export function presentedToken(header: string | undefined): string | undefined {
  const m = /^(Bearer|Basic) +(\S+) *$/i.exec(header ?? ''); // schemes are case-insensitive (RFC 7235)
  if (!m) return undefined;
  if (m[1]!.toLowerCase() === 'bearer') return m[2];
  const pair = Buffer.from(m[2]!, 'base64').toString('utf8');
  const colon = pair.indexOf(':');
  return colon < 0 ? undefined : pair.slice(colon + 1);
}

/** The name part of a `Host` header (`[::1]:7070` -> `::1`), lower case. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(1, h.indexOf(']') < 0 ? undefined : h.indexOf(']'));
  const colon = h.lastIndexOf(':');
  return colon < 0 || h.indexOf(':') !== colon ? h : h.slice(0, colon);
}

/** Routes a browser opens as pages: a 401 there asks for the token (Basic). */
function isPage(path: string): boolean {
  return (
    path === '/' || path.startsWith('/dashboard/') || path === '/docs' || path.startsWith('/docs/')
  );
}

export class Access {
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;

  constructor(private readonly o: AccessOptions) {
    const me = hostname().toLowerCase();
    this.hosts = new Set(
      ['localhost', hostName(o.listenHost), me, me.split('.')[0]!, ...(o.allowedHosts ?? [])].map(
        (h) => hostName(h),
      ),
    );
    this.anyHost = (o.allowedHosts ?? []).includes('*');
  }

  /** Whether requests need a credential at all. */
  get required(): boolean {
    return (
      this.o.token !== undefined ||
      (this.o.replicaTokens?.size ?? 0) > 0 ||
      this.o.clientCerts === true
    );
  }

  /**
   * Who a request is: the replica a verified client certificate names, or
   * who its `authorization` token is; undefined when it presents neither.
   * Without credentials configured everyone is an unbound principal.
   */
  principal(authorization: string | undefined, socket?: unknown): Principal | undefined {
    if (!this.required) return {};
    if (this.o.clientCerts) {
      const id = clientCertId(socket);
      if (id !== undefined) return { replicaId: id };
    }
    const t = presentedToken(authorization);
    if (t === undefined) return undefined;
    let found: Principal | undefined;
    // Every token is compared (no early return): the time taken says nothing about which matched.
    if (this.o.token !== undefined && sameToken(t, this.o.token)) found = {};
    for (const [id, token] of this.o.replicaTokens ?? []) {
      if (sameToken(t, token)) found ??= { replicaId: id };
    }
    return found;
  }

  /** Why `host` (a `Host` header) is not a name of this daemon, or undefined. */
  hostProblem(host: string | undefined): string | undefined {
    if (host === undefined || this.anyHost) return undefined; // not a browser: HTTP/1.0
    const name = hostName(host);
    if (isIP(name) !== 0 || name.endsWith('.localhost') || this.hosts.has(name)) return undefined;
    return `Host ${JSON.stringify(host)} is not a name of this server (start it with --allowed-host ${name} to accept it)`;
  }

  /** Why a request with these headers is from another origin, or undefined. */
  crossOrigin(headers: IncomingHttpHeaders): string | undefined {
    const site = headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') return `a ${site} request`;
    const origin = headers.origin;
    if (origin === undefined) return undefined;
    let from: string;
    try {
      from = new URL(origin).host;
    } catch {
      return `Origin ${JSON.stringify(origin)}`;
    }
    if (from !== '' && from === (headers.host ?? '').toLowerCase()) return undefined;
    return `Origin ${origin} is not this server`;
  }

  /** Why an HTTP request (REST) is refused, or undefined. */
  requestRefusal(
    method: string,
    path: string,
    headers: IncomingHttpHeaders,
    socket?: unknown,
  ): Refusal | undefined {
    const host = this.hostProblem(headers.host);
    if (host) return { status: 403, code: 'FSJ_ERR_API_FORBIDDEN_HOST', message: host };
    if (method !== 'GET' && method !== 'HEAD') {
      const cross = this.crossOrigin(headers);
      if (cross) {
        return {
          status: 403,
          code: 'FSJ_ERR_API_CROSS_ORIGIN',
          message: `${method} ${path} refused: ${cross}`,
        };
      }
    }
    if (path === '/healthz' || (path === '/metrics' && this.o.metricsPublic)) return undefined;
    if (this.principal(headers.authorization, socket)) return undefined;
    const given = headers.authorization !== undefined;
    return {
      status: 401,
      code: 'FSJ_ERR_API_UNAUTHORIZED',
      message: `${path} needs Authorization: Bearer TOKEN (the daemon's --token-file)${given ? ': the token given is not valid' : ''}`,
      headers: {
        'www-authenticate': isPage(path)
          ? 'Basic realm="fsjournal", charset="UTF-8"'
          : 'Bearer realm="fsjournal"',
      },
    };
  }

  /** Why a stream upgrade is refused (before any WebSocket exists), or undefined. */
  upgradeRefusal(headers: IncomingHttpHeaders, socket?: unknown): Refusal | undefined {
    // A replica is not a browser and may name the primary as it likes (a
    // container's service name): Host is not checked; Origin, which only
    // browsers send, is.
    const cross = headers.origin === undefined ? undefined : this.crossOrigin(headers);
    if (cross) {
      return { status: 403, code: 'FSJ_ERR_API_CROSS_ORIGIN', message: `stream refused: ${cross}` };
    }
    if (this.principal(headers.authorization, socket)) return undefined;
    return {
      status: 401,
      code: 'FSJ_ERR_API_UNAUTHORIZED',
      message: 'stream needs a valid token or client certificate',
    };
  }
}

/** Refuses, before routing, every request `access` does not allow. */
export function installAccess(
  app: FastifyInstance,
  access: Access,
  counted: (code: string) => void = () => undefined,
): void {
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    const path = req.url.split('?')[0]!;
    const r = access.requestRefusal(req.method, path, req.headers, req.raw.socket);
    if (!r) return;
    counted(r.code);
    if (r.headers) void reply.headers(r.headers);
    return reply.code(r.status).send({ error: { code: r.code, message: r.message } });
  });
}
