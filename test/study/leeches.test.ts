/**
 * Leeches, on both engines: the rating that brings a card to the member's threshold of lapses (8 by default) tags
 * it, tells the member once, and suspends it when they chose so; Undo of that rating takes all of it back.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { subscribe } from "../../src/services/decks.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { type CardView, nextView, rate, type Session, type StudyView } from "../../src/services/study.ts";
import { suspendedView } from "../../src/services/study-holds.ts";
import { undoRating } from "../../src/services/study-undo.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { sqlRows } from "../helpers/sql-template.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const DAY = 86_400_000;
  const ME = "100";

  const session = (): Session => ({
    userId: ME,
    guildId: "9",
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });
  const asCard = (v: StudyView): CardView => {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  };

  /** A month on, the one card is due: rate it; the view after and the session. */
  async function rateAfterAMonth(grade: Rating.Again | Rating.Easy) {
    deps.clock.advance(30 * DAY);
    const s = session();
    const v = asCard(await nextView(deps, s));
    const r = await rate(deps, s, v.cardId, v.version, grade, v.shownAt);
    expect(r.recorded).toBe(true);
    return { s, shown: v, view: r.view };
  }

  const leeches = () =>
    sqlRows<{ card_id: number; lapses: number }>(
      deps.db,
      sql`SELECT card_id, lapses FROM card_leeches WHERE user_id = ${ME}`,
    );
  const holds = () =>
    sqlRows<{ kind: string }>(deps.db, sql`SELECT kind FROM card_holds WHERE user_id = ${ME}`);

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T09:00:00Z");
    await seedDeck(deps, "alpha", 1);
    await subscribe(deps, ME, "9", "alpha");
    // No relearning steps: each Again on the review card is one lapse, and it stays in review.
    await updateSettings(deps.db, ME, { learningSteps: "none", relearningSteps: "none" });
    await rateAfterAMonth(Rating.Easy);
  });
  afterEach(() => deps.close());

  /** Lapses the card `n` times; the notices the views after each rating carried. */
  async function lapse(n: number): Promise<(string | null)[]> {
    const notices: (string | null)[] = [];
    for (let k = 0; k < n; k++) notices.push((await rateAfterAMonth(Rating.Again)).view.notice);
    return notices;
  }

  describe("GIVEN the defaults (8 lapses, tag only)", () => {
    it("THEN the 8th lapse tags it and says so, once; it stays in the reviews, marked", async () => {
      const notices = await lapse(9);
      expect(notices.slice(0, 7)).toEqual(Array(7).fill(null));
      expect(notices[7]).toMatch(/leech.*forgotten it 8 times/);
      expect(notices[7]).toContain("/settings leeches action:suspend");
      expect(notices[8]).toBeNull();
      expect(await leeches()).toEqual([{ card_id: 1, lapses: 8 }]);
      expect(await holds()).toEqual([]);
      deps.clock.advance(30 * DAY);
      expect(asCard(await nextView(deps, session())).leech).toBe(true);
    });
  });

  describe("GIVEN /settings leeches threshold:4 action:suspend", () => {
    beforeEach(() => updateSettings(deps.db, ME, { leechThreshold: 4, leechAction: "suspend" }));

    it("THEN the 4th lapse suspends it, says how to bring it back, and /deck suspended lists it", async () => {
      const notices = await lapse(4);
      expect(notices.slice(0, 3)).toEqual([null, null, null]);
      expect(notices[3]).toMatch(/forgotten it 4 times.*suspended/);
      expect(notices[3]).toContain("/deck suspended deck:alpha");
      expect(await holds()).toEqual([{ kind: "suspend" }]);
      deps.clock.advance(30 * DAY);
      expect((await nextView(deps, session())).kind).toBe("done");
      expect((await suspendedView(deps, ME, "9", "alpha")).cards.map((c) => c.cardId)).toEqual([1]);
    });

    it("THEN Undo of that lapse takes back the tag and the suspension with it", async () => {
      await lapse(3);
      const { s, view } = await rateAfterAMonth(Rating.Again);
      expect(await leeches()).toHaveLength(1);
      await undoRating(deps, s, view.undo!);
      expect(await leeches()).toEqual([]);
      expect(await holds()).toEqual([]);
      expect(asCard(await nextView(deps, s)).leech).toBe(false);
    });
  });

  describe("GIVEN a threshold changed around a card's lapses", () => {
    it("THEN a tagged card is not told again at a raised threshold, and a lowered one tags at the next lapse", async () => {
      await updateSettings(deps.db, ME, { leechThreshold: 4 });
      await lapse(4);
      await updateSettings(deps.db, ME, { leechThreshold: 6 });
      expect(await lapse(3)).toEqual([null, null, null]);
      expect(await leeches()).toEqual([{ card_id: 1, lapses: 4 }]);
    });

    it("THEN a card past a lowered threshold becomes a leech at its next lapse, once", async () => {
      await lapse(5);
      await updateSettings(deps.db, ME, { leechThreshold: 4 });
      const notices = await lapse(2);
      expect(notices[0]).toMatch(/forgotten it 6 times/);
      expect(notices[1]).toBeNull();
    });
  });

  describe("GIVEN /settings leeches threshold:0", () => {
    it("THEN no card ever becomes a leech", async () => {
      await updateSettings(deps.db, ME, { leechThreshold: 0 });
      expect((await lapse(10)).every((n) => n === null)).toBe(true);
      expect(await leeches()).toEqual([]);
    });
  });

  describe("GIVEN a threshold outside 4–20", () => {
    it("THEN it is refused with the bounds, and nothing changes", async () => {
      await expect(updateSettings(deps.db, ME, { leechThreshold: 3 })).rejects.toThrow(/4 to 20, or 0/);
      await expect(updateSettings(deps.db, ME, { leechThreshold: 21 })).rejects.toThrow(/4 to 20, or 0/);
      const rows = await sqlRows<{ t: number }>(
        deps.db,
        sql`SELECT leech_threshold AS t FROM user_settings WHERE user_id = ${ME}`,
      );
      expect(rows.map((r) => Number(r.t))).toEqual([8]);
    });
  });
});
