/**
 * Suspend and Bury, on both engines: a suspended card never comes back (not in /study, not in the due counts, not
 * recorded from a stale button) until it is unsuspended, then returns with its schedule; a buried card returns at
 * the member's next study day, 04:00 in their zone.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { getState } from "../../src/db/card-states.ts";
import { hasDue } from "../../src/db/quiz-due.ts";
import { dueBefore } from "../../src/db/stat-user.ts";
import { countDue } from "../../src/db/study-queue.ts";
import { deckListView, subscribe } from "../../src/services/decks.ts";
import {
  ALREADY_RATED,
  type CardView,
  nextView,
  rate,
  type Session,
  type StudyView,
  showAnswer,
} from "../../src/services/study.ts";
import { setAside, suspendedView, unsuspend } from "../../src/services/study-holds.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { sqlRun } from "../helpers/sql-template.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  const ME = "100";
  const GUILD = "9";

  const session = (): Session => ({
    userId: ME,
    guildId: GUILD,
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });

  function asCard(v: StudyView): CardView {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  }

  /** Every card the member is shown until the session ends, each rated Easy (no learning steps). */
  async function studyAll(): Promise<number[]> {
    const s = session();
    const shown: number[] = [];
    for (let v = await nextView(deps, s); v.kind === "card"; ) {
      shown.push(v.cardId);
      v = (await rate(deps, s, v.cardId, v.version, Rating.Easy, v.shownAt)).view;
    }
    return shown;
  }

  /** Shows the next card's answer and presses Suspend or Bury on it. */
  async function setAsideNext(kind: "suspend" | "bury") {
    const s = session();
    const q = asCard(await nextView(deps, s));
    const a = asCard(await showAnswer(deps, s, q.cardId, q.version, q.shownAt));
    const after = await setAside(deps, s, a.cardId, a.version, kind);
    return { cardId: a.cardId, version: a.version, after };
  }

  beforeEach(async () => {
    // 10:00 in Berlin (09:00 UTC): the study day runs until 04:00 Berlin tomorrow.
    deps = await engineDeps(engine, "2026-03-02T09:00:00Z");
    await sqlRun(deps.db, sql`INSERT INTO user_settings (user_id, timezone) VALUES (${ME}, 'Europe/Berlin')`);
    await seedDeck(deps, "alpha", 6);
    await subscribe(deps, ME, GUILD, "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN a reviewed card suspended from its answer view", () => {
    it("THEN it never appears again, in no count, until unsuspended; then it returns with its schedule", async () => {
      expect((await studyAll()).length).toBe(6);
      deps.clock.advance(30 * DAY);
      const { cardId, after } = await setAsideNext("suspend");
      expect(after.notice).toMatch(/suspended/i);
      const kept = await getState(deps.db, ME, cardId);
      const now = () => deps.clock.now().getTime();
      // Everything else is due: the counts and lists leave the suspended card out.
      expect(await countDue(deps.db, { userId: ME, guildId: GUILD, deckId: null }, now())).toBe(5);
      expect((await deckListView(deps, ME, GUILD)).decks.find((d) => d.id === "alpha")?.due).toBe(5);
      expect((await dueBefore(deps.db, ME, now() + 365 * DAY)).length).toBe(5);
      for (let day = 0; day < 5; day++) {
        expect(await studyAll()).not.toContain(cardId);
        deps.clock.advance(60 * DAY);
      }
      // Its schedule is as it was when suspended.
      expect(await getState(deps.db, ME, cardId)).toEqual(kept);
      // The list shows it; Unsuspend brings it back, with the schedule it had.
      const list = await suspendedView(deps, ME, GUILD, "alpha");
      expect(list.cards.map((c) => c.cardId)).toEqual([cardId]);
      const back = await unsuspend(deps, ME, GUILD, "alpha", cardId);
      expect(back.cards).toEqual([]);
      expect(back.notice).toMatch(/back in your reviews/);
      expect(await getState(deps.db, ME, cardId)).toEqual(kept);
      expect(await studyAll()).toContain(cardId);
      // A second Unsuspend (double click) changes nothing and says so.
      expect((await unsuspend(deps, ME, GUILD, "alpha", cardId)).notice).toMatch(/not suspended any more/);
    });

    it("THEN a stale rating button of it records nothing", async () => {
      const s = session();
      const q = asCard(await nextView(deps, s));
      const a = asCard(await showAnswer(deps, s, q.cardId, q.version, q.shownAt));
      await setAside(deps, s, a.cardId, a.version, "suspend");
      const r = await rate(deps, s, a.cardId, a.version, Rating.Good, a.shownAt);
      expect(r.recorded).toBe(false);
      expect(await getState(deps.db, ME, a.cardId)).toBeUndefined();
    });

    it("THEN Show answer on another open view of it moves on to the next card, and says why", async () => {
      const s = session();
      const q = asCard(await nextView(deps, s));
      const a = asCard(await showAnswer(deps, s, q.cardId, q.version, q.shownAt));
      await setAside(deps, s, a.cardId, a.version, "bury");
      // The question of the same card, still open in another message.
      const other = await showAnswer(deps, s, q.cardId, q.version, q.shownAt);
      expect(other.notice).toBe(ALREADY_RATED);
      expect(other.kind === "card" && other.cardId).not.toBe(q.cardId);
    });

    it("THEN the daily post's due check does not count it", async () => {
      await studyAll();
      deps.clock.advance(60 * DAY);
      const s = session();
      // Suspend every card: nothing is due for the daily post's pings.
      for (let v = await nextView(deps, s); v.kind === "card"; ) {
        const a = asCard(await showAnswer(deps, s, v.cardId, v.version, v.shownAt));
        v = await setAside(deps, s, a.cardId, a.version, "suspend");
      }
      expect(await hasDue(deps.db, GUILD, ME, deps.clock.now().getTime())).toBe(false);
      await unsuspend(deps, ME, GUILD, "alpha", "all");
      expect(await hasDue(deps.db, GUILD, ME, deps.clock.now().getTime())).toBe(true);
    });
  });

  describe("GIVEN a new card buried from its answer view", () => {
    it("THEN it is skipped until 04:00 of the member's next study day (Berlin), then comes back new", async () => {
      const { cardId, after } = await setAsideNext("bury");
      expect(after.notice).toMatch(/buried/i);
      expect(asCard(after).cardId).not.toBe(cardId);
      expect(await studyAll()).not.toContain(cardId);
      // 03:59 Berlin (02:59 UTC) next morning: still buried; 04:00: back.
      deps.clock.set(new Date("2026-03-03T02:59:00Z"));
      expect(await studyAll()).not.toContain(cardId);
      deps.clock.set(new Date("2026-03-03T03:00:00Z"));
      const v = asCard(await nextView(deps, session()));
      expect(v.cardId).toBe(cardId);
      expect(v.isNew).toBe(true);
    });
  });

  describe("GIVEN a Suspend from a view the card has moved on from", () => {
    it("THEN it changes nothing", async () => {
      const s = session();
      const q = asCard(await nextView(deps, s));
      await rate(deps, s, q.cardId, q.version, Rating.Again, q.shownAt);
      const v = await setAside(deps, s, q.cardId, q.version, "suspend");
      expect(v.notice).toMatch(/already rated/);
      expect((await suspendedView(deps, ME, GUILD, "alpha")).cards).toEqual([]);
    });
  });
});
