/**
 * A review party under load and under faults, end to end (issue 16): 50 members answering one round within a
 * second against Discord's per-channel write limit (5 per 5 s, enforced by the emulator); a restart mid-round;
 * a thread deleted mid-party while another server's party goes on; a lost permission; a lobby nobody starts; who
 * may stop a party. Each test has its own world.
 */
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { registerCommands } from "../../src/discord/register.ts";
import type { ChannelHandle, StoredMessage, UserHandle } from "../../src/emulator/index.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const CAPITALS: [string, string][] = [
  ["Capital of France?", "Paris"],
  ["Capital of Germany?", "Berlin"],
  ["Capital of Italy?", "Rome"],
  ["Capital of Spain?", "Madrid"],
  ["Capital of Austria?", "Vienna"],
  ["Capital of Portugal?", "Lisbon"],
];
const DECKS = [
  {
    id: "capitals",
    name: "Capitals",
    cards: CAPITALS.map(([front, back], k) => ({ key: String(k + 1), front, back })),
  },
];

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  afterEach(() => w?.stop());

  const db = () => w.bot.deps.db;
  const party = async (threadId: string) =>
    (
      await sqlRows<{ id: number; status: string; round: number; ended_reason: string | null }>(
        db(),
        sql`SELECT id, status, round, ended_reason FROM parties WHERE thread_id = ${threadId}`,
      )
    )[0]!;
  const round = async (threadId: string, r: number) =>
    (
      await sqlRows<{ correct_index: number; message_id: string; closed_at: number | null }>(
        db(),
        sql`SELECT r.correct_index, r.message_id, r.closed_at FROM party_rounds r
            JOIN parties p ON p.id = r.party_id WHERE p.thread_id = ${threadId} AND r.round = ${r}`,
      )
    )[0]!;

  /** `host` opens a party in `channel` and the others join; returns the thread and its lobby message. */
  async function open(
    host: UserHandle,
    channel: ChannelHandle | string,
    joiners: UserHandle[],
    o: { cards?: number; seconds?: number } = {},
  ): Promise<{ thread: string; lobby: StoredMessage }> {
    const r = await w.emu.runCommand({
      user: host,
      channel,
      command: "party start",
      options: { deck: "capitals", cards: o.cards ?? 3, seconds: o.seconds ?? 20 },
    });
    const thread = /<#(\d+)>/.exec(r.message?.content ?? "")?.[1];
    if (!thread) throw new Error(`no party: ${r.message?.content}`);
    const lobby = await w.emu.waitForMessage(thread, (m) => m.embeds[0]?.title?.startsWith("🎉") ?? false);
    for (const user of joiners) await w.emu.click({ user, message: lobby, label: "Join" });
    return { thread, lobby };
  }
  const roundMessage = (thread: string, r: number) =>
    w.emu.waitForMessage(thread, (m) => m.embeds[0]?.title?.startsWith(`Round ${r}/`) ?? false);
  const reviews = (userId: string) =>
    sqlRows<{ n: number }>(db(), sql`SELECT count(*) AS n FROM review_logs WHERE user_id = ${userId}`).then(
      (r) => Number(r[0]?.n),
    );

  it("GIVEN 50 members answering one round within a second THEN each answer counts once, the first right one wins, and the round message is edited at most 4 times (a count, the reveal), never past Discord's limit", async () => {
    w = await startWorld({
      engine,
      decks: DECKS,
      start: "2026-03-02T10:00:00Z",
      messageRateLimit: { limit: 5, windowMs: 5000 },
    });
    const crowd = Array.from({ length: 50 }, (_, k) => w.emu.addUser({ name: `m${k}`, guildId: w.guild.id }));
    // Half of them study the deck: their answers are reviews; the others' only score.
    for (const user of crowd.slice(0, 25))
      await w.emu.runCommand({
        user,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "capitals" },
      });
    const { thread, lobby } = await open(w.alice, w.channel, crowd, { cards: 2, seconds: 30 });
    await w.emu.click({ user: w.alice, message: lobby, label: "Start" });
    const m = await roundMessage(thread, 1);
    const r1 = await round(thread, 1);
    const started = Date.now();
    const clicks = await Promise.all(
      crowd.map((user, k) =>
        w.emu.click({
          user,
          message: m,
          label: "ABCD"[k % 3 === 0 ? r1.correct_index : (r1.correct_index + 1) % 4],
        }),
      ),
    );
    const burstMs = Date.now() - started;
    expect(clicks.every((c) => c.ephemeral)).toBe(true);
    // alice, the host, answers last: everyone is in, the round closes.
    await w.emu.click({ user: w.alice, message: m, label: "ABCD"[r1.correct_index] });
    await w.emu.waitFor(() => m.embeds[0]?.footer?.text.startsWith("Closed") && m, 5000);
    const p = await party(thread);
    const answers = await sqlRows<{ user_id: string; seq: number; correct: number; points: number }>(
      db(),
      sql`SELECT user_id, seq, correct, points FROM party_answers WHERE party_id = ${p.id} AND round = 1 ORDER BY seq`,
    );
    expect(answers.length).toBe(51);
    expect(new Set(answers.map((a) => a.user_id)).size).toBe(51);
    expect(answers.map((a) => a.seq)).toEqual(Array.from({ length: 51 }, (_, k) => k + 1));
    const right = answers.filter((a) => Number(a.correct) === 1);
    expect(right.length).toBe(18); // 17 of the crowd (k % 3 === 0) and alice
    expect(right[0]?.points).toBe(10);
    expect(right.filter((a) => a.points === 10).length).toBe(1);
    expect(right.map((a) => a.points)).toEqual([10, 8, 6, ...Array(15).fill(4)]);
    for (const user of crowd.slice(0, 25)) expect(await reviews(user.id)).toBe(1);
    for (const user of crowd.slice(25)) expect(await reviews(user.id)).toBe(0);
    await w.bot.party.edits.idle();
    // The round message: sent once, its count coalesced to one edit per 1.5 s, then the reveal (each edit keeps
    // the version before it in `history`).
    const edits = m.history.length;
    expect(burstMs).toBeLessThan(3000);
    expect(m.history[0]?.embeds[0]?.footer?.text).toBe("0/51 answered");
    expect(edits).toBeGreaterThanOrEqual(2);
    expect(edits).toBeLessThanOrEqual(4);
    expect(w.emu.rateLimited).toEqual([]);
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a restart mid-round THEN the party goes on from the database, with no answer or review doubled", async () => {
    w = await startWorld({ engine, decks: DECKS, start: "2026-03-02T10:00:00Z" });
    for (const user of [w.alice, w.bob])
      await w.emu.runCommand({
        user,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "capitals" },
      });
    const { thread, lobby } = await open(w.alice, w.channel, [w.bob], { cards: 2 });
    await w.emu.click({ user: w.alice, message: lobby, label: "Start" });
    const m = await roundMessage(thread, 1);
    const r1 = await round(thread, 1);
    await w.emu.click({ user: w.bob, message: m, label: "ABCD"[r1.correct_index] });
    await w.restart();
    // bob's second click after the restart changes nothing; alice's answer closes the round.
    const again = await w.emu.click({ user: w.bob, message: m, label: "A" });
    expect(again.message?.content).toContain("You already answered this round");
    await w.emu.click({ user: w.alice, message: m, label: "ABCD"[(r1.correct_index + 1) % 4] });
    await w.emu.waitFor(() => m.embeds[0]?.footer?.text.startsWith("Closed") && m, 5000);
    // Restarted again between rounds: the next tick after the break opens round 2 from the database.
    await w.restart();
    w.clock.advance(5_000);
    await w.bot.tick();
    const m2 = await roundMessage(thread, 2);
    w.clock.advance(20_000);
    await w.bot.tick();
    await w.emu.waitFor(() => m2.embeds[0]?.footer?.text.startsWith("Closed") && m2, 5000);
    await w.emu.waitForMessage(thread, (x) => x.embeds[0]?.title?.startsWith("🏆") ?? false);
    expect(await reviews(w.bob.id)).toBe(2);
    expect(await reviews(w.alice.id)).toBe(2);
    expect((await party(thread)).status).toBe("done");
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a party's thread deleted mid-round THEN it ends once, logged, nothing is sent there again, and another server's party goes on", async () => {
    w = await startWorld({ engine, decks: DECKS, start: "2026-03-02T10:00:00Z" });
    const other = w.emu.addGuild({ name: "Other Group" });
    const otherChannel = w.emu.addChannel(other.id, { name: "games" });
    const dana = w.emu.addUser({ name: "dana", guildId: other.id });
    await registerCommands({
      token: w.emu.token,
      applicationId: w.emu.applicationId,
      guildId: other.id,
      apiUrl: w.emu.apiUrl,
      commands: w.bot.commands,
    });
    const here = await open(w.alice, w.channel, [w.bob]);
    const there = await open(dana, otherChannel, []);
    await w.emu.click({ user: w.alice, message: here.lobby, label: "Start" });
    await w.emu.click({ user: dana, message: there.lobby, label: "Start" });
    await roundMessage(here.thread, 1);
    const theirs = await roundMessage(there.thread, 1);
    const before = w.errors.length;
    w.emu.deleteChannel(here.thread);
    // THREAD_DELETE reaches the bot: the party is over.
    let p = await party(here.thread);
    for (let k = 0; k < 50 && p.status !== "done"; k++) {
      await new Promise((res) => setTimeout(res, 20));
      p = await party(here.thread);
    }
    expect(p).toMatchObject({ status: "done", ended_reason: "its thread was deleted" });
    // Time passes and ticks come: nothing more is sent to the deleted thread, and nothing is logged again.
    const rejected = w.emu.rejections.length;
    for (let k = 0; k < 3; k++) {
      w.clock.advance(25_000);
      await w.bot.tick();
    }
    expect(w.emu.rejections.length).toBe(rejected);
    const logged = w.errors.slice(before);
    expect(logged.map((e) => e.msg)).toEqual(["review party ended: thread deleted"]);
    // The other server's party went on: its first round closed on time and the next one opened.
    await w.emu.waitFor(() => theirs.embeds[0]?.footer?.text.startsWith("Closed") && theirs, 5000);
    await roundMessage(there.thread, 2);
  });

  it("GIVEN the bot loses its thread permission mid-party THEN the party ends once, logged, with no retry loop", async () => {
    w = await startWorld({ engine, decks: DECKS, start: "2026-03-02T10:00:00Z" });
    const { thread, lobby } = await open(w.alice, w.channel, [w.bob]);
    await w.emu.click({ user: w.alice, message: lobby, label: "Start" });
    await roundMessage(thread, 1);
    w.emu.setChannelPermissions(w.channel.id, { threads: false });
    const before = w.errors.length;
    w.clock.advance(20_000);
    await w.bot.tick(); // closes round 1: editing its own message still works, as on Discord
    expect((await party(thread)).status).toBe("running");
    w.clock.advance(5_000);
    await w.bot.tick(); // round 2's message is refused (50013)
    const p = await party(thread);
    expect(p.status).toBe("done");
    expect(p.ended_reason).toContain("Missing Permissions");
    const rejected = w.emu.rejections.length;
    for (let k = 0; k < 3; k++) {
      w.clock.advance(25_000);
      await w.bot.tick();
    }
    expect(w.emu.rejections.length).toBe(rejected);
    expect(w.errors.slice(before).map((e) => e.msg)).toEqual([
      "review party ended: Discord refused its thread",
    ]);
  });

  it("GIVEN a lobby nobody starts THEN anyone who joined may start it after a minute, and it closes itself after 15", async () => {
    w = await startWorld({ engine, decks: DECKS, start: "2026-03-02T10:00:00Z" });
    const first = await open(w.alice, w.channel, [w.bob]);
    w.clock.advance(60_000);
    await w.emu.click({ user: w.bob, message: first.lobby, label: "Start" });
    const live = await roundMessage(first.thread, 1);
    // Stopped mid-round: the round closes as it stands (its buttons off), and the podium follows.
    const stop = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "party stop" });
    expect(stop.message?.content).toBe("The review party is stopped: the podium is in its thread.");
    expect(live.embeds[0]?.footer?.text).toBe("Closed · 0/2 answered");
    expect(live.components[0]?.components.every((b: { disabled?: boolean }) => b.disabled)).toBe(true);
    await w.emu.waitForMessage(
      first.thread,
      (m) => m.embeds[0]?.description?.includes("The party was stopped.") ?? false,
    );
    const second = await open(w.bob, w.channel, []);
    w.clock.advance(15 * 60_000);
    await w.bot.tick();
    expect(second.lobby.embeds[0]?.description).toContain("Nobody started the party, so it closed.");
    expect(second.lobby.components[0]?.components.every((b: { disabled?: boolean }) => b.disabled)).toBe(
      true,
    );
  });

  it("GIVEN a party going THEN only its host or Manage Server may stop it, and a second one in the channel is refused", async () => {
    w = await startWorld({ engine, decks: DECKS, start: "2026-03-02T10:00:00Z" });
    const carol = w.emu.addUser({ name: "carol", guildId: w.guild.id });
    const { thread } = await open(w.bob, w.channel, [carol]);
    const twice = await w.emu.runCommand({
      user: carol,
      channel: w.channel,
      command: "party start",
      options: { deck: "capitals" },
    });
    expect(twice.message?.content).toContain(`A review party is already going here in <#${thread}>`);
    // Nor a second one inside the first one's thread.
    const inside = await w.emu.runCommand({
      user: carol,
      channel: thread,
      command: "party start",
      options: { deck: "capitals" },
    });
    expect(inside.message?.content).toContain(`A review party is already going here in <#${thread}>`);
    const refused = await w.emu.runCommand({ user: carol, channel: thread, command: "party stop" });
    expect(refused.message?.content).toContain("Only the party's host, or someone with Manage Server");
    expect((await party(thread)).status).toBe("lobby");
    const stopped = await w.emu.runCommand({ user: w.alice, channel: thread, command: "party stop" });
    expect(stopped.message?.content).toBe("The review party is stopped before its first question.");
    expect((await party(thread)).ended_reason).toBe("stopped");
    const none = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "party stop" });
    expect(none.message?.content).toContain("There is no review party going here");
    const bad = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "party start",
      options: { deck: "nope" },
    });
    expect(bad.message?.content).toContain("There is no server deck `nope` here");
  });
});
