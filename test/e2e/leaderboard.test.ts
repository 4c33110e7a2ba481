import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage, UserHandle } from "../../src/emulator/index.ts";
import { CHART } from "../../src/render/chart.ts";
import { pngSize } from "../leaderboard/png.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  /**
   * Two members study different amounts over four days through the real bot; the board must order them right for
   * every period and metric. bob: 8 + 8 + 6 (2 Again) reviews on days 0-2 and 1 today (a 4-day streak);
   * alice: 21 today, 7 of them Again. carol studies a little today, then hides.
   *
   * The four days take a while to study, and the boards and /stats only read them: those tests share one world
   * with the four days (built on the first that runs, so any one runs alone). The test where carol hides changes
   * what the others read, so it studies the four days in a world of its own.
   */
  let w: World;
  let carol: UserHandle;
  const DAY = 86_400_000;

  /** A new world in which the four days above were studied; sets `w` and `carol`. */
  async function fourDays() {
    w = await startWorld({
      engine,
      start: "2026-03-02T10:00:00Z",
      decks: [
        {
          id: "basics",
          name: "Basics",
          cards: Array.from({ length: 40 }, (_, k) => ({
            key: String(k + 1),
            front: `Q${k + 1}`,
            back: `A${k + 1}`,
          })),
        },
      ],
    });
    carol = w.emu.addUser({ name: "carol", guildId: w.guild.id });
    for (const user of [w.alice, w.bob, carol])
      await w.emu.runCommand({
        user,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "basics" },
      });

    await study(w.bob, "GGGGGGGG");
    w.clock.advance(DAY);
    await study(w.bob, "GGGGGGGG");
    w.clock.advance(DAY);
    await study(w.bob, "GGAGAG");
    w.clock.advance(DAY);
    await study(w.alice, "GAGAGAGAGAGAGAGGGGGGG");
    await study(w.bob, "G");
    await study(carol, "GG");
    return { w, carol };
  }

  /** The four days, studied once for the tests that only read them. */
  let shared: Promise<{ w: World; carol: UserHandle }> | undefined;
  const readOnly = async () => {
    shared ??= fourDays();
    ({ w, carol } = await shared);
  };
  afterAll(async () => {
    await (await shared)?.w.stop();
  });

  /** Rates cards in one /study session: G = Good, A = Again; each answer takes 3 s (so it earns its point). */
  async function study(user: UserHandle, grades: string) {
    const r = await w.emu.runCommand({ user, channel: w.channel, command: "study" });
    let msg = r.message!;
    for (const g of grades) {
      const shown = await w.emu.click({ user, message: msg, label: "Show answer" });
      w.clock.advance(3000);
      const rated = await w.emu.click({ user, message: shown.message!, label: g === "A" ? "Again" : "Good" });
      msg = rated.message!;
    }
  }

  async function board(period: string, metric: string, user: UserHandle = w.alice) {
    const r = await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "leaderboard",
      options: { period, metric },
    });
    return r.message!;
  }

  /** The board lines as "name:figure" in order, names resolved from the mentions. */
  function lines(m: StoredMessage): string[] {
    const names: Record<string, string> = { [w.alice.id]: "alice", [w.bob.id]: "bob", [carol.id]: "carol" };
    return m.content
      .split("\n")
      .map((l) => /^(\S+) <@(\d+)> — (.+)$/.exec(l))
      .filter((x): x is RegExpExecArray => x !== null)
      .map((x) => `${x[1]} ${names[x[2] ?? ""] ?? x[2]}: ${x[3]}`);
  }

  describe("GIVEN two members who studied different amounts on different days", () => {
    beforeEach(readOnly, 60_000);
    it("THEN the reviews board orders them per period: today alice, over the week, month and all time bob", async () => {
      expect(lines(await board("today", "reviews"))).toEqual([
        "🥇 alice: 21 reviews",
        "🥈 carol: 2 reviews",
        "🥉 bob: 1 review",
      ]);
      for (const period of ["week", "month", "all"])
        expect(lines(await board(period, "reviews"))).toEqual([
          "🥇 bob: 23 reviews",
          "🥈 alice: 21 reviews",
          "🥉 carol: 2 reviews",
        ]);
    });

    it("THEN points follow (one per review of a second or more, no streak bonus before 7 days)", async () => {
      expect(lines(await board("today", "points"))).toEqual([
        "🥇 alice: 21 pts",
        "🥈 carol: 2 pts",
        "🥉 bob: 1 pt",
      ]);
      expect(lines(await board("week", "points"))).toEqual([
        "🥇 bob: 23 pts",
        "🥈 alice: 21 pts",
        "🥉 carol: 2 pts",
      ]);
    });

    it("THEN streaks rank bob's four days first, current and all-time", async () => {
      for (const period of ["week", "all"]) {
        const l = lines(await board(period, "streak"));
        expect(l[0]).toBe("🥇 bob: 4 days");
        expect(l.slice(1).sort()).toEqual(["🥈 alice: 1 day", "🥈 carol: 1 day"]); // a tie shares the rank
      }
    });

    it("THEN accuracy ranks only members with 20 reviews in the period, tells the others how many they have", async () => {
      expect(lines(await board("today", "accuracy"))).toEqual(["🥇 alice: 66.7% · 21 reviews"]);
      expect(lines(await board("week", "accuracy"))).toEqual([
        "🥇 bob: 91.3% · 23 reviews",
        "🥈 alice: 66.7% · 21 reviews",
      ]);
      const mine = await board("today", "accuracy", w.bob);
      expect(mine.content).toContain(
        `<@${w.bob.id}> needs 20 reviews in this period to be ranked by accuracy (has 1)`,
      );
    });

    it("THEN the board is public, names are mentions, and nobody is pinged", async () => {
      const r = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "leaderboard" });
      expect(r.ephemeral).toBe(false);
      expect(r.message?.content).toContain("Points · last 7 days");
      // A public message: the standing line names whose it is, and that mention pings nobody either.
      expect(r.message?.content).toContain(`<@${w.bob.id}>'s rank: **#1** of 3 · 23 pts`);
      expect(r.message?.content).not.toContain("You");
      expect(r.message?.pings).toEqual([]);
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN /stats", () => {
    beforeEach(readOnly, 60_000);
    it("THEN it answers with the figures and a PNG chart that decodes, at the promised size, under 200 KB", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "stats" });
      expect(r.ephemeral).toBe(true);
      const m = r.message!;
      const embed = JSON.stringify(m.embeds);
      expect(embed).toContain("Today **21**");
      expect(embed).toContain("attachment://stats.png");
      expect(m.attachments).toHaveLength(1);
      const png = m.attachments[0]!;
      expect(png.filename).toBe("stats.png");
      expect(pngSize(png.data)).toEqual({ width: CHART.width, height: CHART.height });
      expect(png.size).toBe(png.data.length);
      expect(png.size).toBeLessThanOrEqual(200 * 1024);
      expect(w.emu.rejections).toEqual([]);
    });

    it("THEN another visible member's stats are shown, with their streak", async () => {
      const r = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "stats",
        options: { member: w.bob },
      });
      const embed = JSON.stringify(r.message?.embeds);
      expect(embed).toContain(`<@${w.bob.id}>`);
      expect(embed).toContain("Current **4 days**");
      expect(embed).toContain("7 days **23**");
      expect(r.message?.attachments[0]?.filename).toBe("stats.png");
    });
  });

  describe("GIVEN the same four days, in a world where carol then hides", () => {
    beforeEach(fourDays, 60_000);
    afterEach(async () => {
      await w?.stop();
    });

    it("THEN a member who hides disappears from the boards and from others' /stats", async () => {
      await w.emu.runCommand({
        user: carol,
        channel: w.channel,
        command: "settings leaderboard",
        options: { visible: false },
      });
      const l = lines(await board("today", "reviews"));
      expect(l.join()).not.toContain("carol");
      expect(l).toEqual(["🥇 alice: 21 reviews", "🥈 bob: 1 review"]);
      expect((await board("today", "reviews", carol)).content).toContain(`<@${carol.id}> is hidden`);
      const s = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "stats",
        options: { member: carol },
      });
      expect(s.ephemeral).toBe(true);
      expect(s.message?.content).toContain("keeps their stats private");
      expect(s.message?.attachments).toEqual([]);
    });
  });

  describe("GIVEN a slow /stats (the router defers before the chart is ready)", () => {
    it("THEN the deferred answer is edited in with the chart attached", async () => {
      const slow = await startWorld({
        engine,
        deferAfterMs: 1,
        decks: [{ id: "d", name: "D", cards: [{ key: "1", front: "q", back: "a" }] }],
      });
      try {
        const r = await slow.emu.runCommand({ user: slow.alice, channel: slow.channel, command: "stats" });
        expect(r.interaction.deferred).toBe(true);
        expect(r.ephemeral).toBe(true);
        const png = r.message?.attachments[0];
        expect(png?.filename).toBe("stats.png");
        expect(pngSize(png!.data)).toEqual({ width: CHART.width, height: CHART.height });
        expect(slow.emu.rejections).toEqual([]);
      } finally {
        await slow.stop();
      }
    });
  });
});
