/**
 * A review party end to end (issue 16): alice hosts, bob joins (both study the deck), carol joins without studying
 * it. Five race rounds with answers at controlled times: scores, podium and leaderboard points follow the rules
 * (first right answer 10, then 8, 6 …), every answer of a member who studies the deck is a review whose card state
 * is exactly ts-fsrs's, and carol's answers score but record no review. A stale button of a closed round says so.
 */
import { sql } from "drizzle-orm";
import { createEmptyCard, fsrs, type Grade, generatorParameters, Rating } from "ts-fsrs";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { StoredMessage, UserHandle } from "../../src/emulator/index.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, story, type World } from "./harness.ts";

const CAPITALS: [string, string][] = [
  ["Capital of France?", "Paris"],
  ["Capital of Germany?", "Berlin"],
  ["Capital of Italy?", "Rome"],
  ["Capital of Spain?", "Madrid"],
  ["Capital of Austria?", "Vienna"],
  ["Capital of Portugal?", "Lisbon"],
  ["Capital of Poland?", "Warsaw"],
  ["Capital of Norway?", "Oslo"],
];

describe.each(E2E_ENGINES)("%s", (engine) => {
  describe.sequential("GIVEN alice's race party of five cards with bob and carol", () => {
    const { it } = story();
    let w: World;
    let carol: UserHandle;
    let thread: string;
    const db = () => w.bot.deps.db;
    const roundRow = async (round: number) =>
      (
        await sqlRows<{ correct_index: number; card_id: number; message_id: string }>(
          db(),
          sql`SELECT correct_index, card_id, message_id FROM party_rounds WHERE round = ${round}`,
        )
      )[0]!;
    const roundMessage = (round: number) =>
      w.emu.waitForMessage(thread, (m) => m.embeds[0]?.title?.startsWith(`Round ${round}/5`) ?? false);
    const revealed = (m: StoredMessage) =>
      w.emu.waitFor(
        () => m.embeds[0]?.footer?.text.startsWith("Closed") && m,
        5000,
        () => "no reveal",
      );

    /** Clicks the right (or a wrong) answer of round `round` as `user`, 1 s after the previous answer. */
    async function answer(user: UserHandle, round: number, right: boolean) {
      const r = await roundRow(round);
      const choice = right ? r.correct_index : (r.correct_index + 1) % 4;
      w.clock.advance(1000);
      const res = await w.emu.click({ user, message: r.message_id, label: "ABCD"[choice] });
      return res.message?.content ?? "";
    }
    /** The round's time runs out: the clock moves past its close and the minute job ticks. */
    async function timeUp() {
      w.clock.advance(20_000);
      await w.bot.tick();
    }
    /** The break after a reveal, then the next round opens on the tick. */
    async function nextRound() {
      w.clock.advance(5_000);
      await w.bot.tick();
    }

    beforeAll(async () => {
      w = await startWorld({
        engine,
        start: "2026-03-02T10:00:00Z",
        decks: [
          {
            id: "capitals",
            name: "Capitals",
            cards: CAPITALS.map(([front, back], k) => ({ key: String(k + 1), front, back })),
          },
        ],
      });
      carol = w.emu.addUser({ name: "carol", guildId: w.guild.id });
      for (const user of [w.alice, w.bob])
        await w.emu.runCommand({
          user,
          channel: w.channel,
          command: "deck subscribe",
          options: { deck: "capitals" },
        });
    });
    afterAll(() => w.stop());

    it("WHEN alice starts a party THEN it opens in a thread with a lobby, and bob and carol join", async () => {
      const r = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "party start",
        options: { deck: "capitals", cards: 5, seconds: 20, mode: "race" },
      });
      expect(r.ephemeral).toBe(true);
      const id = /<#(\d+)>/.exec(r.message?.content ?? "")?.[1];
      expect(id).toBeDefined();
      thread = id!;
      const lobby = await w.emu.waitForMessage(
        thread,
        (m) => m.embeds[0]?.title === "🎉 Review party · Capitals",
      );
      for (const user of [w.bob, carol]) await w.emu.click({ user, message: lobby, label: "Join" });
      expect(lobby.embeds[0]?.description).toContain(
        `**Players (3)**\n<@${w.alice.id}> <@${w.bob.id}> <@${carol.id}>`,
      );
      const again = await w.emu.click({ user: w.bob, message: lobby, label: "Join" });
      expect(again.message?.content).toContain("You're in already");
      // Before the countdown only the host may start.
      const early = await w.emu.click({ user: w.bob, message: lobby, label: "Start" });
      expect(early.message?.content).toContain("Only the host can start the party");
      await w.emu.click({ user: w.alice, message: lobby, label: "Start" });
      expect(lobby.embeds[0]?.description).toContain("**Under way**");
      const first = await roundMessage(1);
      expect(first.embeds[0]?.fields?.map((f: { name: string }) => f.name)).toEqual(["A", "B", "C", "D"]);
      expect(first.embeds[0]?.description).toMatch(/Closes <t:\d+:R>/);
      expect(first.allowed_mentions).toEqual({ parse: [] });
    });

    it("THEN round 1: bob, alice, carol right in that order score 10, 8, 6, and it closes once all answered", async () => {
      expect(await answer(w.bob, 1, true)).toContain("is right");
      expect(await answer(w.alice, 1, true)).toContain("Counted as **Good**");
      expect(await answer(carol, 1, true)).toContain("You don't study *Capitals*");
      const m = await revealed(await roundMessage(1));
      expect(m.embeds[0]?.description).toContain(
        `✅ <@${w.bob.id}> +10 · <@${w.alice.id}> +8 · <@${carol.id}> +6`,
      );
      // A stale click on the closed round's buttons changes nothing.
      const stale = await w.emu.click({ user: w.bob, message: m, label: "A", stale: true });
      expect(stale.message?.content).toContain("This round is over");
      expect(stale.ephemeral).toBe(true);
    });

    it("THEN round 2: carol first, alice wrong, bob second", async () => {
      await nextRound();
      await roundMessage(2);
      await answer(carol, 2, true);
      expect(await answer(w.alice, 2, false)).toContain("Counted as **Again**");
      await answer(w.bob, 2, true);
      await revealed(await roundMessage(2));
    });

    it("THEN round 3: alice right, bob wrong, carol silent until the time is up", async () => {
      await nextRound();
      await roundMessage(3);
      await answer(w.alice, 3, true);
      await answer(w.bob, 3, false);
      const m = await roundMessage(3);
      // The count is edited in place, coalesced: the second answer's edit comes up to a second later.
      await w.emu.waitFor(
        () => m.embeds[0]?.footer?.text === "2/3 answered",
        5000,
        () => "no 2/3 count",
      );
      await timeUp();
      await revealed(m);
      expect(m.embeds[0]?.description).toContain(`⌛ no answer: <@${carol.id}>`);
      expect(m.embeds[0]?.footer?.text).toBe("Closed · 2/3 answered");
    });

    it("THEN round 4: all wrong; round 5: alice, then carol right, bob silent", async () => {
      await nextRound();
      await roundMessage(4);
      for (const user of [w.alice, w.bob, carol]) await answer(user, 4, false);
      await revealed(await roundMessage(4));
      await nextRound();
      await roundMessage(5);
      await answer(w.alice, 5, true);
      await answer(carol, 5, true);
      await timeUp();
      await revealed(await roundMessage(5));
    });

    it("THEN the podium ranks alice 28, carol 24, bob 18, and the leaderboard has the same points", async () => {
      const podium = await w.emu.waitForMessage(thread, (m) => m.embeds[0]?.title === "🏆 Podium · Capitals");
      expect(podium.embeds[0]?.description).toContain(
        [
          `🥇 <@${w.alice.id}> — **28** points (3 right)`,
          `🥈 <@${carol.id}> — **24** points (3 right)`,
          `🥉 <@${w.bob.id}> — **18** points (2 right)`,
        ].join("\n"),
      );
      const board = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "leaderboard" });
      const content = board.message?.content ?? "";
      expect(content.indexOf(`<@${w.alice.id}> — 28`)).toBeGreaterThan(-1);
      expect(content.indexOf(`<@${carol.id}> — 24`)).toBeGreaterThan(
        content.indexOf(`<@${w.alice.id}> — 28`),
      );
      expect(content).toContain(`<@${w.bob.id}> — 18`);
      expect(w.emu.pingsOf(w.bob)).toEqual([]);
    });

    it("THEN each member's reviews are their answers, and each card state is ts-fsrs's", async () => {
      const expected: Record<string, Grade[]> = {
        [w.alice.id]: [Rating.Good, Rating.Again, Rating.Good, Rating.Again, Rating.Good],
        [w.bob.id]: [Rating.Good, Rating.Good, Rating.Again, Rating.Again, Rating.Again],
      };
      const scheduler = fsrs(generatorParameters({ enable_fuzz: false }));
      for (const [userId, grades] of Object.entries(expected)) {
        const logs = await sqlRows<{ card_id: number; rating: number; review: number; source: string }>(
          db(),
          sql`SELECT card_id, rating, review, source FROM review_logs WHERE user_id = ${userId} ORDER BY review`,
        );
        expect(logs.map((l) => [l.rating, l.source])).toEqual(grades.map((g) => [g, "party"]));
        for (const [k, log] of logs.entries()) {
          expect(log.card_id).toBe((await roundRow(k + 1)).card_id);
          const at = new Date(Number(log.review));
          const want = scheduler.next(createEmptyCard(at), at, grades[k] as Grade).card;
          const [got] = await sqlRows<{ due: number; stability: number; difficulty: number; state: number }>(
            db(),
            sql`SELECT due, stability, difficulty, state FROM card_states WHERE user_id = ${userId} AND card_id = ${log.card_id}`,
          );
          expect(Number(got?.due)).toBe(want.due.getTime());
          expect(got?.stability).toBeCloseTo(want.stability, 10);
          expect(got?.difficulty).toBeCloseTo(want.difficulty, 10);
          expect(got?.state).toBe(want.state);
        }
      }
      const carols = await sqlRows(db(), sql`SELECT 1 FROM review_logs WHERE user_id = ${carol.id}`);
      expect(carols).toEqual([]);
      expect(w.emu.rejections).toEqual([]);
      expect(w.errors.filter((e) => e.level >= 50)).toEqual([]);
    });
  });
});
