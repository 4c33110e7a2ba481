/**
 * The /study queries are written for speed (prepared once, counts by subtraction on covering indexes). These
 * tests hold them to the plain definitions on a database with retired cards, a retired deck, server and
 * personal decks, and keep every hot statement on an index: EXPLAIN QUERY PLAN must show no full scan of the
 * growing tables, with and without ANALYZE statistics.
 */

import { join } from "node:path";
import type { Grade } from "ts-fsrs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../datagen/rng.ts";
import { openDb, tx } from "../../src/db/client.ts";
import {
  countDue,
  countUnseen,
  nextDueAt,
  nextDueCardId,
  nextNewCardId,
  type Scope,
} from "../../src/db/study-queue.ts";
import { doneView, nextView, rate, type Session, showAnswer } from "../../src/services/study.ts";
import { seedDeck, testDeps } from "../helpers/deps.ts";
import { preparedByAsync } from "../helpers/prepared.ts";
import { recordReview } from "../helpers/reviews.ts";

type Deps = ReturnType<typeof testDeps>;

const USERS = ["u1", "u2", "u3", "u4"];
const GUILDS = ["g1", "g2", null];

/** The straightforward definitions (the queries as first written): joins, NOT EXISTS, min(). */
const STUDY_DECKS = `(
  SELECT s.deck_id FROM subscriptions s JOIN decks d ON d.id = s.deck_id
  WHERE s.user_id = @userId AND d.retired_at IS NULL
    AND (d.source = 'file' OR d.owner_id = @userId OR (d.guild_id = @guildId AND d.owner_id IS NULL))
    AND (@deckId IS NULL OR d.id = @deckId))`;
const REFERENCE = {
  countDue: `SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}`,
  countUnseen: `SELECT count(*) AS n FROM cards c WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = @userId AND cs.card_id = c.id)`,
  nextDueAt: `SELECT min(cs.due) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}`,
  nextDue: `SELECT cs.card_id AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id
    WHERE cs.user_id = @userId AND cs.due <= @until AND c.retired_at IS NULL AND cs.deck_id IN ${STUDY_DECKS}
    ORDER BY cs.due, cs.card_id LIMIT 1`,
  nextNew: `SELECT c.id AS n FROM cards c WHERE c.deck_id IN ${STUDY_DECKS} AND c.retired_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM card_states cs WHERE cs.user_id = @userId AND cs.card_id = c.id)
    ORDER BY c.deck_id, c.position LIMIT 1`,
};

function reference(deps: Deps, which: keyof typeof REFERENCE, s: Scope, until = 0): number | null {
  const row = deps.db.$client
    .prepare(REFERENCE[which])
    .get({ userId: s.userId, guildId: s.guildId, deckId: s.deckId, until }) as
    | { n: number | null }
    | undefined;
  return row?.n ?? null;
}

/** Decks of every kind, members studying them for weeks, then some cards and one deck retired. */
function world(): Deps {
  const deps = testDeps("2026-01-05T09:00:00Z");
  const deck = (id: string, n: number, extra: { guildId?: string; ownerId?: string } = {}) =>
    seedDeck(deps, id, n, { name: id, ...extra });
  deck("a", 40);
  deck("b", 30);
  deck("c", 25);
  deck("srv", 20, { guildId: "g1" });
  deck("mine", 15, { guildId: "g1", ownerId: "u2" });
  const sub = deps.db.$client.prepare(
    "INSERT INTO subscriptions (user_id, deck_id, created_at) VALUES (?, ?, 0)",
  );
  for (const u of USERS)
    for (const d of ["a", "b", "c", "srv", "mine"]) if (u !== "u4" || d === "a") sub.run(u, d);

  const rng = mulberry32(3);
  for (let day = 0; day < 30; day++) {
    for (const u of USERS) {
      for (let k = 0; k < 12; k++) {
        const cardId = 1 + Math.floor(rng() * 130);
        const grade = (1 + Math.floor(rng() * 4)) as Grade;
        tx(deps.db, () =>
          recordReview(deps, {
            userId: u,
            guildId: GUILDS[k % 3] ?? null,
            cardId,
            grade,
            source: "study",
            shownAt: deps.clock.now().getTime() - 5000,
            version: null,
          }),
        );
        deps.clock.advance(45_000);
      }
    }
    deps.clock.advance(86_400_000 - 4 * 12 * 45_000);
  }
  // Cards dropped from their files (some with states), and a whole deck retired.
  deps.db.$client.exec(`UPDATE cards SET retired_at = 1 WHERE id % 7 = 3`);
  deps.db.$client.exec(`UPDATE decks SET retired_at = 1 WHERE id = 'c'`);
  return deps;
}

