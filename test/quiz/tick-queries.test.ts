/**
 * The daily tick's queries are written for speed (membership from stat_guild_members, due counts per member on
 * the covering card_states indexes, bounded counts, the deck's card text read lazily, statements prepared once).
 * These tests hold them to the plain definitions they replace on a world with retired cards, a retired deck,
 * server, foreign-server and personal decks, members who only answered the quiz, and keep every statement of a
 * tick on an index: EXPLAIN QUERY PLAN shows no full scan of a growing table and nothing reads review_logs.
 */
import type { Grade } from "ts-fsrs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execSql, queryFirst, querySql } from "../../datagen/raw-sql.ts";
import { mulberry32 } from "../../datagen/rng.ts";
import { pickQuestion, type QuizCard, quizSeed, randomOrder, seededRandom } from "../../src/core/quiz.ts";
import { closeDb, type Db, openDb, tx } from "../../src/db/client.ts";
import type { SqliteDb } from "../../src/db/handle.ts";
import { dueGuilds } from "../../src/db/quiz-configs.ts";
import { chunkDues, dueUpTo, hasDue, serverMembers, studyDecks, tickMemo } from "../../src/db/quiz-due.ts";
import { getPost, getPostById, insertClaim } from "../../src/db/quiz-posts.ts";
import { serverDecks } from "../../src/db/quiz-questions.ts";
import { addSubscription } from "../../src/db/subscriptions.ts";
import { answerQuiz } from "../../src/services/quiz/answers.ts";
import { setupQuiz } from "../../src/services/quiz/config.ts";
import { chooseQuestion, DUE_CARDS_CAP, dueSummary, MAX_PINGS } from "../../src/services/quiz/day.ts";
import { tick } from "../../src/services/quiz/tick.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES, skipWithoutPgServer, type TestEngine } from "../helpers/engines.ts";
import { preparedByAsync } from "../helpers/prepared.ts";
import { recordReview } from "../helpers/reviews.ts";
import { fakeTransport } from "./helpers.ts";

type Deps = Awaited<ReturnType<typeof engineDeps>>;

const USERS = ["u1", "u2", "u3", "u4", "u5", "u6", "u7"];
const GUILDS = ["g1", "g2", "g3"];
const DAY = 86_400_000;

/** The membership the tick used to compute: every review ever logged in the server, plus its quiz answers. */
const REFERENCE_MEMBERS = `
  SELECT user_id FROM review_logs WHERE guild_id = @guildId
  UNION
  SELECT a.user_id FROM quiz_answers a JOIN quiz_posts p ON p.id = a.post_id WHERE p.guild_id = @guildId
  ORDER BY user_id`;

/** Cards due as /study in that server counts them: joins, no subtraction, no limit. */
const REFERENCE_DUE = `
  SELECT count(*) AS n FROM card_states cs
  JOIN cards c ON c.id = cs.card_id AND c.retired_at IS NULL
  JOIN decks d ON d.id = cs.deck_id AND d.retired_at IS NULL
  JOIN subscriptions s ON s.user_id = cs.user_id AND s.deck_id = cs.deck_id
  WHERE cs.user_id = @userId AND cs.due <= @until
    AND (d.source = 'file' OR d.owner_id = cs.user_id OR (d.guild_id = @guildId AND d.owner_id IS NULL))`;

/** The question from plain reads: the server's decks with their subscriber counts, the whole deck read eagerly. */
const REFERENCE_DECKS = `
  SELECT d.id, d.name,
    (SELECT count(*) FROM subscriptions s WHERE s.deck_id = d.id AND s.user_id IN (${REFERENCE_MEMBERS.replace("ORDER BY user_id", "")}))
      AS subscribers
  FROM decks d
  WHERE d.retired_at IS NULL AND (d.source = 'file' OR (d.guild_id = @guildId AND d.owner_id IS NULL))
  ORDER BY d.id`;

