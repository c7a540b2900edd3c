/**
 * A daemon's own TLS (`--tls-cert`, `--tls-key`, the primary's
 * `--tls-client-ca`): the PEM files read and checked at start, the options
 * its HTTPS server is made with, and a reload of the same files (SIGHUP)
 * into the running server, so a renewed certificate is served without a
 * restart. Connections already open keep the certificate they were made
 * with.
 */
import { readFile } from 'node:fs/promises';
import type { RequestListener, Server as HttpServer } from 'node:http';
import { createServer, type ServerOptions } from 'node:https';
import { createSecureContext, type Server as TlsServer, type TLSSocket } from 'node:tls';
import { ApiError } from './errors.js';

/** The options of a daemon's HTTPS server. */
export type HttpsOptions = ServerOptions;

/**
 * fastify's `serverFactory` for HTTPS with `options`, or undefined (its own
 * HTTP server). An HTTPS server is an HTTP server over TLS: the same
 * request and upgrade events, so routes and the stream attach alike.
 */
export function httpsFactory(
  options: HttpsOptions | undefined,
): ((handler: RequestListener) => HttpServer) | undefined {
  if (!options) return undefined;
  return (handler) => createServer(options, handler) as unknown as HttpServer;
}

export interface ServerTlsFiles {
  cert: string;
  key: string;
  /** Client certificates signed by this CA are accepted instead of a token. */
  clientCa?: string;
}

interface Material {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

async function read(files: ServerTlsFiles): Promise<Material> {
  const one = async (flag: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new ApiError('FSJ_ERR_API_TLS', `${flag} ${path}: ${code}`, 500, { cause });
    }
  };
  const m: Material = {
    cert: await one('--tls-cert', files.cert),
    key: await one('--tls-key', files.key),
  };
  if (files.clientCa !== undefined) m.ca = await one('--tls-client-ca', files.clientCa);
  try {
    // Throws on a key that does not match the certificate, or bad PEM.
    createSecureContext(m);
  } catch (cause) {
    throw new ApiError(
      'FSJ_ERR_API_TLS',
      `--tls-cert ${files.cert} / --tls-key ${files.key}: ${(cause as Error).message}`,
      500,
      { cause },
    );
  }
  return m;
}

export class ServerTls {
  private constructor(
    private readonly files: ServerTlsFiles,
    private material: Material,
  ) {}

  static async load(files: ServerTlsFiles): Promise<ServerTls> {
    return new ServerTls(files, await read(files));
  }

  /** Whether client certificates are asked for (and accepted as credentials). */
  get clientCerts(): boolean {
    return this.files.clientCa !== undefined;
  }

  /** What the HTTPS server is made with. */
  get options(): ServerOptions {
    return {
      ...this.material,
      // Asked for, not required: a replica may present a token instead (access.ts).
      requestCert: this.clientCerts,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
    };
  }

  /** Reads the files again and serves them to new connections; the old ones stay on error. */
  async reload(server: TlsServer): Promise<void> {
    const m = await read(this.files);
    server.setSecureContext({ ...m, minVersion: 'TLSv1.2' });
    this.material = m;
  }
}

/**
 * The replica id a verified client certificate names: its subject's CN,
 * else its first DNS subject alternative name. Undefined for a socket that
 * is not TLS, presented no certificate, or one the client CA did not sign.
 */
export function clientCertId(socket: unknown): string | undefined {
  const s = socket as Partial<TLSSocket>;
  if (typeof s.getPeerCertificate !== 'function' || s.authorized !== true) return undefined;
  const cert = s.getPeerCertificate();
  const cn = cert.subject?.CN;
  if (typeof cn === 'string' && cn !== '') return cn;
  const dns = /(?:^|, )DNS:([^,]+)/.exec(cert.subjectaltname ?? '');
  return dns?.[1];
}
