/**
 * `/settings memory` through Discord (the emulator): too few reviews get "not yet" and change nothing; a member
 * with a history gets a fit with before/after figures, `show` names the fitted weights, the next card's buttons
 * are ts-fsrs's with them, /stats draws the calibration, and `reset` goes back to the defaults.
 */
import { eq, sql } from "drizzle-orm";
import { fsrs, generatorParameters } from "ts-fsrs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mulberry32 } from "../../datagen/rng.ts";
import { learnerWeights, simulateLearner } from "../../datagen/simulated-learner.ts";
import { formatInterval, GRADE_NAMES, GRADES, parseWeights } from "../../src/core/scheduling.ts";
import { getState, rowToCard } from "../../src/db/card-states.ts";
import { once } from "../../src/db/prepared.ts";
import { writeReview } from "../../src/db/reviews.ts";
import { cards, userSettings } from "../../src/db/schema.ts";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { CHART } from "../../src/render/chart.ts";
import { decideWith } from "../../src/services/study.ts";
import { sqlRow } from "../helpers/sql-template.ts";
import { pngSize } from "../leaderboard/png.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const DAY = 86_400_000;
const START = "2026-03-02T08:00:00Z";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;

  beforeEach(async () => {
    w = await startWorld({
      engine,
      start: START,
      decks: [
        {
          id: "deck",
          name: "Deck",
          cards: Array.from({ length: 60 }, (_, k) => ({
            key: String(k + 1),
            front: `front ${k + 1}`,
            back: `back ${k + 1}`,
          })),
        },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const run = (command: string, options?: Record<string, string | number | boolean>) =>
    w.emu.runCommand({ user: w.alice, channel: w.channel, command, ...(options && { options }) });
  const embedText = (m: StoredMessage | undefined) => JSON.stringify(m?.embeds ?? []);

  /** A learner who forgets faster than the defaults assume: 100 days of reviews, written as the bot writes them. */
  async function history() {
    const deps = w.bot.deps;
    const ids = (
      await once(deps.db, (b) =>
        b.select({ id: cards.id }).from(cards).orderBy(cards.position).prepare(),
      ).all()
    ).map((c) => c.id);
    const truth = learnerWeights(mulberry32(11), 0).map((x, k) => (k < 4 ? x / 3 : x));
    const from = Date.parse(START) - 101 * DAY;
    for (const r of simulateLearner(truth, { seed: 11, cards: 60, newPerDay: 3, days: 100, start: from })) {
      const grade = r.rating as 1 | 2 | 3 | 4;
      await writeReview(
        deps.db,
        {
          userId: w.alice.id,
          guildId: w.guild.id,
          cardId: ids[r.cardId - 1] ?? 0,
          grade,
          source: "study",
          shownAt: r.at,
          version: null,
        },
        new Date(r.at),
        decideWith(deps, grade),
      );
    }
  }

  it("GIVEN a member with a few reviews THEN optimize says not yet and how many more, and nothing changes", async () => {
    await run("deck subscribe", { deck: "deck" });
    const r = await run("settings memory optimize");
    expect(r.ephemeral).toBe(true);
    expect(r.message?.content).toMatch(/^Not yet: 64 more reviews first\./);
    expect(embedText((await run("settings memory show")).message)).toContain("FSRS's defaults");
    const on = await run("settings memory monthly", { enabled: true });
    expect(on.message?.content).toMatch(/^I will re-fit your memory model once a month/);
    expect(embedText(on.message)).toContain('"name":"Monthly re-fit","value":"on"');
    const off = await run("settings memory monthly", { enabled: false });
    expect(off.message?.content).toBe("No more monthly re-fits.");
    expect(embedText(off.message)).toContain('"name":"Monthly re-fit","value":"off"');
  });

  it("GIVEN 100 days of reviews THEN optimize fits and applies, show names it, the buttons use it, /stats draws it, reset undoes it", async () => {
    await run("deck subscribe", { deck: "deck" });
    await run("settings scheduling", { learning_steps: "none", relearning_steps: "none" });
    await history();

    const r = await run("settings memory optimize");
    expect(r.message?.content).toMatch(/^Your memory model is fitted to you, from \d+ reviews/);
    const fields = embedText(r.message);
    expect(fields).toContain("Log loss");
    expect(fields).toContain("RMSE (bins)");
    const shown = await run("settings memory show");
    expect(embedText(shown.message)).toMatch(/fitted to you from \d+ reviews on <t:\d+:D>/);
    expect(embedText(shown.message)).toContain("applied");

    const stored = await sqlRow<{ w: string }>(
      w.bot.deps.db,
      sql`SELECT fsrs_weights AS w FROM user_settings WHERE user_id = ${w.alice.id}`,
    );
    const weights = parseWeights(stored?.w ?? null);
    expect(weights).toHaveLength(21);

    // The next due card's buttons: ts-fsrs with the fitted weights.
    const q = (await run("study")).message!;
    const a = await w.emu.click({ user: w.alice, message: q, label: "Show answer" });
    const labels = (a.message!.components as { components: { label?: string }[] }[])[0]!.components.map(
      (c) => c.label,
    );
    const front = String((q.embeds?.[0] as { description?: string } | undefined)?.description).match(
      /front \d+/,
    )?.[0];
    const card = await once(w.bot.deps.db, (b) =>
      b
        .select({ id: cards.id })
        .from(cards)
        .where(eq(cards.front, front ?? ""))
        .prepare(),
    ).get();
    const state = await getState(w.bot.deps.db, w.alice.id, card?.id ?? 0);
    if (!state) throw new Error("the shown card has no state");
    const now = w.clock.now();
    const expectWith = (ws: readonly number[] | null) => {
      const f = fsrs(
        generatorParameters({
          enable_fuzz: false,
          learning_steps: [],
          relearning_steps: [],
          ...(ws && { w: [...ws] }),
        }),
      );
      const c = rowToCard(state);
      const p = f.repeat(c, now);
      return GRADES.map(
        (g) => `${GRADE_NAMES[g]} · ${formatInterval(p[g].card.due.getTime() - now.getTime())}`,
      );
    };
    expect(labels).toEqual(expectWith(weights));

    const stats = await run("stats");
    const png = stats.message?.attachments[0];
    expect(png && pngSize(png.data)).toEqual({ width: CHART.width, height: CHART.height });

    const reset = await run("settings memory reset");
    expect(reset.message?.content).toBe("Back to FSRS's default weights, from your next card on.");
    const after = await once(w.bot.deps.db, (b) =>
      b
        .select({ w: userSettings.fsrsWeights })
        .from(userSettings)
        .where(eq(userSettings.userId, w.alice.id))
        .prepare(),
    ).get();
    expect(after?.w).toBeNull();
    expect(w.emu.rejections).toEqual([]);
  }, 60_000);
});
