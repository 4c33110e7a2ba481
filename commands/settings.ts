import { ApplicationCommandOptionType, type ChatInputCommandInteraction } from "discord.js";
import { NEW_PER_DAY_MAX } from "../src/core/new-cards.ts";
import type { Command } from "../src/discord/command.ts";
import { renderSettings, type SettingsChange } from "../src/render/settings-view.ts";
import { timezoneChoices } from "../src/render/timezone-choices.ts";
import { type SettingsPatch, settingsView } from "../src/services/settings.ts";

/** The subcommand and the change it asks for (none for `show`). */
function readChange(i: ChatInputCommandInteraction): { change: SettingsChange; patch: SettingsPatch | null } {
  const sub = i.options.getSubcommand();
  if (sub === "reminders")
    return { change: sub, patch: { reminders: i.options.getBoolean("enabled", true) } };
  if (sub === "leaderboard")
    return { change: sub, patch: { leaderboardVisible: i.options.getBoolean("visible", true) } };
  if (sub === "timezone") return { change: sub, patch: { timezone: i.options.getString("zone", true) } };
  if (sub === "newcards") return { change: sub, patch: { newPerDay: i.options.getInteger("per_day", true) } };
  return { change: "show", patch: null };
}

export default {
  data: {
    name: "settings",
    description: "Your personal study settings",
    options: [
      { type: ApplicationCommandOptionType.Subcommand, name: "show", description: "Show your settings" },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "reminders",
        description: "Be pinged in the daily post when you have cards due",
        options: [
          {
            type: ApplicationCommandOptionType.Boolean,
            name: "enabled",
            description: "Ping me",
            required: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "leaderboard",
        description: "Appear on leaderboards and in others' /stats",
        options: [
          {
            type: ApplicationCommandOptionType.Boolean,
            name: "visible",
            description: "Show me",
            required: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "timezone",
        description: "Your timezone: when your study day (new cards, streaks, stats) starts",
        options: [
          {
            type: ApplicationCommandOptionType.String,
            name: "zone",
            description: "IANA name, e.g. Europe/Berlin",
            required: true,
            autocomplete: true,
          },
        ],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "newcards",
        description: "How many new cards you start per day (default 20)",
        options: [
          {
            type: ApplicationCommandOptionType.Integer,
            name: "per_day",
            description: `0 to ${NEW_PER_DAY_MAX}`,
            required: true,
            min_value: 0,
            max_value: NEW_PER_DAY_MAX,
          },
        ],
      },
    ],
  },
  async execute(i, { deps, respond }) {
    const { change, patch } = readChange(i);
    const view = await settingsView(deps, { userId: i.user.id, guildId: i.guildId, patch });
    await respond.reply(renderSettings(change, view));
  },
  async autocomplete(i) {
    await i.respond(timezoneChoices(String(i.options.getFocused())));
  },
} satisfies Command;
