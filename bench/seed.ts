/**
 * `npm run bench:seed -- --users U --cards C --days D --guilds G [--out PATH] [--size quick|target] [--force]`
 *
 * Builds a deterministic study-server database through the real migrations: U members each with C card states
 * across several decks, D days of review history drawn from ts-fsrs (bench/lib/history.ts), the per-day
 * leaderboard/stats aggregates that history implies, G servers (one big one everybody is in, the rest small)
 * and, when the quiz tables exist, a daily quiz per server.
 *
 * Load strategy: migrations first (openDb), then a raw connection with journal_mode=OFF / synchronous=OFF,
 * every secondary index and trigger dropped, multi-row prepared INSERTs in transactions per chunk of members,
 * then the indexes rebuilt (sorted builds), the leaderboard's running totals filled in one pass, the triggers
 * restored and WAL switched back on. The parameters are stored in `bench_meta`; a file
 * whose parameters match is reused as is.
 */

import { fork } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { default_w } from "ts-fsrs";
import { formatLocalDate, localParts, zonedTimeToUtc } from "../src/core/time.ts";
import { closeDb, openDb } from "../src/db/client.ts";
import { BatchInsert } from "./lib/batch.ts";
import { DAY_MS } from "./lib/history.ts";
import { generateMembers, MEMBER_COLUMNS, MEMBER_TABLES, type MembersSummary } from "./lib/members.ts";
import { intIn, substream } from "./lib/rng.ts";
import type { PartJob } from "./lib/seed-part.ts";
import { cardBack, cardFront } from "./lib/text.ts";
import {
  BENCH_NOW,
  cardIdOf,
  channelId,
  deckId,
  guildId,
  isRetired,
  layout,
  QUIZ_ZONES,
  SEED_VERSION,
  type SeedParams,
  SIZES,
  type SizeName,
  userDecks,
  userId,
} from "./lib/world.ts";

export {
  BENCH_NOW,
  BIG_GUILD,
  channelId,
  deckId,
  guildId,
  guildMembers,
  layout,
  SEED_VERSION,
  type SeedParams,
  SIZES,
  type SizeName,
  userDecks,
  userGuilds,
  userId,
} from "./lib/world.ts";

export interface SeedSummary {
  cardStates: number;
  reviewLogs: number;
  decks: number;
  cards: number;
  guilds: number;
  quizConfigs: number;
  fsrsCalls: number;
  seconds: number;
}

// ── Meta ─────────────────────────────────────────────────────────────────────────────────────────────

interface Meta {
  version: number;
  params: SeedParams;
  summary: SeedSummary;
}

