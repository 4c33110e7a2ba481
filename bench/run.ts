/**
 * `npm run bench -- [--size quick|target] [--db PATH] [--pg URL] [--out bench-results.json] [--only study,rate,...] [--n N]
 *   [--filter REGEX] [--cold]`
 *
 * `--only` picks bench items; `--filter` keeps the operations whose result names match REGEX (items skip the
 * others), e.g. `--only social --filter '^leaderboard\.'` for just the leaderboards.
 *
 * Seeds (or reuses) the database for the size, then measures through the bot's own service functions — the
 * same code the command handlers call — with no Discord network: the /study path, rating, the leaderboard and
 * /stats, the daily quiz tick against the loopback emulator, and the client's memory after a big GUILD_CREATE
 * stream. Prints a table and writes bench-results.json.
 *
 * The database file is read through before each item, so it sits in the OS page cache as on a host where the bot
 * has been running (this VM's proactive memory reclaim drops file pages that went unread for a while, and a run on a
 * dropped cache measures the disk instead: next card p50 0.36 ms instead of 0.03); `--cold` skips that.
 */
import { closeSync, existsSync, openSync, readSync } from "node:fs";
import { cpus, freemem, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import pino from "pino";
import { ManualClock } from "../src/core/clock.ts";
import { Schedulers } from "../src/core/scheduling.ts";
import { closeDb, type Db, openDb } from "../src/db/client.ts";
import { openSqlite } from "../src/db/sqlite/open.ts";
import type { BenchContext, BenchItem } from "./items/context.ts";
import { benchCopied } from "./items/copied.ts";
import { benchFsrs } from "./items/fsrs.ts";
import { benchImport } from "./items/import.ts";
import { benchMemory } from "./items/memory.ts";
import { benchPackages } from "./items/packages.ts";
import { benchRate } from "./items/rate.ts";
import { benchSocial } from "./items/social.ts";
import { benchStudy } from "./items/study.ts";
import { benchTick } from "./items/tick.ts";
import type { Result } from "./lib/measure.ts";
import { formatTable, writeResults } from "./lib/report.ts";
import { mulberry32 } from "./lib/rng.ts";
import { BENCH_NOW, type SeedParams, SIZES, type SizeName } from "./lib/world.ts";
import { defaultDbPath, ensureSeeded } from "./seed.ts";

export const ITEMS: Record<string, BenchItem> = {
  copied: benchCopied, // first: before the rating item adds review logs to the PostgreSQL copy
  study: benchStudy,
  rate: benchRate,
  social: benchSocial,
  tick: benchTick,
  memory: benchMemory,
  import: benchImport,
  fsrs: benchFsrs,
  packages: benchPackages,
};

export interface BenchOptions {
  params: SeedParams;
  /** Database file (default: data/bench/<params>.db). */
  db?: string;
  /**
   * Measure on PostgreSQL: the database at this URL, which must hold a copy of the seeded file (`npm run db:copy
   * -- --from <file> --to <url>`); its row counts are checked against the seed first.
   */
  pg?: string;
  items?: string[];
  /** Only operations whose result names match (see `--filter`). */
  filter?: RegExp;
  /** Timed calls per operation. */
  n: number;
  warmup: number;
  log?: (line: string) => void;
  /** Measure on whatever part of the file the OS page cache holds (default: read the file through first). */
  cold?: boolean;
}

/**
 * A full garbage collection between items, so one item's garbage is not collected (and billed) inside the next
 * one's measurement: the tick's CPU figure was 0.2 ms per server higher after the leaderboard items than alone.
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

/** Reads a file through once (into the OS page cache); returns the seconds it took. */
function readThrough(path: string): number {
  const t0 = performance.now();
  const fd = openSync(path, "r");
  const buf = Buffer.allocUnsafe(8 << 20);
  try {
    while (readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    closeSync(fd);
  }
  return (performance.now() - t0) / 1000;
}

export async function runBench(o: BenchOptions): Promise<Result[]> {
  const log = o.log ?? (() => {});
  const path = resolve(o.db ?? defaultDbPath(o.params));
  // On PostgreSQL the seed file is only the reference for the copy's row counts, when it is there.
  const seeded = o.pg && !existsSync(path) ? null : await ensureSeeded(path, o.params, log);
  const db: Db = o.pg ? await openCopy(o.pg, path, seeded?.summary ?? null, log) : openSqlite(path);
  const clock = new ManualClock(new Date(BENCH_NOW));
  // Production settings: fuzz on (FSRS_FUZZ defaults to true), silent logger.
  const deps = { db, clock, schedulers: new Schedulers({ fuzz: true }), log: pino({ level: "silent" }) };
  const ctx: BenchContext = {
    params: o.params,
    deps,
    rng: mulberry32(20260302),
    n: o.n,
    warmup: o.warmup,
    log,
    pgUrl: o.pg ?? null,
    database: o.pg ?? path,
    seedFile: seeded === null ? null : path,
    wants: (name) => !o.filter || o.filter.test(name),
  };
  const results: Result[] = [
    { name: "data.card_states", value: seeded?.summary.cardStates ?? counts.cardStates, unit: "rows" },
    { name: "data.review_logs", value: seeded?.summary.reviewLogs ?? counts.reviewLogs, unit: "rows" },
    { name: "data.servers", value: o.params.guilds, unit: "servers" },
    { name: "data.engine", value: o.pg ? 1 : 0, unit: o.pg ? "PostgreSQL" : "SQLite" },
  ];
  try {
    for (const name of o.items ?? Object.keys(ITEMS)) {
      const item = ITEMS[name];
      if (!item) throw new Error(`unknown bench item ${name}; have ${Object.keys(ITEMS).join(", ")}`);
      // PostgreSQL keeps its own buffers (shared_buffers + the OS cache of its files): nothing to read through here.
      if (!o.cold && !o.pg)
        log(`bench: database read into the page cache in ${readThrough(path).toFixed(1)} s`);
      collectGarbage();
      log(`bench: ${name}…`);
      const t0 = performance.now();
      results.push(...(await item(ctx)).filter((r) => ctx.wants(r.name)));
      log(`bench: ${name} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  } finally {
    await closeDb(db);
  }
  return results;
}

let counts = { cardStates: 0, reviewLogs: 0 };

/**
 * The PostgreSQL copy of the seeded file, refused unless it holds the seed's card states and review logs (when
 * the seed file is not on this machine, its counts are reported as they are).
 */
async function openCopy(
  url: string,
  file: string,
  seed: { cardStates: number; reviewLogs: number } | null,
  log: (line: string) => void,
): Promise<Db> {
  const db = await openDb(url);
  if (db.kind !== "pg") throw new Error(`--pg takes a postgres:// URL, not ${url}`);
  const { rows } = await db.exec.query(
    "SELECT (SELECT count(*) FROM card_states), (SELECT count(*) FROM review_logs)",
    [],
    "arrays",
  );
  const [states = 0, logs = 0] = (rows[0] ?? []) as number[];
  counts = { cardStates: states, reviewLogs: logs };
  if (seed === null) log(`bench: no seed file ${file}: measuring ${db.label} as it is`);
  // (a bench run's ratings add review logs: a copy measured before holds more)
  else if (states !== seed.cardStates || logs < seed.reviewLogs) {
    await closeDb(db);
    throw new Error(
      `${db.label} holds ${states} card states and ${logs} review logs, the seed ${seed.cardStates} and ` +
        `${seed.reviewLogs}: copy it first, npm run db:copy -- --from ${file} --to <an empty database>`,
    );
  }
  return db;
}

/**
 * A fixed CPU-bound loop's time (ms, best of 3). This VM's CPU speed drifts by half over an hour (other guests):
 * runs are comparable only next to it.
 */
export function cpuLoopMs(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    let x = 0;
    for (let i = 0; i < 5e7; i++) x += i % 7;
    if (x < 0) throw new Error("unreachable"); // keeps the loop from being optimised away
    best = Math.min(best, performance.now() - t0);
  }
  return Math.round(best);
}

export function machine(): Result[] {
  const cpu = cpus();
  return [
    { name: "machine.cpus", value: cpu.length, unit: "cores", extra: cpu[0]?.model.trim() },
    { name: "machine.memory", value: Math.round(totalmem() / 2 ** 30), unit: "GiB" },
    {
      name: "machine.loadavg_1m",
      value: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      unit: "",
      extra: "other work on the machine during the run",
    },
    {
      name: "machine.node",
      value: Number(process.versions.node.split(".")[0]),
      unit: "",
      extra: process.version,
    },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      size: { type: "string", default: "quick" },
      db: { type: "string" },
      pg: { type: "string" },
      out: { type: "string", default: "bench-results.json" },
      only: { type: "string" },
      n: { type: "string" },
      filter: { type: "string" },
      cold: { type: "boolean", default: false },
    },
  });
  const size = values.size as SizeName;
  const params = SIZES[size];
  if (!params) throw new Error(`unknown size ${values.size}; use ${Object.keys(SIZES).join(", ")}`);
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const n = values.n ? Number(values.n) : size === "tiny" ? 3 : 2000;
  const before = machine();
  const loopBefore = cpuLoopMs();
  const results = await runBench({
    params,
    db: values.db,
    pg: values.pg,
    items: values.only?.split(",").map((s) => s.trim()),
    filter: values.filter ? new RegExp(values.filter) : undefined,
    n,
    warmup: Math.min(200, Math.ceil(n / 10)),
    log: say,
    cold: values.cold,
  });
  const after = machine().filter((r) => r.name === "machine.loadavg_1m");
  const loop = (when: string) => ({
    name: `machine.cpu_loop_ms_${when}`,
    value: cpuLoopMs(),
    unit: "ms",
    extra: "a fixed JS loop (lower = faster CPU then)",
  });
  const all = [
    {
      name: "bench.size",
      value: Object.keys(SIZES).indexOf(size),
      unit: "",
      extra: `${size}: ${JSON.stringify(params)}`,
    },
    ...before,
    { ...loop("before"), value: loopBefore },
    ...results,
    loop("after"),
    ...after.map((r) => ({ ...r, name: "machine.loadavg_1m_after" })),
    { name: "machine.free_memory", value: Math.round(freemem() / 2 ** 20), unit: "MiB" },
  ];
  process.stdout.write(`${formatTable(all)}\n`);
  writeResults(values.out ?? "bench-results.json", all);
  say(`wrote ${values.out}`);
}
