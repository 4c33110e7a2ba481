/**
 * The daily quiz end to end: the real bot (discord.js, SQLite) against the loopback emulator, its clock moved.
 * Setup refusals, the post at 09:00 Berlin (winter and summer), pings, answers, the next day's close.
 *
 * The refusals each get a world of their own. The rest is sequential on purpose: its subject is one post's
 * life (set up, posted at 09:00, pinged, answered, closed by the next day's post, then a summer date), each day
 * judged against what the days before it left. Each test there is a step of that story (harness.ts `story()`):
 * run alone, it first replays the steps before it.
 */
import type { APIEmbedField } from "discord.js";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import {
  quizConfigs,
  quizPosts as quizPostsTable,
  reviewLogs,
  statGuildMembers,
} from "../../src/db/schema.ts";
import type { StoredMessage, UserHandle } from "../../src/emulator/index.ts";
import { E2E_ENGINES, startWorld, story, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  const CAPITALS: [string, string][] = [
    ["Capital of France?", "Paris"],
    ["Capital of Germany?", "Berlin"],
    ["Capital of Italy?", "Rome"],
    ["Capital of Spain?", "Madrid"],
    ["Capital of Portugal?", "Lisbon"],
    ["Capital of Austria?", "Vienna"],
  ];

  let w: World;
  let carol: UserHandle;

  const db = () => w.bot.deps.db;
  const at = (iso: string) => w.clock.set(new Date(iso));
  /** The first day's post (ordered: PostgreSQL returns rows in no set order, an updated row may move). */
  const firstPost = () =>
    once(db(), (b) => b.select().from(quizPostsTable).orderBy(quizPostsTable.id).prepare()).get();
  const allLogs = () => once(db(), (b) => b.select().from(reviewLogs).orderBy(reviewLogs.id).prepare()).all();
  const quizPosts = () =>
    w.emu
      .messages(w.channel.id)
      .filter(
        (m) => !m.deleted && m.visibleTo === "everyone" && m.embeds[0]?.title?.startsWith("Daily quiz ·"),
      );
  const desc = (m: StoredMessage | undefined) => String(m?.embeds[0]?.description ?? "");
  const buttons = (m: StoredMessage) =>
    (m.components as { components: { label?: string; disabled?: boolean; style?: number }[] }[]).flatMap(
      (r) => r.components,
    );

  /** `user` subscribes and rates the deck's first `n` cards Easy in /study, at the bot's clock: due in days. */
  async function study(user: UserHandle, n: number) {
    await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: "capitals" },
    });
    let view = (await w.emu.runCommand({ user, channel: w.channel, command: "study" })).message!;
    for (let k = 0; k < n; k++) {
      const shown = await w.emu.click({ user, message: view, label: "Show answer" });
      view = (await w.emu.click({ user, message: shown.message!, label: "Easy" })).message!;
    }
  }

  /** `user` opts in to the quiz's pings (/settings reminders). */
  async function remindMe(user: UserHandle) {
    await w.emu.runCommand({
      user,
      channel: w.channel,
      command: "settings reminders",
      options: { enabled: true },
    });
  }

  const capitalsWorld = (start: string) =>
    startWorld({
      engine,
      start,
      decks: [
        {
          id: "capitals",
          name: "Capitals",
          cards: CAPITALS.map(([front, back], k) => ({ key: String(k + 1), front, back })),
        },
      ],
    });

  /** Clicks an answer button; resolves with the public post as updated and the clicker's ephemeral feedback. */
  async function answer(user: UserHandle, post: StoredMessage, letter: string) {
    const r = await w.emu.click({ user, message: post, label: letter });
    const followUp = await w.emu.waitFor(() => r.interaction.followUpIds[0]);
    return { r, feedback: w.emu.message(followUp)! };
  }

  describe("GIVEN /quiz setup", () => {
    beforeEach(async () => {
      w = await capitalsWorld("2026-01-15T06:00:00Z");
    });
    afterEach(async () => {
      await w?.stop();
    });

    it("THEN a member without Manage Server is refused, and nothing is set up", async () => {
      const r = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "quiz setup",
        options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
      });
      expect(r.ephemeral).toBe(true);
      expect(r.message?.content).toContain("Manage Server");
      expect(await once(db(), (b) => b.select().from(quizConfigs).prepare()).all()).toEqual([]);
      // The command is hidden from members by default.
      const registered = w.emu.commands(w.guild.id).find((c) => c.name === "quiz");
      expect(registered?.default_member_permissions).toBe("32");
    });

    it("THEN a malformed time, an unknown zone or a channel the bot cannot post in is refused, changing nothing", async () => {
      const locked = w.emu.addChannel(w.guild.id, { name: "locked" });
      w.emu.setChannelPermissions(locked.id, { send: false });
      const cases: [Record<string, unknown>, RegExp][] = [
        [{ channel: w.channel, time: "9am", timezone: "Europe/Berlin" }, /not a time of day/],
        [{ channel: w.channel, time: "24:00", timezone: "Europe/Berlin" }, /not a time of day/],
        [{ channel: w.channel, time: "09:00", timezone: "Europe/Atlantis" }, /not a timezone I know/],
        [{ channel: locked, time: "09:00", timezone: "Europe/Berlin" }, /missing \*\*Send Messages\*\*/],
      ];
      for (const [options, expected] of cases) {
        const r = await w.emu.runCommand({
          user: w.alice,
          channel: w.channel,
          command: "quiz setup",
          options: options as never,
        });
        expect(r.ephemeral).toBe(true);
        expect(r.message?.content).toMatch(expected);
      }
      expect(await once(db(), (b) => b.select().from(quizConfigs).prepare()).all()).toEqual([]);
      const s = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "quiz status" });
      expect(s.message?.content).toMatch(/not set up/);
    });

    it("THEN the timezone option autocompletes IANA names", async () => {
      const choices = await w.emu.autocomplete({
        user: w.alice,
        channel: w.channel,
        command: "quiz setup",
        options: { channel: w.channel, time: "09:00", timezone: "europe/ber" },
        focused: "timezone",
      });
      expect(choices.map((c) => c.value)).toContain("Europe/Berlin");
    });
  });

  describe.sequential("GIVEN the quiz set for 09:00 Berlin", () => {
    // The story's `it`: each test is a step; run alone, it first replays the steps before it.
    const { it } = story();
    let post: StoredMessage;

    beforeAll(async () => {
      w = await capitalsWorld("2025-12-01T10:00:00Z");
      carol = w.emu.addUser({ name: "carol", guildId: w.guild.id });
      // Alice (opted in) and Bob (not) study now: their cards are due by mid-January.
      await study(w.alice, 3);
      await study(w.bob, 2);
      await remindMe(w.alice);
    });
    afterAll(async () => {
      await w?.stop();
    });

    it("THEN an admin sets 09:00 Europe/Berlin: the next post is announced and /quiz status shows it to anyone", async () => {
      at("2026-01-15T06:00:00Z"); // 07:00 in Berlin
      await study(carol, 2); // Carol opted in, but her cards are not due at 09:00
      await remindMe(carol);
      const r = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "quiz setup",
        options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
      });
      expect(r.message?.content).toContain(`<#${w.channel.id}>`);
      expect(r.message?.content).toContain("Thu 15 Jan 2026, 09:00 (Europe/Berlin)");
      const s = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "quiz status" });
      const fields = JSON.stringify(s.message?.embeds);
      expect(fields).toContain("09:00 Europe/Berlin");
      expect(fields).toContain("active");
    });

    it("THEN nothing at 08:59 on a winter date; at 09:00 one post (08:00 UTC)", async () => {
      at("2026-01-15T07:59:00Z");
      await w.bot.tick();
      expect(quizPosts()).toHaveLength(0);
      at("2026-01-15T08:00:00Z");
      await w.bot.tick();
      expect(quizPosts()).toHaveLength(1);
      post = quizPosts()[0]!;
      expect(post.embeds[0]?.title).toBe("Daily quiz · Thursday 15 January 2026");
      expect(desc(post)).toContain("**2** members have **5** cards due");
      expect(desc(post)).toContain("**Question of the day** · *Capitals*");
      // One field per choice, each an answer of the deck.
      const answers = CAPITALS.map(([, back]) => back);
      expect(post.embeds[0]?.fields?.map((f: APIEmbedField) => f.name)).toEqual(["A", "B", "C", "D"]);
      for (const f of post.embeds[0]?.fields ?? []) expect(answers).toContain(f.value);
      expect(buttons(post).map((b) => b.label)).toEqual(["A", "B", "C", "D", "Start my review"]);
      expect(post.embeds[0]?.footer?.text).toBe("0 answered · 0 correct");
    });

    it("THEN exactly the opted-in members with cards due are pinged", () => {
      expect(post.pings).toEqual([w.alice.id]);
      expect(w.emu.pingsOf(w.bob)).toEqual([]); // cards due, but did not opt in
      expect(w.emu.pingsOf(carol)).toEqual([]); // opted in, nothing due
      expect(post.allowed_mentions).toEqual({ parse: [], users: [w.alice.id] });
    });

    it("THEN two members answer, one right and one wrong: feedback, tally 2 · 1, schedules fed", async () => {
      const row = await firstPost();
      const right = "ABCD"[row!.correctIndex!]!;
      const wrong = "ABCD"[(row!.correctIndex! + 1) % 4]!;

      const a = await answer(w.alice, post, right);
      expect(a.feedback.ephemeral).toBe(true);
      expect(a.feedback.visibleTo).toBe(w.alice.id);
      expect(JSON.stringify(a.feedback.embeds)).toContain("Correct");
      expect(a.r.message?.embeds[0]?.footer?.text).toBe("1 answered · 1 correct");

      const b = await answer(w.bob, post, wrong);
      expect(JSON.stringify(b.feedback.embeds)).toContain("Not quite");
      expect(JSON.stringify(b.feedback.embeds)).toContain(row!.choices![row!.correctIndex!]!.text);
      expect(w.emu.message(post.id)?.embeds[0]?.footer?.text).toBe("2 answered · 1 correct");

      const logs = await once(db(), (b) =>
        b
          .select()
          .from(reviewLogs)
          .where(and(eq(reviewLogs.source, "quiz"), eq(reviewLogs.cardId, row!.cardId!)))
          .orderBy(reviewLogs.id)
          .prepare(),
      ).all();
      expect(logs.map((l) => [l.userId, l.rating, l.guildId])).toEqual([
        [w.alice.id, Rating.Good, w.guild.id],
        [w.bob.id, Rating.Again, w.guild.id],
      ]);
    });

    it("THEN a second click by the same member only gets 'you already answered'", async () => {
      const before = (await allLogs()).length;
      const r = await w.emu.click({ user: w.bob, message: post, label: "A" });
      expect(r.ephemeral).toBe(true);
      expect(r.message?.content).toMatch(/already answered/);
      expect(w.emu.message(post.id)?.embeds[0]?.footer?.text).toBe("2 answered · 1 correct");
      expect((await allLogs()).length).toBe(before);
    });

    it("THEN Start my review opens the clicker's own private review, logged as 'daily', 1 point per review", async () => {
      const points = async () =>
        (
          await once(db(), (b) =>
            b
              .select({ points: statGuildMembers.points })
              .from(statGuildMembers)
              .where(and(eq(statGuildMembers.guildId, w.guild.id), eq(statGuildMembers.userId, w.bob.id)))
              .prepare(),
          ).get()
        )?.points;
      const before = await points();
      const r = await w.emu.click({ user: w.bob, message: post, label: "Start my review" });
      expect(r.ephemeral).toBe(true);
      expect(r.message?.visibleTo).toBe(w.bob.id);
      const shown = await w.emu.click({ user: w.bob, message: r.message!, label: "Show answer" });
      w.clock.advance(5_000); // a timed review: it earns its point
      await w.emu.click({ user: w.bob, message: shown.message!, label: "Good" });
      const last = (await allLogs()).at(-1);
      expect(last).toMatchObject({ userId: w.bob.id, source: "daily", rating: Rating.Good });
      expect(await points()).toBe((before ?? 0) + 1);
    });

    it("THEN the next day's post shows yesterday's answer with its buttons disabled", async () => {
      at("2026-01-16T08:00:00Z");
      await w.bot.tick();
      const [old, fresh] = quizPosts();
      expect(fresh?.embeds[0]?.title).toBe("Daily quiz · Friday 16 January 2026");
      await w.emu.waitFor(() => (desc(w.emu.message(old!.id)).includes("**Answer:") ? true : undefined));
      const closed = w.emu.message(old!.id)!;
      const right = (await firstPost())!.correctIndex!;
      expect(closed.embeds[0]?.fields?.map((f: APIEmbedField) => f.name)).toEqual(
        ["A", "B", "C", "D"].map((l, k) => (k === right ? `${l} ✅` : l)),
      );
      expect(closed.embeds[0]?.footer?.text).toBe("Closed · 2 answered · 1 correct");
      const letters = buttons(closed).slice(0, 4);
      expect(letters.every((b) => b.disabled)).toBe(true);
      expect(buttons(fresh!).some((b) => b.disabled)).toBe(false);
    });

    it("THEN on a summer date it posts at 09:00 local = 07:00 UTC, not at 08:59", async () => {
      at("2026-07-10T06:59:00Z");
      await w.bot.tick();
      expect(quizPosts()).toHaveLength(2);
      at("2026-07-10T07:00:00Z");
      await w.bot.tick();
      expect(quizPosts().map((m) => m.embeds[0]?.title)).toEqual([
        "Daily quiz · Thursday 15 January 2026",
        "Daily quiz · Friday 16 January 2026",
        "Daily quiz · Friday 10 July 2026",
      ]);
      expect(w.emu.rejections).toEqual([]);
      expect(w.errors.filter((e) => (e as { level: number }).level >= 50)).toEqual([]);
    });
  });
});
