/**
 * `npm run db:copy`: a real SQLite file (made by openDb, filled with plain SQL through its better-sqlite3
 * connection) copied into a fresh PostgreSQL database on a real server: `TEST_DATABASE_URL` when set, else the local
 * one at 127.0.0.1:5432. Each copy gets a scratch database `dbcopy_<pid>_<n>`, dropped afterwards. Without a server
 * the PostgreSQL cases are skipped with a line saying so; the argument, migration and table-order cases need none.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { is } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/db-copy.ts";
import { closeDb, openDb } from "../../src/db/client.ts";
import { copyLine } from "../../src/db/copy/copy-rows.ts";
import { copyTables } from "../../src/db/copy/tables.ts";
import { compareCounts, compareRows } from "../../src/db/copy/verify.ts";
import type { PgExecutor } from "../../src/db/handle.ts";
import * as schema from "../../src/db/schema.ts";
import { SQLITE_MIGRATIONS } from "../../src/db/sqlite/open.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "db-copy-"));

// ── The PostgreSQL server ─────────────────────────────────────────────────────────────────────────────────

const SERVER = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

async function serverAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const hasServer = await serverAnswers(SERVER);
if (!hasServer)
  console.warn(
    `db-copy.test: no PostgreSQL server answers at ${SERVER}: the copy tests are skipped (set TEST_DATABASE_URL)`,
  );

const scratch: string[] = [];

/** A new, empty database on the server; returns its URL. */
async function freshDatabase(): Promise<string> {
  const name = `dbcopy_${process.pid}_${scratch.length}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  scratch.push(name);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return url.toString();
}

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (!hasServer || scratch.length === 0) return;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  for (const name of scratch) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

/** A plain client on `url`, bigint as numbers (as the bot reads them), closed after `fn`. */
async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    types: { getTypeParser: (oid, format) => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) },
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function executor(c: pg.Client): PgExecutor {
  return {
    async query(text, params, rows) {
      const r = await c.query({
        text,
        values: params,
        ...(rows === "arrays" ? { rowMode: "array" as const } : {}),
      });
      return { rows: r.rows, changes: r.rowCount ?? 0 };
    },
  };
}

// ── The SQLite file ───────────────────────────────────────────────────────────────────────────────────────

const TRICKY_FRONT = 'He said "hi", {braces} \\ back\\slash, NULL, \\N';
const TRICKY_BACK = "line one\r\nline two\ttab, 'quote' — ünïcödé 🃏";

/** A migrated file with a row or more in every table, written with plain SQL as the bot would have left it. */
async function sqliteFile(name: string): Promise<string> {
  const path = join(dir, name);
  const db = await openDb(path);
  if (db.kind !== "sqlite") throw new Error("expected SQLite");
  db.sqlite.exec(`
    INSERT INTO guilds (id, timezone, created_at) VALUES ('g1', 'Europe/Paris', 1700000000000), ('g2', 'UTC', 1700000000001);
    INSERT INTO user_settings (user_id, new_per_day, timezone, reminders, leaderboard_visible, retention,
        max_interval, learning_steps, relearning_steps, review_limit, fsrs_weights, weights_at, weights_reviews, memory_refit)
      VALUES ('u1', 15, 'Asia/Tokyo', 1, 0, 0.87, 365, '10m 1h 1d', 'none', 350, '[0.5,1.25]', 1700000003000, 4321, 1),
             ('u2', 20, NULL, 0, 1, 0.9, 36500, '1m 10m', '10m', 200, NULL, NULL, NULL, 0);
    INSERT INTO decks (id, name, description, source, file_path, guild_id, owner_id, retired_at, updated_at)
      VALUES ('d1', 'PyTorch', '', 'file', 'decks/pytorch.md', NULL, NULL, NULL, 1700000000000),
             ('d2', 'Mine', 'a personal deck', 'import', NULL, 'g1', 'u1', 1700000500000, 1700000400000);
    INSERT INTO cards (id, deck_id, key, position, front, back, tags, retired_at)
      VALUES (1, 'd1', 'k1', 0, 'What is a tensor?', 'An n-dim array', '["basics"]', NULL),
             (2, 'd1', 'k2', 1, '${TRICKY_FRONT.replaceAll("'", "''")}', '${TRICKY_BACK.replaceAll("'", "''")}', '[]', NULL),
             (7, 'd2', 'k1', 0, 'Q', 'A', '[]', 1700000500000);
    INSERT INTO subscriptions (user_id, deck_id, created_at, new_per_day) VALUES ('u1', 'd1', 1700000000000, 7), ('u2', 'd1', 1700000000000, NULL);
    INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty, elapsed_days, scheduled_days,
        learning_steps, reps, lapses, state, last_review)
      VALUES ('u1', 1, 'd1', 1700086400000, ${0.1 + 0.2}, 5.123456789012345, 3, 4, 0, 7, 1, 2, 1700000000000),
             ('u1', 2, 'd1', 1700000600000, 1e-7, 10, 0, 0, 1, 1, 0, 1, NULL),
             ('u2', 1, 'd1', 1800000000000, 123.5, 1, 0, 0, 0, 1, 0, 1, 1700000000500);
    INSERT INTO review_logs (id, user_id, card_id, deck_id, guild_id, rating, state, due, stability, difficulty,
        elapsed_days, last_elapsed_days, scheduled_days, learning_steps, review, duration_ms, source)
      VALUES (1, 'u1', 1, 'd1', 'g1', 3, 0, 1700000000000, 0, 0, 0, 0, 0, 0, 1700000000000, 4200, 'study'),
             (5, 'u1', 2, 'd1', NULL, 1, 1, 1700000000000, 0.5, 6, 0, 0, 0, 1, 1700000001000, 800, 'daily'),
             (9, 'u2', 1, 'd1', 'g1', 4, 0, 1700000000000, 0, 0, 0, 0, 0, 0, 1700000002000, 1500, 'quiz');
    INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms)
      VALUES ('g1', 100, 'u1', 3, 1, 30, 9000), ('g1', 101, 'u1', 5, 0, 50, 10000), ('g1', 100, 'u2', 1, 0, 10, 1500);
    INSERT INTO stat_guild_members (guild_id, user_id, reviews, again, points, ms)
      VALUES ('g1', 'u1', 8, 1, 80, 19000), ('g1', 'u2', 1, 0, 10, 1500);
    INSERT INTO stat_user_days (user_id, day, reviews, again, review_state_reviews, review_state_again, points, ms)
      VALUES ('u1', 100, 3, 1, 1, 0, 30, 9000);
    INSERT INTO stat_user_slots (user_id, slot, reviews, again, review_state_reviews, review_state_again, ms)
      VALUES ('u1', 1888888, 3, 1, 1, 0, 9000);
    INSERT INTO stat_streaks (user_id, last_day, last_zone, run_days, longest) VALUES ('u1', 101, 'Europe/Paris', 2, 5);
    INSERT INTO quiz_configs (guild_id, channel_id, time, timezone, paused, next_date, next_run_at, updated_at)
      VALUES ('g1', 'c1', '09:00', 'Europe/Paris', 0, '2023-11-15', 1700035200000, 1700000000000);
    INSERT INTO quiz_posts (id, guild_id, local_date, channel_id, status, claim_token, claimed_at, attempts, reason,
        error_code, message_id, posted_at, closed_at, due_members, due_cards, pinged, pinged_more, card_id, deck_id,
        deck_name, front, choices, correct_index)
      VALUES (3, 'g1', '2023-11-14', 'c1', 'posted', 'tok', 1700000000000, 1, NULL, NULL, 'm1', 1700000000100, NULL,
        2, 5, '["u1","u2"]', 0, 1, 'd1', 'PyTorch', 'What is a tensor?', '[{"cardId":1,"text":"An n-dim array"}]', 0);
    INSERT INTO quiz_answers (post_id, user_id, choice, correct, reviewed, answered_at) VALUES (3, 'u1', 0, 1, 1, 1700000000200);
    INSERT INTO review_undos (user_id, card_id, reps, at, data) VALUES ('u1', 1, 2, 1700000001000, '{"before":null}');
    INSERT INTO card_holds (user_id, card_id, deck_id, kind, until, at) VALUES ('u1', 1, 'd1', 'suspend', NULL, 1700000001000);
    INSERT INTO card_leeches (user_id, card_id, deck_id, lapses, at) VALUES ('u1', 1, 'd1', 8, 1700000001000);
    INSERT INTO memory_fits (user_id, attempted_at, fitted_at, trigger, reviews, log_loss_before, log_loss_after,
        rmse_before, rmse_after, applied, calibration)
      VALUES ('u1', 1700000002000, 1700000003000, 'command', 4321, 0.41, 0.37, 0.08, 0.03, 1, '{"before":[],"after":[]}');
    INSERT INTO parties (id, guild_id, channel_id, thread_id, lobby_message_id, host_id, deck_id, mode, cards, seconds,
        status, round, wake_at, quiet_rounds, created_at, startable_at, started_at, ended_at, ended_reason)
      VALUES (1, 'g1', 'c1', 't1', 'm1', 'u1', 'd1', 'race', 5, 20, 'done', 1, NULL, 0, 1700000004000, 1700000004000,
        1700000005000, 1700000009000, 'finished');
    INSERT INTO party_players (party_id, user_id, joined_at, points, correct, reached_at)
      VALUES (1, 'u1', 1700000004000, 10, 1, 1700000006000);
    INSERT INTO party_rounds (party_id, round, card_id, choices, correct_index, message_id, opens_at, closes_at, closed_at)
      VALUES (1, 1, 1, '[{"cardId":1,"text":"An n-dim array"}]', 0, 'm2', 1700000005000, 1700000025000, 1700000025000);
    INSERT INTO party_answers (party_id, round, user_id, seq, choice, correct, answered_at, points, reviewed)
      VALUES (1, 1, 'u1', 1, 0, 1, 1700000006000, 10, 1);
    INSERT INTO card_reports (id, card_id, deck_id, reporter_id, guild_id, text, created_at, status, resolved_by, resolved_at)
      VALUES (1, 1, 'd1', 'u2', 'g1', 'Typo', 1700000007000, 'fixed', 'u1', 1700000008000);
    INSERT INTO deck_media (deck_id, name, mime, size, sha256, bytes)
      VALUES ('d1', 'tensor.png', 'image/png', 6, 'f0', x'89504E470D0A');
    UPDATE cards SET front_image = 'tensor.png', note_key = 'n1' WHERE id = 1;
  `);
  // Running totals as the file holds them, on purpose not what recomputing them would give (an UPDATE of the
  // cum_* columns alone fires no SQLite trigger): the copy must bring them over as they are.
  db.sqlite.exec("UPDATE stat_guild_days SET cum_reviews = 1000 + day, cum_points = 7 WHERE user_id = 'u1'");
  await closeDb(db);
  return path;
}

// ── Cases ─────────────────────────────────────────────────────────────────────────────────────────────────

/** Runs the CLI in process; its exit code and what it printed. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(argv, { write: (s: string) => (out += s) }, { write: (s: string) => (err += s) });
  return { code, out, err };
}

describe("GIVEN the tables db:copy copies", () => {
  it("THEN they are every table of schema.ts, each after the tables it references", () => {
    const ordered = copyTables().map((t) => t.name);
    const sqliteTables = Object.values(schema as Record<string, unknown>)
      .filter((v): v is SQLiteTable => is(v, SQLiteTable))
      .map((t) => getTableConfig(t));
    expect([...ordered].sort()).toEqual(sqliteTables.map((t) => t.name).sort());
    for (const t of sqliteTables)
      for (const fk of t.foreignKeys) {
        const parent = getTableConfig(fk.reference().foreignTable).name;
        expect(ordered.indexOf(parent), `${parent} before ${t.name}`).toBeLessThan(ordered.indexOf(t.name));
      }
    expect(Object.fromEntries(copyTables().map((t) => [t.name, t.identity]))).toMatchObject({
      cards: "id",
      review_logs: "id",
      quiz_posts: "id",
      card_states: null,
    });
  });

  it("THEN a row becomes a line of COPY's text format: NULL as N, text escaped, a wrong kind refused", () => {
    const table = (name: string, ...columns: [string, string][]) => ({
      name,
      key: [],
      parents: [],
      identity: null,
      columns: columns.map(([n, pgType]) => ({ name: n, pgType })),
    });
    const text = table("t", ["s", "text"]);
    expect(
      copyLine([2.5, "plain", null], table("t", ["n", "double precision"], ["s", "text"], ["m", "bigint"])),
    ).toBe("2.5\tplain\t\\N");
    expect(copyLine(["a\tb\nc\rd\\e"], text)).toBe("a\\tb\\nc\\rd\\\\e");
    // The texts "\N" and "NULL" stay texts.
    expect(copyLine(["\\N"], text)).toBe("\\\\N");
    expect(copyLine(["NULL"], text)).toBe("NULL");
    expect(copyLine([7], text)).toBe("7");
    expect(() => copyLine(["x,y"], table("card_states", ["due", "bigint"]))).toThrow(
      'card_states.due (bigint) holds "x,y"',
    );
    expect(
      copyLine([Number.POSITIVE_INFINITY, null], table("t", ["n", "double precision"], ["m", "bigint"])),
    ).toBe("Infinity\t\\N");
    expect(() => copyLine([Buffer.from("x")], table("t", ["n", "double precision"]))).toThrow(
      "t.n (double precision) holds a blob",
    );
  });
});

describe("GIVEN bad arguments", () => {
  it("THEN db:copy prints one usage line and exits 2", async () => {
    for (const argv of [
      [],
      ["--from", "x.db"],
      ["--from", "x.db", "--to", "/tmp/y.db"],
      ["--from", "x.db", "--to", "postgres://h/d", "--batch", "0"],
      ["--from", "x.db", "--to", "postgres://h/d", "--frm", "z"],
    ]) {
      const r = await run(argv);
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.err.trimEnd().split("\n"), argv.join(" ")).toHaveLength(1);
      expect(r.err).toContain("usage: npm run db:copy -- --from <sqlite file> --to <postgres://");
      expect(r.out).toBe("");
    }
  });
});

describe("GIVEN a source db:copy must not read", () => {
  it("THEN a file whose migrations are behind is refused in one line, exit 2", async () => {
    const path = await sqliteFile("behind.db");
    const raw = new Database(path);
    raw.exec(
      "DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations)",
    );
    raw.close();
    const r = await run(["--from", path, "--to", "postgres://nobody@127.0.0.1:1/never"]);
    expect(r.code).toBe(2);
    const known = readMigrationFiles({ migrationsFolder: SQLITE_MIGRATIONS }).length;
    expect(r.err).toContain(
      `behind.db has ${known - 1} of this version's ${known} migrations: start the bot on it once`,
    );
    expect(r.err).toMatch(/^db:copy: /);
    expect(r.err.trimEnd().split("\n")).toHaveLength(1);
  });

  it("THEN a file that is not a database, or is missing, is refused in one line, exit 2", async () => {
    const r = await run(["--from", join(dir, "missing.db"), "--to", "postgres://nobody@127.0.0.1:1/never"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^db:copy: cannot read .*missing\.db as an SQLite database/);
  });
});

