import { ConfigError, loadConfig } from "./config.ts";
import { loadCommands } from "./discord/load-commands.ts";
import { registerCommands } from "./discord/register.ts";

/** Registers the slash commands: guild-scoped when DEV_GUILD_ID is set (instant), global otherwise. */
try {
  process.loadEnvFile?.(".env");
} catch {
  // no .env file
}
try {
  const config = loadConfig();
  if (!config.DISCORD_CLIENT_ID) throw new ConfigError("DISCORD_CLIENT_ID is not set (see .env.example).");
  const n = await registerCommands({
    token: config.DISCORD_TOKEN,
    applicationId: config.DISCORD_CLIENT_ID,
    guildId: config.DEV_GUILD_ID,
    apiUrl: config.DISCORD_API_URL,
    commands: await loadCommands(),
  });
  console.log(
    `Registered ${n} commands ${config.DEV_GUILD_ID ? `in server ${config.DEV_GUILD_ID}` : "globally"}.`,
  );
} catch (err) {
  console.error(err instanceof ConfigError ? err.message : `Could not register commands: ${String(err)}`);
  process.exit(1);
}
