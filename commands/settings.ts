import { ApplicationCommandOptionType } from "discord.js";
import { NEW_PER_DAY_MAX } from "../src/core/new-cards.ts";
import { memberZone } from "../src/db/review-stats.ts";
import type { Command } from "../src/discord/command.ts";
import { COLORS } from "../src/render/components.ts";
import { NO_PINGS } from "../src/render/limits.ts";
import { plural } from "../src/render/plural.ts";
import { timezoneChoices } from "../src/render/timezone-choices.ts";
import { getSettings, updateSettings } from "../src/services/settings.ts";

const onOff = (b: boolean) => (b ? "on" : "off");

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
    const sub = i.options.getSubcommand();
    const uid = i.user.id;
    let note: string;
    if (sub === "reminders") {
      const on = i.options.getBoolean("enabled", true);
      updateSettings(deps.db, uid, { reminders: on });
      note = on
        ? "I will ping you in the daily post when you have cards due."
        : "No more pings from the daily post.";
    } else if (sub === "leaderboard") {
      const on = i.options.getBoolean("visible", true);
      updateSettings(deps.db, uid, { leaderboardVisible: on });
      note = on
        ? "You appear on leaderboards again."
        : "You are hidden from leaderboards and from others' `/stats`.";
    } else if (sub === "timezone") {
      const zone = updateSettings(deps.db, uid, { timezone: i.options.getString("zone", true) }).timezone;
      note = `Your timezone is now \`${zone}\`.`;
    } else if (sub === "newcards") {
      const n = i.options.getInteger("per_day", true);
      updateSettings(deps.db, uid, { newPerDay: n });
      note =
        n === 0
          ? "You will start no new cards: only reviews come up."
          : `You will start up to ${plural(n, "new card")} per day.`;
    } else {
      note = "Your settings:";
    }
    const s = getSettings(deps.db, uid);
    await respond.reply({
      content: note,
      embeds: [
        {
          color: COLORS.info,
          fields: [
            { name: "New cards per day", value: String(s.newPerDay), inline: true },
            {
              name: "Timezone",
              // Without one of their own, the member's days follow the server's zone: name it.
              value:
                s.timezone ??
                `${i.guildId ? "server's: " : ""}${memberZone(deps.db, uid, i.guildId)} (default)`,
              inline: true,
            },
            { name: "Daily reminders", value: onOff(s.reminders), inline: true },
            { name: "On leaderboards", value: onOff(s.leaderboardVisible), inline: true },
          ],
        },
      ],
      allowed_mentions: NO_PINGS,
    });
  },
  async autocomplete(i) {
    await i.respond(timezoneChoices(String(i.options.getFocused())));
  },
} satisfies Command;
