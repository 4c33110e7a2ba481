/**
 * The /study queries are written for speed (prepared once, counts by subtraction on covering indexes). These
 * tests hold them to the plain definitions on a database with retired cards, a retired deck, server and
 * personal decks, and keep every hot statement on an index: EXPLAIN QUERY PLAN must show no full scan of the
 * growing tables, with and without ANALYZE statistics.
 */

import { join } from "node:path";
import type { Grade } from "ts-fsrs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execSql, querySql } from "../../datagen/raw-sql.ts";
import { mulberry32 } from "../../datagen/rng.ts";
import type { ManualClock } from "../../src/core/clock.ts";
import { type Db, tx } from "../../src/db/client.ts";
import { openSqlite } from "../../src/db/sqlite/open.ts";
import {
  countDue,
  countDueLearning,
  countUnseen,
  nextDueAt,
  nextDueCardId,
  nextNewCardId,
  type Scope,
} from "../../src/db/study-queue.ts";
import type { Deps } from "../../src/services/deps.ts";
import { doneView, nextView, rate, type Session, showAnswer } from "../../src/services/study.ts";
import { undoRating } from "../../src/services/study-undo.ts";
import { engineDeps, seedDeck, testDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { preparedByAsync } from "../helpers/prepared.ts";
import { recordReview } from "../helpers/reviews.ts";

const START = "2026-01-05T09:00:00Z";

const USERS = ["u1", "u2", "u3", "u4"];
const GUILDS = ["g1", "g2", null];

/** The straightforward definitions (the queries as first written): joins, NOT EXISTS, min(). */
const STUDY_DECKS = `(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = @userId AND d.retired_at IS NULL
    AND (d.source = 'file' OR d.owner_id = @userId OR (d.guild_id = @guildId AND d.owner_id IS NULL))
    AND (@deckId IS NULL OR d.id = @deckId))`;
/** The card is held out (suspended, or buried until after @now). */
const NOT_HELD = `NOT EXISTS (SELECT 1 FROM card_holds h WHERE h.user_id = @userId AND h.card_id = c.id
    AND (h.until IS NULL OR h.until > @now))`;
const REFERENCE = {
  countDue: `SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    AND ${NOT_HELD}`,
  // Once the day's review limit is used up: learning and relearning cards only (state 2 is Review).
  countDueLearning: `SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    AND ${NOT_HELD} AND cs.state <> 2`,
  nextDueLearning: `SELECT cs.card_id AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    AND ${NOT_HELD} AND cs.state <> 2 ORDER BY cs.due, cs.card_id LIMIT 1`,
  countUnseen: `SELECT count(*) AS n FROM cards c WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = @userId AND cs.card_id = c.id) AND ${NOT_HELD}`,
  nextDueAt: `SELECT min(cs.due) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS} AND ${NOT_HELD}`,
  nextDue: `SELECT cs.card_id AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    AND ${NOT_HELD} ORDER BY cs.due, cs.card_id LIMIT 1`,
  nextNew: `SELECT c.id AS n FROM cards c WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = @userId AND cs.card_id = c.id) AND ${NOT_HELD}
    ORDER BY c.deck_id, c.position LIMIT 1`,
};

/** A reference query's one value on either engine (`@name` parameters as `?`, each name bound in order). */
async function reference(
  db: Db,
  which: keyof typeof REFERENCE,
  s: Scope,
  now: number,
  until = 0,
): Promise<number | null> {
  const values: Record<string, unknown> = {
    userId: s.userId,
    guildId: s.guildId,
    deckId: s.deckId,
    until,
    now,
  };
  const names: string[] = [];
  // PostgreSQL cannot type a bare `? IS NULL`: the deck id is text (it is compared with decks.id too).
  const text = REFERENCE[which].replace(/@(\w+)/g, (_, name: string) => {
    names.push(name);
    return db.kind === "pg" && name === "deckId" ? "CAST(? AS text)" : "?";
  });
  const [row] = await querySql<{ n: number | string | null }>(
    db,
    text,
    names.map((n) => values[n]),
  );
  // count(*) and min(bigint) come back as strings from PostgreSQL's driver.
  return row?.n == null ? null : Number(row.n);
}

/** Decks of every kind, members studying them for weeks, then some cards and one deck retired. */
async function world<D extends Deps & { clock: ManualClock }>(deps: D): Promise<D> {
  const deck = (id: string, n: number, extra: { guildId?: string; ownerId?: string } = {}) =>
    seedDeck(deps, id, n, { name: id, ...extra });
  await deck("a", 40);
  await deck("b", 30);
  await deck("c", 25);
  await deck("srv", 20, { guildId: "g1" });
  await deck("mine", 15, { guildId: "g1", ownerId: "u2" });
  for (const u of USERS)
    for (const d of ["a", "b", "c", "srv", "mine"])
      if (u !== "u4" || d === "a")
        await execSql(deps.db, "INSERT INTO subscriptions (user_id, deck_id, created_at) VALUES (?, ?, 0)", [
          u,
          d,
        ]);

  const rng = mulberry32(3);
  // The month's reviews in one transaction (a transaction per review is ~40 ms each on PostgreSQL here).
  await tx(deps.db, async (t) => {
    const inTx = { ...deps, db: t };
    for (let day = 0; day < 30; day++) {
      for (const u of USERS) {
        for (let k = 0; k < 12; k++) {
          const cardId = 1 + Math.floor(rng() * 130);
          const grade = (1 + Math.floor(rng() * 4)) as Grade;
          await recordReview(inTx, {
            userId: u,
            guildId: GUILDS[k % 3] ?? null,
            cardId,
            grade,
            source: "study",
            shownAt: deps.clock.now().getTime() - 5000,
            version: null,
          });
          deps.clock.advance(45_000);
        }
      }
      deps.clock.advance(86_400_000 - 4 * 12 * 45_000);
    }
  });
  // Cards dropped from their files (some with states), and a whole deck retired.
  await execSql(deps.db, "UPDATE cards SET retired_at = 1 WHERE id % 7 = 3");
  await execSql(deps.db, "UPDATE decks SET retired_at = 1 WHERE id = 'c'");
  // Held cards, seen and unseen: suspended, buried until tomorrow, and a bury that has ended.
  const now = deps.clock.now().getTime();
  for (const [k, u] of USERS.entries())
    for (let cardId = 1 + k; cardId <= 130; cardId += 9) {
      const kind = cardId % 3 === 0 ? "bury" : "suspend";
      const until = kind === "suspend" ? null : cardId % 2 === 0 ? now + 86_400_000 : now - 1;
      await execSql(
        deps.db,
        "INSERT INTO card_holds (user_id, card_id, deck_id, kind, until, at) SELECT ?, id, deck_id, ?, ?, 0 FROM cards WHERE id = ?",
        [u, kind, until, cardId],
      );
    }
  return deps;
}

describe.each(ENGINES)("%s: /study queries", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  beforeAll(async () => {
    deps = await world(await engineDeps(engine, START));
  }, 60_000);
  afterAll(() => deps.close());

  it("GIVEN retired cards and decks, server and personal decks THEN the fast queries equal the plain definitions", async () => {
    const now = deps.clock.now().getTime();
    let checked = 0;
    for (const userId of USERS)
      for (const guildId of GUILDS)
        for (const deckId of [null, "a", "b", "c", "srv", "mine", "nope"]) {
          const s: Scope = { userId, guildId, deckId };
          for (const until of [now - 5 * 86_400_000, now, now + 3 * 86_400_000]) {
            expect(await countDue(deps.db, s, until, now)).toBe(
              await reference(deps.db, "countDue", s, now, until),
            );
            expect((await nextDueCardId(deps.db, s, until, now)) ?? null).toBe(
              await reference(deps.db, "nextDue", s, now, until),
            );
            if (until === now)
              expect(await countDueLearning(deps.db, s, until)).toBe(
                await reference(deps.db, "countDueLearning", s, now, until),
              );
            expect((await nextDueCardId(deps.db, s, until, now, false)) ?? null).toBe(
              await reference(deps.db, "nextDueLearning", s, now, until),
            );
          }
          expect(await countUnseen(deps.db, s, now)).toBe(await reference(deps.db, "countUnseen", s, now));
          expect((await nextDueAt(deps.db, s, now))?.getTime() ?? null).toBe(
            await reference(deps.db, "nextDueAt", s, now),
          );
          expect((await nextNewCardId(deps.db, s, now)) ?? null).toBe(
            await reference(deps.db, "nextNew", s, now),
          );
          checked++;
        }
    expect(checked).toBe(USERS.length * GUILDS.length * 7);
    // The world is not degenerate: there is something due, unseen and retired-with-state to count.
    const s = { userId: "u1", guildId: "g1", deckId: null };
    expect(await countDue(deps.db, s, now)).toBeGreaterThan(0);
    expect(await countUnseen(deps.db, s, now)).toBeGreaterThan(0);
    // …learning cards due (what the review limit lets through) as well as review cards…
    const learning = await countDueLearning(deps.db, s, now);
    expect(learning).toBeGreaterThan(0);
    expect(learning).toBeLessThan(await countDue(deps.db, s, now));
    // …and held cards that the plain definitions leave out, due and unseen.
    const [heldDue] = await querySql<{ n: number | string }>(
      deps.db,
      "SELECT count(*) AS n FROM card_holds h JOIN card_states cs ON cs.user_id = h.user_id AND cs.card_id = h.card_id WHERE h.until IS NULL AND cs.due <= ?",
      [now],
    );
    expect(Number(heldDue?.n)).toBeGreaterThan(0);
    const [retiredWithState] = await querySql<{ n: number | string }>(
      deps.db,
      "SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id WHERE c.retired_at IS NOT NULL",
    );
    expect(Number(retiredWithState?.n)).toBeGreaterThan(0);
  });
});

