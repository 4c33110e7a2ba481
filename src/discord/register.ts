import { REST, Routes } from "discord.js";
import { localizeCommand } from "../i18n/command-localizations.ts";
import type { Command } from "./command.ts";

/** PUTs every command's JSON (with its localizations, src/i18n): guild-scoped when `guildId` is given (instant), global otherwise. */
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
  const body = o.commands.map((c) => localizeCommand(c.data));
  const saved = (await rest.put(route, { body })) as unknown[];
  return saved.length;
}
