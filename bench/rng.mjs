/**
 * The seeded pseudo-random source of the tests and benches: mulberry32, so
 * that a run's random choices (file names, sizes, operations, fault order)
 * repeat with its seed. Plain JavaScript so that the benches and the test
 * fixtures run it without a build; types in rng.d.mts.
 * Not guaranteed: statistical quality beyond "varied enough for a test",
 * nor unpredictability (never use it for anything secret); a seed repeats
 * the choices, not the timing of a run.
 */

/** A generator for `seed` (taken as an unsigned 32-bit integer). */
export function rng(seed) {
  let s = seed >>> 0;
  /** The next 32 random bits, as an unsigned integer. */
  const u32 = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = () => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (a) => a[Math.floor(next() * a.length)],
    bytes: (n) => {
      const b = Buffer.allocUnsafe(n);
      let i = 0;
      for (; i + 4 <= n; i += 4) b.writeUInt32LE(u32(), i);
      for (let x = u32(); i < n; i++, x >>>= 8) b[i] = x & 0xff;
      return b;
    },
  };
}

/**
 * The seed of a randomized test: `FSJ_SEED` when set (to repeat a run),
 * else one from the clock. Tests print it with their failures.
 */
export function seedFromEnv() {
  return Number(process.env.FSJ_SEED ?? Date.now() % 1_000_000);
}
