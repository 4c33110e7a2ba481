import { count } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { once } from "../../src/db/prepared.ts";
import { reviewLogs } from "../../src/db/schema.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  // Both sides at the deck limit (1,500 chars each): together over Discord's 2,000-char content limit.
  const LONG = `${"A very long answer. ".repeat(74)}END`.padEnd(1500, "!");
  const LONG_Q = `${"Long question? ".repeat(99)}`.padEnd(1500, "?");

  // Each test gets its own world (bot, emulator, database), so any one runs alone.
  beforeEach(async () => {
    w = await startWorld({
      engine,
      decks: [
        {
          id: "safety",
          name: "Safety",
          cards: [
            {
              key: "1",
              front: "Ping test @everyone @here <@&1234567890123> <@1300000000000000042>",
              back: "@everyone <@!99>",
            },
            { key: "2", front: LONG_Q, back: LONG },
            { key: "3", front: "Third", back: "three" },
            { key: "4", front: "Fourth", back: "four" },
          ],
        },
      ],
    });
    for (const user of [w.alice, w.bob])
      await w.emu.runCommand({
        user,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "safety" },
      });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);
  const logCount = async () =>
    (await once(w.bot.deps.db, (b) => b.select({ n: count() }).from(reviewLogs).prepare()).get())?.n ?? 0;

  describe("GIVEN card text full of mentions and an over-long answer", () => {
    it("THEN nobody is pinged and a maximum-size card is accepted by Discord", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      expect(text(r.message)).toContain("@everyone");
      expect(r.message?.pings).toEqual([]);
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      expect(text(shown.message)).toContain("<@!99>");
      expect(shown.message?.pings).toEqual([]);
      await w.emu.click({ user: w.alice, message: shown.message!, label: "Easy" });
      const long = await w.emu.click({ user: w.alice, message: shown.message!, label: "Show answer" });
      expect(LONG.length + LONG_Q.length).toBe(3000);
      expect(text(long.message)).toContain(LONG);
      expect(text(long.message)).toContain(LONG_Q);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a rating button clicked twice at once", () => {
    it("THEN one review is recorded and the other click answers 'already rated'", async () => {
      const r = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "study" });
      const shown = await w.emu.click({ user: w.bob, message: r.message!, label: "Show answer" });
      const good = shown.message!.components;
      const before = await logCount();
      const customId = (good as { components: { label: string; custom_id: string }[] }[])[0]!.components.find(
        (c) => c.label.startsWith("Good"),
      )!.custom_id;
      const [a, b] = await Promise.all([
        w.emu.click({ user: w.bob, message: shown.message!, customId }),
        w.emu.click({ user: w.bob, message: shown.message!, customId }),
      ]);
      expect(await logCount()).toBe(before + 1);
      // Both clicks were answered by editing the same message; exactly one of the two edits says "already rated".
      expect(a.message?.id).toBe(b.message?.id);
      const m = a.message!;
      const edits = [...m.history.slice(-1), m].map((v) => v.content ?? ""); // history holds replaced versions
      expect(edits.filter((c) => c.includes("already rated"))).toHaveLength(1);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a study message from before a bot restart", () => {
    it("THEN its buttons still work on the new process (stateless custom_ids, same DB file)", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      const before = await logCount();
      await w.restart();
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      expect(shown.message?.id).toBe(r.message?.id);
      await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
      expect(await logCount()).toBe(before + 1);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a member's rating button seen on a stale view", () => {
    it("THEN the old button records nothing and answers 'already rated' with the next card", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      const before = await logCount();
      await w.emu.click({ user: w.alice, message: shown.message!, label: "Hard" });
      expect(await logCount()).toBe(before + 1);
      const stale = await w.emu.click({ user: w.alice, message: shown.message!, label: "Hard", stale: true });
      expect(await logCount()).toBe(before + 1);
      expect(stale.message?.content).toContain("already rated");
      // The notice belongs to that one answer: the next edit of the message clears it.
      const next = await w.emu.click({ user: w.alice, message: stale.message!, label: "Show answer" });
      expect(next.message?.content ?? "").toBe("");
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN another member's study message", () => {
    it("THEN Discord does not let them click it, and a forged click is refused without touching anyone's schedule", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      await expect(w.emu.click({ user: w.bob, message: r.message!, label: "Show answer" })).rejects.toThrow(
        /ephemeral/,
      );
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      const before = await logCount();
      const forged = await w.emu.click({ user: w.bob, message: shown.message!, label: "Easy", forged: true });
      expect(forged.ephemeral).toBe(true);
      expect(forged.messages.at(-1)?.content ?? forged.message?.content).toContain("someone else's review");
      expect(await logCount()).toBe(before);
      // Alice's message is untouched: still showing her answer with the rating buttons.
      expect(JSON.stringify(shown.message?.components)).toContain("Easy");
    });
  });
});