/** Tables that grow with use; a plan may never walk one of them whole. */
const GROWING = /^SCAN (cs|c|rl|h|card_states|cards|card_holds|review_logs|review_undos|stat_\w+)\b/;

describe("SQLite: EXPLAIN QUERY PLAN of the study path", () => {
  for (const analyzed of [false, true]) {
    it(`GIVEN ${analyzed ? "ANALYZE statistics" : "a fresh database (no statistics)"} THEN every statement of /study, show, rate, undo and done stays on indexes`, async () => {
      const built = await world(testDeps(START));
      // Every card a sibling of its neighbour (a card and its reverse): the rating buries, its Undo lifts.
      built.db.sqlite.exec("UPDATE cards SET note_key = deck_id || ':' || (position / 2)");
      if (analyzed) built.db.sqlite.exec("ANALYZE");
      // A second connection: statements are prepared once per connection, so all of them show up here.
      const deps = { ...built, db: openSqlite(join(built.dir, "test.db")) };
      try {
        const session: Session = {
          userId: "u1",
          guildId: "g1",
          deckId: null,
          source: "study",
          startedAt: deps.clock.now().getTime(),
        };
        const sql = (
          await preparedByAsync(deps.db, async () => {
            const v = await nextView(deps, session);
            if (v.kind !== "card") throw new Error("nothing to study");
            await showAnswer(deps, session, v.cardId, v.version, v.shownAt);
            const rated = await rate(deps, session, v.cardId, v.version, 3, v.shownAt);
            if (!rated.view.undo) throw new Error("the rating offers no Undo");
            await undoRating(deps, session, rated.view.undo);
            await doneView(deps, session, true);
          })
        ).filter((q) => /^\s*(SELECT|WITH|INSERT|UPDATE|DELETE)/i.test(q) && !/^\s*(BEGIN|COMMIT)/i.test(q));
        expect(sql.some((q) => /^insert into "card_holds" .* select /i.test(q))).toBe(true);
        expect(sql.some((q) => /^delete from "card_holds" .* in \(select /i.test(q))).toBe(true);
        expect(sql.length).toBeGreaterThan(10);
        for (const q of sql) {
          const st = deps.db.sqlite.prepare(`EXPLAIN QUERY PLAN ${q}`);
          const names = [...q.matchAll(/@(\w+)/g)].map((m) => m[1] ?? "");
          const rows = names.length
            ? st.all(Object.fromEntries(names.map((n) => [n, null])))
            : st.all(...(q.match(/\?/g) ?? []).map(() => null));
          const plan = rows.map((r) => (r as { detail: string }).detail);
          const scans = plan.filter((line) => GROWING.test(line));
          expect({ q: q.trim().slice(0, 120), scans }).toEqual({ q: q.trim().slice(0, 120), scans: [] });
        }
      } finally {
        deps.db.sqlite.close();
        built.close();
      }
    });
  }
});