async function referenceQuestion(deps: Deps, guildId: string, date: string) {
  const db = deps.db;
  const rng = seededRandom(quizSeed(guildId, date));
  const decks = await querySql<{ id: string; name: string; subscribers: number }>(db, REFERENCE_DECKS, {
    guildId,
  });
  const recent = new Set(
    (
      await querySql<{ card_id: number }>(
        db,
        "SELECT card_id FROM quiz_posts WHERE guild_id = ? AND card_id IS NOT NULL ORDER BY local_date DESC LIMIT 60",
        [guildId],
      )
    ).map((r) => r.card_id),
  );
  // Studied decks first, each group in a random order drawn as its decks are tried.
  const groups = [decks.filter((d) => d.subscribers > 0), decks.filter((d) => d.subscribers === 0)];
  for (const group of groups) {
    for (const k of randomOrder(group.length, rng)) {
      const deck = group[k] as (typeof decks)[number];
      const cards = await querySql<QuizCard>(
        db,
        "SELECT id, front, back FROM cards WHERE deck_id = ? AND retired_at IS NULL ORDER BY position, id",
        [deck.id],
      );
      const q = pickQuestion(cards, rng, recent);
      if (q) return { ...q, deckId: deck.id, deckName: deck.name };
    }
  }
  return null;
}

async function referenceDue(deps: Deps, guildId: string, userId: string, until: number): Promise<number> {
  return (await queryFirst<{ n: number }>(deps.db, REFERENCE_DUE, { guildId, userId, until }))?.n ?? -1;
}

async function referenceMembers(deps: Deps, guildId: string): Promise<string[]> {
  return (await querySql<{ user_id: string }>(deps.db, REFERENCE_MEMBERS, { guildId })).map((r) => r.user_id);
}

/** The SQLite connection under an SQLite test's handle (EXPLAIN QUERY PLAN, the prepare spy). */
function sqliteOf(db: Db): SqliteDb {
  if (db.kind !== "sqlite") throw new Error("an SQLite-only test got a PostgreSQL handle");
  return db;
}

/** Runs `fn` in a transaction and rolls it back: tests that change the shared world and must leave it as found. */
async function undone(db: Db, fn: (t: Db) => Promise<void>): Promise<void> {
  const rollback = new Error("undone");
  await tx(db, async (t) => {
    await fn(t);
    throw rollback;
  }).catch((err: unknown) => {
    if (err !== rollback) throw err;
  });
}

/**
 * Decks of every kind, members studying them for weeks in three servers (and outside any), a question of the
 * day in g1 answered by members who do not study its deck (one right, one wrong), then cards and a deck retired.
 */