describe.skipIf(!hasServer)("GIVEN a bot's SQLite file and an empty PostgreSQL database", () => {
  let from: string;
  let to: string;
  let child: { code: number; stdout: string; stderr: string };

  beforeAll(async () => {
    from = await sqliteFile("bot.db");
    to = await freshDatabase();
    // The real command, as an operator runs it.
    const r = await promisify(execFile)("npx", ["tsx", "src/cli/db-copy.ts", "--from", from, "--to", to], {
      cwd: ROOT,
    }).then(
      (ok) => ({ code: 0, ...ok }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    child = { code: r.code, stdout: r.stdout, stderr: r.stderr };
  }, 60_000);

  it("THEN the command exits 0 and reports every table with its rows", () => {
    expect(child.stderr).toBe("");
    expect(child.code).toBe(0);
    expect(child.stdout).toMatch(/^ {2}review_logs +3 +[\d.]+ s$/m);
    expect(child.stdout).toMatch(/^vacuumed in [\d.]+ s/m);
    expect(child.stdout).toMatch(/^ {2}total +38 +[\d.]+ s/m);
    expect(child.stdout).toContain("verified in");
    expect(child.stdout).toContain("3 card states column by column");
    expect(child.stdout).toContain("triggers off during the copy: stat_guild_days.stat_guild_days_cum_later");
  });

  it("THEN every table holds as many rows as in the file", async () => {
    const sqlite = new Database(from, { readonly: true });
    const counts = await withPg(to, async (c) => {
      const out: Record<string, [number, number]> = {};
      for (const t of copyTables()) {
        const theirs = Number(sqlite.prepare(`SELECT count(*) FROM "${t.name}"`).pluck().get());
        const ours = Number((await c.query(`SELECT count(*) AS n FROM "${t.name}"`)).rows[0].n);
        out[t.name] = [theirs, ours];
      }
      return out;
    });
    sqlite.close();
    for (const [name, [theirs, ours]] of Object.entries(counts)) {
      expect(ours, name).toBe(theirs);
      expect(theirs, name).toBeGreaterThan(0);
    }
  });

  it("THEN a card state arrives field by field, and card text byte for byte", async () => {
    await withPg(to, async (c) => {
      const state = (await c.query("SELECT * FROM card_states WHERE user_id = 'u1' AND card_id = 1")).rows[0];
      expect(state).toEqual({
        user_id: "u1",
        card_id: 1,
        deck_id: "d1",
        due: 1700086400000,
        stability: 0.1 + 0.2,
        difficulty: 5.123456789012345,
        elapsed_days: 3,
        scheduled_days: 4,
        learning_steps: 0,
        reps: 7,
        lapses: 1,
        state: 2,
        last_review: 1700000000000,
      });
      const other = (await c.query("SELECT stability, last_review FROM card_states WHERE card_id = 2"))
        .rows[0];
      expect(other).toEqual({ stability: 1e-7, last_review: null });
      const card = (await c.query("SELECT front, back FROM cards WHERE id = 2")).rows[0];
      expect(card).toEqual({ front: TRICKY_FRONT, back: TRICKY_BACK });
      const image = (await c.query("SELECT bytes, mime FROM deck_media WHERE deck_id = 'd1'")).rows[0];
      expect(image).toEqual({ bytes: Buffer.from("89504e470d0a", "hex"), mime: "image/png" });
      const imaged = (await c.query("SELECT front_image, note_key FROM cards WHERE id = 1")).rows[0];
      expect(imaged).toEqual({ front_image: "tensor.png", note_key: "n1" });
      const settings = (await c.query("SELECT * FROM user_settings WHERE user_id = 'u1'")).rows[0];
      expect(settings).toEqual({
        user_id: "u1",
        new_per_day: 15,
        timezone: "Asia/Tokyo",
        reminders: 1,
        leaderboard_visible: 0,
        retention: 0.87,
        max_interval: 365,
        learning_steps: "10m 1h 1d",
        relearning_steps: "none",
        leech_threshold: 8,
        leech_action: "tag",
        rating_style: "anki",
        review_limit: 350,
        fsrs_weights: "[0.5,1.25]",
        weights_at: 1700000003000,
        weights_reviews: 4321,
        memory_refit: 1,
      });
      const fit = (await c.query("SELECT * FROM memory_fits")).rows[0];
      expect(fit).toMatchObject({
        user_id: "u1",
        trigger: "command",
        reviews: 4321,
        log_loss_after: 0.37,
        applied: 1,
      });
      const own = (await c.query("SELECT user_id, new_per_day FROM subscriptions ORDER BY user_id")).rows;
      expect(own).toEqual([
        { user_id: "u1", new_per_day: 7 },
        { user_id: "u2", new_per_day: null },
      ]);
    });
  });

  it("THEN the verification names a card state that differs, and a table whose count differs", async () => {
    const sqlite = new Database(from, { readonly: true });
    try {
      await withPg(to, async (c) => {
        const tables = copyTables();
        const cardStates = tables.find((t) => t.name === "card_states");
        if (cardStates === undefined) throw new Error("no card_states");
        expect(await compareRows(sqlite, executor(c), cardStates, 2)).toEqual({ ok: true, rowsCompared: 3 });
        await c.query("BEGIN");
        await c.query("UPDATE card_states SET due = due + 1 WHERE user_id = 'u2' AND card_id = 1");
        expect(await compareRows(sqlite, executor(c), cardStates, 2)).toEqual({
          ok: false,
          mismatch:
            "card_states user_id=u2 card_id=1: due is 1800000000000 in SQLite, 1800000000001 in PostgreSQL",
        });
        await c.query("DELETE FROM card_states WHERE user_id = 'u1' AND card_id = 2");
        const counts = new Map(
          tables.map((t) => [
            t.name,
            Number(sqlite.prepare(`SELECT count(*) FROM "${t.name}"`).pluck().get()),
          ]),
        );
        expect(await compareCounts(executor(c), tables, counts)).toEqual({
          ok: false,
          mismatch: "card_states: 3 rows in SQLite, 2 in PostgreSQL",
        });
        expect(await compareRows(sqlite, executor(c), cardStates, 2)).toMatchObject({ ok: false });
        await c.query("ROLLBACK");
      });
    } finally {
      sqlite.close();
    }
  });

  it("THEN the running totals are the file's, and the triggers keep them again afterwards", async () => {
    await withPg(to, async (c) => {
      const q =
        "SELECT day, cum_reviews, cum_again, cum_points FROM stat_guild_days WHERE user_id = $1 ORDER BY day";
      expect((await c.query(q, ["u1"])).rows).toEqual([
        { day: 100, cum_reviews: 1100, cum_again: 1, cum_points: 7 },
        { day: 101, cum_reviews: 1101, cum_again: 1, cum_points: 7 },
      ]);
      expect((await c.query(q, ["u2"])).rows).toEqual([
        { day: 100, cum_reviews: 1, cum_again: 0, cum_points: 10 },
      ]);
      // A new day after the copy starts from the member's last day (the insert trigger is on again).
      await c.query(
        "INSERT INTO stat_guild_days (guild_id, day, user_id, reviews, again, points, ms) VALUES ('g1', 102, 'u2', 2, 1, 20, 0)",
      );
      expect((await c.query(q, ["u2"])).rows[1]).toEqual({
        day: 102,
        cum_reviews: 3,
        cum_again: 1,
        cum_points: 30,
      });
    });
  });

  it("THEN new rows get ids after the copied ones, and the keys and foreign keys hold", async () => {
    await withPg(to, async (c) => {
      const card = await c.query(
        "INSERT INTO cards (deck_id, key, position, front, back) VALUES ('d1', 'k3', 2, 'f', 'b') RETURNING id",
      );
      expect(card.rows[0].id).toBe(8);
      const log = await c.query(
        `INSERT INTO review_logs (user_id, card_id, deck_id, rating, state, due, stability, difficulty, elapsed_days,
           last_elapsed_days, scheduled_days, learning_steps, review, duration_ms, source)
         VALUES ('u1', 1, 'd1', 3, 2, 0, 1, 1, 0, 0, 0, 0, 1700000003000, 100, 'study') RETURNING id`,
      );
      expect(log.rows[0].id).toBe(10);
      const post = await c.query(
        "INSERT INTO quiz_posts (guild_id, local_date, channel_id, status, claimed_at) VALUES ('g1', '2023-11-15', 'c1', 'claimed', 0) RETURNING id",
      );
      expect(post.rows[0].id).toBe(4);
      await expect(c.query("INSERT INTO card_states SELECT * FROM card_states LIMIT 1")).rejects.toThrow(
        /duplicate key/,
      );
      await expect(
        c.query("INSERT INTO subscriptions (user_id, deck_id, created_at) VALUES ('u9', 'no-such-deck', 0)"),
      ).rejects.toThrow(/foreign key/);
    });
  });

  it("THEN a second copy into it is refused in one line, exit 2, nothing written", async () => {
    const r = await run(["--from", from, "--to", to]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^db:copy: postgres:\/\/.* is not empty \(table \w+ has rows\): db:copy only fills a new, empty database\n$/,
    );
  });
});

describe.skipIf(!hasServer)("GIVEN a PostgreSQL database with one row in one table", () => {
  it("THEN the copy refuses it naming that table and writes nothing", async () => {
    const from = await sqliteFile("one-row.db");
    const to = await freshDatabase();
    const migrated = await openDb(to); // the bot started on it once: migrated, one member's settings
    await closeDb(migrated);
    // …and, as an older version would have left it, one migration short: refused before anything migrates it.
    const migrations = "SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations";
    const applied = await withPg(to, async (c) => {
      await c.query("INSERT INTO user_settings (user_id) VALUES ('someone')");
      await c.query(
        "DELETE FROM drizzle.__drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM drizzle.__drizzle_migrations)",
      );
      return (await c.query(migrations)).rows[0].n as number;
    });
    const r = await run(["--from", from, "--to", to]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^db:copy: .* is not empty \(table user_settings has rows\)[^\n]*\n$/);
    await withPg(to, async (c) => {
      for (const t of copyTables()) {
        const n = Number((await c.query(`SELECT count(*) AS n FROM "${t.name}"`)).rows[0].n);
        expect(n, t.name).toBe(t.name === "user_settings" ? 1 : 0);
      }
      expect((await c.query(migrations)).rows[0].n).toBe(applied);
    });
  });
});

describe.skipIf(!hasServer)("GIVEN a file with a value PostgreSQL cannot take", () => {
  it("THEN the copy stops naming it, exit 1, and the target stays empty", async () => {
    const from = await sqliteFile("loose.db");
    const raw = new Database(from);
    raw.exec("UPDATE card_states SET reps = 'seven' WHERE user_id = 'u2'"); // SQLite keeps text in an integer column
    raw.close();
    const to = await freshDatabase();
    const r = await run(["--from", from, "--to", to]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'db:copy: the copy failed, nothing committed: card_states.reps (integer) holds "seven"\n',
    );
    await withPg(to, async (c) => {
      for (const t of copyTables())
        expect(Number((await c.query(`SELECT count(*) AS n FROM "${t.name}"`)).rows[0].n), t.name).toBe(0);
      // …and with its keys and indexes as migrated (the set-aside ones came back with the rollback).
      const keys = await c.query("SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'card_states'");
      expect(keys.rows[0].n).toBe(4);
    });
  });
});

describe.skipIf(!hasServer)("GIVEN an empty PostgreSQL database another session is using", () => {
  it("THEN the copy gives up waiting for its tables after a few seconds, in one line, exit 2", async () => {
    const from = await sqliteFile("busy.db");
    const to = await freshDatabase();
    await closeDb(await openDb(to));
    await withPg(to, async (c) => {
      await c.query("BEGIN");
      await c.query("SELECT count(*) FROM card_states"); // a reader's lock, held until it ends
      const r = await run(["--from", from, "--to", to]);
      await c.query("ROLLBACK");
      expect(r.code).toBe(2);
      expect(r.err).toMatch(
        /^db:copy: .* is in use by another session \(is a bot running on it\?\): stop it, then copy\n$/,
      );
    });
    await withPg(to, async (c) => {
      expect((await c.query("SELECT count(*)::int AS n FROM cards")).rows[0].n).toBe(0);
    });
  });
});
