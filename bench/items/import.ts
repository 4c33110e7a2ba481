/**
 * Item 6: a 5,000-card `/deck import` (the deck limit, in a file just under the 1 MiB limit) as the bot runs it,
 * in slices (importDeckInSlices), and the longest the event loop waited meanwhile: what another member's click
 * waits for at worst (perf_hooks.monitorEventLoopDelay). The same import run at once (`importDeck`) is how long a
 * click waited before imports ran in slices. Each run imports into a fresh database with the real migrations
 * (the seeded one is left as it is).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import pino from "pino";
import { ankiExport, csvExport } from "../../datagen/deck-files.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { MAX_CARDS, MAX_IMPORT_BYTES } from "../../src/core/decks/limits.ts";
import { Schedulers } from "../../src/core/scheduling.ts";
import { closeDb, openDb } from "../../src/db/client.ts";
import { type ImportRequest, importDeck, importDeckInSlices } from "../../src/services/deck-import.ts";
import { type Result, round } from "../lib/measure.ts";
import type { BenchContext } from "./context.ts";

interface Run {
  totalMs: number;
  maxStallMs: number;
}

async function importOnce(text: string, sliced: boolean): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "bench-import-"));
  const db = await openDb(join(dir, "import.db"));
  const deps = {
    db,
    clock: new ManualClock(new Date("2026-03-02T08:00:00Z")),
    log: pino({ level: "silent" }),
    schedulers: new Schedulers({ fuzz: false }),
  };
  const req: ImportRequest = {
    userId: "200000000000000001",
    guildId: "100000000000000001",
    canManageServer: false,
    fileName: "big.txt",
    bytes: Buffer.from(text, "utf8"),
    scope: "personal",
  };
  const delay = monitorEventLoopDelay({ resolution: 1 });
  try {
    delay.enable();
    // The monitor measures from its first sample on: let it take one before the import starts.
    await new Promise((resolve) => setTimeout(resolve, 10));
    const t0 = performance.now();
    const outcome = sliced ? await importDeckInSlices(deps, req) : await importDeck(deps, req);
    const totalMs = performance.now() - t0;
    // One more turn, so a stall at the very end is sampled too.
    await new Promise((resolve) => setTimeout(resolve, 5));
    delay.disable();
    if (outcome.kind !== "imported" || outcome.cards !== MAX_CARDS)
      throw new Error(`the bench import did not import ${MAX_CARDS} cards (${outcome.kind})`);
    return { totalMs, maxStallMs: delay.max / 1e6 };
  } finally {
    await closeDb(db);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchImport(ctx: BenchContext): Promise<Result[]> {
  const results: Result[] = [];
  for (const [format, text] of [
    ["anki", ankiExport(MAX_CARDS)],
    ["csv", csvExport(MAX_CARDS)],
  ] as const) {
    const name = `import.${format}`;
    if (!ctx.wants(name)) continue;
    const bytes = Buffer.byteLength(text);
    if (bytes > MAX_IMPORT_BYTES) throw new Error(`the bench's ${format} file is over the import limit`);
    const what = `${MAX_CARDS} cards, ${(bytes / 1024).toFixed(0)} KiB`;
    const runs = ctx.n >= 10 ? 3 : 1;
    let sliced: Run = { totalMs: 0, maxStallMs: 0 };
    let atOnce: Run = { totalMs: 0, maxStallMs: 0 };
    // The worst of a few runs: the figure that matters is how long a click can wait.
    for (let k = 0; k < runs; k++) {
      const s = await importOnce(text, true);
      const a = await importOnce(text, false);
      if (s.maxStallMs > sliced.maxStallMs) sliced = s;
      if (a.maxStallMs > atOnce.maxStallMs) atOnce = a;
    }
    ctx.log(
      `${name}: longest event-loop stall ${sliced.maxStallMs.toFixed(1)} ms in slices (${sliced.totalMs.toFixed(0)} ms in all), ${atOnce.maxStallMs.toFixed(0)} ms at once`,
    );
    results.push(
      {
        name: `${name}.stall_max`,
        value: round(sliced.maxStallMs, 1),
        unit: "ms",
        extra: `${what}: longest event-loop stall, in slices (worst of ${runs})`,
      },
      { name: `${name}.total`, value: round(sliced.totalMs, 0), unit: "ms", extra: `${what}, in slices` },
      {
        name: `${name}.at_once_stall`,
        value: round(atOnce.maxStallMs, 0),
        unit: "ms",
        extra: `${what}: the same import run at once (no slices)`,
      },
    );
  }
  return results;
}