async function world(engine: TestEngine): Promise<Deps> {
  const deps = await engineDeps(engine, "2026-01-05T09:00:00Z");
  const deck = (id: string, n: number, extra: { guildId?: string; ownerId?: string } = {}) =>
    seedDeck(deps, id, n, extra);
  await deck("a", 40);
  await deck("b", 30);
  await deck("c", 25);
  await deck("tiny", 3);
  await deck("srv", 20, { guildId: "g1" });
  await deck("far", 12, { guildId: "g2" });
  await deck("mine", 15, { guildId: "g1", ownerId: "u2" });
  const studies: Record<string, string[]> = {
    u1: ["a", "b", "c", "srv", "far"],
    u2: ["a", "srv", "mine"],
    u3: ["b", "c", "far"],
    u4: ["a"],
    u5: ["far"], // answers g1's question (not from "far") wrong: a member of g1 by that answer alone
    u6: [], // answers it right, studies nothing
    u7: ["b"], // studies only outside any server
  };
  for (const [u, ds] of Object.entries(studies))
    for (const d of ds) await addSubscription(deps.db, u, d, new Date(0));
  // In id order: both engines draw the same cards.
  const cardsOf = async (deckIds: string[]) =>
    deckIds.length === 0
      ? []
      : (
          await querySql<{ id: number }>(
            deps.db,
            `SELECT id FROM cards WHERE deck_id IN (${deckIds.map(() => "?").join(",")}) ORDER BY id`,
            deckIds,
          )
        ).map((r) => r.id);
  const where: Record<string, (string | null)[]> = {
    u1: ["g1", "g2", null],
    u2: ["g1"],
    u3: ["g2", "g3"],
    u4: ["g3"],
    u5: ["g2"],
    u6: [],
    u7: [null],
  };
  const rng = mulberry32(11);
  for (let day = 0; day < 30; day++) {
    for (const u of USERS) {
      const cards = await cardsOf(studies[u] ?? []);
      const guilds = where[u] ?? [];
      if (cards.length === 0 || guilds.length === 0) continue;
      // A member's ten reviews of the day in one transaction (fewer round trips on PostgreSQL).
      await tx(deps.db, async (t) => {
        for (let k = 0; k < 10; k++) {
          const cardId = cards[Math.floor(rng() * cards.length)] ?? 0;
          await recordReview(
            { ...deps, db: t },
            {
              userId: u,
              guildId: guilds[k % guilds.length] ?? null,
              cardId,
              grade: (1 + Math.floor(rng() * 4)) as Grade,
              source: "study",
              shownAt: deps.clock.now().getTime() - 5000,
              version: null,
            },
          );
          deps.clock.advance(40_000);
        }
      });
    }
    deps.clock.advance(DAY - USERS.length * 10 * 40_000);
  }
  for (const u of ["u1", "u3", "u5", "u6"]) await updateSettings(deps.db, u, { reminders: true });

  // A question of the day in g1, answered by two members who do not study its deck.
  const fake = fakeTransport();
  await setupQuiz(deps, "g1", { channelId: "c1", time: "09:00", timezone: "UTC" });
  deps.clock.set(new Date(deps.clock.now().getTime() + DAY));
  await execSql(deps.db, "UPDATE quiz_configs SET next_run_at = 0, next_date = ?", [
    deps.clock.now().toISOString().slice(0, 10),
  ]);
  const r = await tick(deps, fake.transport);
  if (r.posted.length !== 1) throw new Error(`no post: ${JSON.stringify(r)}`);
  const post = await getPost(deps.db, "g1", deps.clock.now().toISOString().slice(0, 10));
  if (!post || post.correctIndex === null || post.deckId === "far") throw new Error("unexpected post");
  const wrong = (post.correctIndex + 1) % 4;
  const a5 = await answerQuiz(deps, { postId: post.id, guildId: "g1", userId: "u5", choice: wrong });
  const a6 = await answerQuiz(deps, {
    postId: post.id,
    guildId: "g1",
    userId: "u6",
    choice: post.correctIndex,
  });
  if (a5.kind !== "answered" || a5.reviewed || a6.kind !== "answered" || a6.reviewed)
    throw new Error("the answers should not be reviews");

  // Cards dropped from their files (some with states), and a whole deck retired.
  await execSql(deps.db, "UPDATE cards SET retired_at = 1 WHERE id % 7 = 3");
  await execSql(deps.db, "UPDATE decks SET retired_at = 1 WHERE id = 'c'");
  return deps;
}

