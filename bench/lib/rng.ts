/**
 * The bench's random draws, on the seeded PRNG it shares with the tests (datagen/rng.ts): the seeder's only
 * source of randomness, so seeds are reproducible.
 */
import { mulberry32, type Rng } from "../../datagen/rng.ts";

export { mulberry32, type Rng };

/** A stream derived from a base seed and a label (e.g. one per user), independent of generation order. */
export function substream(seed: number, ...labels: number[]): Rng {
  let h = seed >>> 0;
  for (const l of labels) {
    h = Math.imul(h ^ (l >>> 0), 0x9e3779b1) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return mulberry32(h);
}

export function intIn(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** Picks an index by cumulative weights (weights need not sum to 1). */
export function weighted(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng() * total;
  for (let k = 0; k < weights.length; k++) {
    x -= weights[k] ?? 0;
    if (x < 0) return k;
  }
  return weights.length - 1;
}
