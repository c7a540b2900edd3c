/** Small JSON client for the REST API; failures become CliErrors (exit 1). */
import { CliError } from './errors.js';

/** The help of every client command's `--token-file`. */
export const API_TOKEN_HELP = "bearer token the API requires (the daemon's --token-file)";

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

/** The headers of a request to an API that may need `token` (`--token-file`). */
export function apiHeaders(token: string | undefined, more: Record<string, string> = {}) {
  return token === undefined ? more : { ...more, authorization: `Bearer ${token}` };
}

export async function callApi<T>(
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  token?: string,
): Promise<ApiAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: apiHeaders(token, body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? String(cause);
    throw new CliError('FSJ_ERR_CLI_API', `cannot reach ${url}: ${reason}`, 1, { cause });
  }
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
