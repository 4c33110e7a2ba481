/**
 * `/settings reviews` and `/settings newcards deck:` through Discord (the emulator): the review limit holds due
 * cards back and the summary says until when; a deck's own new-card limit, offered by autocomplete, is set, shown,
 * used by /study and cleared; bad input is refused and changes nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const cards = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, k) => ({
    key: String(k + 1),
    front: `${prefix} q${k + 1}`,
    back: `a${k + 1}`,
  }));

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;

  beforeEach(async () => {
    w = await startWorld({
      engine,
      start: "2026-03-02T08:00:00Z",
      decks: [
        { id: "alpha", name: "Alpha", cards: cards("alpha", 3) },
        { id: "beta", name: "Beta", cards: cards("beta", 3) },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const run = (command: string, options?: Record<string, string | number | boolean>) =>
    w.emu.runCommand({ user: w.alice, channel: w.channel, command, ...(options && { options }) });
  const embedText = (m: StoredMessage | undefined) => JSON.stringify(m?.embeds ?? []);

  /** Answers every card /study offers with Easy; returns the fronts in the order they came, and the last view. */
  async function studyAll(
    options?: Record<string, string>,
  ): Promise<{ fronts: string[]; last: StoredMessage }> {
    let m = (await run("study", options)).message!;
    const fronts: string[] = [];
    while (JSON.stringify(m.components ?? []).includes("Show answer")) {
      fronts.push(String((m.embeds?.[0] as { description?: string } | undefined)?.description ?? ""));
      const a = await w.emu.click({ user: w.alice, message: m, label: "Show answer" });
      m = (await w.emu.click({ user: w.alice, message: a.message!, label: "Easy" })).message!;
    }
    return { fronts, last: m };
  }

  describe("GIVEN six cards in review, due, and /settings reviews per_day:2", () => {
    it("THEN /study shows 2, and the summary says 4 wait until the next study day", async () => {
      await run("deck subscribe", { deck: "alpha" });
      await run("deck subscribe", { deck: "beta" });
      expect((await studyAll()).fronts).toHaveLength(6);
      w.clock.advance(90 * 86_400_000);

      const set = await run("settings reviews", { per_day: 2 });
      expect(set.message?.content).toContain("You will do up to 2 reviews per day");
      expect(embedText(set.message)).toContain('"Reviews per day","value":"2"');

      const { fronts, last } = await studyAll();
      expect(fronts).toHaveLength(2);
      expect(embedText(last)).toContain(
        "You did today's 2 reviews (your daily limit): 4 more due cards wait.",
      );
      expect(embedText(last)).toContain("/settings reviews");
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN /settings newcards per_day:1 and beta's own limit of 2, picked by autocomplete", () => {
    it("THEN /study starts 1 alpha and 2 beta cards; clearing beta's limit makes it share the 1 again", async () => {
      await run("deck subscribe", { deck: "alpha" });
      await run("deck subscribe", { deck: "beta" });
      await run("settings newcards", { per_day: 1 });
      const choices = await w.emu.autocomplete({
        user: w.alice,
        channel: w.channel,
        command: "settings newcards",
        options: { deck: "bet" },
        focused: "deck",
      });
      expect(choices).toEqual([{ name: "Beta (beta)", value: "beta" }]);

      const set = await run("settings newcards", { deck: String(choices[0]?.value), per_day: 2 });
      expect(set.message?.content).toBe(
        "**Beta** starts up to 2 new cards per day of its own, outside your global limit.",
      );
      expect(embedText(set.message)).toContain('"New cards per day","value":"1 (Beta: 2)"');

      const { fronts, last } = await studyAll();
      expect(fronts.map((f) => f.match(/(alpha|beta) q\d/)?.[0])).toEqual(["alpha q1", "beta q1", "beta q2"]);
      expect(embedText(last)).toContain("You started today's 3 new cards (your daily limit)");

      const cleared = await run("settings newcards", { deck: "beta" });
      expect(cleared.message?.content).toBe("**Beta** shares your global limit again (1 new card per day).");
      expect(embedText(cleared.message)).toContain('"New cards per day","value":"1"');
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN bad input", () => {
    it("THEN each is refused with what to do, and the settings stay as they were", async () => {
      const before = embedText((await run("settings show")).message);
      const neither = await run("settings newcards");
      expect(neither.ephemeral).toBe(true);
      expect(neither.message?.content).toContain("Give `per_day`");
      const notStudied = await run("settings newcards", { deck: "beta", per_day: 5 });
      expect(notStudied.message?.content).toBe(
        "You do not study `beta`: `/deck subscribe` first, then give it a limit of its own.",
      );
      const unknown = await run("settings newcards", { deck: "@everyone", per_day: 5 });
      expect(unknown.message?.content).toContain("There is no deck `@everyone` here.");
      expect(unknown.message?.allowed_mentions).toEqual({ parse: [] });
      expect(embedText((await run("settings show")).message)).toBe(before);
    });
  });
});