describe.each(ENGINES)("%s: the tick's queries", (engine) => {
  let deps: Deps;
  beforeAll(async () => {
    deps = await world(engine);
  });
  afterAll(() => deps.close());

  it("GIVEN reviews and quiz answers in several servers THEN members are exactly those who reviewed or answered there", async () => {
    const members = async (g: string) => (await serverMembers(deps.db, g)).map((m) => m.userId);
    for (const g of GUILDS) expect(await members(g)).toEqual(await referenceMembers(deps, g));
    // u5 and u6 are members of g1 by their answer alone (a wrong one for u5), u7 of no server.
    expect(await members("g1")).toEqual(["u1", "u2", "u5", "u6"]);
    expect((await serverMembers(deps.db, "g1")).find((m) => m.userId === "u5")?.reminders).toBe(true);
    for (const g of GUILDS) expect(await members(g)).not.toContain("u7");
  });

  it("GIVEN retired cards and decks, server, foreign and personal decks THEN bounded due counts equal the plain definition", async () => {
    const now = deps.clock.now().getTime();
    let nonZero = 0;
    for (const g of [...GUILDS, "elsewhere"])
      for (const u of USERS)
        for (const until of [now - 10 * DAY, now - 2 * DAY, now, now + 5 * DAY]) {
          const ref = await referenceDue(deps, g, u, until);
          if (ref > 0) nonZero++;
          expect({ g, u, until, n: await dueUpTo(deps.db, g, u, until, 1e9) }).toEqual({
            g,
            u,
            until,
            n: ref,
          });
          for (const limit of [1, 2, 5, ref, ref + 1])
            expect(await dueUpTo(deps.db, g, u, until, limit)).toBe(Math.min(ref, limit));
          expect(await hasDue(deps.db, g, u, until)).toBe(ref > 0);
        }
    expect(nonZero).toBeGreaterThan(20);
    // The world is not degenerate: some due states belong to retired cards (the subtraction matters).
    const retiredDue = await queryFirst<{ n: number }>(
      deps.db,
      "SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id WHERE c.retired_at IS NOT NULL AND cs.due <= ?",
      [now],
    );
    expect(retiredDue?.n).toBeGreaterThan(0);
  });

  it("GIVEN PostgreSQL THEN one chunk statement reads every member's decks and capped due count as the per-member reads do", async (ctx) => {
    if (engine !== "pg") ctx.skip("chunkDues is PostgreSQL's (SQLite reads each member, no round trips)");
    const now = deps.clock.now().getTime();
    for (const g of [...GUILDS, "elsewhere"])
      for (const until of [now - 2 * DAY, now, now + 5 * DAY])
        for (const cap of [1, 3, 1e6]) {
          const got = await chunkDues(deps.db, g, [...USERS, "nobody"], until, cap);
          expect([...got.keys()]).toEqual([...USERS, "nobody"]);
          for (const u of [...USERS, "nobody"]) {
            const ref = await referenceDue(deps, g, u, until);
            expect({ g, u, until, cap, ...got.get(u) }).toEqual({
              g,
              u,
              until,
              cap,
              decks: await studyDecks(deps.db, g, u),
              due: Math.min(ref, cap),
            });
          }
        }
  });

  it("GIVEN the summary THEN it counts members with cards due and their cards as the plain definition, pings most due first", async () => {
    for (const until of [deps.clock.now().getTime(), deps.clock.now().getTime() + 20 * DAY]) {
      const memo = tickMemo(); // as a tick shares it: members of several servers counted once
      for (const g of [...GUILDS, ...GUILDS]) {
        const members = await referenceMembers(deps, g);
        const counted = await Promise.all(
          members.map(async (u) => ({ u, n: await referenceDue(deps, g, u, until) })),
        );
        const due = counted.filter((m) => m.n > 0);
        const optedIn = new Set(["u1", "u3", "u5", "u6"]);
        const pinged = due
          .filter((m) => optedIn.has(m.u))
          .sort((a, b) => b.n - a.n || (a.u < b.u ? -1 : 1))
          .map((m) => m.u);
        const s = await dueSummary(deps, g, until);
        expect(await dueSummary(deps, g, until, undefined, memo)).toEqual(s);
        expect({ g, until, s }).toEqual({
          g,
          until,
          s: {
            dueMembers: due.length,
            dueCards: due.reduce((t, m) => t + m.n, 0),
            pinged,
            pingedMore: 0,
          },
        });
        expect(s.dueCards).toBeLessThan(DUE_CARDS_CAP);
        expect(pinged.length).toBeLessThan(MAX_PINGS);
      }
      expect(memo.due.size).toBeGreaterThan(3);
    }
  });

  it("GIVEN a cap on the cards counted THEN the total stops at the cap while members and pings stay exact", async () => {
    const until = deps.clock.now().getTime() + 20 * DAY;
    const full = await dueSummary(deps, "g1", until);
    expect(full.dueCards).toBeGreaterThan(10);
    const capped = await dueSummary(deps, "g1", until, { cards: 7, rank: 100 });
    expect(capped).toEqual({ ...full, dueCards: 7 });
    // Counts remembered from an uncapped summary give the same capped one.
    const memo = tickMemo();
    await dueSummary(deps, "g1", until, undefined, memo);
    expect(await dueSummary(deps, "g1", until, { cards: 7, rank: 100 }, memo)).toEqual(capped);
    // Ranks counted up to 1 each: every opted-in member ties, so user id order.
    const flat = await dueSummary(deps, "g1", until, { cards: 7, rank: 1 });
    expect(flat.pinged).toEqual([...full.pinged].sort());
  });

  it("GIVEN decks of every kind THEN the question of the day is the one the plain reads choose", async () => {
    let asked = 0;
    for (let d = 1; d <= 12; d++) {
      const memo = tickMemo(); // as a tick shares decks' cards and answer shapes between its servers
      for (const g of [...GUILDS, "g-nobody"]) {
        const date = `2026-02-${String(d).padStart(2, "0")}`;
        const q = await chooseQuestion(deps, g, date);
        expect({ g, date, q }).toEqual({ g, date, q: await referenceQuestion(deps, g, date) });
        expect(await chooseQuestion(deps, g, date, memo)).toEqual(q);
        if (q) asked++;
      }
      expect(memo.cards.size).toBeGreaterThan(0);
    }
    expect(asked).toBe(48);
  });

  it("GIVEN a tick's memo THEN a server's decks (shipped ones read once, its imports per server) are the plain read's", async () => {
    const memo = tickMemo();
    for (const g of [...GUILDS, "g-nobody", ...GUILDS])
      expect({ g, decks: await serverDecks(deps.db, g, memo) }).toEqual({
        g,
        decks: await serverDecks(deps.db, g),
      });
    expect((await serverDecks(deps.db, "g1")).map((d) => d.id)).toContain("srv");
  });

  const summary = { dueMembers: 2, dueCards: 7, pinged: ["u1", "u3"], pingedMore: 0 };
  const q = {
    cardId: 1,
    deckId: "a",
    deckName: "A",
    front: "f",
    choices: [{ cardId: 1, text: "t" }],
    correctIndex: 0,
  };
  const claim = {
    guildId: "g9",
    localDate: "2026-03-09",
    channelId: "c9",
    claimToken: "tok",
    claimedAt: 5,
    locale: null,
  };

  it("GIVEN a claim inserted THEN the row it returns (built, not read back) is the row stored", async () => {
    await undone(deps.db, async (t) => {
      // undone: the world is shared
      const row = await insertClaim(t, claim, summary, q);
      expect(row).toEqual(await getPostById(t, row?.id ?? -1));
      expect(await insertClaim(t, claim, summary, q)).toBeUndefined();
    });
    expect(await getPost(deps.db, claim.guildId, claim.localDate)).toBeUndefined();
  });

  it("GIVEN two connections claiming the same server's day at once THEN exactly one claim is inserted", async (ctx) => {
    // SQLite takes one writer per file (BEGIN IMMEDIATE), and better-sqlite3 waits for the lock synchronously: two
    // transactions of one process cannot be open at once. quiz-service.test.ts ticks on two connections to a file.
    if (engine === "sqlite")
      ctx.skip("one SQLite writer at a time: quiz-service.test.ts covers two connections");
    skipWithoutPgServer(ctx, engine, "two connections claim the same day");
    if (deps.target === null) throw new Error("no target for a second connection");
    const other = await openDb(deps.target);
    const day = { ...claim, localDate: "2026-03-10" };
    try {
      // Each in its own transaction on its own connection, both open before either inserts.
      let opened = 0;
      let bothOpen: () => void = () => {};
      const ready = new Promise<void>((res) => {
        bothOpen = res;
      });
      const claimOn = (db: Db, claimToken: string) =>
        tx(db, async (t) => {
          await getPost(t, day.guildId, day.localDate); // starts the transaction's work
          if (++opened === 2) bothOpen();
          await ready;
          return insertClaim(t, { ...day, claimToken, locale: null }, summary, q);
        });
      const rows = await Promise.all([claimOn(deps.db, "one"), claimOn(other, "two")]);
      expect(rows.filter((r) => r !== undefined)).toHaveLength(1);
      const stored = await getPost(deps.db, day.guildId, day.localDate);
      expect(stored?.claimToken).toBe(rows.find((r) => r !== undefined)?.claimToken);
    } finally {
      await closeDb(other);
      await execSql(deps.db, "DELETE FROM quiz_posts WHERE guild_id = ? AND local_date = ?", [
        day.guildId,
        day.localDate,
      ]);
    }
  });

  it("GIVEN servers due at once THEN those of more than 64 members come last, soonest first within each group", async () => {
    await undone(deps.db, async (t) => {
      // undone: the world is shared
      await execSql(t, "DELETE FROM quiz_configs");
      for (let k = 0; k < 65; k++)
        await execSql(
          t,
          "INSERT INTO stat_guild_members (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
          ["big", `m${k}`],
        );
      for (let k = 0; k < 64; k++)
        await execSql(
          t,
          "INSERT INTO stat_guild_members (guild_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
          ["g64", `m${k}`],
        );
      for (const [g, at, paused] of [
        ["big", 1, 0],
        ["g1", 3, 0],
        ["g64", 2, 0],
        ["late", 9, 0],
        ["off", 1, 1],
      ] as const)
        await execSql(
          t,
          `INSERT INTO quiz_configs (guild_id, channel_id, time, timezone, paused, next_date, next_run_at, updated_at)
           VALUES (?, 'c', '09:00', 'UTC', ?, '2026-03-02', ?, 0)`,
          [g, paused, at],
        );
      expect(await dueGuilds(t, 5)).toEqual(["g64", "g1", "big"]);
    });
  });

  it("GIVEN one tick over several servers THEN each posts the question the plain reads choose (the tick's memo and the decks its summary found change nothing)", async () => {
    const built = await world(engine);
    try {
      for (const g of ["g2", "g3"])
        await setupQuiz(built, g, { channelId: `c-${g}`, time: "09:00", timezone: "UTC" });
      built.clock.set(new Date(Date.UTC(2026, 2, 2, 9)));
      await execSql(built.db, "UPDATE quiz_configs SET next_run_at = 0, next_date = '2026-03-02'");
      const expected = await Promise.all(
        GUILDS.map(async (g) => ({ g, q: await referenceQuestion(built, g, "2026-03-02") })),
      );
      const r = await tick(built, fakeTransport().transport);
      expect(r.posted.sort()).toEqual(GUILDS);
      const posted = GUILDS.map(async (g) => {
        const p = await getPost(built.db, g, "2026-03-02");
        const q = p && { cardId: p.cardId, front: p.front, choices: p.choices, correctIndex: p.correctIndex };
        return { g, q: q && { ...q, deckId: p.deckId, deckName: p.deckName } };
      });
      expect(await Promise.all(posted)).toEqual(expected);
    } finally {
      await built.close();
    }
  });
});

