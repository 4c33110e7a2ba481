import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { type Grade, Rating } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import { guilds } from "../../src/db/schema.ts";
import { renderStudy } from "../../src/render/study-view.ts";
import { subscribe, unsubscribe } from "../../src/services/decks.ts";
import { settingsView } from "../../src/services/settings.ts";
import {
  type DoneView,
  nextView,
  rate,
  type Session,
  type StudyView,
  stopSession,
} from "../../src/services/study.ts";
import { undoRating } from "../../src/services/study-undo.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { snapshotTables } from "../helpers/table-snapshot.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const DAY = 86_400_000;
  const user = "100";

  const session = (deckId: string | null = null): Session => ({
    userId: user,
    guildId: "9",
    deckId,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });
  const described = (v: StudyView) => renderStudy(v).embeds[0]?.description ?? "";
  const footer = (v: StudyView) => renderStudy(v).embeds[0]?.footer?.text ?? "";
  function asDone(v: StudyView): DoneView {
    if (v.kind !== "done") throw new Error(`expected the summary, got ${v.kind}`);
    return v;
  }
  /** Rates every card the session offers with `grade` (Easy: each graduates at once); returns the ids, in order. */
  async function rateAll(s: Session, grade: Grade = Rating.Easy): Promise<number[]> {
    const rated: number[] = [];
    for (let v = await nextView(deps, s); v.kind === "card"; v = await nextView(deps, s)) {
      await rate(deps, s, v.cardId, v.version, grade, v.shownAt);
      rated.push(v.cardId);
    }
    return rated;
  }
  const settings = (
    patch: Parameters<typeof settingsView>[1]["patch"],
    deck?: { deckId: string; perDay: number | null },
  ) => settingsView(deps, { userId: user, guildId: "9", patch, deck });

  beforeEach(async () => {
    deps = await engineDeps(engine, "2026-03-02T10:00:00Z"); // 11:00 in Berlin
    await once(deps.db, (b) =>
      b.insert(guilds).values({ id: "9", timezone: "Europe/Berlin", createdAt: deps.clock.now() }).prepare(),
    ).run();
    await seedDeck(deps, "alpha", 5);
    await subscribe(deps, user, "9", "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN 5 cards in review, all due, and a review limit of 2", () => {
    beforeEach(async () => {
      expect(await rateAll(session())).toHaveLength(5); // Easy: straight into review
      deps.clock.advance(60 * DAY);
      await settings({ reviewLimit: 2 });
    });

    it("THEN 2 of them come, the footer counts 2 due, and the summary names the limit, the 3 waiting and the reset", async () => {
      const first = await nextView(deps, session());
      expect(footer(first)).toBe("2 due · 0 new left today");
      expect(await rateAll(session())).toHaveLength(2);
      const done = asDone(await nextView(deps, session()));
      expect(done).toMatchObject({ due: 0, heldBack: 3, reviewLimit: 2 });
      // The member's next study day: 04:00 in Berlin (03:00 UTC) after 1 May 2026 11:00.
      expect(done.resetsAt.toISOString()).toBe("2026-05-02T02:00:00.000Z");
      const text = described(done);
      expect(text).toContain(
        `You did today's 2 reviews (your daily limit): 3 more due cards wait. Reviews again <t:${Date.parse("2026-05-02T02:00:00Z") / 1000}:R>, or raise the limit with \`/settings reviews\`.`,
      );
      expect(text).not.toContain("still due");
      // The held-back cards are overdue: no "next card due" in the past.
      expect(text).not.toContain("Next card due");
    });

    it("THEN Stop before the limit is used up says what is still due, not that the limit is reached", async () => {
      await settings({ reviewLimit: 4 });
      const s = session();
      const v = await nextView(deps, s);
      if (v.kind !== "card") throw new Error("expected a card");
      await rate(deps, s, v.cardId, v.version, Rating.Good, v.shownAt);
      const stopped = await stopSession(deps, s);
      expect(stopped).toMatchObject({ due: 3, heldBack: 1, reviewsLeft: 3 });
      const text = described(stopped);
      expect(text).toContain("3 cards still due");
      expect(text).not.toContain("your daily limit");
    });

    it("THEN a card forgotten within the limit still comes back in relearning after the limit is used up", async () => {
      const a = await nextView(deps, session());
      if (a.kind !== "card") throw new Error("expected a card");
      await rate(deps, session(), a.cardId, a.version, Rating.Again, a.shownAt);
      const b = await nextView(deps, session());
      if (b.kind !== "card") throw new Error("expected a card");
      await rate(deps, session(), b.cardId, b.version, Rating.Good, b.shownAt);
      // Limit used up: only the relearning card, inside the learn-ahead window.
      const again = await nextView(deps, session());
      expect(again.kind === "card" && again.cardId).toBe(a.cardId);
      expect(await rateAll(session())).toEqual([a.cardId]);
      expect(asDone(await nextView(deps, session())).heldBack).toBe(3);
    });

    it("THEN Undo of a review gives it back to the day's limit", async () => {
      const s = session();
      let v = await nextView(deps, s);
      let last: StudyView = v;
      while (v.kind === "card") {
        last = (await rate(deps, s, v.cardId, v.version, Rating.Good, v.shownAt)).view;
        v = await nextView(deps, s);
      }
      if (last.kind !== "done" || !last.undo) throw new Error("expected an Undo on the summary");
      expect(last.heldBack).toBe(3);
      expect(footer(await undoRating(deps, s, last.undo))).toBe("1 due · 0 new left today");
    });

    it("THEN the next study day brings the others, and a limit of 0 says reviews are off", async () => {
      await rateAll(session());
      deps.clock.set(new Date("2026-05-02T02:00:00Z")); // 04:00 in Berlin
      expect(await rateAll(session())).toHaveLength(2);
      await settings({ reviewLimit: 0 });
      deps.clock.advance(DAY);
      const done = asDone(await nextView(deps, session()));
      expect(done.heldBack).toBe(1);
      expect(described(done)).toContain(
        "Reviews are off (your limit is 0 a day): 1 more due card waits. Turn them on with `/settings reviews`.",
      );
    });
  });

  describe("GIVEN two decks, a global limit of 2 new cards and beta's own limit of 3", () => {
    beforeEach(async () => {
      await seedDeck(deps, "beta", 5);
      await subscribe(deps, user, "9", "beta");
      await settings({ newPerDay: 2 });
      const v = await settings(null, { deckId: "beta", perDay: 3 });
      expect(v.deckChange).toEqual({ name: "Deck beta", perDay: 3 });
      expect(v.deckNewCards).toEqual([{ deckId: "beta", name: "Deck beta", perDay: 3 }]);
    });

    it("THEN all decks offer 5 new cards: alpha's 2 from the global limit, then beta's 3 of its own", async () => {
      expect(footer(await nextView(deps, session()))).toBe("0 due · 5 new left today");
      const rated = await rateAll(session());
      expect(rated).toHaveLength(5);
      const done = asDone(await nextView(deps, session()));
      expect(done.newCards).toMatchObject({ leftToday: 0, perDay: 5, unseen: 5 });
      expect(described(done)).toContain(
        "You started today's 5 new cards (your daily limit): 5 more new cards wait.",
      );
    });

    it("THEN beta alone counts its own limit, and alpha alone the global one", async () => {
      expect(await rateAll(session("beta"))).toHaveLength(3);
      expect(asDone(await nextView(deps, session("beta"))).newCards).toMatchObject({
        leftToday: 0,
        perDay: 3,
      });
      expect(footer(await nextView(deps, session("alpha")))).toBe("0 due · 2 new left today");
      expect(await rateAll(session("alpha"))).toHaveLength(2);
    });

    it("THEN clearing beta's limit makes it share the global one again, and counts what it started", async () => {
      await rateAll(session("beta"));
      const v = await settings(null, { deckId: "beta", perDay: null });
      expect(v.deckNewCards).toEqual([]);
      // The 3 beta cards started today now count against the shared 2: nothing left.
      expect(asDone(await nextView(deps, session())).newCards).toMatchObject({ leftToday: 0, perDay: 2 });
    });

    it("THEN a deck limit of 0 keeps that deck's new cards back while the others come", async () => {
      await settings(null, { deckId: "beta", perDay: 0 });
      expect(footer(await nextView(deps, session()))).toBe("0 due · 2 new left today");
      expect(await rateAll(session())).toHaveLength(2);
    });

    it("THEN unsubscribing drops the deck's own limit with the subscription", async () => {
      await unsubscribe(deps, user, "9", "beta");
      await subscribe(deps, user, "9", "beta");
      expect((await settings(null)).deckNewCards).toEqual([]);
    });
  });

  describe("GIVEN bad input", () => {
    it("THEN a limit for a deck not studied, a deck not here, or a number out of range changes nothing", async () => {
      await seedDeck(deps, "beta", 2);
      const before = await snapshotTables(deps.db, { subscriptions: "user_id, deck_id" });
      await expect(settings(null, { deckId: "beta", perDay: 3 })).rejects.toThrow(
        new UserError("You do not study `beta`: `/deck subscribe` first, then give it a limit of its own."),
      );
      await expect(settings(null, { deckId: "nope", perDay: 3 })).rejects.toThrow(
        "There is no deck `nope` here.",
      );
      await expect(settings(null, { deckId: "alpha", perDay: 501 })).rejects.toThrow(
        "New cards per day must be a whole number from 0 to 500.",
      );
      await expect(settings({ reviewLimit: 10_000 })).rejects.toThrow(
        "Reviews per day must be a whole number from 0 to 9999.",
      );
      await expect(settings({ reviewLimit: 1.5 })).rejects.toThrow("Reviews per day");
      expect(await snapshotTables(deps.db, { subscriptions: "user_id, deck_id" })).toEqual(before);
      expect((await settings(null)).settings.reviewLimit).toBe(200);
    });
  });
});
