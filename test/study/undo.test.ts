/**
 * Undo of a session rating, on both engines: the database after an Undo is the database before the rating, table
 * by table and row by row (card_states, review_logs, every aggregate, the streak), so /stats and the leaderboard
 * cannot differ either; a doubled, stale or too old Undo changes nothing.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { tx } from "../../src/db/client.ts";
import { once } from "../../src/db/prepared.ts";
import { awardQuizPoints } from "../../src/db/review-stats.ts";
import { quizPosts } from "../../src/db/schema.ts";
import { subscribe } from "../../src/services/decks.ts";
import { leaderboard } from "../../src/services/leaderboard.ts";
import { answerQuiz } from "../../src/services/quiz/answers.ts";
import { getStats } from "../../src/services/stats.ts";
import {
  type CardView,
  nextView,
  rate,
  type Session,
  type StudyView,
  showAnswer,
  stopSession,
  type UndoTarget,
} from "../../src/services/study.ts";
import { setAside } from "../../src/services/study-holds.ts";
import { undoRating } from "../../src/services/study-undo.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { snapshotTables } from "../helpers/table-snapshot.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const ME = "100";
  const GUILD = "9";

  const session = (over: Partial<Session> = {}): Session => ({
    userId: ME,
    guildId: GUILD,
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
    ...over,
  });

  function asCard(v: StudyView): CardView {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  }

  /** What a member sees: their /stats and the server's boards. */
  async function seen() {
    const stats = await getStats(deps, { viewerId: ME, targetId: ME, guildId: GUILD });
    const boards = [];
    for (const period of ["today", "week", "all"] as const)
      boards.push(await leaderboard(deps, { guildId: GUILD, userId: ME, period, metric: "points" }));
    return { stats, boards };
  }

  /** Shows the next card, waits 5 s and rates it; the view after, and the rated card. */
  async function rateNext(s: Session, grade: Rating.Again | Rating.Good | Rating.Easy = Rating.Good) {
    const v = asCard(await nextView(deps, s));
    deps.clock.advance(5_000);
    const r = await rate(deps, s, v.cardId, v.version, grade, v.shownAt);
    expect(r.recorded).toBe(true);
    return { card: v, view: r.view };
  }

  const undoOf = (v: StudyView): UndoTarget => {
    if (!v.undo) throw new Error("the view offers no Undo");
    return v.undo;
  };

  /** Eight days of one review a day (a 7-day streak earns its bonus), then the clock on day 9 at 10:00. */
  async function history() {
    for (let d = 0; d < 8; d++) {
      await rateNext(session(), Rating.Good);
      deps.clock.advance(DAY);
    }
    await tx(deps.db, (t) =>
      awardQuizPoints(t, { guildId: GUILD, userId: ME, at: deps.clock.now().getTime(), correct: true }),
    );
  }

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T10:00:00Z");
    await seedDeck(deps, "alpha", 30);
    await subscribe(deps, ME, GUILD, "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN a member with a week's streak and quiz points", () => {
    it("THEN Again by mistake, then Undo: every table, /stats and the boards are as before the click", async () => {
      await history();
      await rateNext(session(), Rating.Good); // today is studied already
      const s = session();
      const before = await snapshotTables(deps.db);
      const seenBefore = await seen();
      const { card, view } = await rateNext(s, Rating.Again);
      expect(await snapshotTables(deps.db)).not.toEqual(before);
      const after = await undoRating(deps, s, undoOf(view));
      expect(await snapshotTables(deps.db)).toEqual(before);
      expect(await seen()).toEqual(seenBefore);
      // The card taken back is shown again, as its question, saying so.
      const shown = asCard(after);
      expect(shown.cardId).toBe(card.cardId);
      expect(shown.back).toBeNull();
      expect(shown.notice).toMatch(/undone/i);
    });

    it("THEN undoing the day's first review takes back its streak step, its bonus and its study day", async () => {
      await history();
      const s = session();
      const before = await snapshotTables(deps.db);
      const seenBefore = await seen();
      const { view } = await rateNext(s, Rating.Good);
      const streak = (await snapshotTables(deps.db)).stat_streaks;
      expect(streak).not.toEqual(before.stat_streaks);
      await undoRating(deps, s, undoOf(view));
      expect(await snapshotTables(deps.db)).toEqual(before);
      expect(await seen()).toEqual(seenBefore);
    });
  });

  describe("GIVEN a member's very first rating in the server", () => {
    it("THEN Undo leaves no trace: no state (the card is new again), no member row, no streak", async () => {
      const s = session();
      const before = await snapshotTables(deps.db);
      const { view } = await rateNext(s, Rating.Good);
      const after = asCard(await undoRating(deps, s, undoOf(view)));
      expect(await snapshotTables(deps.db)).toEqual(before);
      expect(after.isNew).toBe(true);
      expect(after.newLeft).toBe(20);
    });
  });

  describe("GIVEN a member's first rating in the server, then a wrong answer to its quiz on a deck they do not study", () => {
    it("THEN Undo of that rating keeps them a member of the server: the quiz answer made them one", async () => {
      const s = session();
      const { view } = await rateNext(s, Rating.Good);
      await seedDeck(deps, "beta", 4);
      const [post] = await once(deps.db, (b) =>
        b
          .insert(quizPosts)
          .values({
            guildId: GUILD,
            localDate: "2026-03-02",
            channelId: "800",
            status: "posted",
            claimedAt: deps.clock.now().getTime(),
            cardId: 9,
            deckId: "beta",
            front: "beta front",
            choices: [9, 10, 11, 12].map((cardId) => ({ cardId, text: `back ${cardId}` })),
            correctIndex: 0,
          })
          .returning()
          .prepare(),
      ).all();
      const answer = await answerQuiz(deps, { postId: post!.id, guildId: GUILD, userId: ME, choice: 1 });
      expect(answer).toMatchObject({ kind: "answered", correct: false, reviewed: false });
      await undoRating(deps, s, undoOf(view));
      const members = await sqlRows<{ reviews: number | string }>(
        deps.db,
        sql`SELECT reviews FROM stat_guild_members WHERE guild_id = ${GUILD} AND user_id = ${ME}`,
      );
      expect(members.map((m) => Number(m.reviews))).toEqual([0]);
    });
  });

  describe("GIVEN three ratings in a session after one from before it", () => {
    it("THEN Undo goes back one rating at a time, and never past the session's first", async () => {
      await rateNext(session(), Rating.Good);
      deps.clock.advance(HOUR);
      const s = session();
      const states = [await snapshotTables(deps.db)];
      let view: StudyView | undefined;
      for (const g of [Rating.Good, Rating.Again, Rating.Easy] as const) {
        view = (await rateNext(s, g)).view;
        states.push(await snapshotTables(deps.db));
      }
      for (let k = 2; k >= 0; k--) {
        view = await undoRating(deps, s, undoOf(view!));
        expect(await snapshotTables(deps.db)).toEqual(states[k]);
      }
      // Back at the session's start: the rating before it is not the session's to undo.
      expect(view?.undo).toBeNull();
    });
  });

  describe("GIVEN a rating, then the next card buried, suspended or the session stopped", () => {
    it("THEN the view after keeps the Undo of that rating, and it still undoes it", async () => {
      for (const then of ["bury", "suspend", "stop"] as const) {
        const s = session();
        const { card, view } = await rateNext(s);
        const target = undoOf(view);
        let after: StudyView;
        if (then === "stop") after = await stopSession(deps, s);
        else {
          const q = asCard(await nextView(deps, s));
          const a = asCard(await showAnswer(deps, s, q.cardId, q.version, q.shownAt));
          after = await setAside(deps, s, a.cardId, a.version, then);
        }
        expect(after.undo, then).toEqual(target);
        const undone = await undoRating(deps, s, target);
        expect(undone.kind === "card" && undone.cardId, then).toBe(card.cardId);
        // Another session's view offers no Undo of it.
        deps.clock.advance(60_000);
        expect((await stopSession(deps, session())).undo, then).toBeNull();
      }
    });
  });

  describe("GIVEN a card rated Again, then buried when it came back", () => {
    it("THEN Undo takes the rating back but the card stays buried: the next card comes, and says why", async () => {
      const s = session();
      const { card, view } = await rateNext(s, Rating.Again);
      const target = undoOf(view);
      // Its answer again (another open view of it, at the version the rating made), and Bury from there.
      const a = asCard(await showAnswer(deps, s, card.cardId, target.reps, deps.clock.now().getTime()));
      expect(a.cardId).toBe(card.cardId);
      await setAside(deps, s, a.cardId, a.version, "bury");
      const undone = await undoRating(deps, s, target);
      expect(undone.notice).toMatch(/^Rating undone\. That card is set aside/);
      expect(undone.kind === "card" && undone.cardId).not.toBe(card.cardId);
    });
  });

  describe("GIVEN an Undo clicked twice", () => {
    it("THEN the second changes nothing and says so", async () => {
      await history();
      const s = session();
      const { view } = await rateNext(s, Rating.Again);
      const target = undoOf(view);
      await undoRating(deps, s, target);
      const once = await snapshotTables(deps.db);
      const again = await undoRating(deps, s, target);
      expect(await snapshotTables(deps.db)).toEqual(once);
      expect(again.notice).toMatch(/already undone/);
    });

    it("THEN an Undo of a rating that is no longer the latest changes nothing", async () => {
      const s = session();
      const first = (await rateNext(s, Rating.Good)).view;
      await rateNext(s, Rating.Good);
      const now = await snapshotTables(deps.db);
      const v = await undoRating(deps, s, undoOf(first));
      expect(await snapshotTables(deps.db)).toEqual(now);
      expect(v.notice).toMatch(/no longer your latest/);
    });

    it("THEN an Undo from another session (or source) changes nothing", async () => {
      const s = session();
      const { view } = await rateNext(s, Rating.Good);
      const now = await snapshotTables(deps.db);
      const later = session({ startedAt: deps.clock.now().getTime() + 1 });
      await undoRating(deps, later, undoOf(view));
      await undoRating(deps, session({ source: "daily", startedAt: s.startedAt }), undoOf(view));
      await undoRating(deps, session({ guildId: "10", startedAt: s.startedAt }), undoOf(view));
      expect(await snapshotTables(deps.db)).toEqual(now);
    });
  });

  describe("GIVEN a rating more than a day old", () => {
    it("THEN its Undo is refused as too old and changes nothing", async () => {
      const s = session();
      const { view } = await rateNext(s, Rating.Good);
      deps.clock.advance(DAY + HOUR);
      const now = await snapshotTables(deps.db);
      const v = await undoRating(deps, s, undoOf(view));
      expect(await snapshotTables(deps.db)).toEqual(now);
      expect(v.notice).toMatch(/more than a day old/);
    });
  });

  describe("GIVEN many ratings", () => {
    it("THEN undo records older than a day are pruned as the member rates", async () => {
      const s = session();
      for (let k = 0; k < 3; k++) await rateNext(s, Rating.Good);
      deps.clock.advance(DAY + HOUR);
      await rateNext(session(), Rating.Good);
      const rows = await sqlRows<{ n: number }>(
        deps.db,
        sql`SELECT count(*) AS n FROM review_undos WHERE user_id = ${ME}`,
      );
      expect(Number(rows[0]?.n)).toBe(1);
    });
  });
});
