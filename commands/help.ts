import type { Command } from "../src/discord/command.ts";
import { NO_PINGS } from "../src/render/limits.ts";
import { COLORS } from "../src/render/study-view.ts";

export const HELP_TEXT = [
  "I help your study group learn flashcards with spaced repetition (FSRS, as in Anki).",
  "",
  "**Studying**",
  "`/deck list` — decks here, with your due / new / total counts",
  "`/deck subscribe deck:` · `/deck unsubscribe deck:` — choose what you study",
  "`/study [deck]` — review privately: **Show answer**, then rate **Again / Hard / Good / Easy**; each button shows when you will see the card again.",
  "",
  "Due reviews come first (most overdue first), then up to 20 new cards a day. Days start at 04:00 server time.",
].join("\n");

export default {
  data: { name: "help", description: "What this bot does and how to use it" },
  async execute(_i, { respond }) {
    await respond.reply({
      embeds: [{ color: COLORS.info, title: "Study companion", description: HELP_TEXT }],
      allowed_mentions: NO_PINGS,
    });
  },
} satisfies Command;
