/**
 * Errors have codes, and every code is documented (STYLE.md 11): the
 * protocol's, the replica's and the API's codes in the error table of docs/PROTOCOL.md, the
 * CLI's in README.md or docs/. And the protocol document names no code that
 * does not exist.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { JOURNAL_ERROR_CODES } from '@fsjournal/journal';
import { PROTOCOL_ERROR_CODES } from '@fsjournal/journal/wire';
import { REPLICA_ERROR_CODES } from '@fsjournal/replica';
import { API_ERROR_CODES } from '@fsjournal/api';
import { CLI_ERROR_CODES } from '../packages/cli/src/errors.js';

const root = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));
const protocolDoc = readFileSync(root('docs/PROTOCOL.md'), 'utf8');
const userDocs = [
  readFileSync(root('README.md'), 'utf8'),
  ...readdirSync(root('docs'))
    .filter((n) => n.endsWith('.md'))
    .map((n) => readFileSync(root(`docs/${n}`), 'utf8')),
].join('\n');

/** The table rows of a markdown document whose first cell is a code: code -> row. */
function codeRows(doc: string): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of doc.split('\n')) {
    const m = /^\| `(FSJ_ERR_[A-Z0-9_]+)` \|(.*)\|\s*$/.exec(line);
    if (m) rows.set(m[1]!, m[2]!);
  }
  return rows;
}

describe('error codes are documented', () => {
  const rows = codeRows(protocolDoc);

  it.each(Object.keys(PROTOCOL_ERROR_CODES))('%s has a row in docs/PROTOCOL.md', (code) => {
    expect(rows.has(code)).toBe(true);
    expect(rows.get(code)!.trim().length).toBeGreaterThan(10);
  });

  it.each(Object.keys(REPLICA_ERROR_CODES))('%s has a row in docs/PROTOCOL.md', (code) => {
    expect(rows.has(code)).toBe(true);
    expect(rows.get(code)!.trim().length).toBeGreaterThan(10);
  });

  it.each(Object.keys(API_ERROR_CODES))('%s has a row in docs/PROTOCOL.md', (code) => {
    expect(rows.has(code)).toBe(true);
    expect(rows.get(code)!.trim().length).toBeGreaterThan(10);
  });

  it.each(Object.keys(CLI_ERROR_CODES))('%s appears in README.md or docs/', (code) => {
    expect(userDocs).toContain(code);
  });

  it('docs/PROTOCOL.md names no code that does not exist', () => {
    const known = new Set([
      ...Object.keys(JOURNAL_ERROR_CODES),
      ...Object.keys(PROTOCOL_ERROR_CODES),
      ...Object.keys(REPLICA_ERROR_CODES),
      ...Object.keys(API_ERROR_CODES),
      ...Object.keys(CLI_ERROR_CODES),
    ]);
    // `FSJ_ERR_JOURNAL_*` names a family, not a code.
    const named = new Set(protocolDoc.match(/FSJ_ERR_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_])/g) ?? []);
    expect(named.size).toBeGreaterThan(10);
    expect([...named].filter((c) => !known.has(c))).toEqual([]);
  });
});
