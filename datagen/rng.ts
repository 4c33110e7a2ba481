/**
 * The seeded PRNG of the tests and the bench. datagen/ holds the generated inputs both use, so neither imports
 * the other and the bot never loads them. The bench's draws built on it (substreams, ranges, weights) are in
 * bench/lib/rng.ts.
 */
export type Rng = () => number;

/** A small, fast, seedable PRNG (mulberry32): numbers in [0, 1), the same sequence for the same seed. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
