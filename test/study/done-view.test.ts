import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Grade, Rating } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import { cardStates, guilds, userSettings } from "../../src/db/schema.ts";
import { renderStudy } from "../../src/render/study-view.ts";
import { subscribe } from "../../src/services/decks.ts";
import {
  type DoneView,
  doneView,
  nextView,
  rate,
  type Session,
  type StudyView,
} from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const DAY = 86_400_000;

  const session = (): Session => ({
    userId: "100",
    guildId: "9",
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });
  const described = (v: StudyView) => renderStudy(v).embeds[0]?.description ?? "";
  function asDone(v: StudyView): DoneView {
    if (v.kind !== "done") throw new Error(`expected the summary, got ${v.kind}`);
    return v;
  }
  async function rateAll(s: Session, grade: Grade = Rating.Easy): Promise<number> {
    let n = 0;
    for (let v = await nextView(deps, s); v.kind === "card"; v = await nextView(deps, s), n++)
      await rate(deps, s, v.cardId, v.version, grade, v.shownAt);
    return n;
  }
  const setPerDay = (n: number) =>
    once(deps.db, (b) =>
      b
        .insert(userSettings)
        .values({ userId: "100", newPerDay: n })
        .onConflictDoUpdate({ target: userSettings.userId, set: { newPerDay: n } })
        .prepare(),
    ).run();

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T10:00:00Z"); // 11:00 in Berlin
    const createdAt = deps.clock.now();
    await once(deps.db, (b) =>
      b.insert(guilds).values({ id: "9", timezone: "Europe/Berlin", createdAt }).prepare(),
    ).run();
    await seedDeck(deps, "alpha", 5);
    await subscribe(deps, "100", "9", "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN a subscribed member whose new cards are off (per_day 0)", () => {
    it("THEN the summary says new cards are off and how many wait, and never asks to subscribe", async () => {
      await setPerDay(0);
      const done = asDone(await nextView(deps, session()));
      expect(done.newCards).toMatchObject({ unseen: 5, leftToday: 0, perDay: 0 });
      const text = described(done);
      expect(text).toContain("New cards are off (your limit is 0 a day): 5 new cards wait.");
      expect(text).toContain("/settings newcards");
      expect(text).not.toContain("subscribe");
    });
  });

  describe("GIVEN a member who used up today's new cards", () => {
    it("THEN the summary names the limit, the cards waiting and the reset: 04:00 in the member's own timezone", async () => {
      await setPerDay(2);
      expect(await rateAll(session())).toBe(2);
      const done = asDone(await nextView(deps, session()));
      // The server's day would start again at 03:00 UTC (04:00 Berlin); the member's own zone wins.
      await once(deps.db, (b) =>
        b.update(userSettings).set({ timezone: "America/New_York" }).prepare(),
      ).run();
      const own = asDone(await nextView(deps, session()));
      expect(done.resetsAt.toISOString()).toBe("2026-03-03T03:00:00.000Z");
      expect(own.resetsAt.toISOString()).toBe("2026-03-03T09:00:00.000Z"); // 04:00 in New York
      const text = described(done);
      expect(text).toContain("You started today's 2 new cards (your daily limit): 3 more new cards wait.");
      expect(text).toContain(`New cards again <t:${Date.parse("2026-03-03T03:00:00Z") / 1000}:R>.`);
      expect(text).toContain("Next card due <t:");
    });

    it("THEN one card is worded in the singular", async () => {
      await setPerDay(1);
      await seedDeck(deps, "alpha", 2);
      await rateAll(session());
      expect(described(await nextView(deps, session()))).toContain(
        "You started today's 1 new card (your daily limit): 1 more new card waits.",
      );
    });
  });

  describe("GIVEN a member who stops with cards still due", () => {
    it("THEN the summary says how many are due instead of 'nothing to review' and a past due date", async () => {
      await rateAll(session());
      deps.clock.advance(30 * DAY);
      const s = session();
      const stopped = await doneView(deps, s, true);
      expect(stopped.due).toBe(5);
      const text = described(stopped);
      expect(text).toContain("No cards reviewed in this session.");
      expect(text).toContain("5 cards still due: run `/study` to go on.");
      expect(text).not.toContain("Nothing to review");
      expect(text).not.toContain("Next card due");
      const first = await nextView(deps, s);
      if (first.kind !== "card") throw new Error("expected a due card");
      await rate(deps, s, first.cardId, first.version, Rating.Good, first.shownAt);
      const due = new Date(deps.clock.now().getTime() + DAY);
      await once(deps.db, (b) =>
        b
          .update(cardStates)
          .set({ due })
          .where(eq(cardStates.cardId, first.cardId + 1))
          .prepare(),
      ).run();
      const later = described(await doneView(deps, s, true));
      expect(later).toContain("Cards reviewed: **1**");
      expect(later).toContain("3 cards still due");
    });

    it("THEN with new cards left it also says how many are left today", async () => {
      const stopped = described(await doneView(deps, session(), true));
      expect(stopped).toContain("5 new cards left today.");
      expect(stopped).not.toContain("still due");
    });
  });
});
