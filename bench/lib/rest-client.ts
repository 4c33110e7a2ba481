/**
 * The bot's discord.js client (its `createClient`) for the tick benchmarks' posts: REST only, against the
 * emulator, with discord.js's global rate limit off (it would otherwise hold the fan-out to 50 requests/s,
 * Discord's global limit).
 */
import type { Client } from "discord.js";
import { createClient } from "../../src/bot.ts";

export function benchRestClient(apiUrl: string, token: string): Client {
  const client = createClient(apiUrl);
  client.rest.setToken(token);
  client.rest.options.globalRequestsPerSecond = 1e9;
  client.rest.globalRemaining = 1e9;
  return client;
}