describe("/study queries", () => {
  let deps: Deps;
  beforeAll(() => {
    deps = world();
  });
  afterAll(() => deps.close());

  it("GIVEN retired cards and decks, server and personal decks THEN the fast queries equal the plain definitions", () => {
    const now = deps.clock.now().getTime();
    let checked = 0;
    for (const userId of USERS)
      for (const guildId of GUILDS)
        for (const deckId of [null, "a", "b", "c", "srv", "mine", "nope"]) {
          const s: Scope = { userId, guildId, deckId };
          for (const until of [now - 5 * 86_400_000, now, now + 3 * 86_400_000]) {
            expect(countDue(deps.db, s, until)).toBe(reference(deps, "countDue", s, until));
            expect(nextDueCardId(deps.db, s, until) ?? null).toBe(reference(deps, "nextDue", s, until));
          }
          expect(countUnseen(deps.db, s)).toBe(reference(deps, "countUnseen", s));
          expect(nextDueAt(deps.db, s)?.getTime() ?? null).toBe(reference(deps, "nextDueAt", s));
          expect(nextNewCardId(deps.db, s) ?? null).toBe(reference(deps, "nextNew", s));
          checked++;
        }
    expect(checked).toBe(USERS.length * GUILDS.length * 7);
    // The world is not degenerate: there is something due, unseen and retired-with-state to count.
    const s = { userId: "u1", guildId: "g1", deckId: null };
    expect(countDue(deps.db, s, now)).toBeGreaterThan(0);
    expect(countUnseen(deps.db, s)).toBeGreaterThan(0);
    const retiredWithState = deps.db.$client
      .prepare(
        "SELECT count(*) AS n FROM card_states cs JOIN cards c ON c.id = cs.card_id WHERE c.retired_at IS NOT NULL",
      )
      .get() as { n: number };
    expect(retiredWithState.n).toBeGreaterThan(0);
  });
});

/** Tables that grow with use; a plan may never walk one of them whole. */
const GROWING = /^SCAN (cs|c|rl|card_states|cards|review_logs|stat_\w+)\b/;

describe("EXPLAIN QUERY PLAN of the study path", () => {
  for (const analyzed of [false, true]) {
    it(`GIVEN ${analyzed ? "ANALYZE statistics" : "a fresh database (no statistics)"} THEN every statement of /study, show, rate and done stays on indexes`, async () => {
      const built = world();
      if (analyzed) built.db.$client.exec("ANALYZE");
      // A second connection: statements are prepared once per connection, so all of them show up here.
      const deps = { ...built, db: openDb(join(built.dir, "test.db")) };
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
            await rate(deps, session, v.cardId, v.version, 3, v.shownAt);
            await doneView(deps, session, true);
          })
        ).filter((q) => /^\s*(SELECT|WITH|INSERT|UPDATE)/i.test(q) && !/^\s*(BEGIN|COMMIT)/i.test(q));
        expect(sql.length).toBeGreaterThan(10);
        for (const q of sql) {
          const st = deps.db.$client.prepare(`EXPLAIN QUERY PLAN ${q}`);
          const names = [...q.matchAll(/@(\w+)/g)].map((m) => m[1] ?? "");
          const rows = names.length
            ? st.all(Object.fromEntries(names.map((n) => [n, null])))
            : st.all(...(q.match(/\?/g) ?? []).map(() => null));
          const plan = rows.map((r) => (r as { detail: string }).detail);
          const scans = plan.filter((line) => GROWING.test(line));
          expect({ q: q.trim().slice(0, 120), scans }).toEqual({ q: q.trim().slice(0, 120), scans: [] });
        }
      } finally {
        deps.db.$client.close();
        built.close();
      }
    });
  }
});
