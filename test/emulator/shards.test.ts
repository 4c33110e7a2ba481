import { Client, Events, GatewayIntentBits } from "discord.js";
import { describe, expect, test } from "vitest";
import { WebSocket } from "ws";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { recommendedShards, shardOf } from "../../src/emulator/shards.ts";
import { guildSnowflake } from "../helpers/snowflakes.ts";

async function gatewayBot(emu: DiscordEmulator) {
  const res = await fetch(`${emu.apiUrl}/v10/gateway/bot`, {
    headers: { authorization: `Bot ${emu.token}` },
  });
  return (await res.json()) as {
    url: string;
    shards: number;
    session_start_limit: { total: number; remaining: number; max_concurrency: number };
  };
}

/** One raw IDENTIFY with `shard`; resolves with the close code, or the READY's guild count. */
function identify(emu: DiscordEmulator, shard: [number, number]) {
  return new Promise<{ closed?: number; readyGuilds?: number }>((resolve, reject) => {
    const ws = new WebSocket(`${emu.baseUrl.replace(/^http/, "ws")}/gateway?v=10&encoding=json`);
    ws.on("message", (data) => {
      const f = JSON.parse(data.toString());
      if (f.op === 10)
        ws.send(JSON.stringify({ op: 2, d: { token: emu.token, intents: 1, shard, properties: {} } }));
      if (f.t === "READY") {
        resolve({ readyGuilds: f.d.guilds.length });
        ws.close(1000);
      }
    });
    ws.on("close", (code) => resolve({ closed: code }));
    ws.on("error", reject);
  });
}

function shardClient(emu: DiscordEmulator, id: number, count: number): Client<true> {
  return new Client({
    intents: [GatewayIntentBits.Guilds],
    rest: { api: emu.apiUrl },
    shards: [id],
    shardCount: count,
  }) as Client<true>;
}

describe("GIVEN Discord's sharding rules", () => {
  test("THEN a guild's shard is (id >> 22) % count, a DM's is 0, and ~1,000 guilds per shard are recommended", () => {
    expect([0, 1, 2, 3, 4].map((n) => shardOf(guildSnowflake(n), 4))).toEqual([0, 1, 2, 3, 0]);
    expect(shardOf("81384788765712384", 1)).toBe(0);
    expect(shardOf("81384788765712384", 2)).toBe(Number((81384788765712384n >> 22n) % 2n));
    expect(shardOf(undefined, 16)).toBe(0);
    expect([0, 1, 1000, 1001, 2500, 10_000].map(recommendedShards)).toEqual([1, 1, 1, 2, 3, 10]);
  });
});

describe("GIVEN an emulator world of guilds on several shards", () => {
  test("THEN GET /gateway/bot recommends ceil(guilds / 1000) shards and a session start limit", async () => {
    const emu = await DiscordEmulator.start();
    try {
      expect((await gatewayBot(emu)).shards).toBe(1);
      for (let n = 0; n < 1001; n++) emu.addGuild({ name: `g${n}`, id: guildSnowflake(n) });
      const info = await gatewayBot(emu);
      expect(info.shards).toBe(2);
      expect(info.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/gateway$/);
      expect(info.session_start_limit).toMatchObject({ remaining: 1000, max_concurrency: 1 });
    } finally {
      await emu.stop();
    }
  });

  test("THEN four discord.js clients, one per shard, each hold only their guilds and answer only their guilds' interactions", async () => {
    const emu = await DiscordEmulator.start();
    const guilds = Array.from({ length: 8 }, (_, n) =>
      emu.addGuild({ name: `g${n}`, id: guildSnowflake(n) }),
    );
    const channels = guilds.map((g) => emu.addChannel(g.id, { name: "study" }));
    const users = guilds.map((g, n) => emu.addUser({ name: `u${n}`, guildId: g.id }));
    const clients = [0, 1, 2, 3].map((id) => shardClient(emu, id, 4));
    try {
      await Promise.all(
        clients.map(async (c, id) => {
          const ready = new Promise<void>((r) => c.once(Events.ClientReady, () => r()));
          c.on(Events.InteractionCreate, (i) =>
            i.isChatInputCommand() ? i.reply(`shard ${id}`) : undefined,
          );
          await c.login(emu.token);
          await ready;
        }),
      );
      expect(emu.connectedClients).toBe(4);
      expect(emu.sessions.map((s) => s.shard).sort()).toEqual([
        [0, 4],
        [1, 4],
        [2, 4],
        [3, 4],
      ]);
      for (const [id, c] of clients.entries())
        expect([...c.guilds.cache.keys()].sort()).toEqual([guilds[id]?.id, guilds[id + 4]?.id].sort());
      // A guild added later reaches only the shard that holds it.
      const late = emu.addGuild({ name: "late", id: guildSnowflake(10) });
      await emu.waitFor(() => clients[2]?.guilds.cache.has(late.id), 2000);
      expect(clients.filter((c) => c.guilds.cache.has(late.id))).toHaveLength(1);

      await clients[0]?.application.commands.set([{ name: "ping", description: "Ping" }]);
      for (const [n, g] of guilds.entries()) {
        const r = await emu.runCommand({ user: users[n] ?? "", channel: channels[n] ?? "", command: "ping" });
        expect(r.message?.content, g.name).toBe(`shard ${n % 4}`);
      }
      expect(emu.rejections).toEqual([]);
    } finally {
      await Promise.all(clients.map((c) => c.destroy()));
      await emu.stop();
    }
  });

  test("THEN an interaction in a guild whose shard no client holds says which shards are connected", async () => {
    const emu = await DiscordEmulator.start();
    const g = emu.addGuild({ name: "g1", id: guildSnowflake(1) });
    const ch = emu.addChannel(g.id, { name: "study" });
    const u = emu.addUser({ name: "u", guildId: g.id });
    const client = shardClient(emu, 0, 2);
    try {
      const ready = new Promise<void>((r) => client.once(Events.ClientReady, () => r()));
      await client.login(emu.token);
      await ready;
      expect(client.guilds.cache.size).toBe(0);
      await client.application.commands.set([{ name: "ping", description: "Ping" }]);
      await expect(emu.runCommand({ user: u, channel: ch, command: "ping" })).rejects.toThrow(
        /holds the shard of guild \d+ \(connected shards: 0\/2\)/,
      );
    } finally {
      await client.destroy();
      await emu.stop();
    }
  });

  test("THEN one connection to 3,000 guilds is closed with 4011, while two shards of 1,500 are accepted", async () => {
    const emu = await DiscordEmulator.start();
    try {
      for (let n = 0; n < 3000; n++) emu.addGuild({ name: `g${n}`, id: guildSnowflake(n) });
      expect(await identify(emu, [0, 1])).toEqual({ closed: 4011 });
      expect(emu.sessions).toEqual([]);
      expect(await identify(emu, [1, 2])).toEqual({ readyGuilds: 1500 });
      expect((await gatewayBot(emu)).shards).toBe(3);
    } finally {
      await emu.stop();
    }
  });
});
