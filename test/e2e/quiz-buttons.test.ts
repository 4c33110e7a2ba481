/**
 * Quiz answer buttons against crafted clicks: the id names a post, but the bot edits the message the click came
 * from. A modified client sends one post's answer id against another message of the bot (yesterday's post, or
 * today's with yesterday's id); that must be refused, recording nothing and editing nothing. Each test gets its
 * own world with the two posts, so any one runs alone.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { quizIds } from "../../src/render/quiz-ids.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  let yesterday: StoredMessage;
  let today: StoredMessage;
  let postIds: number[] = [];

  const db = () => w.bot.deps.db;
  const text = (m: StoredMessage) => JSON.stringify([m.content, m.embeds, m.components]);
  const answers = () =>
    sqlRows(db(), sql`SELECT post_id, user_id FROM quiz_answers ORDER BY post_id, user_id`);
  const posts = () =>
    w.emu
      .messages(w.channel.id)
      .filter((m) => m.visibleTo === "everyone" && m.embeds[0]?.title?.startsWith("Daily quiz ·"));

  beforeEach(async () => {
    w = await startWorld({
      engine,
      start: "2026-01-15T06:00:00Z",
      decks: [
        {
          id: "capitals",
          name: "Capitals",
          cards: [
            ["Capital of France?", "Paris"],
            ["Capital of Germany?", "Berlin"],
            ["Capital of Italy?", "Rome"],
            ["Capital of Spain?", "Madrid"],
            ["Capital of Austria?", "Vienna"],
          ].map(([front, back], k) => ({ key: String(k + 1), front: front ?? "", back: back ?? "" })),
        },
      ],
    });
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
    });
    for (const day of ["2026-01-15T08:00:00Z", "2026-01-16T08:00:00Z"]) {
      w.clock.set(new Date(day));
      await w.bot.tick();
    }
    [yesterday, today] = posts() as [StoredMessage, StoredMessage];
    postIds = (await sqlRows<{ id: number }>(db(), sql`SELECT id FROM quiz_posts ORDER BY id`)).map(
      (p) => p.id,
    );
    expect(postIds).toHaveLength(2);
  });
  afterEach(async () => {
    await w?.stop();
  });

  describe("GIVEN yesterday's closed quiz post and today's open one", () => {
    it("WHEN bob sends yesterday's answer id against today's post THEN refused: today's post is not replaced by yesterday's", async () => {
      const before = text(today);
      const edits = today.history.length;
      const r = await w.emu.click({
        user: w.bob,
        message: today,
        label: "A",
        craftedId: quizIds.answer(postIds[0] ?? 0, 0),
      });
      expect(r.ephemeral).toBe(true);
      expect(JSON.stringify(r.messages.at(-1) ?? r.message)).toContain("not on this message");
      expect(text(today)).toBe(before);
      expect(today.history).toHaveLength(edits);
      expect(await answers()).toEqual([]);
    });

    it("WHEN bob sends today's answer id against yesterday's post THEN refused: yesterday's post keeps its answer, nothing is recorded", async () => {
      const before = text(yesterday);
      const edits = yesterday.history.length;
      const r = await w.emu.click({
        user: w.bob,
        message: yesterday,
        label: "Start my review",
        craftedId: quizIds.answer(postIds[1] ?? 0, 0),
      });
      expect(r.ephemeral).toBe(true);
      expect(JSON.stringify(r.messages.at(-1) ?? r.message)).toContain("not on this message");
      expect(text(yesterday)).toBe(before);
      expect(yesterday.history).toHaveLength(edits);
      expect(await answers()).toEqual([]);
    });

    it("WHEN bob answers on today's post itself THEN it is recorded and the post's tally updates", async () => {
      const r = await w.emu.click({ user: w.bob, message: today, label: "A" });
      expect(r.message?.id).toBe(today.id);
      expect(today.embeds[0]?.footer?.text).toMatch(/^1 answered/);
      expect(await answers()).toEqual([{ post_id: postIds[1], user_id: w.bob.id }]);
    });
  });
});
