/**
 * The daily quiz's "at most one post per server per local date" and its catch-up and failure rules, end to end:
 * restarts, two bots on one database, downtime over quiz time, a channel that loses permission or is deleted.
 *
 * Sequential on purpose: the subject is a run of days (2 to 8 March) on one database, where each day's post, skip
 * or failure is judged against the days before it (a restart must not post a day twice, a day missed stays
 * missed). Each test is a step of that story (harness.ts `story()`): run alone, it first replays the days
 * before it.
 */
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { Bot } from "../../src/bot.ts";
import type { ChannelHandle, GuildHandle } from "../../src/emulator/index.ts";
import { quizStatus, setupQuiz } from "../../src/services/quiz/config.ts";
import { E2E_ENGINES, startWorld, story, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  let g2: GuildHandle;
  let ch2: ChannelHandle;

  const at = (iso: string) => w.clock.set(new Date(iso));
  const titles = (channelId: string) =>
    w.emu
      .messages(channelId)
      .filter((m) => !m.deleted && m.visibleTo === "everyone")
      .map((m) => String(m.embeds[0]?.title ?? "").replace("Daily quiz · ", ""));

  beforeAll(async () => {
    w = await startWorld({
      engine,
      start: "2026-03-02T06:00:00Z", // Monday 07:00 in Berlin
      decks: [
        {
          id: "d",
          name: "D",
          cards: ["one", "two", "three", "four", "five"].map((back, k) => ({
            key: String(k + 1),
            front: `Card ${k + 1}?`,
            back,
          })),
        },
      ],
    });
    const r = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "quiz setup",
      options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
    });
    expect(r.message?.content).toContain("every day at **09:00** Europe/Berlin");
    // A second server, set up directly: its failures and successes must not touch the first one's.
    g2 = w.emu.addGuild({ name: "Other Group" });
    ch2 = w.emu.addChannel(g2.id, { name: "quiz" });
    await setupQuiz(w.bot.deps, g2.id, { channelId: ch2.id, time: "09:00", timezone: "Europe/Berlin" });
  });
  afterAll(async () => {
    await w?.stop();
  });

  describe.sequential("GIVEN both servers' quiz at 09:00 Berlin", () => {
    // The story's `it`: each test is a step; run alone, it first replays the steps before it.
    const { it } = story();

    it("THEN a restart at quiz time posts once; another restart + tick the same day posts nothing more", async () => {
      at("2026-03-02T08:00:00Z");
      await w.restart(); // start() runs the catch-up tick
      expect(titles(w.channel.id).filter((t) => t.includes("2 March"))).toHaveLength(1);
      expect(titles(ch2.id)).toEqual(["Monday 2 March 2026"]);
      await w.restart();
      await w.bot.tick();
      at("2026-03-02T15:00:00Z");
      await w.bot.tick();
      expect(titles(ch2.id)).toEqual(["Monday 2 March 2026"]);
    });

    it("THEN two bots on the same database ticking at the same moment make one post per server", async () => {
      const second: Bot = await w.secondBot();
      try {
        at("2026-03-03T08:00:00Z");
        await Promise.all([w.bot.tick(), second.tick(), w.bot.tick(), second.tick()]);
        expect(titles(ch2.id)).toEqual(["Monday 2 March 2026", "Tuesday 3 March 2026"]);
        expect(titles(w.channel.id).filter((t) => t.includes("3 March"))).toHaveLength(1);
      } finally {
        await second.stop();
      }
    });

    it("THEN a bot down at 09:00 and started at 13:00 the same day posts that day's quiz", async () => {
      at("2026-03-04T07:00:00Z");
      await w.bot.stop();
      at("2026-03-04T12:00:00Z"); // 13:00 local
      await w.restart();
      expect(titles(ch2.id).at(-1)).toBe("Wednesday 4 March 2026");
    });

    it("THEN a bot down over a whole quiz day skips it, and posts the next day at 09:00", async () => {
      at("2026-03-05T06:00:00Z");
      await w.bot.stop();
      at("2026-03-06T07:00:00Z"); // Friday 08:00 local: Thursday's quiz was missed
      await w.restart();
      expect(titles(ch2.id)).not.toContain("Thursday 5 March 2026");
      expect(titles(ch2.id).at(-1)).toBe("Wednesday 4 March 2026");
      expect((await quizStatus(w.bot.deps, g2.id)).last).toMatchObject({
        localDate: "2026-03-05",
        status: "skipped",
      });
      at("2026-03-06T08:00:00Z");
      await w.bot.tick();
      expect(titles(ch2.id).at(-1)).toBe("Friday 6 March 2026");
      expect(titles(ch2.id).filter((t) => t.includes("5 March"))).toEqual([]);
    });

    it("THEN a channel that loses the bot's permission is recorded and shown in /quiz status; the other server posts", async () => {
      w.emu.setChannelPermissions(w.channel.id, { send: false });
      at("2026-03-07T08:00:00Z");
      await w.bot.tick();
      // (Assertions read state, not the tick's report: the harness's real node-cron ticker may also tick.)
      expect(titles(ch2.id).at(-1)).toBe("Saturday 7 March 2026");
      expect(titles(w.channel.id).filter((t) => t.includes("7 March"))).toEqual([]);
      expect((await quizStatus(w.bot.deps, w.guild.id)).last).toMatchObject({
        localDate: "2026-03-07",
        status: "failed",
      });
      const s = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "quiz status" });
      const status = JSON.stringify(s.message?.embeds);
      expect(status).toContain("not posted");
      expect(status).toContain("Missing Permissions, 50013");
      expect(status).toContain("active"); // nothing paused
      // Permission back: the retry later the same day posts it, once.
      w.emu.setChannelPermissions(w.channel.id, { send: true });
      at("2026-03-07T08:01:00Z");
      await w.bot.tick();
      at("2026-03-07T08:05:00Z");
      await w.bot.tick();
      expect(titles(w.channel.id).filter((t) => t.includes("7 March"))).toHaveLength(1);
    });

    it("THEN a deleted channel is recorded as such and blocks nothing else", async () => {
      w.emu.deleteChannel(ch2.id);
      at("2026-03-08T08:00:00Z");
      await w.bot.tick();
      expect(titles(w.channel.id).at(-1)).toBe("Sunday 8 March 2026");
      expect(await quizStatus(w.bot.deps, g2.id)).toMatchObject({
        config: { paused: false },
        last: { status: "failed", errorCode: 10003, reason: expect.stringContaining("deleted") },
      });
      const errors = w.errors.filter((e) => (e as { level: number }).level >= 50);
      expect(errors).toEqual([]);
    });
  });
});
