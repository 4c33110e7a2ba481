/**
 * `/settings scheduling` through Discord (the emulator): the same card's buttons at desired retention 0.80 and
 * 0.95 show exactly the intervals ts-fsrs computes with those settings; bad steps are refused and change nothing.
 */
import { sql } from "drizzle-orm";
import { fsrs, generatorParameters } from "ts-fsrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { formatInterval, GRADE_NAMES, GRADES } from "../../src/core/scheduling.ts";
import { rowToCard } from "../../src/db/card-states.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;

  beforeEach(async () => {
    w = await startWorld({
      engine,
      start: "2026-03-02T08:00:00Z",
      decks: [{ id: "basics", name: "Basics", cards: [{ key: "1", front: "What is 2+2?", back: "4" }] }],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const labels = (m: StoredMessage) =>
    (m.components as { components: { label?: string }[] }[]).flatMap((r) => r.components.map((c) => c.label));
  const run = (command: string, options?: Record<string, string | number | boolean>) =>
    w.emu.runCommand({ user: w.alice, channel: w.channel, command, ...(options && { options }) });

  /** The answer view's grade labels for the one card, from a fresh /study. */
  async function gradeLabels(): Promise<string[]> {
    const q = (await run("study")).message!;
    const a = await w.emu.click({ user: w.alice, message: q, label: "Show answer" });
    return labels(a.message!).slice(0, 4) as string[];
  }

  /** What ts-fsrs shows for the stored state at `retention` (no fuzz: the test bot runs without it). */
  async function expected(retention: number): Promise<string[]> {
    const row = await sqlRow<Record<string, unknown>>(
      w.bot.deps.db,
      sql`SELECT * FROM card_states WHERE user_id = ${w.alice.id}`,
    );
    if (!row) throw new Error("no state");
    const card = rowToCard({
      userId: w.alice.id,
      cardId: Number(row.card_id),
      deckId: String(row.deck_id),
      due: new Date(Number(row.due)),
      stability: Number(row.stability),
      difficulty: Number(row.difficulty),
      elapsedDays: Number(row.elapsed_days),
      scheduledDays: Number(row.scheduled_days),
      learningSteps: Number(row.learning_steps),
      reps: Number(row.reps),
      lapses: Number(row.lapses),
      state: Number(row.state),
      lastReview: row.last_review === null ? null : new Date(Number(row.last_review)),
    });
    const now = w.clock.now();
    const preview = fsrs(generatorParameters({ enable_fuzz: false, request_retention: retention })).repeat(
      card,
      now,
    );
    return GRADES.map(
      (g) => `${GRADE_NAMES[g]} · ${formatInterval(preview[g].card.due.getTime() - now.getTime())}`,
    );
  }

  describe("GIVEN a card in review, due again", () => {
    it("THEN at retention 0.80 and 0.95 its buttons show what ts-fsrs computes with each, and the reply says the workload", async () => {
      await run("deck subscribe", { deck: "basics" });
      const q = (await run("study")).message!;
      const a = await w.emu.click({ user: w.alice, message: q, label: "Show answer" });
      await w.emu.click({ user: w.alice, message: a.message!, label: "Easy" });
      w.clock.advance(20 * 86_400_000);

      const low = await run("settings scheduling", { retention: 0.8 });
      expect(low.message?.content).toMatch(
        /Desired retention is now 80%: about [\d.]+ reviews a day at your current 1 card in review/,
      );
      const at80 = await gradeLabels();
      expect(at80).toEqual(await expected(0.8));

      await run("settings scheduling", { retention: 0.95 });
      const at95 = await gradeLabels();
      expect(at95).toEqual(await expected(0.95));
      // Higher retention, shorter intervals: Good comes back sooner at 0.95.
      expect(at95[2]).not.toBe(at80[2]);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN steps that are not steps", () => {
    it("THEN the reply says how to write them and nothing changes", async () => {
      const bad = await run("settings scheduling", { learning_steps: "1 minute then 10" });
      expect(bad.ephemeral).toBe(true);
      expect(bad.message?.content).toContain("is not a list of steps");
      const shown = await run("settings show");
      expect(JSON.stringify(shown.message?.embeds)).toContain('"Learning steps","value":"1m 10m"');
      const ok = await run("settings scheduling", { learning_steps: "10m 1h 1d", relearning_steps: "none" });
      expect(JSON.stringify(ok.message?.embeds)).toContain('"Learning steps","value":"10m 1h 1d"');
      expect(JSON.stringify(ok.message?.embeds)).toContain('"Relearning steps","value":"none"');
    });
  });
});
