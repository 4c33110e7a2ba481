/**
 * Siblings are never shown on the same day, on both engines: rating a card in a session buries the other active
 * cards of its note (a card and its reverse, an Anki note's cards) until the member's next study day, except one
 * they hold already; a quiz or party answer buries nothing; an Undo lifts exactly the buries its rating wrote.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDeck } from "../../src/core/decks/parse.ts";
import { Rating } from "../../src/core/scheduling.ts";
import { holdCard } from "../../src/db/card-holds.ts";
import { tx } from "../../src/db/client.ts";
import { type CardInput, writeDeck } from "../../src/db/deck-cards.ts";
import { recordRating, writeReview } from "../../src/db/reviews.ts";
import { subscribe } from "../../src/services/decks.ts";
import {
  type CardView,
  decideWith,
  nextView,
  rate,
  type Session,
  type StudyView,
  type UndoTarget,
} from "../../src/services/study.ts";
import { setAside } from "../../src/services/study-holds.ts";
import { undoRating } from "../../src/services/study-undo.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { sqlRows, sqlRun } from "../helpers/sql-template.ts";
import { RATING_TABLES, snapshotTables } from "../helpers/table-snapshot.ts";

// A reversed native deck (1, 1~r, 2, 2~r), a note of three cards as an Anki package gives them, a plain card.
const REVERSED = parseDeck("id: es\nreversed: yes\n\n## 1\nhola\n---\nhello\n\n## 2\ngato\n---\ncat\n").cards;
const CARDS: CardInput[] = [
  ...REVERSED,
  { key: "n", front: "n front", back: "n back", tags: [], noteKey: "n" },
  { key: "n.t1", front: "n.t1 front", back: "n.t1 back", tags: [], noteKey: "n" },
  { key: "n.t2", front: "n.t2 front", back: "n.t2 back", tags: [], noteKey: "n" },
  { key: "plain", front: "plain front", back: "plain back", tags: [] },
];

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  const MINUTE = 60_000;
  const ME = "100";
  const GUILD = "9";
  // 10:00 in Berlin: the study day runs until 04:00 Berlin tomorrow.
  const START = "2026-03-02T09:00:00Z";
  const NEXT_DAY = Date.parse("2026-03-03T03:00:00Z");
  const ids = new Map<string, number>();
  const keyOf = (id: number) => [...ids].find(([, v]) => v === id)?.[0];
  const id = (key: string) => ids.get(key) ?? -1;
  const now = () => deps.clock.now().getTime();

  const session = (): Session => ({
    userId: ME,
    guildId: GUILD,
    deckId: null,
    source: "study",
    startedAt: now(),
  });
  function asCard(v: StudyView): CardView {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  }
  const undoOf = (v: StudyView): UndoTarget => {
    if (!v.undo) throw new Error("the view offers no Undo");
    return v.undo;
  };

  async function writeCards(deckId: string, cards: CardInput[]) {
    await tx(deps.db, (t) =>
      writeDeck(t, { id: deckId, name: deckId, description: "", filePath: null, cards }, deps.clock.now()),
    );
  }
  /** The member's holds: card key → kind, until and at. */
  async function holds() {
    const rows = await sqlRows<{
      key: string;
      kind: string;
      until: number | string | null;
      at: number | string;
    }>(
      deps.db,
      sql`SELECT c.key AS "key", h.kind AS "kind", h.until AS "until", h.at AS "at" FROM card_holds h
        JOIN cards c ON c.id = h.card_id WHERE h.user_id = ${ME} ORDER BY c.key`,
    );
    return Object.fromEntries(
      rows.map((r) => [
        r.key,
        { kind: r.kind, until: r.until === null ? null : Number(r.until), at: Number(r.at) },
      ]),
    );
  }
  /** Rates the card `key` where the session shows it (it must be the next card), after 5 s. */
  async function rateKey(
    s: Session,
    key: string,
    grade: Rating.Again | Rating.Good | Rating.Easy = Rating.Good,
  ) {
    const v = asCard(await nextView(deps, s));
    expect(keyOf(v.cardId)).toBe(key);
    deps.clock.advance(5_000);
    const r = await rate(deps, s, v.cardId, v.version, grade, v.shownAt);
    expect(r.recorded).toBe(true);
    return r.view;
  }
  /** The keys of every card shown until the session ends, each rated Easy. */
  async function studyAll(): Promise<string[]> {
    const s = session();
    const shown: string[] = [];
    for (let v = await nextView(deps, s); v.kind === "card"; ) {
      shown.push(keyOf(v.cardId) ?? "?");
      v = (await rate(deps, s, v.cardId, v.version, Rating.Easy, v.shownAt)).view;
    }
    return shown;
  }

  beforeEach(async () => {
    deps = await engineDeps(engine, START);
    await sqlRun(deps.db, sql`INSERT INTO user_settings (user_id, timezone) VALUES (${ME}, 'Europe/Berlin')`);
    await writeCards("es", CARDS);
    // Another deck with a card of the same note key: not a sibling (siblings are cards of one deck).
    await writeCards("other", [{ key: "1", front: "other 1", back: "x", tags: [], noteKey: "1" }]);
    await subscribe(deps, ME, GUILD, "es");
    await subscribe(deps, ME, GUILD, "other");
    ids.clear();
    const rows = await sqlRows<{ id: number; key: string; deck: string }>(
      deps.db,
      sql`SELECT id AS "id", key AS "key", deck_id AS "deck" FROM cards`,
    );
    for (const r of rows) ids.set(r.deck === "es" ? r.key : `${r.deck}:${r.key}`, Number(r.id));
  });
  afterEach(() => deps.close());

  describe("GIVEN a reversed deck in /study", () => {
    it("THEN rating a card buries its reverse until the next study day: not shown today, shown then", async () => {
      await rateKey(session(), "1");
      expect(await holds()).toEqual({ "1~r": { kind: "bury", until: NEXT_DAY, at: now() } });
      const first = await holds();
      // The rest of the day: no two cards of one note (the other deck's "1" is no sibling). "1", rated Good, comes
      // back within the day (a learning step): its reverse stays buried, as its first rating wrote it.
      expect(await studyAll()).toEqual(["2", "n", "plain", "other:1", "1"]);
      const buried = await holds();
      expect(buried["1~r"]).toEqual(first["1~r"]);
      expect(Object.keys(buried)).toEqual(["1~r", "2~r", "n.t1", "n.t2"]);
      deps.clock.advance(60 * MINUTE);
      expect(await studyAll()).toEqual([]);
      // The next study day, 04:00 Berlin: the reverses and the note's other cards come back (new cards, in deck
      // order); rating one buries the note's last card again.
      deps.clock.set(new Date(NEXT_DAY + MINUTE));
      expect(await studyAll()).toEqual(["1~r", "2~r", "n.t1"]);
      expect((await holds())["n.t2"]).toMatchObject({ until: NEXT_DAY + 24 * 60 * MINUTE });
    });

    it("THEN a sibling held already is left as it was; a bury that has ended is replaced", async () => {
      const yesterday = now() - 24 * 60 * MINUTE;
      const byHand = now() - MINUTE;
      const hold = (key: string, kind: "suspend" | "bury", until: number | null, at: number) =>
        holdCard(deps.db, { userId: ME, cardId: id(key), deckId: "es", kind, until, at });
      await hold("n.t1", "suspend", null, yesterday);
      await hold("n.t2", "bury", NEXT_DAY, byHand);
      await hold("1~r", "bury", now() - 60 * MINUTE, yesterday);
      const s = session();
      await rateKey(s, "1");
      const rated1 = now();
      await rateKey(s, "2");
      const rated2 = now();
      await rateKey(s, "n");
      expect(await holds()).toEqual({
        "1~r": { kind: "bury", until: NEXT_DAY, at: rated1 },
        "2~r": { kind: "bury", until: NEXT_DAY, at: rated2 },
        "n.t1": { kind: "suspend", until: null, at: yesterday },
        "n.t2": { kind: "bury", until: NEXT_DAY, at: byHand },
      });
    });

    it("THEN a card without a note key, a retired sibling, and quiz and party answers bury nothing", async () => {
      const s = session();
      // "2~r" leaves the deck: rating "2" buries nothing.
      await writeCards(
        "es",
        CARDS.filter((c) => c.key !== "2~r"),
      );
      await rateKey(s, "1");
      await rateKey(s, "2");
      await rateKey(s, "n", Rating.Easy);
      const buried = await holds();
      expect(Object.keys(buried)).toEqual(["1~r", "n.t1", "n.t2"]);
      await rateKey(s, "plain");
      expect(await holds()).toEqual(buried);
      await sqlRun(deps.db, sql`DELETE FROM card_holds`);
      for (const source of ["quiz", "party"] as const) {
        const written = await recordRating(
          deps.db,
          {
            userId: ME,
            guildId: GUILD,
            cardId: id("n.t1"),
            grade: Rating.Good,
            source,
            shownAt: now(),
            version: null,
          },
          deps.clock.now(),
          decideWith(deps, Rating.Good),
        );
        expect(written, source).not.toBe(false);
        expect(await holds(), source).toEqual({});
      }
    });
  });

  describe("GIVEN ratings on PostgreSQL, where each statement is a round trip", () => {
    it("THEN a card with siblings costs the round trips of one without: its bury goes in the rating's batch", async (ctx) => {
      if (engine !== "pg") ctx.skip("round trips are PostgreSQL's (SQLite runs each statement in process)");
      /** Round trips of one rating of `key`, counted on its transaction's connection. */
      const roundTrips = (key: string) =>
        tx(
          deps.db,
          async (t) => {
            if (t.kind !== "pg") throw new Error("PostgreSQL only");
            let n = 0;
            const exec = {
              ...t.exec,
              query: (...a: Parameters<typeof t.exec.query>) => {
                n++;
                return t.exec.query(...a);
              },
              batch: (text: string) => {
                n++;
                return t.exec.batch?.(text) ?? Promise.resolve([]);
              },
            };
            // A handle of its own: statements bind to it, and run through its counting executor.
            const counted = { ...t, exec, bound: new WeakMap() };
            deps.clock.advance(5_000);
            const written = await writeReview(
              counted,
              {
                userId: ME,
                guildId: GUILD,
                cardId: id(key),
                grade: Rating.Good,
                source: "study",
                shownAt: now() - 5_000,
                version: 0,
              },
              deps.clock.now(),
              decideWith(deps, Rating.Good),
            );
            expect(written).not.toBe(false);
            return n;
          },
          { lockKey: ME },
        );
      await roundTrips("other:1"); // the day's first review (its streak step)
      const plain = await roundTrips("plain");
      const withSiblings = await roundTrips("n");
      expect(Object.keys(await holds())).toEqual(["n.t1", "n.t2"]);
      expect(withSiblings).toBe(plain);
    });
  });

  describe("GIVEN ratings that buried siblings, and a bury by hand", () => {
    it("THEN each Undo lifts the buries its own rating wrote, and no other", async () => {
      const tables = { ...RATING_TABLES, card_holds: "user_id, card_id" };
      await holdCard(deps.db, {
        userId: ME,
        cardId: id("n.t2"),
        deckId: "es",
        kind: "bury",
        until: NEXT_DAY,
        at: now(),
      });
      const s = session();
      await rateKey(s, "1", Rating.Easy);
      await rateKey(s, "2", Rating.Easy);
      const before = await snapshotTables(deps.db, tables);
      // Again: "n" comes back in a minute; its second rating buries nothing new ("n.t1" is held since the first).
      const first = await rateKey(s, "n", Rating.Again);
      const buried = await snapshotTables(deps.db, tables);
      expect(await holds()).toMatchObject({ "n.t1": { at: now() }, "n.t2": { at: Date.parse(START) } });
      deps.clock.advance(2 * MINUTE);
      const second = await rateKey(s, "n", Rating.Good);
      expect(undoOf(second)).not.toEqual(undoOf(first));
      // The second rating's Undo leaves the first's bury.
      const back = await undoRating(deps, s, undoOf(second));
      expect(await snapshotTables(deps.db, tables)).toEqual(buried);
      // The first's lifts it; the bury by hand and the buries of "1" and "2" stay.
      await undoRating(deps, s, undoOf(back));
      expect(await snapshotTables(deps.db, tables)).toEqual(before);
      expect(Object.keys(await holds())).toEqual(["1~r", "2~r", "n.t2"]);
      // The same day, "n.t1" is back in the queue: with "n" (shown again by the Undo) buried by hand, it is next.
      const again = asCard(await nextView(deps, s));
      expect(keyOf(again.cardId)).toBe("n");
      deps.clock.advance(5_000);
      const next = asCard(await setAside(deps, s, again.cardId, again.version, "bury"));
      expect(keyOf(next.cardId)).toBe("n.t1");
    });
  });
});
