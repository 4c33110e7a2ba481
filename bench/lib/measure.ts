/** Timing: per-call latencies (ms) → p50 / p99 / mean / throughput, and the `{name, value, unit}` entries. */

export interface Result {
  name: string;
  value: number;
  unit: string;
  /** Free text shown in the table and kept in the JSON (what was measured, the target). */
  extra?: string;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Calls per second, one after another on one thread. */
  throughput: number;
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = samples.reduce((a, b) => a + b, 0);
  return {
    n: samples.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
    mean: total / Math.max(1, samples.length),
    throughput: samples.length / (total / 1000),
  };
}

/** Lets the event loop run (timers, I/O callbacks, the database's background checkpoint watcher). */
export const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Calls `prepare(i)` untimed, then times `fn(prepared, i)`, `n` times after `warmup` unrecorded rounds, yielding
 * to the event loop between calls as a bot does between interactions. Returns latencies in ms.
 */
export async function sample<P>(
  n: number,
  warmup: number,
  prepare: (i: number) => P | Promise<P>,
  fn: (p: P, i: number) => unknown,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < warmup + n; i++) {
    const p = await prepare(i);
    const t0 = process.hrtime.bigint();
    const r = fn(p, i);
    if (r instanceof Promise) await r;
    const dt = Number(process.hrtime.bigint() - t0) / 1e6;
    if (i >= warmup) out.push(dt);
    await yieldToLoop();
  }
  return out;
}

/** The entries for one timed operation: p50, p99 and throughput. */
export function latencyResults(name: string, s: Summary, extra?: string): Result[] {
  return [
    { name: `${name}.p50`, value: round(s.p50), unit: "ms", extra },
    { name: `${name}.p99`, value: round(s.p99), unit: "ms", extra },
    { name: `${name}.throughput`, value: Math.round(s.throughput), unit: "ops/s", extra: `n=${s.n}` },
  ];
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
