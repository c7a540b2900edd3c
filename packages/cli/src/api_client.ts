/**
 * Small JSON client for the REST API; failures become CliErrors (exit 1).
 * Requests go through undici with an Agent of our own when `--tls-ca` is
 * given (Node's built-in fetch takes no CA): an https:// API whose
 * certificate chains to that CA.
 */
import { Agent, fetch, type RequestInit, type Response } from 'undici';
import { readFlagFile, readToken } from './args.js';
import { CliError } from './errors.js';

/** The help of every client command's `--token-file`. */
export const API_TOKEN_HELP = "bearer token the API requires (the daemon's --token-file)";
/** The help of every client command's `--tls-ca`. */
export const API_CA_HELP = "an https:// API's certificate must chain to this CA (PEM)";

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** How a client command reaches an API: its token, and an Agent trusting the CA of an https:// one. */
export interface ApiAuth {
  token?: string;
  dispatcher?: Agent;
}

/** `--token-file` and `--tls-ca` of a client command, read. */
export function apiAuth(flags: { tokenFile?: string; tlsCa?: string }): ApiAuth {
  const auth: ApiAuth = {};
  if (flags.tokenFile !== undefined) auth.token = readToken(flags.tokenFile);
  if (flags.tlsCa !== undefined) {
    auth.dispatcher = new Agent({ connect: { ca: readFlagFile('--tls-ca', flags.tlsCa) } });
  }
  return auth;
}

/** Codes of a TLS failure reaching an https:// API. */
const TLS_CODES =
  /^(CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_|ERR_SSL_|EPROTO)/;

/** fetch() with the token sent and the CA trusted; a failure to connect is FSJ_ERR_CLI_API or _TLS. */
export async function apiFetch(url: string, init: RequestInit, auth: ApiAuth): Promise<Response> {
  const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
  if (auth.token !== undefined) headers.authorization = `Bearer ${auth.token}`;
  try {
    return await fetch(url, { ...init, headers, dispatcher: auth.dispatcher });
  } catch (cause) {
    const c = (cause as { cause?: { code?: string; message?: string } }).cause;
    const reason = c?.code ?? String(cause);
    if (TLS_CODES.test(reason)) {
      throw new CliError(
        'FSJ_ERR_CLI_TLS',
        `cannot reach ${url}: TLS: ${reason}: ${c?.message ?? ''} (--tls-ca names the CA that signed the API's certificate)`,
        1,
        { cause },
      );
    }
    const plain = url.startsWith('http:') && reason === 'UND_ERR_SOCKET';
    throw new CliError(
      'FSJ_ERR_CLI_API',
      `cannot reach ${url}: ${reason}${plain ? ' (a daemon serving TLS closes plain connections: use https://)' : ''}`,
      1,
      { cause },
    );
  }
}

export async function callApi<T>(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  auth: ApiAuth = {},
): Promise<ApiAnswer<T>> {
  const res = await apiFetch(
    url,
    {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    },
    auth,
  );
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch (cause) {
    throw new CliError(
      'FSJ_ERR_CLI_API',
      `${url} answered ${res.status} with something that is not JSON`,
      1,
      { cause },
    );
  }
  return { status: res.status, body: parsed as T };
}

/** The `{error:{code,message}}` of an answer, as one line. */
export function describeApiError(answer: ApiAnswer<unknown>): string {
  const e = (answer.body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return e ? `${e.code}: ${e.message}` : `HTTP ${answer.status}`;
}
