import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { Rating } from "../../src/core/scheduling.ts";
import { memberStudyDay } from "../../src/db/daily-limits.ts";
import { once } from "../../src/db/prepared.ts";
import { cardStates, guilds, reviewLogs, userSettings } from "../../src/db/schema.ts";
import { upsertDeck } from "../../src/services/deck-sync.ts";
import { subscribe } from "../../src/services/decks.ts";
import {
  assertOwner,
  type CardView,
  nextView,
  rate,
  type Session,
  type StudyView,
  showAnswer,
} from "../../src/services/study.ts";
import { engineDeps, makeCards, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;

  const session = (over: Partial<Session> = {}): Session => ({
    userId: "100",
    guildId: "9",
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
    ...over,
  });

  function asCard(v: StudyView): CardView {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  }

  /** Rates whatever card is next with `grade`, returning its front. */
  async function rateNext(
    s: Session,
    grade: Rating.Again | Rating.Hard | Rating.Good | Rating.Easy = Rating.Good,
  ) {
    const v = asCard(await nextView(deps, s));
    const r = await rate(deps, s, v.cardId, v.version, grade, deps.clock.now().getTime());
    expect(r.recorded).toBe(true);
    return v.front;
  }

  beforeEach(async () => {
    deps = await engineDeps(engine);
    await seedDeck(deps, "alpha", 30);
    await subscribe(deps, "100", "9", "alpha");
  });
  afterEach(() => deps.close());

  describe("GIVEN a member subscribed to a deck", () => {
    it("THEN new cards come in file order, with the progress counts", async () => {
      const v = asCard(await nextView(deps, session()));
      expect(v.front).toBe("alpha front 1");
      expect(v.isNew).toBe(true);
      expect(v.due).toBe(0);
      expect(v.newLeft).toBe(20);
      expect(v.back).toBeNull();
    });

    it("THEN show answer reveals the back with one interval per grade, growing with the grade", async () => {
      const v = asCard(await nextView(deps, session()));
      const a = asCard(await showAnswer(deps, session(), v.cardId, v.version, v.shownAt));
      expect(a.back).toBe("alpha back 1");
      const i = a.intervals!;
      expect(i[Rating.Again]).toBe(60_000); // ts-fsrs default first learning step: 1m
      expect(i[Rating.Again]).toBeLessThan(i[Rating.Hard]);
      expect(i[Rating.Hard]).toBeLessThan(i[Rating.Good]);
      expect(i[Rating.Good]).toBeLessThan(i[Rating.Easy]);
    });

    it("THEN due reviews come first, most overdue first, before any new card", async () => {
      const s = session();
      const fronts = [
        await rateNext(s, Rating.Easy),
        await rateNext(s, Rating.Easy),
        await rateNext(s, Rating.Easy),
      ];
      expect(fronts).toEqual(["alpha front 1", "alpha front 2", "alpha front 3"]);
      // Make card 3 the most overdue, then card 1.
      const states = await once(deps.db, (b) => b.select().from(cardStates).prepare()).all();
      const dueOf: Record<string, number> = { "1": 5, "2": 1, "3": 9 }; // days overdue
      for (const st of states) {
        const key = String(st.cardId);
        const due = new Date(deps.clock.now().getTime() - (dueOf[key] ?? 0) * DAY);
        await once(deps.db, (b) =>
          b.update(cardStates).set({ due }).where(eq(cardStates.cardId, st.cardId)).prepare(),
        ).run();
      }
      const later = session();
      expect(asCard(await nextView(deps, later)).due).toBe(3);
      expect([await rateNext(later), await rateNext(later), await rateNext(later)]).toEqual([
        "alpha front 3",
        "alpha front 1",
        "alpha front 2",
      ]);
      expect(asCard(await nextView(deps, later)).front).toBe("alpha front 4"); // then new cards
    });

    it("THEN the new-card limit caps a day and the day starts again at 04:00 in the server's timezone", async () => {
      await once(deps.db, (b) =>
        b
          .insert(guilds)
          .values({ id: "9", timezone: "Europe/Berlin", createdAt: deps.clock.now() })
          .prepare(),
      ).run();
      await once(deps.db, (b) =>
        b.insert(userSettings).values({ userId: "100", newPerDay: 3 }).prepare(),
      ).run();
      deps.clock.set(new Date("2026-03-02T10:00:00Z")); // 11:00 Berlin
      const s = session();
      for (let k = 0; k < 3; k++) await rateNext(s, Rating.Easy);
      const done = await nextView(deps, s);
      expect(done.kind).toBe("done");
      // 02:59 UTC on the 3rd = 03:59 Berlin: still the same study day.
      deps.clock.set(new Date("2026-03-03T02:59:00Z"));
      expect((await nextView(deps, session())).kind).toBe("done");
      // 03:00 UTC = 04:00 Berlin: a new study day, three more new cards.
      deps.clock.set(new Date("2026-03-03T03:00:00Z"));
      const v = asCard(await nextView(deps, session()));
      expect(v.newLeft).toBe(3);
      expect(v.front).toBe("alpha front 4");
    });

    it("THEN a member with their own timezone gets new cards again at 04:00 in it, not in the server's", async () => {
      await once(deps.db, (b) =>
        b
          .insert(guilds)
          .values({ id: "9", timezone: "Europe/Berlin", createdAt: deps.clock.now() })
          .prepare(),
      ).run();
      await once(deps.db, (b) =>
        b.insert(userSettings).values({ userId: "100", newPerDay: 2, timezone: "Asia/Tokyo" }).prepare(),
      ).run();
      deps.clock.set(new Date("2026-03-02T18:00:00Z")); // 03:00 on the 3rd in Tokyo: still study day March 2
      for (let k = 0; k < 2; k++) await rateNext(session(), Rating.Easy);
      expect((await nextView(deps, session())).kind).toBe("done");
      // 19:00 UTC = 04:00 in Tokyo: the member's new study day (Berlin's 20:00 is still the 2nd).
      deps.clock.set(new Date("2026-03-02T19:00:00Z"));
      const v = asCard(await nextView(deps, session()));
      expect(v.newLeft).toBe(2);
      expect(v.front).toBe("alpha front 3");
      expect(await memberStudyDay(deps.db, "100", "9", deps.clock.now().getTime())).toEqual({
        zone: "Asia/Tokyo",
        start: Date.parse("2026-03-02T19:00:00Z"),
        end: Date.parse("2026-03-03T19:00:00Z"),
      });
      // Without a timezone of their own, the member's day is the server's.
      await once(deps.db, (b) => b.update(userSettings).set({ timezone: null }).prepare()).run();
      expect((await nextView(deps, session())).kind).toBe("done");
    });

    it("THEN the summary counts reviews, Again, time spent and tells when the next card is due", async () => {
      const s = session();
      const v1 = asCard(await nextView(deps, s));
      deps.clock.advance(4000);
      await rate(deps, s, v1.cardId, v1.version, Rating.Again, v1.shownAt);
      deps.clock.advance(1000);
      const stop = await rate(deps, s, v1.cardId + 1, 0, Rating.Easy, deps.clock.now().getTime() - 2000);
      expect(stop.recorded).toBe(true);
      await once(deps.db, (b) =>
        b.insert(userSettings).values({ userId: "100", newPerDay: 2 }).prepare(),
      ).run();
      const end = await nextView(deps, s);
      // the Again card is in learning, due in 1m (within learn-ahead), so it is shown again
      expect(asCard(end).cardId).toBe(v1.cardId);
      deps.clock.advance(HOUR);
      await rate(deps, s, v1.cardId, asCard(end).version, Rating.Easy, deps.clock.now().getTime());
      deps.clock.advance(HOUR);
      const done = await nextView(deps, s);
      if (done.kind !== "done") throw new Error("expected done");
      expect(done.reviewed).toBe(3);
      expect(done.again).toBe(1);
      expect(done.durationMs).toBe(4000 + 2000 + 0);
      expect(done.nextDue).not.toBeNull();
    });
  });

  describe("GIVEN a rating button clicked twice or from a stale message", () => {
    it("THEN the second click records nothing and answers 'already rated' with the next card", async () => {
      const s = session();
      const v = asCard(await nextView(deps, s));
      const first = await rate(deps, s, v.cardId, v.version, Rating.Good, v.shownAt);
      const second = await rate(deps, s, v.cardId, v.version, Rating.Again, v.shownAt);
      expect(first.recorded).toBe(true);
      expect(second.recorded).toBe(false);
      expect(second.view.notice).toMatch(/already rated/);
      expect(await once(deps.db, (b) => b.select().from(reviewLogs).prepare()).all()).toHaveLength(1);
      expect((await once(deps.db, (b) => b.select().from(cardStates).prepare()).get())?.reps).toBe(1);
    });

    it("THEN a stale Show answer moves to the current next card", async () => {
      const s = session();
      const v = asCard(await nextView(deps, s));
      await rate(deps, s, v.cardId, v.version, Rating.Easy, v.shownAt);
      const stale = await showAnswer(deps, s, v.cardId, v.version, v.shownAt);
      expect(stale.notice).toMatch(/already rated/);
      expect(asCard(stale).cardId).not.toBe(v.cardId);
    });
  });

  describe("GIVEN another member clicks a button of someone else's session", () => {
    it("THEN it is refused and nothing changes", async () => {
      const s = session();
      expect(() => assertOwner(s, "200")).toThrow(UserError);
      expect(() => assertOwner(s, "100")).not.toThrow();
    });

    it("THEN schedules are per user: one member's ratings do not touch another's", async () => {
      await subscribe(deps, "200", "9", "alpha");
      await rateNext(session(), Rating.Easy);
      const other = asCard(await nextView(deps, session({ userId: "200" })));
      expect(other.front).toBe("alpha front 1");
      expect(other.isNew).toBe(true);
    });
  });

  describe("GIVEN a deck file edited after members studied it", () => {
    it("THEN an edited card keeps its schedule and a removed card is retired with its history kept", async () => {
      const s = session();
      await rateNext(s, Rating.Easy);
      await rateNext(s, Rating.Easy);
      const edited = makeCards(30, "alpha");
      edited[0] = { ...edited[0]!, front: "alpha front 1 (reworded)" };
      const withoutCard2 = edited.filter((c) => c.key !== "2");
      const r = await upsertDeck(deps, {
        id: "alpha",
        name: "Deck alpha",
        description: "",
        filePath: null,
        cards: withoutCard2,
      });
      expect(r).toEqual({ added: 0, retired: 1 });
      const states = await once(deps.db, (b) => b.select().from(cardStates).prepare()).all();
      expect(states).toHaveLength(2); // history and states kept
      expect(await once(deps.db, (b) => b.select().from(reviewLogs).prepare()).all()).toHaveLength(2);
      deps.clock.advance(60 * DAY);
      const later = session();
      const seen: string[] = [];
      for (
        let v = await nextView(deps, later);
        v.kind === "card" && seen.length < 5;
        v = await nextView(deps, later)
      ) {
        seen.push(v.front);
        await rate(deps, later, v.cardId, v.version, Rating.Easy, v.shownAt);
      }
      expect(seen[0]).toBe("alpha front 1 (reworded)"); // due review, kept its schedule
      expect(seen).not.toContain("alpha front 2"); // retired
      // Putting the card back un-retires it with its old state.
      await upsertDeck(deps, {
        id: "alpha",
        name: "Deck alpha",
        description: "",
        filePath: null,
        cards: edited,
      });
      const v = asCard(await nextView(deps, session()));
      expect(v.front).toBe("alpha front 2");
      expect(v.isNew).toBe(false);
    });

    it("THEN a rating of a card retired meanwhile records nothing", async () => {
      const s = session();
      const v = asCard(await nextView(deps, s));
      await upsertDeck(deps, {
        id: "alpha",
        name: "Deck alpha",
        description: "",
        filePath: null,
        cards: makeCards(30, "alpha").slice(1),
      });
      expect((await rate(deps, s, v.cardId, v.version, Rating.Good, v.shownAt)).recorded).toBe(false);
    });
  });
});
