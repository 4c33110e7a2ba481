/**
 * Public threads in the emulator, through a real discord.js client: started in a channel or from a message,
 * posted in, archived, deleted by the bot or by a user (THREAD_DELETE), and refused as Discord refuses them.
 */
import { DiscordAPIError, Events, type TextChannel, type ThreadChannel } from "discord.js";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startWorld, type World } from "./client.ts";

describe("GIVEN a text channel the bot may start threads in", () => {
  let w: World;
  let channel: TextChannel;
  beforeAll(async () => {
    w = await startWorld();
    channel = (await w.client.channels.fetch(w.channel.id)) as TextChannel;
  });
  afterAll(() => w.stop());

  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      if (e instanceof DiscordAPIError) return e.code;
      throw e;
    }
    return null;
  };

  test("THEN a thread started in it is a public thread of that channel, the bot posts there, and the client hears THREAD_CREATE", async () => {
    const created = new Promise<ThreadChannel>((resolve) =>
      w.client.once(Events.ThreadCreate, (t) => resolve(t)),
    );
    const thread = await channel.threads.create({ name: "Review party" });
    expect(thread.isThread()).toBe(true);
    expect(thread.parentId).toBe(channel.id);
    expect(thread.ownerId).toBe(w.client.user.id);
    expect((await created).id).toBe(thread.id);
    const m = await thread.send("Round 1");
    expect(w.emu.messages(thread.id).map((x) => x.content)).toEqual(["Round 1"]);
    expect(m.channelId).toBe(thread.id);
  });

  test("THEN a thread started from a message takes the message's id, and a second one from it is refused", async () => {
    const lobby = await channel.send("Lobby");
    const thread = await lobby.startThread({ name: "Party" });
    expect(thread.id).toBe(lobby.id);
    expect(await code(lobby.startThread({ name: "Again" }))).toBe(160004);
  });

  test("THEN a bad name is refused with 50035, and nothing is created", async () => {
    const before = (await channel.threads.fetchActive()).threads.size;
    expect(await code(channel.threads.create({ name: "x".repeat(101) }))).toBe(50035);
    expect(await code(channel.threads.create({ name: "ok", autoArchiveDuration: 17 as never }))).toBe(50035);
    expect((await channel.threads.fetchActive()).threads.size).toBe(before);
  });

  test("THEN a message unarchives an archived thread, a locked one refuses it (50083), and the bot deletes its own thread (THREAD_DELETE)", async () => {
    const thread = await channel.threads.create({ name: "Archive me" });
    await thread.setArchived(true);
    expect(await code(thread.send("back"))).toBeNull();
    expect((await channel.threads.fetchActive()).threads.has(thread.id)).toBe(true);
    await thread.setLocked(true);
    expect(await code(thread.send("late"))).toBe(50083);
    const deleted = new Promise<string>((resolve) =>
      w.client.once(Events.ThreadDelete, (t) => resolve(t.id)),
    );
    await thread.delete();
    expect(await deleted).toBe(thread.id);
    expect(
      await code(w.client.rest.post(`/channels/${thread.id}/messages`, { body: { content: "x" } })),
    ).toBe(10003);
  });

  test("THEN a thread a user deletes is gone for the bot: THREAD_DELETE, then 10003 Unknown Channel", async () => {
    const thread = await channel.threads.create({ name: "Deleted by a moderator" });
    const deleted = new Promise<string>((resolve) =>
      w.client.once(Events.ThreadDelete, (t) => resolve(t.id)),
    );
    w.emu.deleteChannel(thread.id);
    expect(await deleted).toBe(thread.id);
    expect(await code(thread.send("still there?"))).toBe(10003);
  });

  test("THEN without the thread permissions the bot can neither start a thread (50013) nor post in one", async () => {
    const thread = await channel.threads.create({ name: "Before the change" });
    w.emu.setChannelPermissions(channel.id, { threads: false });
    try {
      expect(await code(channel.threads.create({ name: "Refused" }))).toBe(50013);
      expect(await code(thread.send("refused"))).toBe(50013);
      // The channel itself still takes messages.
      expect(await code(channel.send("fine"))).toBeNull();
    } finally {
      w.emu.setChannelPermissions(channel.id, { threads: true });
    }
  });

  test("THEN a deleted channel takes its threads with it", async () => {
    const other = w.emu.addChannel(w.guild.id, { name: "other" });
    const parent = (await w.client.channels.fetch(other.id)) as TextChannel;
    const thread = await parent.threads.create({ name: "Orphan" });
    w.emu.deleteChannel(other.id);
    expect(await code(thread.send("x"))).toBe(10003);
  });
});
