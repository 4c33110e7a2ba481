import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { parseStudyId, studyIds } from "../../src/render/study-ids.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  /**
   * Study and Subscribe buttons against crafted clicks: a client sends whatever custom_id it likes, but Discord sends
   * the message as it stores it. Each test builds its own world, so any one runs alone.
   */
  let w: World;

  beforeEach(async () => {
    w = await startWorld({
      engine,
      decks: [
        {
          id: "basics",
          name: "Basics",
          cards: [
            { key: "1", front: "What is 2+2?", back: "4" },
            { key: "2", front: "Capital of France?", back: "Paris" },
          ],
        },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const db = () => w.bot.deps.db;
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const reviewsOf = (userId: string) =>
    sqlRows<{ card_id: number; duration_ms: number }>(
      db(),
      sql`SELECT card_id, duration_ms FROM review_logs WHERE user_id = ${userId} ORDER BY id`,
    );
  const pointsOf = async (userId: string) =>
    (
      await sqlRow<{ points: number }>(
        db(),
        sql`SELECT points FROM stat_guild_members WHERE user_id = ${userId}`,
      )
    )?.points ?? 0;
  const subscribed = async (userId: string, deckId: string) =>
    (await sqlRow(
      db(),
      sql`SELECT 1 AS one FROM subscriptions WHERE user_id = ${userId} AND deck_id = ${deckId}`,
    )) !== undefined;
  const buttonIds = (m: StoredMessage) =>
    (m.components as { components: { label: string; custom_id: string }[] }[]).flatMap((r) => r.components);
  const idOf = (m: StoredMessage, label: string) => {
    const b = buttonIds(m).find((c) => c.label.startsWith(label));
    if (!b) throw new Error(`no button ${label}`);
    return b.custom_id;
  };
  /** What a crafted click was answered with: the ephemeral reply it got, or the edit of the message. */
  const answer = (r: { message: StoredMessage | undefined; messages: StoredMessage[] }) =>
    r.messages.at(-1)?.content ?? r.message?.content ?? "";

  async function study(user: World["alice"], deck?: string) {
    const r = await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "study",
      ...(deck && { options: { deck } }),
    });
    return r.message!;
  }

  async function subscribeTo(user: World["alice"], deck: string) {
    return w.emu.runCommand({ user, channel: w.channel, command: "deck subscribe", options: { deck } });
  }

  /** Alice's personal deck "Secrets" (imported, so only she sees it); returns its id and its first card's id. */
  async function aliceSecrets() {
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: { name: "secrets.csv", data: Buffer.from("alice secret question,alice secret answer\n") },
      },
    });
    const card = await sqlRow<{ id: number; deck_id: string }>(
      db(),
      sql`SELECT c.id, c.deck_id FROM cards c JOIN decks d ON d.id = c.deck_id WHERE d.name = 'secrets'`,
    );
    if (!card) throw new Error("the import made no card");
    return { deckId: card.deck_id, cardId: card.id };
  }

  describe("GIVEN a crafted study id naming another member's personal card, with the clicker's own user id", () => {
    it("THEN Show answer and rating are refused with a clear message, and no review or point is recorded", async () => {
      const secret = await aliceSecrets();
      await subscribeTo(w.bob, "basics");
      const mine = await study(w.bob);
      const parsed = parseStudyId(idOf(mine, "Show answer"), w.guild.id);
      if (parsed?.action !== "show") throw new Error("expected a Show answer id");
      const ids = studyIds(parsed.session);
      for (const craftedId of [
        ids.show(secret.cardId, 0, parsed.shownAt),
        ids.rate(secret.cardId, 0, parsed.shownAt, 3),
      ]) {
        const r = await w.emu.click({ user: w.bob, message: mine, label: "Show answer", craftedId });
        expect(r.ephemeral).toBe(true);
        expect(answer(r)).toContain("not in a deck you can study here");
        expect(JSON.stringify(r.messages)).not.toContain("alice secret");
      }
      expect(text(mine)).not.toContain("alice secret"); // bob's own message untouched
      expect(text(mine)).toContain("What is 2+2?");
      expect(await reviewsOf(w.bob.id)).toEqual([]);
      expect(await pointsOf(w.bob.id)).toBe(0);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a crafted study id of bob's own session sent against alice's study message", () => {
    it("THEN it is refused before it can replace her message, and nothing is recorded", async () => {
      await subscribeTo(w.alice, "basics");
      await subscribeTo(w.bob, "basics");
      const hers = await study(w.alice);
      const before = text(hers);
      const his = parseStudyId(idOf(await study(w.bob), "Show answer"), w.guild.id);
      if (his?.action !== "show") throw new Error("expected a Show answer id");
      const craftedId = studyIds(his.session).rate(his.cardId, 0, his.shownAt, 4);
      const r = await w.emu.click({
        user: w.bob,
        message: hers,
        label: "Show answer",
        forged: true,
        craftedId,
      });
      expect(r.ephemeral).toBe(true);
      expect(answer(r)).toContain("someone else's review");
      expect(text(hers)).toBe(before);
      expect(hers.history).toEqual([]);
      expect(await reviewsOf(w.bob.id)).toEqual([]);
    });
  });

  describe("GIVEN a crafted rating id whose shown-at claims the card was on screen for a minute", () => {
    it("THEN the instant click counts as instant and earns no point; a real slow answer still earns one", async () => {
      await subscribeTo(w.bob, "basics");
      const msg = await study(w.bob);
      const shown = await w.emu.click({ user: w.bob, message: msg, label: "Show answer" });
      const good = parseStudyId(idOf(shown.message!, "Good"), w.guild.id);
      if (good?.action !== "rate") throw new Error("expected a rating id");
      const earlier = { ...good.session, startedAt: good.session.startedAt - 120_000 };
      const craftedId = studyIds(earlier).rate(good.cardId, good.version, good.shownAt - 60_000, 3);
      await w.emu.click({ user: w.bob, message: shown.message!, label: "Good", craftedId });
      const [crafted] = await reviewsOf(w.bob.id);
      expect(crafted?.duration_ms).toBeLessThan(1000);
      expect(await pointsOf(w.bob.id)).toBe(0);

      // The bot's own buttons are trusted: five seconds on the next card earn its point.
      const next = await w.emu.click({ user: w.bob, message: shown.message!, label: "Show answer" });
      w.clock.advance(5000);
      await w.emu.click({ user: w.bob, message: next.message!, label: "Easy" });
      expect((await reviewsOf(w.bob.id)).at(-1)?.duration_ms).toBeGreaterThanOrEqual(5000);
      expect(await pointsOf(w.bob.id)).toBe(1);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN alice's deck offer (her ephemeral /study message with Subscribe buttons)", () => {
    it("THEN bob's click on it, or a crafted Subscribe of his own sent to it, is refused and changes nothing", async () => {
      const offer = await study(w.alice, "basics");
      const before = text(offer);
      const forged = await w.emu.click({ user: w.bob, message: offer, label: "Subscribe", forged: true });
      expect(forged.ephemeral).toBe(true);
      expect(answer(forged)).toContain("someone else's");
      const own = idOf(offer, "Subscribe").replace(
        /^sub:[0-9a-z]+:/,
        `sub:${BigInt(w.bob.id).toString(36)}:`,
      );
      const crafted = await w.emu.click({
        user: w.bob,
        message: offer,
        label: "Subscribe",
        forged: true,
        craftedId: own,
      });
      expect(answer(crafted)).toContain("someone else's");
      expect(await subscribed(w.bob.id, "basics")).toBe(false);
      expect(await subscribed(w.alice.id, "basics")).toBe(false);
      expect(text(offer)).toBe(before);
      expect(offer.history).toEqual([]); // never edited
    });

    it("THEN her own click subscribes her with the same words as /deck subscribe, and starts her session", async () => {
      const offer = await study(w.alice, "basics");
      const s = await w.emu.click({ user: w.alice, message: offer, label: "Subscribe" });
      expect(s.message?.id).toBe(offer.id);
      const said = "Subscribed to **Basics**: its cards are now in your `/study`.";
      expect(s.message?.content).toBe(said);
      expect(text(s.message)).toContain("What is 2+2?");
      expect((await subscribeTo(w.bob, "basics")).message?.content).toBe(said);
    });
  });

  describe("GIVEN study messages left open on a card of a deck that is then removed", () => {
    it("THEN neither a rating nor Show answer records anything, and the member is told the card was removed", async () => {
      const secret = await aliceSecrets();
      const question = await study(w.alice, secret.deckId);
      const other = await study(w.alice, secret.deckId);
      const shown = await w.emu.click({ user: w.alice, message: other, label: "Show answer" });
      expect(text(shown.message)).toContain("alice secret answer");
      const ask = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck remove",
        options: { deck: secret.deckId },
      });
      await w.emu.click({ user: w.alice, message: ask.message!, label: "Remove" });

      const rated = await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
      expect(rated.message?.content).toContain("removed");
      const revealed = await w.emu.click({ user: w.alice, message: question, label: "Show answer" });
      expect(revealed.message?.content).toContain("removed");
      expect(text(revealed.message)).not.toContain("alice secret answer");
      expect(await reviewsOf(w.alice.id)).toEqual([]);
      expect(await pointsOf(w.alice.id)).toBe(0);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a crafted id for a card the bot is not showing, sent against the member's own study message", () => {
    it("THEN a card already rated today cannot be rated again for a point (no farming cards that are not due)", async () => {
      await subscribeTo(w.bob, "basics");
      const first = await study(w.bob);
      const shown = await w.emu.click({ user: w.bob, message: first, label: "Show answer" });
      const good = parseStudyId(idOf(shown.message!, "Good"), w.guild.id);
      if (good?.action !== "rate") throw new Error("expected a rating id");
      w.clock.advance(5000);
      const next = await w.emu.click({ user: w.bob, message: shown.message!, label: "Good" });
      expect(await pointsOf(w.bob.id)).toBe(1);
      expect(text(next.message)).toContain("Capital of France?"); // the bot shows card 2 now

      // Card 1 is not due for days; the message has shown card 2 for a minute. Rating card 1 again (its version is
      // now 1) must record nothing, nor may Show answer reveal a card the bot did not pick.
      w.clock.advance(60_000);
      const ids = studyIds(good.session);
      for (const craftedId of [
        ids.rate(good.cardId, 1, good.shownAt, 3),
        ids.show(good.cardId, 1, good.shownAt),
      ]) {
        const r = await w.emu.click({ user: w.bob, message: next.message!, label: "Show answer", craftedId });
        expect(text(r.message)).not.toContain("What is 2+2?");
      }
      expect(await reviewsOf(w.bob.id)).toHaveLength(1);
      expect(await pointsOf(w.bob.id)).toBe(1);
    });
  });
});
