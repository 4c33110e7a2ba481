/** A small, fast, seedable PRNG (mulberry32): the seeder's only source of randomness, so seeds are reproducible. */
export type Rng = () => number;

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
