/**
 * `--config FILE`: flag values in a JSON or YAML file, one key per flag
 * (the long flag name without dashes: `token-file`, `checkpoint-every`).
 * This module only reads and checks the file's shape; what the keys mean
 * is settings.ts's business.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { usageError } from './errors.js';

/** A config file's values by key, as written (strings, numbers, booleans, lists, null). */
export type ConfigValues = Record<string, unknown>;

/**
 * Parses a config file's text: JSON when the name ends in `.json`, YAML
 * otherwise (YAML 1.2 core schema: `yes` is a string, duplicate keys are an
 * error). An empty file is an empty config. `where` names the file (or the
 * variable that named it) in messages.
 */
export function parseConfigText(text: string, fileName: string, where: string): ConfigValues {
  let doc: unknown;
  try {
    doc = extname(fileName).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    // YAML's messages carry a code excerpt over several lines; the first says it all.
    const first = (err as Error).message.split('\n')[0];
    throw usageError(`${where} ${fileName}: not valid ${ext(fileName)}: ${first}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw usageError(`${where} ${fileName}: expected a mapping of flag names to values`);
  return doc as ConfigValues;
}

function ext(fileName: string): string {
  return extname(fileName).toLowerCase() === '.json' ? 'JSON' : 'YAML';
}

/** Reads and parses a config file; an unreadable or malformed file is a usage error (exit 2). */
export function readConfigFile(path: string, where: string): ConfigValues {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw usageError(
      `${where} cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  return parseConfigText(text, path, where);
}
