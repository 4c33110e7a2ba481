import { REST, Routes } from "discord.js";
import type { Command } from "./command.ts";

/** PUTs every command's JSON: guild-scoped when `guildId` is given (instant), global otherwise. */
export async function registerCommands(o: {
  token: string;
  applicationId: string;
  guildId?: string;
  apiUrl?: string;
  commands: Command[];
}): Promise<number> {
  const rest = new REST(o.apiUrl ? { api: o.apiUrl } : {}).setToken(o.token);
  const route = o.guildId
    ? Routes.applicationGuildCommands(o.applicationId, o.guildId)
    : Routes.applicationCommands(o.applicationId);
  const saved = (await rest.put(route, { body: o.commands.map((c) => c.data) })) as unknown[];
  return saved.length;
}
