/** A throwaway discord.js client for emulator tests (not the bot). */
import { Client, Events, GatewayIntentBits } from "discord.js";
import type { DiscordEmulator } from "../../src/emulator/index.ts";

export async function connectClient(emu: DiscordEmulator): Promise<Client<true>> {
  const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: emu.apiUrl } });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(emu.token);
  await ready;
  return client as Client<true>;
}
