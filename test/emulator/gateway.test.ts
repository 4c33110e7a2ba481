import { Events } from "discord.js";
import { describe, expect, test } from "vitest";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { connectClient } from "./client.ts";

const tcpHandles = () =>
  process.getActiveResourcesInfo().filter((r) => r === "TCPServerWrap" || r === "TCPSocketWrap").length;

async function world(opts: Parameters<typeof DiscordEmulator.start>[0] = {}) {
  const emu = await DiscordEmulator.start(opts);
  const guild = emu.addGuild({ name: "Study Group" });
  const channel = emu.addChannel(guild.id, { name: "study" });
  const alice = emu.addUser({ name: "alice", guildId: guild.id, admin: true });
  return { emu, guild, channel, alice };
}

describe("GIVEN a discord.js client logging in", () => {
  test("THEN it gets READY and a GUILD_CREATE with channels, roles and members, and heartbeats are ACKed", async () => {
    const { emu, guild, channel, alice } = await world({ heartbeatIntervalMs: 100 });
    const client = await connectClient(emu);
    try {
      expect(client.user.id).toBe(emu.botUser.id);
      expect(client.application.id).toBe(emu.applicationId);
      const g = client.guilds.cache.get(guild.id);
      expect(g?.name).toBe("Study Group");
      expect(g?.channels.cache.get(channel.id)?.name).toBe("study");
      expect(g?.members.cache.get(alice.id)?.user.username).toBe("alice");
      expect(g?.roles.everyone.id).toBe(guild.id);
      expect(g?.members.me?.id).toBe(emu.botUser.id);
      expect(emu.connectedClients).toBe(1);
      await emu.waitFor(() => (emu.sessions[0]?.heartbeats ?? 0) >= 1, 2000);
      // discord.js records the round trip when the op 11 ACK arrives.
      const deadline = Date.now() + 2000;
      while (client.ws.ping < 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(client.ws.ping).toBeGreaterThanOrEqual(0);
      // A guild added after login arrives as GUILD_CREATE.
      const created = new Promise((r) => client.once(Events.GuildCreate, r));
      const later = emu.addGuild({ name: "Second" });
      await created;
      expect(client.guilds.cache.get(later.id)?.name).toBe("Second");
    } finally {
      await client.destroy();
      await emu.stop();
    }
  });

  test("THEN a destroyed client can be replaced by a new one (restart), and interactions reach the new one", async () => {
    const { emu, channel, alice, guild } = await world();
    const first = await connectClient(emu);
    await first.application.commands.set([{ name: "ping", description: "Ping" }], guild.id);
    await first.destroy();
    await emu.waitFor(() => emu.connectedClients === 0, 2000);
    expect(emu.sessions[0]?.ended).toBe(true);
    const second = await connectClient(emu);
    try {
      second.on(Events.InteractionCreate, (i) =>
        i.isChatInputCommand() ? i.reply("from the new process") : undefined,
      );
      const r = await emu.runCommand({ user: alice, channel, command: "ping" });
      expect(r.message?.content).toBe("from the new process");
      expect(r.interaction.sessionIds).toEqual([emu.sessions[1]?.id]);
    } finally {
      await second.destroy();
      await emu.stop();
    }
  });

  test("THEN two clients share the work round-robin, or one is chosen with `via`", async () => {
    const { emu, channel, alice, guild } = await world();
    const a = await connectClient(emu);
    const b = await connectClient(emu);
    try {
      await a.application.commands.set([{ name: "ping", description: "Ping" }], guild.id);
      a.on(Events.InteractionCreate, (i) => (i.isChatInputCommand() ? i.reply("a") : undefined));
      b.on(Events.InteractionCreate, (i) => (i.isChatInputCommand() ? i.reply("b") : undefined));
      const answers = [];
      for (let n = 0; n < 4; n++)
        answers.push((await emu.runCommand({ user: alice, channel, command: "ping" })).message?.content);
      expect(answers.sort()).toEqual(["a", "a", "b", "b"]);
      const bSession = emu.sessions[1]?.id ?? "";
      const viaB = await emu.runCommand({ user: alice, channel, command: "ping", via: bSession });
      expect(viaB.message?.content).toBe("b");
      expect(emu.rejections).toEqual([]);
    } finally {
      await a.destroy();
      await b.destroy();
      await emu.stop();
    }
  });

  test("THEN a dropped connection RESUMEs and events sent meanwhile are replayed", async () => {
    const { emu, guild } = await world();
    const client = await connectClient(emu);
    try {
      const sessionId = emu.sessions[0]?.id ?? "";
      const resumed = new Promise((r) => client.once(Events.ShardResume, r));
      emu.dropConnection(sessionId);
      await emu.waitFor(() => emu.connectedClients === 0, 2000);
      const missed = emu.addChannel(guild.id, { name: "while-away" });
      await resumed;
      expect(emu.sessions).toHaveLength(1);
      expect(client.channels.cache.get(missed.id)?.id).toBe(missed.id);
    } finally {
      await client.destroy();
      await emu.stop();
    }
  });

  test("THEN stop() leaves no open TCP handles", async () => {
    const { emu } = await world();
    const client = await connectClient(emu);
    expect(tcpHandles()).toBeGreaterThan(0);
    await client.destroy();
    await emu.stop();
    // Sockets of this and earlier tests finish closing within a tick or two.
    const deadline = Date.now() + 2000;
    while (tcpHandles() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(process.getActiveResourcesInfo().filter((r) => r.startsWith("TCP"))).toEqual([]);
  });
});
