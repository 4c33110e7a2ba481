import { ApplicationCommandOptionType } from "discord.js";
import type { Command } from "../src/discord/command.ts";
import { clip, LIMITS, NO_PINGS } from "../src/render/limits.ts";
import { COLORS } from "../src/render/study-view.ts";
import { listDecks, newLeftToday, searchDecks, subscribe, unsubscribe } from "../src/services/decks.ts";

const deckOption = (description: string) => ({
  type: ApplicationCommandOptionType.String as const,
  name: "deck",
  description,
  required: true,
  autocomplete: true,
});

export default {
  data: {
    name: "deck",
    description: "Browse decks and choose which ones you study",
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "list",
        description: "Decks in this server, with your due and new counts",
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "subscribe",
        description: "Start studying a deck",
        options: [deckOption("The deck to study")],
      },
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: "unsubscribe",
        description: "Stop studying a deck (your progress is kept)",
        options: [deckOption("The deck to drop")],
      },
    ],
  },
  async execute(i, { deps, respond }) {
    const sub = i.options.getSubcommand();
    if (sub === "list") {
      const decks = listDecks(deps, i.user.id, i.guildId);
      const newLeft = newLeftToday(deps, i.user.id, i.guildId);
      const lines = decks.map(
        (d) =>
          `${d.subscribed ? "✅" : "▫️"} **${d.name}** \`${d.id}\` — ${d.due} due · ${d.unseen} new · ${d.total} total`,
      );
      await respond.reply({
        embeds: [
          {
            color: COLORS.info,
            title: "Decks",
            description: clip(lines.join("\n") || "No decks here yet.", LIMITS.embedDescription),
            footer: {
              text: `✅ = subscribed · you can start ${newLeft} new cards today · /deck subscribe to add one`,
            },
          },
        ],
        allowed_mentions: NO_PINGS,
      });
      return;
    }
    const deckId = i.options.getString("deck", true);
    const r =
      sub === "subscribe"
        ? subscribe(deps, i.user.id, i.guildId, deckId)
        : unsubscribe(deps, i.user.id, i.guildId, deckId);
    const name = `**${r.deck.name}**`;
    const content =
      sub === "subscribe"
        ? r.changed
          ? `Subscribed to ${name}. Run \`/study\` to begin.`
          : `You are already subscribed to ${name}.`
        : r.changed
          ? `Unsubscribed from ${name}. Your progress is kept if you come back.`
          : `You were not subscribed to ${name}.`;
    await respond.reply({ content, allowed_mentions: NO_PINGS });
  },
  async autocomplete(i, { deps }) {
    const q = String(i.options.getFocused());
    await i.respond(
      searchDecks(deps.db, i.user.id, i.guildId, q).map((d) => ({
        name: clip(`${d.name} (${d.id})`, LIMITS.choiceName),
        value: d.id,
      })),
    );
  },
} satisfies Command;
