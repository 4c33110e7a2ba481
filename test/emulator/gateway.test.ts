import { Events, Status } from "discord.js";
import { describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import type { Json } from "../../src/emulator/types.ts";
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

/** A raw gateway client: every frame it receives, in order. */
function rawGateway(url: string) {
  const ws = new WebSocket(url);
  const frames: Array<{ op: number; t: string | null; s: number | null; d: Json }> = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on("message", (data) => frames.push(JSON.parse(data.toString())));
  ws.on("close", (code, reason) => {
    closed = { code, reason: reason.toString() };
  });
  return { ws, frames, closed: () => closed };
}

describe("GIVEN the raw gateway protocol", () => {
  test("THEN HELLO, IDENTIFY → READY (s=1) + GUILD_CREATE (s=2), op 1 → op 11, and a bad RESUME → op 9", async () => {
    const { emu, guild } = await world({ heartbeatIntervalMs: 1234 });
    const url = `${emu.baseUrl.replace("http", "ws")}/gateway?v=10&encoding=json`;
    const g = rawGateway(url);
    try {
      await emu.waitFor(() => g.frames.length >= 1, 2000);
      expect(g.frames[0]).toMatchObject({ op: 10, d: { heartbeat_interval: 1234 } });
      g.ws.send(
        JSON.stringify({ op: 2, d: { token: emu.token, intents: 1, properties: {}, shard: [0, 1] } }),
      );
      await emu.waitFor(() => g.frames.length >= 3, 2000);
      expect(g.frames.slice(1).map((f) => [f.t, f.s])).toEqual([
        ["READY", 1],
        ["GUILD_CREATE", 2],
      ]);
      expect(g.frames[1]?.d.guilds).toEqual([{ id: guild.id, unavailable: true }]);
      expect(g.frames[1]?.d.application.id).toBe(emu.applicationId);
      g.ws.send(JSON.stringify({ op: 1, d: 2 }));
      await emu.waitFor(() => g.frames.length >= 4, 2000);
      expect(g.frames[3]?.op).toBe(11);
      const bad = rawGateway(url);
      await emu.waitFor(() => bad.frames.length >= 1, 2000);
      bad.ws.send(JSON.stringify({ op: 6, d: { token: emu.token, session_id: "nope", seq: 1 } }));
      await emu.waitFor(() => bad.frames.length >= 2, 2000);
      expect(bad.frames[1]).toMatchObject({ op: 9, d: false });
      bad.ws.close();
    } finally {
      g.ws.close();
      await emu.stop();
    }
  });

  test("THEN compression and a wrong token are refused with close codes", async () => {
    const { emu } = await world();
    const base = `${emu.baseUrl.replace("http", "ws")}/gateway?v=10&encoding=json`;
    const zipped = rawGateway(`${base}&compress=zlib-stream`);
    const wrong = rawGateway(base);
    try {
      await emu.waitFor(() => wrong.frames.length >= 1, 2000);
      wrong.ws.send(JSON.stringify({ op: 2, d: { token: "nope", intents: 1, properties: {} } }));
      await emu.waitFor(() => zipped.closed() && wrong.closed(), 2000);
      expect(zipped.closed()?.code).toBe(4000);
      expect(wrong.closed()?.code).toBe(4004);
    } finally {
      await emu.stop();
    }
  });
});

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

  test("THEN during a gateway outage the client stays disconnected, and resumes once it is restored", async () => {
    const { emu, guild } = await world();
    const client = await connectClient(emu);
    try {
      const resumed = new Promise((r) => client.once(Events.ShardResume, r));
      emu.dropGateway();
      await emu.waitFor(() => emu.connectedClients === 0, 2000);
      const missed = emu.addChannel(guild.id, { name: "during-outage" });
      await new Promise((r) => setTimeout(r, 300)); // reconnect attempts get no HELLO meanwhile
      expect(emu.connectedClients).toBe(0);
      expect(client.ws.shards.get(0)?.status).not.toBe(Status.Ready);
      emu.restoreGateway();
      await resumed;
      expect(client.ws.shards.get(0)?.status).toBe(Status.Ready);
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
