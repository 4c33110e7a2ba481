/**
 * A 5,000-card import does not hold up the bot (issue 11, item 20): it is acknowledged first, then runs in
 * slices, so another member's click is answered while it runs. Proven by order, not by a timer: the import's
 * interaction is deferred before anything else, and bob's click is answered before the import's own reply.
 */
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ankiExport } from "../../datagen/deck-files.ts";
import { MAX_CARDS } from "../../src/core/decks/limits.ts";
import { sqlRow } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  beforeAll(async () => {
    w = await startWorld({
      engine,
      decks: [{ id: "french", name: "French Verbs", cards: [{ key: "1", front: "être", back: "to be" }] }],
    });
  });
  afterAll(async () => {
    await w?.stop();
  });

  describe("GIVEN alice imports 5,000 cards while bob studies", () => {
    it("THEN her import is deferred first, bob's click is answered before her import's reply, and the import completes", async () => {
      await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "french" },
      });
      const card = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "study" });
      expect(JSON.stringify(card.message?.embeds)).toContain("être");

      const big = ankiExport(MAX_CARDS);
      const imported = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck import",
        options: { file: { name: "big.txt", contentType: "text/plain", data: Buffer.from(big, "utf8") } },
        until: "ack",
      });
      // Acknowledged with a deferral (type 5), not answered: the work is still to come.
      expect(imported.interaction.firstCallbackType).toBe(5);
      expect(imported.interaction.answeredAt).toBeUndefined();

      const shown = await w.emu.click({ user: w.bob, message: card.message!, label: "Show answer" });
      expect(JSON.stringify(shown.message?.embeds)).toContain("to be");
      // bob was answered while alice's import was still running.
      expect(imported.interaction.answeredAt).toBeUndefined();

      await w.emu.waitFor(() => imported.interaction.answeredAt !== undefined, 60_000);
      const reply = imported.messages.at(-1);
      expect(reply?.embeds[0]?.title).toBe("Imported: Big deck");
      expect(reply?.embeds[0]?.description).toContain(`**${MAX_CARDS}** cards`);
      expect(
        await sqlRow(
          w.bot.deps.db,
          sql`SELECT count(*) AS n FROM cards c JOIN decks d ON d.id = c.deck_id WHERE d.owner_id = ${w.alice.id}`,
        ),
      ).toEqual({ n: MAX_CARDS });
      expect(w.emu.rejections).toEqual([]);
    }, 90_000);
  });
});
