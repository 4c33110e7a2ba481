/**
 * Views for /deck import, export and remove. Card text goes into embeds (Discord never shows link previews for
 * links inside embeds); text in plain message content has its links wrapped in `<…>`. Nothing pings:
 * allowed_mentions parses nothing.
 */
import { type APIEmbed, type APIEmbedField, ButtonStyle } from "discord.js";
import { encodeId, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import { FORMAT_NAMES } from "../core/decks/parse.ts";
import { suppressLinkPreviews } from "../core/decks/text.ts";
import type { ExportedDeck } from "../services/deck-export.ts";
import type { ImportReport } from "../services/deck-import.ts";
import { cardText } from "./card-text.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { button, COLORS, type MessagePayload, row } from "./study-view.ts";

/** Buttons of /deck remove: `dk:rm:<user36>:<deck id>` (confirm) and `dk:no:<user36>` (cancel). */
export const DECK_PREFIX = "dk";

export type DeckAction =
  | { action: "remove"; userId: string; deckId: string }
  | { action: "cancel"; userId: string };

export function parseDeckId(customId: string): DeckAction | null {
  const p = customId.split(":");
  if (p[0] !== DECK_PREFIX) return null;
  const userId = snowflakeFrom36(p[2]);
  if (userId === null) return null;
  if (p[1] === "rm" && p.length === 4 && /^[a-z0-9][a-z0-9-]{0,39}$/.test(p[3] ?? ""))
    return { action: "remove", userId, deckId: p[3] ?? "" };
  if (p[1] === "no" && p.length === 3) return { action: "cancel", userId };
  return null;
}

const PREVIEW_SIDE = 300;
const WARNINGS_LISTED = 5;

/** A deck name for message content: links wrapped, markdown-safe enough to bold. */
export const shownName = (name: string): string => suppressLinkPreviews(clip(name, 100));

export function renderImported(r: ImportReport): MessagePayload {
  const counts = r.created
    ? `**${r.cards}** card${r.cards === 1 ? "" : "s"}`
    : `**${r.cards}** card${r.cards === 1 ? "" : "s"}: ${r.added} new, ${r.kept} kept with their progress, ${r.retired} retired`;
  const lines = [
    `Format: **${FORMAT_NAMES[r.format]}** · ${counts}`,
    r.scope === "personal"
      ? "Personal deck: only you see it, in every server."
      : "Server deck: everyone in this server can study it.",
    `Deck id \`${r.deckId}\` · you are subscribed: run \`/study\` to begin.`,
  ];
  const fields: APIEmbedField[] = r.preview.map((c, k) => ({
    name: `Card ${k + 1}`,
    value: clip(
      `${cardText(c.front, PREVIEW_SIDE)}\n**→** ${cardText(c.back, PREVIEW_SIDE)}`,
      LIMITS.embedFieldValue,
    ),
  }));
  if (r.warnings.length > 0) {
    const listed = r.warnings.slice(0, WARNINGS_LISTED).map((w) => `• line ${w.line}: ${w.message}`);
    if (r.warnings.length > WARNINGS_LISTED)
      listed.push(`• … and ${r.warnings.length - WARNINGS_LISTED} more`);
    fields.push({
      name: `⚠️ ${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"}`,
      value: clip(listed.join("\n"), LIMITS.embedFieldValue),
    });
  }
  const embed: APIEmbed = {
    color: COLORS.done,
    title: clip(`${r.created ? "Imported" : "Updated"}: ${r.name}`, LIMITS.embedTitle),
    description: clip(lines.join("\n"), LIMITS.embedDescription),
    fields,
  };
  return { embeds: [embed], components: [], allowed_mentions: NO_PINGS };
}

export function renderExported(e: ExportedDeck) {
  const how =
    e.format === "anki"
      ? "In Anki: File → Import, pick the file (the note type Basic and the deck are set in its header)."
      : e.format === "csv"
        ? "Columns: front, back, tags, key (keep the key column to keep progress when you import it again)."
        : "The bot's own format (decks/FORMAT.md): edit it and import it again with `/deck import`.";
  return {
    content: clip(
      `Exported **${shownName(e.name)}** (\`${e.deckId}\`): ${e.cards} card${e.cards === 1 ? "" : "s"} as ${FORMAT_NAMES[e.format]}.\n${how}`,
      LIMITS.content,
    ),
    files: [{ attachment: e.bytes, name: e.fileName }],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoveConfirm(
  userId: string,
  deck: { id: string; name: string; scope: "personal" | "server" },
): MessagePayload {
  const who = deck.scope === "server" ? "Everyone in this server" : "You";
  const buttons = row([
    button(encodeId(DECK_PREFIX, "rm", snowflakeTo36(userId), deck.id), "Remove", ButtonStyle.Danger),
    button(encodeId(DECK_PREFIX, "no", snowflakeTo36(userId)), "Cancel", ButtonStyle.Secondary),
  ]);
  return {
    content: clip(
      `Remove **${shownName(deck.name)}** (\`${deck.id}\`)? ${who} will no longer see or study it. Review history is kept for stats. This cannot be undone.`,
      LIMITS.content,
    ),
    embeds: [],
    components: [buttons],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoved(deck: { id: string; name: string }): MessagePayload {
  return {
    content: `Removed **${shownName(deck.name)}** (\`${deck.id}\`). Review history is kept for stats.`,
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoveCancelled(): MessagePayload {
  return { content: "Nothing was removed.", embeds: [], components: [], allowed_mentions: NO_PINGS };
}
