/**
 * Settings: every flag of every command can also be given by an environment
 * variable (`FSJOURNAL_<FLAG>`, e.g. `FSJOURNAL_TOKEN_FILE`) or by a key of a
 * config file (`--config FILE` or `FSJOURNAL_CONFIG`, keys are flag names).
 * Precedence: flag > environment > config file > default.
 *
 * Commander parses the command line; the other layers are applied here, in
 * a preAction hook, through each flag's own parser, so a bad value from the
 * environment or a file is a usage error naming where it came from. Because
 * that hook runs after commander's own check of required options, those are
 * checked here instead (commander's `mandatory` is cleared and remembered).
 *
 * Lists (repeatable flags such as `--ignore`): a YAML or JSON list in the
 * config file; in the environment, items separated by newlines or by commas
 * outside `{...}` (so a glob `*.{tmp,swp}` stays whole). A list from a higher
 * layer replaces the lower one, never appends to it. An empty variable counts
 * as unset; a `null` config value too.
 */
import { Help, InvalidArgumentError, Option, type Command } from 'commander';
import { readConfigFile, type ConfigValues } from './config_file.js';
import { usageError } from './errors.js';

/** The environment the CLI reads (process.env, or a test's or a compose service's). */
export type Env = Record<string, string | undefined>;

const ENV_PREFIX = 'FSJOURNAL_';

/** Options that take part in settings (have an env name and a config key). */
const settable = new WeakSet<Option>();
/** Options that were declared required; checked after every layer is applied. */
const required = new WeakSet<Option>();
/** Pairs of options of a command that exclude each other (`--journal` or `--api`). */
const exclusive = new WeakMap<Command, [string, string][]>();

/** `--token-file` -> `token-file`, the option's config key. */
export function configKey(option: Option): string {
  return (option.long ?? option.flags).replace(/^--/, '');
}

/** `--token-file` -> `FSJOURNAL_TOKEN_FILE`. */
export function envName(option: Option): string {
  return ENV_PREFIX + configKey(option).toUpperCase().replace(/-/g, '_');
}

/** A list option: declared with an array default (repeatable flags). */
function isList(option: Option): boolean {
  return Array.isArray(option.defaultValue);
}

/**
 * Adds `--config FILE` to `cmd` and makes all its long options settable from
 * the environment and the config file. Call after the command's options are
 * declared.
 */
export function addSettings(cmd: Command): void {
  cmd.addOption(
    new Option(
      '--config <FILE>',
      'read flag values from this JSON or YAML file (keys are flag names, e.g. token-file)',
    ),
  );
  for (const o of cmd.options) {
    if (o.long === undefined || o.negate) continue;
    settable.add(o);
    if (o.mandatory) {
      required.add(o);
      o.makeOptionMandatory(false);
    }
  }
  cmd.addHelpText(
    'after',
    `Every flag can also be set by its environment variable (shown above) or by a
key of the --config file named like the flag without dashes (e.g. listen,
token-file); a flag beats the environment, which beats the config file.
List flags take a YAML list, or comma-separated items in the environment.
`,
  );
}

/**
 * Declares that `a` and `b` exclude each other: when they come from
 * different layers, the higher one wins and the other is dropped (a
 * `FSJOURNAL_JOURNAL` in the environment does not stop `log --api`); from the
 * same layer the command's own check reports it.
 */
export function excludeEachOther(cmd: Command, a: string, b: string): void {
  exclusive.set(cmd, [...(exclusive.get(cmd) ?? []), [a, b]]);
}

/** Help that names each settable option's environment variable. */
export function settingsHelp(): Partial<Help> {
  return {
    optionDescription(this: Help, option: Option): string {
      const base = Help.prototype.optionDescription.call(this, option);
      return settable.has(option) ? `${base} (env: ${envName(option)})` : base;
    },
  };
}

/** Splits an environment list: newlines, and commas outside braces. */
export function splitEnvList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    if (ch === '\n' || (ch === ',' && depth === 0)) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/** Runs the option's parser on `text`; its complaint becomes a usage error naming `where`. */
function parseWith(option: Option, text: string, previous: unknown, where: string): unknown {
  if (!option.parseArg) return text;
  try {
    return option.parseArg(text, previous);
  } catch (err) {
    if (err instanceof InvalidArgumentError) throw usageError(`${where}: ${err.message}`);
    throw err;
  }
}

