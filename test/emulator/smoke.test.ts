import { afterAll, expect, test } from "vitest";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { connectClient } from "./client.ts";

let emu: DiscordEmulator;
afterAll(async () => emu?.stop());

test("smoke", async () => {
  emu = await DiscordEmulator.start({ log: console.log });
  const g = emu.addGuild({ name: "Study Group" });
  const ch = emu.addChannel(g.id, { name: "study" });
  const alice = emu.addUser({ name: "alice", guildId: g.id, admin: true });
  const client = await connectClient(emu);
  expect(client.guilds.cache.get(g.id)?.name).toBe("Study Group");
  await client.application.commands.set([{ name: "ping", description: "Ping" }]);
  client.on("interactionCreate", async (i) => {
    if (i.isChatInputCommand()) await i.reply({ content: `pong <@${alice.id}>` });
  });
  const r = await emu.runCommand({ user: alice, channel: ch, command: "ping" });
  expect(r.message?.content).toBe(`pong <@${alice.id}>`);
  console.log(r.message, emu.rejections);
  await client.destroy();
});