export function readSeedMeta(path: string): Meta | null {
  if (!existsSync(path)) return null;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const row = db.prepare("SELECT value FROM bench_meta WHERE key = 'meta'").get() as
        | { value: string }
        | undefined;
      return row ? (JSON.parse(row.value) as Meta) : null;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

const sameParams = (a: SeedParams, b: SeedParams) =>
  a.users === b.users &&
  a.cards === b.cards &&
  a.days === b.days &&
  a.guilds === b.guilds &&
  a.seed === b.seed;

/** stat_guild_days' running totals from its rows, as drizzle/0005_stat_guild_days_cumulative_backfill.sql fills them. */
const FILL_RUNNING_TOTALS = `
  UPDATE stat_guild_days SET cum_reviews = c.r, cum_again = c.a, cum_points = c.p
  FROM (
    SELECT rowid AS id, sum(reviews) OVER w AS r, sum(again) OVER w AS a, sum(points) OVER w AS p
    FROM stat_guild_days WINDOW w AS (PARTITION BY guild_id, user_id ORDER BY day)
  ) AS c
  WHERE stat_guild_days.rowid = c.id`;

export function defaultDbPath(p: SeedParams): string {
  return resolve(`data/bench/u${p.users}-c${p.cards}-d${p.days}-g${p.guilds}-s${p.seed}.db`);
}

/** Reuses `path` when it holds a finished seed with these parameters; otherwise (re)builds it. */
export async function ensureSeeded(
  path: string,
  p: SeedParams,
  log: (line: string) => void = () => {},
): Promise<{ summary: SeedSummary; reused: boolean }> {
  const meta = readSeedMeta(path);
  if (meta && meta.version === SEED_VERSION && sameParams(meta.params, p)) {
    log(`reusing ${path} (${meta.summary.cardStates} card states, ${meta.summary.reviewLogs} review logs)`);
    return { summary: meta.summary, reused: true };
  }
  return { summary: await seedDatabase(path, p, log), reused: false };
}

// ── The load ─────────────────────────────────────────────────────────────────────────────────────────

/** Child processes a seed of `users` members splits into by default: one per core (up to 4) from 1,000 members. */
export function defaultParts(users: number): number {
  return users >= 1000 ? Math.max(1, Math.min(availableParallelism(), 4)) : 1;
}

/** Builds `path` afresh; `parts` > 1 generates the members in that many child processes (tests force it small). */
export async function seedDatabase(
  path: string,
  p: SeedParams,
  log: (line: string) => void = () => {},
  parts = defaultParts(p.users),
): Promise<SeedSummary> {
  const t0 = performance.now();
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(path + suffix, { force: true });
  await closeDb(await openDb(path)); // the real migrations

  const db = new Database(path);
  db.pragma("journal_mode = DELETE");
  db.unsafeMode(true); // journal_mode=OFF is refused in (default) defensive mode
  db.pragma("journal_mode = OFF");
  db.pragma("synchronous = OFF");
  db.pragma("locking_mode = EXCLUSIVE");
  db.pragma("cache_size = -1048576"); // 1 GiB
  db.pragma("temp_store = MEMORY");
  db.pragma("threads = 2");
  db.pragma("foreign_keys = OFF"); // consistent by construction; batches land out of FK order
  const tables = new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (r) => r.name,
    ),
  );
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  for (const ix of indexes) db.exec(`DROP INDEX "${ix.name}"`);
  // The running-totals triggers would seek through indexes that are gone: off for the load, totals filled after.
  const triggers = db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as {
    name: string;
    sql: string;
  }[];
  for (const tr of triggers) db.exec(`DROP TRIGGER "${tr.name}"`);

  const l = layout(p);
  const summary: SeedSummary = {
    cardStates: 0,
    reviewLogs: 0,
    decks: l.numDecks,
    cards: 0,
    guilds: p.guilds,
    quizConfigs: 0,
    fsrsCalls: 0,
    seconds: 0,
  };
  const created = BENCH_NOW - (p.days + 30) * DAY_MS;

  // Decks, cards, servers, quiz settings, member settings, subscriptions.
  db.transaction(() => {
    const rng = substream(p.seed, 0);
    const deckIns = new BatchInsert(db, "decks", [
      "id",
      "name",
      "description",
      "source",
      "file_path",
      "updated_at",
    ]);
    const cardIns = new BatchInsert(db, "cards", [
      "id",
      "deck_id",
      "key",
      "position",
      "front",
      "back",
      "retired_at",
    ]);
    for (let d = 0; d < l.numDecks; d++) {
      const id = deckId(d);
      deckIns.add(
        id,
        `Bench deck ${d}`,
        `Generated deck ${d} for benchmarks`,
        "file",
        `decks/${id}.deck`,
        created,
      );
      for (let pos = 0; pos < l.deckSize; pos++) {
        const retired = isRetired(d, pos) ? BENCH_NOW - 10 * DAY_MS : null;
        cardIns.add(cardIdOf(l, d, pos), id, String(pos + 1), pos, cardFront(rng), cardBack(rng), retired);
        summary.cards++;
      }
    }
    deckIns.flush();
    cardIns.flush();

    const guildIns = new BatchInsert(db, "guilds", ["id", "timezone", "created_at"]);
    for (let g = 0; g < p.guilds; g++) guildIns.add(guildId(g), "UTC", created);
    guildIns.flush();

    if (tables.has("quiz_configs")) {
      const qIns = new BatchInsert(db, "quiz_configs", [
        "guild_id",
        "channel_id",
        "time",
        "timezone",
        "paused",
        "next_date",
        "next_run_at",
        "updated_at",
      ]);
      for (let g = 0; g < p.guilds; g++) {
        const zone = QUIZ_ZONES[g % QUIZ_ZONES.length] ?? "UTC";
        const hour = intIn(rng, 7, 21);
        const minute = intIn(rng, 0, 3) * 15;
        const next = nextRun(BENCH_NOW, hour, minute, zone);
        const time = `${String(hour).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
        qIns.add(guildId(g), channelId(g), time, zone, rng() < 0.05 ? 1 : 0, next.date, next.at, created);
        summary.quizConfigs++;
      }
      qIns.flush();
    }

    const settingsIns = new BatchInsert(db, "user_settings", [
      "user_id",
      "new_per_day",
      "reminders",
      "leaderboard_visible",
      "retention",
      "fsrs_weights",
    ]);
    const subIns = new BatchInsert(db, "subscriptions", ["user_id", "deck_id", "created_at"]);
    for (let u = 0; u < p.users; u++) {
      const r = substream(p.seed, 3, u);
      const reminders = r() < 0.3;
      const hidden = r() < 0.05;
      // Every member schedules with settings of their own (the rating path builds and caches a scheduler per
      // distinct settings): a retention of their choice, and for a third their own fitted weights.
      const retention = [0.85, 0.9, 0.9, 0.95][intIn(r, 0, 3)] ?? 0.9;
      const weights =
        r() < 1 / 3 ? JSON.stringify(default_w.map((w) => Math.round(w * (8000 + 4000 * r())) / 1e4)) : null;
      settingsIns.add(userId(u), 20, reminders ? 1 : 0, hidden ? 0 : 1, retention, weights);
      for (const d of userDecks(p, u)) subIns.add(userId(u), deckId(d), created);
    }
    settingsIns.flush();
    subIns.flush();
  })();

  // Members: in this process for small sizes, else split across child processes (one per core), each writing
  // a part file that is then copied in with INSERT … SELECT.
  const workers = Math.max(1, Math.min(parts, p.users));
  let done = 0;
  const report = (s: MembersSummary) => {
    const secs = (performance.now() - t0) / 1000;
    log(
      `seed: ${done}/${p.users} members, ${s.cardStates} states, ${s.reviewLogs} logs, ${secs.toFixed(0)} s`,
    );
  };
  if (workers === 1) {
    const s = generateMembers(db, p, 0, p.users, (n, s) => {
      done = n;
      if (n % 500 === 0 || n === p.users) report(s);
    });
    summary.cardStates = s.cardStates;
    summary.reviewLogs = s.reviewLogs;
    summary.fsrsCalls = s.fsrsCalls;
  } else {
    // A part table holds only the columns the generator writes (their types from the seeded table): the copy
    // below then leaves every other column, such as the running totals, to the seeded table's defaults.
    const tables = MEMBER_TABLES.map((t) => {
      const info = db.prepare(`PRAGMA table_info(${t})`).all() as { name: string; type: string }[];
      const typeOf = new Map(info.map((c) => [c.name, c.type]));
      return `CREATE TABLE ${t} (${MEMBER_COLUMNS[t].map((c) => `${c} ${typeOf.get(c) ?? ""}`).join(", ")})`;
    });
    const per = Math.ceil(p.users / workers);
    const jobs = Array.from({ length: workers }, (_, k) => ({
      path: `${path}.part${k}`,
      params: p,
      from: k * per,
      to: Math.min(p.users, (k + 1) * per),
      tables,
    })).filter((j) => j.from < j.to);
    const progressOf = new Map<number, MembersSummary & { done: number }>();
    const results = await Promise.all(
      jobs.map((job, k) =>
        runPart(job, (n, s) => {
          progressOf.set(k, { ...s, done: n });
          const all = [...progressOf.values()];
          const total = all.reduce((a, b) => a + b.done, 0);
          if (Math.floor(total / 500) > Math.floor(done / 500)) {
            done = total;
            report(
              all.reduce(
                (a, b) => ({
                  cardStates: a.cardStates + b.cardStates,
                  reviewLogs: a.reviewLogs + b.reviewLogs,
                  fsrsCalls: 0,
                }),
                { cardStates: 0, reviewLogs: 0, fsrsCalls: 0 },
              ),
            );
          }
          done = total;
        }),
      ),
    );
    log(`seed: copying ${jobs.length} parts in`);
    for (const [k, job] of jobs.entries()) {
      db.exec(`ATTACH DATABASE '${job.path.replaceAll("'", "''")}' AS part`);
      db.transaction(() => {
        for (const t of MEMBER_TABLES) {
          const cols = MEMBER_COLUMNS[t].join(", ");
          db.exec(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM part.${t}`);
        }
      })();
      db.exec("DETACH DATABASE part");
      rmSync(job.path, { force: true });
      const r = results[k];
      if (r) {
        summary.cardStates += r.cardStates;
        summary.reviewLogs += r.reviewLogs;
        summary.fsrsCalls += r.fsrsCalls;
      }
    }
  }

  log(`seed: building ${indexes.length} indexes`);
  for (const ix of indexes) db.exec(ix.sql);
  db.exec(FILL_RUNNING_TOTALS);
  for (const tr of triggers) db.exec(tr.sql);
  summary.seconds = Math.round((performance.now() - t0) / 100) / 10;
  db.exec("CREATE TABLE bench_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
  const meta: Meta = { version: SEED_VERSION, params: p, summary };
  db.prepare("INSERT INTO bench_meta (key, value) VALUES ('meta', ?)").run(JSON.stringify(meta));
  db.pragma("locking_mode = NORMAL");
  db.pragma("journal_mode = WAL");
  db.close();
  log(`seed: done in ${summary.seconds} s`);
  return summary;
}

/** Runs one part in a child process (tsx loader), reporting progress; resolves with its summary. */
function runPart(job: PartJob, progress: (done: number, s: MembersSummary) => void): Promise<MembersSummary> {
  return new Promise((resolvePart, reject) => {
    const child = fork(fileURLToPath(new URL("./lib/seed-part.ts", import.meta.url)), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    let result: MembersSummary | null = null;
    child.on("message", (m: { kind: string; done?: number; summary: MembersSummary }) => {
      if (m.kind === "progress") progress(m.done ?? 0, m.summary);
      else if (m.kind === "done") result = m.summary;
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      result ? resolvePart(result) : reject(new Error(`seed part ${job.path} exited with ${code}`)),
    );
    child.send(job);
  });
}

/** The next quiz run after `now` at local hour:minute in `zone` (mirrors the quiz's own planning). */
function nextRun(now: number, hour: number, minute: number, zone: string): { date: string; at: number } {
  const p = localParts(now, zone);
  for (let add = 0; add < 3; add++) {
    const d = new Date(Date.UTC(p.year, p.month - 1, p.day + add));
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    const at = zonedTimeToUtc({ ...date, hour, minute }, zone);
    if (at > now) return { date: formatLocalDate(date), at };
  }
  throw new Error("no next run");
}

// ── CLI ──────────────────────────────────────────────────────────────────────────────────────────────

export function paramsFromArgs(argv: string[]): {
  params: SeedParams;
  out: string | undefined;
  force: boolean;
} {
  const { values } = parseArgs({
    args: argv,
    options: {
      size: { type: "string" },
      users: { type: "string" },
      cards: { type: "string" },
      days: { type: "string" },
      guilds: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      force: { type: "boolean", default: false },
    },
    allowPositionals: false,
  });
  const size = (values.size ?? "quick") as SizeName;
  const base = SIZES[size];
  if (!base) throw new Error(`unknown size ${values.size}; use ${Object.keys(SIZES).join(", ")}`);
  const num = (v: string | undefined, d: number, name: string) => {
    if (v === undefined) return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  return {
    params: {
      users: num(values.users, base.users, "users"),
      cards: num(values.cards, base.cards, "cards"),
      days: num(values.days, base.days, "days"),
      guilds: num(values.guilds, base.guilds, "guilds"),
      seed: num(values.seed, base.seed, "seed"),
    },
    out: values.out,
    force: values.force ?? false,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { params, out, force } = paramsFromArgs(process.argv.slice(2));
  const path = resolve(out ?? defaultDbPath(params));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  const result = force
    ? { summary: await seedDatabase(path, params, say), reused: false }
    : await ensureSeeded(path, params, say);
  process.stdout.write(`${JSON.stringify({ path, params, ...result }, null, 2)}\n`);
}