function parseBoolean(text: string, where: string): boolean {
  if (/^(1|true|yes|on)$/i.test(text.trim())) return true;
  if (/^(0|false|no|off)$/i.test(text.trim())) return false;
  throw usageError(`${where}: expected true or false`);
}

function parseList(option: Option, items: string[], where: string): unknown {
  return items.reduce<unknown>((prev, item) => parseWith(option, item, prev, where), []);
}

/** A value from the environment, as the option's flag would have given it. */
function fromEnv(option: Option, text: string, where: string): unknown {
  if (option.isBoolean()) return parseBoolean(text, where);
  if (isList(option)) return parseList(option, splitEnvList(text), where);
  return parseWith(option, text, undefined, where);
}

/** A value from the config file: scalars as strings, lists for list options. */
function fromConfig(option: Option, value: unknown, where: string): unknown {
  const scalar = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    throw usageError(`${where}: expected a string or a number`);
  };
  if (option.isBoolean()) {
    if (typeof value === 'boolean') return value;
    return parseBoolean(scalar(value), where);
  }
  if (isList(option)) {
    const items = Array.isArray(value) ? value.map(scalar) : [scalar(value)];
    return parseList(option, items, where);
  }
  if (typeof value === 'boolean' || Array.isArray(value) || typeof value === 'object')
    throw usageError(`${where}: expected a single value`);
  return parseWith(option, scalar(value), undefined, where);
}

const RANK: Record<string, number> = { cli: 3, env: 2, config: 1 };

/**
 * Applies the environment and the config file to `cmd`'s options that the
 * command line left unset, then checks required options and exclusive
 * pairs. Throws usage errors (exit 2).
 */
export function applySettings(cmd: Command, env: Env): void {
  const options = cmd.options.filter((o) => settable.has(o) && o.long !== '--config');
  const set = (v: string | undefined): v is string => v !== undefined && v !== '';

  // Which config file: --config, else FSJOURNAL_CONFIG.
  let config: ConfigValues = {};
  let configWhere = '';
  const configFlag = cmd.getOptionValue('config') as string | undefined;
  if (configFlag !== undefined) {
    config = readConfigFile(configFlag, "option '--config'");
    configWhere = configFlag;
  } else if (set(env.FSJOURNAL_CONFIG)) {
    config = readConfigFile(env.FSJOURNAL_CONFIG, 'FSJOURNAL_CONFIG');
    configWhere = env.FSJOURNAL_CONFIG;
    cmd.setOptionValueWithSource('config', env.FSJOURNAL_CONFIG, 'env');
  }
  const byKey = new Map(options.map((o) => [configKey(o), o]));
  for (const key of Object.keys(config)) {
    if (!byKey.has(key))
      throw usageError(
        `config key ${key} in ${configWhere}: not a flag of fsjournal ${cmd.name()} (keys: ${[...byKey.keys()].join(', ')})`,
      );
  }

  for (const o of options) {
    const key = o.attributeName();
    if (cmd.getOptionValueSource(key) === 'cli') continue;
    const text = env[envName(o)];
    if (set(text)) {
      cmd.setOptionValueWithSource(key, fromEnv(o, text, envName(o)), 'env');
      continue;
    }
    const value = config[configKey(o)];
    if (value !== undefined && value !== null) {
      const where = `config key ${configKey(o)} in ${configWhere}`;
      cmd.setOptionValueWithSource(key, fromConfig(o, value, where), 'config');
    }
  }

  for (const [a, b] of exclusive.get(cmd) ?? []) {
    const ra = RANK[cmd.getOptionValueSource(a) ?? ''] ?? 0;
    const rb = RANK[cmd.getOptionValueSource(b) ?? ''] ?? 0;
    // Unset, or both on the command line: the command's own check reports it.
    if (ra === 0 || rb === 0 || (ra === 3 && rb === 3)) continue;
    if (ra === rb) {
      const name = (k: string): string => {
        const o = options.find((x) => x.attributeName() === k)!;
        return ra === 2 ? envName(o) : `config key ${configKey(o)}`;
      };
      throw usageError(`${name(a)} and ${name(b)} exclude each other: set only one`);
    }
    cmd.setOptionValueWithSource(ra < rb ? a : b, undefined, 'default');
  }

  for (const o of options) {
    if (required.has(o) && cmd.getOptionValue(o.attributeName()) === undefined)
      throw usageError(
        `required option '${o.flags}' not specified (or set ${envName(o)}, or ${configKey(o)} in --config)`,
      );
  }
}
