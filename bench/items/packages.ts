/**
 * Item 9: hostile Anki packages (datagen/anki-packages.ts: a zip bomb, a zstd bomb, 10,000 entries, a corrupt
 * collection, a mislabelled image, a bomb among the media) read as `/deck import` reads them, each refused: how long until the refusal (issue 17's bar: within
 * 2 s) and how far the process's resident memory rose meanwhile (sampled every 2 ms; the bar: bounded, i.e. near
 * the caps of services/anki-package/unpack.ts, not the bomb's size).
 */
import { hostilePackages } from "../../datagen/anki-packages.ts";
import { UserError } from "../../src/core/errors.ts";
import { readImportFile } from "../../src/services/deck-file.ts";
import { atOnce } from "../../src/services/slices.ts";
import { type Result, round } from "../lib/measure.ts";
import type { BenchContext } from "./context.ts";

const slug = (what: string) =>
  what
    .toLowerCase()
    .replace(/\(.*\)/, "")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");

async function refuse(bytes: Uint8Array): Promise<{ ms: number; rssMib: number }> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  const t0 = performance.now();
  try {
    // The read is synchronous (like the slice it runs in): sample after it as well.
    await atOnce(readImportFile({ fileName: "hostile.apkg", bytes }));
    throw new Error("a hostile package was imported");
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
  } finally {
    clearInterval(sampler);
  }
  const ms = performance.now() - t0;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { ms, rssMib: (peak - base) / (1024 * 1024) };
}

export async function benchPackages(ctx: BenchContext): Promise<Result[]> {
  const results: Result[] = [];
  for (const [what, bytes] of Object.entries(hostilePackages())) {
    const name = `package.${slug(what)}`;
    if (!ctx.wants(name)) continue;
    let worst = { ms: 0, rssMib: 0 };
    // The worst of up to 3 (the bench's own n: the smoke test's 2).
    const runs = Math.max(1, Math.min(3, ctx.n));
    for (let k = 0; k < runs; k++) {
      const r = await refuse(bytes);
      worst = { ms: Math.max(worst.ms, r.ms), rssMib: Math.max(worst.rssMib, r.rssMib) };
    }
    ctx.log(
      `${name}: refused in ${worst.ms.toFixed(0)} ms, RSS +${worst.rssMib.toFixed(0)} MiB (worst of ${runs})`,
    );
    const size = `${(bytes.length / 1024).toFixed(0)} KiB file`;
    results.push(
      {
        name: `${name}.refused`,
        value: round(worst.ms, 0),
        unit: "ms",
        extra: `${what}, ${size}: until refused (bar 2,000)`,
      },
      {
        name: `${name}.rss`,
        value: round(worst.rssMib, 0),
        unit: "MiB",
        extra: `${what}: resident memory rise`,
      },
    );
  }
  return results;
}
