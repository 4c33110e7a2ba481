import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UserError } from "../../src/core/errors.ts";
import { Rating } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import { reviewLogs, statGuildMembers } from "../../src/db/schema.ts";
import { removeDeck } from "../../src/services/deck-import.ts";
import { syncDeckDir } from "../../src/services/deck-sync.ts";
import { subscribe } from "../../src/services/decks.ts";
import {
  type CardView,
  nextView,
  type ReviewInput,
  rate,
  type Session,
  type StudyView,
  showAnswer,
} from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { recordReview } from "../helpers/reviews.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  /** An empty decks folder. */
  let dir: string;

  const session = (userId: string, guildId: string): Session => ({
    userId,
    guildId,
    deckId: null,
    source: "study",
    startedAt: deps.clock.now().getTime(),
  });
  function asCard(v: StudyView): CardView {
    if (v.kind !== "card") throw new Error(`expected a card, got ${v.kind}`);
    return v;
  }
  const logs = () => once(deps.db, (b) => b.select().from(reviewLogs).prepare()).all();
  const points = () => once(deps.db, (b) => b.select().from(statGuildMembers).prepare()).all();

  beforeEach(async () => {
    deps = await engineDeps(engine);
    dir = mkdtempSync(join(tmpdir(), "card-reach-"));
    await seedDeck(deps, "alice-own", 3, { ownerId: "100", guildId: "9" }); // alice's personal deck
    await seedDeck(deps, "server-9", 3, { guildId: "9" }); // server 9's deck
    await seedDeck(deps, "shipped", 3);
    await subscribe(deps, "100", "9", "alice-own");
    await subscribe(deps, "100", "9", "server-9");
  });
  afterEach(async () => {
    await deps.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The first card of a deck as alice sees it (her own or server 9's). */
  const aliceCard = async (deckId: string) =>
    asCard(await nextView(deps, { ...session("100", "9"), deckId }));

  describe("GIVEN a study button whose custom_id names a card outside the clicker's reach", () => {
    it("THEN another member's personal card is refused on Show answer and rating, and nothing is recorded", async () => {
      const theirs = await aliceCard("alice-own");
      const bob = session("200", "9");
      await expect(showAnswer(deps, bob, theirs.cardId, 0, theirs.shownAt)).rejects.toThrow(UserError);
      await expect(showAnswer(deps, bob, theirs.cardId, 0, theirs.shownAt)).rejects.toThrow(
        /not in a deck you can study here/,
      );
      await expect(rate(deps, bob, theirs.cardId, 0, Rating.Good, theirs.shownAt - 60_000)).rejects.toThrow(
        UserError,
      );
      expect(await logs()).toEqual([]);
      expect(await points()).toEqual([]);
    });

    it("THEN a server deck's card is refused in another server, and a card that does not exist too", async () => {
      const serverCard = await aliceCard("server-9");
      const elsewhere = session("100", "8");
      await expect(showAnswer(deps, elsewhere, serverCard.cardId, 0, serverCard.shownAt)).rejects.toThrow(
        UserError,
      );
      await expect(
        rate(deps, elsewhere, serverCard.cardId, 0, Rating.Easy, serverCard.shownAt),
      ).rejects.toThrow(UserError);
      await expect(rate(deps, elsewhere, 999_999, 0, Rating.Easy, serverCard.shownAt)).rejects.toThrow(
        UserError,
      );
      // The single write path refuses too (quiz answers go through it).
      const r: ReviewInput = {
        userId: "100",
        guildId: "8",
        cardId: serverCard.cardId,
        grade: Rating.Good,
        source: "study",
        shownAt: 0,
        version: null,
      };
      expect(await recordReview(deps, r)).toBe(false);
      expect(await logs()).toEqual([]);
    });

    it("THEN the member's own, the server's and the shipped decks' cards still work", async () => {
      const s = session("100", "9");
      for (const deckId of ["alice-own", "server-9"]) {
        const v = await aliceCard(deckId);
        expect(asCard(await showAnswer(deps, s, v.cardId, 0, v.shownAt)).back).not.toBeNull();
        expect((await rate(deps, s, v.cardId, 0, Rating.Good, v.shownAt)).recorded).toBe(true);
      }
      await subscribe(deps, "200", "8", "shipped");
      const bob = session("200", "8");
      const shipped = asCard(await nextView(deps, bob));
      expect((await rate(deps, bob, shipped.cardId, 0, Rating.Good, shipped.shownAt)).recorded).toBe(true);
      expect(await logs()).toHaveLength(3);
    });
  });

  describe("GIVEN a study view left open on a card of a deck that is then removed", () => {
    it("THEN neither Show answer nor a rating records anything, and the notice says the card was removed", async () => {
      const s = session("100", "9");
      const v = await aliceCard("alice-own");
      await removeDeck(deps, { userId: "100", guildId: "9", canManageServer: false }, "alice-own");
      const shown = await showAnswer(deps, s, v.cardId, 0, v.shownAt);
      expect(shown.notice).toMatch(/removed/);
      expect(shown.kind === "card" && shown.cardId === v.cardId).toBe(false);
      const rated = await rate(deps, s, v.cardId, 0, Rating.Good, v.shownAt);
      expect(rated.recorded).toBe(false);
      expect(rated.view.notice).toMatch(/removed/);
      expect(await logs()).toEqual([]);
    });

    it("THEN a shipped deck whose file was deleted before a restart takes no rating either", async () => {
      await subscribe(deps, "100", "9", "shipped");
      const s = session("100", "9");
      const v = asCard(await nextView(deps, { ...s, deckId: "shipped" }));
      await syncDeckDir(deps, dir); // a decks folder without its file: the deck is retired at start
      expect((await rate(deps, s, v.cardId, 0, Rating.Easy, v.shownAt)).recorded).toBe(false);
      const quiz: ReviewInput = {
        userId: "100",
        guildId: "9",
        cardId: v.cardId,
        grade: Rating.Good,
        source: "daily",
        shownAt: 0,
        version: null,
      };
      expect(await recordReview(deps, quiz)).toBe(false);
      expect(await logs()).toEqual([]);
    });
  });
});