/**
 * Tables that grow with use; a plan may never walk one of them whole. (`decks`, the catalogue, is scanned for
 * the server's decks: shipped decks have no index of their own.)
 */
const GROWING =
  /^SCAN (cs|c|s|m|us|a|p|card_states|cards|review_logs|subscriptions|user_settings|quiz_posts|quiz_answers|quiz_configs|stat_\w+)\b/;

describe("EXPLAIN QUERY PLAN of the tick (SQLite only: its planner's plans)", () => {
  for (const analyzed of [false, true]) {
    it(`GIVEN ${analyzed ? "ANALYZE statistics" : "a fresh database (no statistics)"} THEN every statement of a tick (claim, summary, question, retry, next day) stays on indexes and none reads review_logs`, async () => {
      const built = await world("sqlite");
      const first = sqliteOf(built.db).sqlite;
      for (const g of ["g2", "g3"])
        await setupQuiz(built, g, { channelId: `c-${g}`, time: "09:00", timezone: "UTC" });
      if (analyzed) {
        // Statistics of a bot that has been posting for a while (from a handful of rows SQLite would rather
        // scan): two months of closed posts in 50 other servers, a few answers each.
        first.exec(`
          WITH RECURSIVE n(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM n WHERE k < 2999)
          INSERT INTO quiz_posts (guild_id, local_date, channel_id, status, claimed_at, closed_at)
          SELECT 'old' || (k % 50), date('2025-10-01', '+' || (k / 50) || ' days'), 'c', 'posted', 0, 1 FROM n;
          INSERT INTO quiz_answers (post_id, user_id, choice, correct, reviewed, answered_at)
          SELECT p.id, 'x' || u.k, 0, 0, 0, 0 FROM quiz_posts p
          JOIN (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 3) u WHERE p.guild_id LIKE 'old%';
          ANALYZE;`);
      }
      // A second connection: statements are prepared once per connection, so all of them show up here.
      if (built.target === null) throw new Error("an SQLite world has its file");
      const second = sqliteOf(await openDb(built.target));
      const deps = { ...built, db: second };
      try {
        const fake = fakeTransport();
        const sql = await preparedByAsync(deps.db, async () => {
          const day = (n: number) => {
            deps.clock.set(new Date(Date.UTC(2026, 2, n, 9)));
            first // the test's own writes, on the first connection
              .prepare("UPDATE quiz_configs SET next_run_at = 0, next_date = ?")
              .run(`2026-03-${String(n).padStart(2, "0")}`);
          };
          day(2);
          fake.state.fail = (ch) => (ch === "c-g2" ? new Error("socket hang up") : null) as never;
          await tick(deps, fake.transport); // g2's send fails
          fake.state.fail = () => null;
          first.prepare("UPDATE quiz_configs SET next_run_at = 0").run();
          await tick(deps, fake.transport); // g2 retried: the failed claim is taken over
          day(3);
          await tick(deps, fake.transport); // the next day closes yesterday's posts
        });
        expect(fake.sent.length).toBe(6);
        const statements = sql.filter((q) => /^\s*(SELECT|WITH|INSERT|UPDATE)/i.test(q));
        expect(statements.length).toBeGreaterThan(15);
        const plans: string[] = [];
        for (const q of statements) {
          expect(q).not.toMatch(/review_logs/);
          const st = second.sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`);
          const names = [...new Set([...q.matchAll(/@(\w+)/g)].map((m) => m[1] ?? ""))];
          const rows = names.length
            ? st.all(Object.fromEntries(names.map((n) => [n, null])))
            : st.all(...(q.match(/\?/g) ?? []).map(() => null));
          const plan = rows.map((r) => (r as { detail: string }).detail);
          plans.push(...plan);
          const scans = plan.filter((line) => GROWING.test(line));
          expect({ q: q.trim().replace(/\s+/g, " ").slice(-160), scans }).toEqual({
            q: q.trim().replace(/\s+/g, " ").slice(-160),
            scans: [],
          });
        }
        // Membership is read from the primary key of stat_guild_members, due counts from card_states' indexes.
        const all = plans.join("\n");
        expect(all).toMatch(
          /SEARCH m USING COVERING INDEX sqlite_autoindex_stat_guild_members_1 \(guild_id=\?\)/,
        );
        expect(all).toMatch(
          /SEARCH cs USING COVERING INDEX card_states_user_deck_due_idx \(user_id=\? AND deck_id=\? AND due<\?\)/,
        );
        expect(all).toMatch(/SEARCH c USING COVERING INDEX cards_deck_active_pos_idx/);
      } finally {
        await closeDb(second);
        await built.close();
      }
    });
  }
});
