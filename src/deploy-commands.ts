import { REST, Routes } from "discord.js";
import { ConfigError, loadConfig } from "./config.ts";
import { loadCommands } from "./discord/load-commands.ts";

/** Registers the slash commands: guild-scoped when DEV_GUILD_ID is set (instant), global otherwise. */
try {
  process.loadEnvFile?.(".env");
} catch {
  // no .env file
}
try {
  const config = loadConfig();
  if (!config.DISCORD_CLIENT_ID) throw new ConfigError("DISCORD_CLIENT_ID is not set (see .env.example).");
  const body = (await loadCommands()).map((c) => c.data);
  const rest = new REST(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}).setToken(
    config.DISCORD_TOKEN,
  );
  const route = config.DEV_GUILD_ID
    ? Routes.applicationGuildCommands(config.DISCORD_CLIENT_ID, config.DEV_GUILD_ID)
    : Routes.applicationCommands(config.DISCORD_CLIENT_ID);
  const saved = (await rest.put(route, { body })) as unknown[];
  console.log(
    `Registered ${saved.length} commands ${config.DEV_GUILD_ID ? `in server ${config.DEV_GUILD_ID}` : "globally"}.`,
  );
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Could not register commands: ${String(err)}`);
  process.exit(1);
}
