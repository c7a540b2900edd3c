/**
 * Parsers for flag values. Each throws commander's InvalidArgumentError with
 * a short reason; commander names the flag, and the CLI exits 2.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { parseDuration as durationMs, SYNC_POLICIES, type SyncPolicy } from '@fsjournal/journal';
import { usageError } from './errors.js';

export interface HostPort {
  host: string;
  port: number;
}

export function parseHostPort(value: string): HostPort {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new InvalidArgumentError('expected HOST:PORT, e.g. 127.0.0.1:7070');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** `10m`, `2h`, `7d`, `1500ms` (the journal's duration grammar, time.ts): whole milliseconds. */
export function parseDuration(value: string): number {
  const ms = durationMs(value);
  if (ms === undefined)
    throw new InvalidArgumentError('expected a duration such as 30s, 10m, 2h or 7d');
  return Math.round(ms);
}

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
};

/** `256MiB`, `1GiB`, `500MB`, `0`: bytes. */
export function parseSize(value: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(value.trim());
  const unit = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InvalidArgumentError('expected a size such as 256MiB, 1GiB or 0');
  return Math.round(Number(m[1]) * unit);
}

export function parseSync(value: string): SyncPolicy {
  if (!SYNC_POLICIES.includes(value as SyncPolicy))
    throw new InvalidArgumentError('expected always, batch or none');
  return value as SyncPolicy;
}

export function parseMode(value: string): 'watch' | 'mount' {
  if (value !== 'watch' && value !== 'mount')
    throw new InvalidArgumentError('expected watch or mount');
  return value;
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || value.trim() === '')
    throw new InvalidArgumentError('expected seconds, e.g. 30');
  return n;
}

export function parseUpstream(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected ws://HOST:PORT/v1/stream');
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new InvalidArgumentError('expected a ws:// or wss:// URL');
  return url.toString();
}

export function parseApi(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected http://HOST:PORT');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('expected an http:// URL');
  return url.toString().replace(/\/$/, '');
}

export function parseReplicaId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError('expected 1-64 letters, digits, dots, dashes or underscores');
  }
  return value;
}

/** The content of the file a flag names (token, certificate); one that cannot be read is a usage error. */
export function readFlagFile(flag: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw usageError(
      `option '${flag}' cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

/** Reads --token-file: its content without surrounding white space, one token, not empty. */
export function readToken(path: string): string {
  const text = readFlagFile('--token-file', path).toString('utf8');
  const token = text.trim();
  if (token === '' || /\s/.test(token))
    throw usageError(`option '--token-file' ${path} must hold one token`);
  return token;
}

/**
 * Reads --tokens-file: lines `ID TOKEN` (blank lines and `#` comments
 * skipped), each id a replica id, ids and tokens unique, at least one line.
 */
export function readTokens(path: string): Map<string, string> {
  const text = readFlagFile('--tokens-file', path).toString('utf8');
  const tokens = new Map<string, string>();
  const seen = new Set<string>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const bad = (why: string) => usageError(`option '--tokens-file' ${path} line ${i + 1}: ${why}`);
    const parts = line.split(/\s+/);
    if (parts.length !== 2) throw bad('expected ID TOKEN');
    const [id, token] = parts as [string, string];
    try {
      parseReplicaId(id);
    } catch (err) {
      throw bad(`replica id ${JSON.stringify(id)}: ${(err as Error).message}`);
    }
    if (tokens.has(id)) throw bad(`replica id ${id} listed twice`);
    if (seen.has(token)) throw bad('a token listed twice (each replica needs its own)');
    tokens.set(id, token);
    seen.add(token);
  }
  if (tokens.size === 0) throw usageError(`option '--tokens-file' ${path} lists no token`);
  return tokens;
}

/** `--tls-cert` and `--tls-key` come together; `needsCert` flags need them. */
export function checkTlsPair(
  flags: { tlsCert?: string; tlsKey?: string },
  needsCert: [string, unknown][] = [],
): void {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined))
    throw usageError("options '--tls-cert' and '--tls-key' go together");
  for (const [flag, given] of needsCert) {
    if (given !== undefined && flags.tlsCert === undefined)
      throw usageError(`option '${flag}' needs --tls-cert and --tls-key`);
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
