/**
 * Undo through Discord (the emulator): a member rates Again by mistake, clicks Undo, and the database, /stats and
 * /leaderboard are exactly what they were before the click; the same Undo clicked again changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { snapshotTables } from "../helpers/table-snapshot.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
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
            { key: "3", front: "H2O is?", back: "Water" },
          ],
        },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const labels = (m: StoredMessage) =>
    (m.components as { components: { label?: string }[] }[]).flatMap((r) => r.components.map((c) => c.label));
  const undoId = (m: StoredMessage) =>
    (m.components as { components: { label?: string; custom_id: string }[] }[])
      .flatMap((r) => r.components)
      .find((c) => c.label?.includes("Undo"))?.custom_id;

  /** What alice sees in /stats and /leaderboard (their embeds, and the chart's bytes). */
  async function seen() {
    const stats = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "stats" });
    const board = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "leaderboard" });
    return {
      stats: stats.message?.embeds,
      chart: stats.message?.attachments?.map((a) => a.data?.toString("base64")),
      board: board.message?.embeds,
    };
  }

  async function rateShown(m: StoredMessage, grade: string) {
    const shown = await w.emu.click({ user: w.alice, message: m, label: "Show answer" });
    w.clock.advance(3_000);
    return (await w.emu.click({ user: w.alice, message: shown.message!, label: grade })).message!;
  }

  describe("GIVEN a member in a session who rated one card Good", () => {
    it("THEN Again by mistake → Undo: state, log, /stats and the leaderboard are as before; a second Undo changes nothing", async () => {
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "basics" },
      });
      const opened = (await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" }))
        .message!;
      const afterGood = await rateShown(opened, "Good");
      expect(labels(afterGood)).toEqual(["Show answer", "↩ Undo", "Stop"]);
      const before = await snapshotTables(w.bot.deps.db);
      const seenBefore = await seen();

      const afterAgain = await rateShown(afterGood, "Again");
      expect(JSON.stringify(afterAgain.embeds)).not.toContain("Capital of France?");
      const id = undoId(afterAgain);
      expect(id).toBeDefined();
      const undone = await w.emu.click({ user: w.alice, message: afterAgain, customId: id });
      expect(undone.message?.content).toContain("Rating undone");
      expect(JSON.stringify(undone.message?.embeds)).toContain("Capital of France?");
      // The Undo offered now is for the Good before it, the session's first rating.
      expect(undoId(undone.message!)).not.toBe(id);
      expect(await snapshotTables(w.bot.deps.db)).toEqual(before);
      expect(await seen()).toEqual(seenBefore);

      // The same Undo again (a double click, delivered from the message as it was): nothing changes.
      const twice = await w.emu.click({ user: w.alice, message: afterAgain, customId: id, stale: true });
      expect(twice.message?.content ?? twice.messages.at(-1)?.content).toContain("already undone");
      expect(await snapshotTables(w.bot.deps.db)).toEqual(before);
      expect(w.emu.rejections).toEqual([]);
      expect(w.errors.filter((e) => e.level >= 50)).toEqual([]);
    });
  });
});
