/** Types of bench/rng.mjs (see there). */

/** A seeded pseudo-random source. */
export interface Rng {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** One element of `a` (not empty). */
  pick<T>(a: readonly T[]): T;
  /** `n` random bytes. */
  bytes(n: number): Buffer;
}

/** A generator for `seed` (taken as an unsigned 32-bit integer): mulberry32. */
export declare function rng(seed: number): Rng;

/** `FSJ_SEED` when set, else a seed from the clock. */
export declare function seedFromEnv(): number;
