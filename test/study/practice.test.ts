/**
 * Re-do today's misses, on both engines: exactly the cards rated Again this study day, round after round until each
 * is answered Good; no card state, aggregate or point moves; each answer is logged with source "practice".
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { subscribe } from "../../src/services/decks.ts";
import {
  type PracticeCardView,
  type PracticeView,
  practiceAnswer,
  practiceShow,
  practiceStop,
  startPractice,
} from "../../src/services/practice.ts";
import {
  type CardView,
  doneView,
  nextView,
  rate,
  type Session,
  type StudyView,
} from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { RATING_TABLES, snapshotTables } from "../helpers/table-snapshot.ts";

/** What a practice answer must not touch: everything a rating writes but the log. */
const { review_logs: _log, ...NO_LOG } = RATING_TABLES;

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const ME = "100";
  const GUILD = "9";

  const session = (): Session => ({
    userId: ME,
    guildId: GUILD,
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });
  const asCard = (v: StudyView): CardView => {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  };
  const asPractice = (v: PracticeView): PracticeCardView => {
    if (v.kind !== "practice-card") throw new Error(`expected a practice card, got ${v.kind}`);
    return v;
  };

  /** Answers the round's current card (after Show answer); the view after. */
  async function answer(v: PracticeView, rating: 1 | 3) {
    const q = asPractice(v);
    const a = asPractice(await practiceShow(deps, q.round, q.cardId, q.answers, q.shownAt));
    deps.clock.advance(3_000);
    return {
      card: q.cardId,
      view: await practiceAnswer(deps, a.round, a.cardId, a.answers, rating, a.shownAt),
    };
  }

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T10:00:00Z");
    await seedDeck(deps, "alpha", 5);
    await subscribe(deps, ME, GUILD, "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN a session with two cards rated Again and two Good", () => {
    let missed: number[];
    beforeEach(async () => {
      missed = [];
      const s = session();
      for (const g of [Rating.Again, Rating.Good, Rating.Again, Rating.Easy] as const) {
        const v = asCard(await nextView(deps, s));
        if (g === Rating.Again) missed.push(v.cardId);
        deps.clock.advance(5_000);
        await rate(deps, s, v.cardId, v.version, g, v.shownAt);
      }
    });

    it("THEN the summary offers them; the round shows only those, again until Good; nothing else moves", async () => {
      expect((await doneView(deps, session(), true)).misses).toBe(2);
      const before = await snapshotTables(deps.db, NO_LOG);
      let v: PracticeView = await startPractice(deps, ME, GUILD);
      expect(asPractice(v).left).toBe(2);
      // Again on the first: it comes round again after the other.
      const first = await answer(v, 1);
      expect(missed).toContain(first.card);
      v = first.view;
      const second = await answer(v, 3);
      expect(second.card).not.toBe(first.card);
      expect(missed).toContain(second.card);
      v = second.view;
      expect(asPractice(v).cardId).toBe(first.card);
      expect(asPractice(v).left).toBe(1);
      const last = await answer(v, 3);
      expect(last.view.kind).toBe("practice-done");
      // No state, aggregate, streak or point moved; the three answers are logged as practice.
      expect(await snapshotTables(deps.db, NO_LOG)).toEqual(before);
      const logs = await sqlRows<{ card_id: number; rating: number; source: string }>(
        deps.db,
        sql`SELECT card_id, rating, source FROM review_logs WHERE user_id = ${ME} AND source = 'practice' ORDER BY id`,
      );
      expect(logs.map((l) => [Number(l.card_id), Number(l.rating)])).toEqual([
        [first.card, 1],
        [second.card, 3],
        [first.card, 3],
      ]);
      // A session summary counts no practice answer as a review.
      expect((await doneView(deps, session(), true)).reviewed).toBe(0);
    });

    it("THEN a doubled answer records nothing, and Stop says how many are left", async () => {
      const v = asPractice(await startPractice(deps, ME, GUILD));
      const a = asPractice(await practiceShow(deps, v.round, v.cardId, v.answers, v.shownAt));
      await practiceAnswer(deps, a.round, a.cardId, a.answers, 1, a.shownAt);
      const twice = await practiceAnswer(deps, a.round, a.cardId, a.answers, 1, a.shownAt);
      expect(twice.notice).toMatch(/already answered/);
      const n = await sqlRows<{ n: number }>(
        deps.db,
        sql`SELECT count(*) AS n FROM review_logs WHERE source = 'practice'`,
      );
      expect(Number(n[0]?.n)).toBe(1);
      expect(await practiceStop(deps, v.round)).toMatchObject({
        kind: "practice-done",
        stopped: true,
        left: 2,
      });
    });

    it("THEN a stopped round goes on where it was: a card answered Good is not offered again today", async () => {
      const first = await answer(await startPractice(deps, ME, GUILD), 3);
      await practiceStop(deps, asPractice(first.view).round);
      expect((await doneView(deps, session(), true)).misses).toBe(1);
      const again = asPractice(await startPractice(deps, ME, GUILD));
      expect(again.left).toBe(1);
      expect(again.cardId).not.toBe(first.card);
    });

    it("THEN the next study day has no misses to re-do", async () => {
      deps.clock.advance(24 * 3_600_000);
      expect((await doneView(deps, session(), true)).misses).toBe(0);
      await expect(startPractice(deps, ME, GUILD)).rejects.toThrow(/no misses left today/);
    });
  });
});
