/**
 * Flags and output helpers shared by the bench scripts. Flags are parsed
 * with node:util parseArgs:
 * `--help`/`-h` prints the usage and exits 0, `--json` is accepted (output is
 * always JSON lines), anything unknown or malformed exits 2 with the usage.
 */
import { parseArgs } from 'node:util';

/** Parses `argv` with the script's own `options` (parseArgs option specs). */
export function readArgs(argv, usage, options = {}) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { ...options, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (err) {
    process.stderr.write(`${err.message}\n${usage}\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stderr.write(`${usage}\n`);
    process.exit(0);
  }
  return values;
}

/** A flag's value as a positive number, or undefined when absent; exits 2 if malformed. */
export function positiveNumber(values, name, usage) {
  const value = values[name];
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    process.stderr.write(`--${name} needs a positive number\n${usage}\n`);
    process.exit(2);
  }
  return n;
}

/** A line for people, on stderr (`# ...`). */
export function note(msg) {
  process.stderr.write(`# ${msg}\n`);
}

/** One JSON line of figures on stdout. */
export function emit(line) {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

export function round(value, digits) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
