/**
 * `/settings rating style:confidence` through Discord (the emulator): five buttons 1–5, each labelled with the
 * interval of the FSRS grade it maps to, each recorded as that grade (core/rating-styles.ts).
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIDENCE_LEVELS } from "../../src/core/rating-styles.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRows } from "../helpers/sql-template.ts";
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
          cards: Array.from({ length: 5 }, (_, k) => ({
            key: String(k + 1),
            front: `Q${k + 1}?`,
            back: `A${k + 1}`,
          })),
        },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const labels = (m: StoredMessage) =>
    (m.components as { components: { label?: string }[] }[]).flatMap((r) =>
      r.components.map((c) => c.label ?? ""),
    );

  describe("GIVEN a member who rates by confidence", () => {
    it("THEN the answer has five buttons with their intervals, and each is recorded as its mapped grade", async () => {
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "basics" },
      });
      const set = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "settings rating",
        options: { style: "confidence" },
      });
      expect(set.message?.content).toContain("1–2 relearn the card");
      let m = (await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" })).message!;
      for (const { level } of CONFIDENCE_LEVELS) {
        const shown = (await w.emu.click({ user: w.alice, message: m, label: "Show answer" })).message!;
        const grades = labels(shown).slice(0, 5);
        // New cards: 1 and 2 (Again) the first learning step, 3 (Hard) longer, 4 (Good) the next step, 5 (Easy) days.
        expect(grades).toEqual([
          "1 Not at all · 1m",
          "2 · 1m",
          expect.stringMatching(/^3 · \d+m$/),
          "4 · 10m",
          expect.stringMatching(/^5 Perfectly · \d+d$/),
        ]);
        w.clock.advance(2_000);
        m = (await w.emu.click({ user: w.alice, message: shown, label: `${level}` })).message!;
      }
      const ratings = await sqlRows<{ rating: number }>(
        w.bot.deps.db,
        sql`SELECT rating FROM review_logs WHERE user_id = ${w.alice.id} ORDER BY id`,
      );
      expect(ratings.map((r) => Number(r.rating))).toEqual(CONFIDENCE_LEVELS.map((c) => c.grade));
      expect(w.emu.rejections).toEqual([]);
    });
  });
});
