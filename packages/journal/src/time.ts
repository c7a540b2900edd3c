/**
 * The grammar of times and durations that users type: one duration syntax
 * for every flag that takes one (`--retain`, `--sync-timeout`, ...) and for
 * the relative form of a TIME (`--since 10m`, `restore --at 2h`), and the
 * ISO 8601 subset a TIME may also be.
 *
 * A DURATION is a decimal number and one unit, nothing between them:
 * `ms`, `s`, `m` (minutes), `h`, `d`, `w`; white space around it is
 * ignored. No sign, no exponent, no compound (`1h30m`), no months or years
 * (their length varies). A TIME without a zone is UTC.
 */

/** Milliseconds per unit of a DURATION. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A DURATION (`500ms`, `30s`, `10m`, `2h`, `7d`, `1.5w`) in milliseconds,
 * not rounded (`0.5ms` is 0.5), or undefined when `value` is not one.
 */
export function parseDuration(value: string): number | undefined {
  const m = DURATION.exec(value.trim());
  return m ? Number(m[1]) * UNIT_MS[m[2]!]! : undefined;
}

/**
 * A TIME (ISO 8601, or a DURATION meaning that long before `nowMs`) in
 * microseconds since the epoch, or undefined when it is neither.
 */
export function parseTime(value: string, nowMs: number = Date.now()): number | undefined {
  const text = value.trim();
  const ago = parseDuration(text);
  if (ago !== undefined) return Math.round((nowMs - ago) * 1000);
  const m = ISO.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const z = zone.toUpperCase() === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${z}`);
  if (!Number.isFinite(ms)) return undefined;
  return ms * 1000 + Math.floor(Number(`0.${frac || '0'}`) * 1e6 + 1e-6);
}

/** Microseconds since the epoch as ISO 8601 UTC with six fraction digits. */
export function formatTimeUs(timeUs: number): string {
  const ms = Math.floor(timeUs / 1000);
  const micros = timeUs - ms * 1000;
  const iso = new Date(ms).toISOString(); // ...ss.mmmZ
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}
