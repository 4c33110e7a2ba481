/**
 * Views for /deck: the list, subscribe and unsubscribe, import, export and remove, and the autocomplete choices.
 * Card text goes into embeds (Discord never shows link previews for
 * links inside embeds); text in plain message content has its links wrapped in `<…>`. Nothing pings:
 * allowed_mentions parses nothing.
 */
import { type APIEmbed, type APIEmbedField, ButtonStyle } from "discord.js";
import { encodeId, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import { DECK_ID_PATTERN } from "../core/decks/limits.ts";
import { ALL_FORMATS, type DeckFormat, FORMAT_NAMES } from "../core/decks/parse.ts";
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { english, type T } from "../i18n/translate.ts";
import type { ExportedDeck } from "../services/deck-export.ts";
import type { ImportConfirm, ImportReport, ImportScope } from "../services/deck-import.ts";
import type { DeckListView, DeckSummary } from "../services/decks.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { subscribedLine } from "./deck-lines.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";
import { plural } from "./plural.ts";

/**
 * Buttons of /deck remove: `dk:rm:<user36>:<deck id>` (confirm) and `dk:no:<user36>` (cancel). Of an import's
 * question: `dk:iu:<user36>:<fingerprint>:<format>:<deck id>` (update that deck), `dk:in:<user36>:<fingerprint>:
 * <format>:<p|s>` (import as a new personal or server deck), each ending in `:p` when the import brings the
 * package's progress (`import_progress`), and `dk:ic:<user36>` (cancel). The cards themselves travel as the
 * question's attached file (too big for a custom_id); the fingerprint is the state they were asked about
 * (services/deck-import.ts).
 */
export const DECK_PREFIX = "dk";

export type DeckAction =
  | { action: "remove"; userId: string; deckId: string }
  | { action: "cancel"; userId: string }
  | (ImportAnswer & { action: "import-update"; deckId: string })
  | (ImportAnswer & { action: "import-new"; scope: ImportScope })
  | { action: "import-cancel"; userId: string };

/** What both confirm buttons of an import's question carry. */
interface ImportAnswer {
  userId: string;
  fingerprint: string;
  format: DeckFormat;
  /** The import brings the package's progress. */
  progress: boolean;
}

const FINGERPRINT = /^[A-Za-z0-9_-]{10}$/;
/** The last part of a confirm button's id when the import brings progress. */
const WITH_PROGRESS = "p";

export function parseDeckId(customId: string): DeckAction | null {
  const p = customId.split(":");
  if (p[0] !== DECK_PREFIX) return null;
  const userId = snowflakeFrom36(p[2]);
  if (userId === null) return null;
  if (p[1] === "rm" && p.length === 4 && DECK_ID_PATTERN.test(p[3] ?? ""))
    return { action: "remove", userId, deckId: p[3] ?? "" };
  if (p[1] === "no" && p.length === 3) return { action: "cancel", userId };
  if (p[1] === "ic" && p.length === 3) return { action: "import-cancel", userId };
  const fingerprint = p[3] ?? "";
  const format = ALL_FORMATS[Number(p[4])];
  const progress = p.length === 7 && p[6] === WITH_PROGRESS;
  if (
    (p[1] !== "iu" && p[1] !== "in") ||
    (p.length !== 6 && !progress) ||
    !FINGERPRINT.test(fingerprint) ||
    !format
  )
    return null;
  const answer = { userId, fingerprint, format, progress };
  if (p[1] === "iu" && DECK_ID_PATTERN.test(p[5] ?? ""))
    return { action: "import-update", ...answer, deckId: p[5] ?? "" };
  if (p[1] === "in" && (p[5] === "p" || p[5] === "s"))
    return { action: "import-new", ...answer, scope: p[5] === "p" ? "personal" : "server" };
  return null;
}

/** A deck you study shows what is due; one you do not shows no due count, only the progress it keeps for you. */
function deckCounts(d: DeckSummary): string {
  if (d.subscribed) return `${d.due} due · ${d.unseen} new · ${d.total} total`;
  if (d.seen > 0) return `not studied · your progress on ${d.seen} of ${d.total} cards is kept`;
  return plural(d.total, "card");
}

/** `/deck list`: every deck the member sees here, with their counts, and the new cards they may start today. */
export function renderDeckList(v: DeckListView) {
  const lines = v.decks.map(
    (d) => `${d.subscribed ? "✅" : "▫️"} **${d.name}** \`${d.id}\` — ${deckCounts(d)}`,
  );
  return {
    embeds: [
      {
        color: COLORS.info,
        title: "Decks",
        description: clip(lines.join("\n") || "No decks here yet.", LIMITS.embedDescription),
        footer: {
          text: `✅ = subscribed · you can start ${plural(v.newLeft, "new card")} today · /deck subscribe to add one`,
        },
      },
    ],
    allowed_mentions: NO_PINGS,
  };
}

/** The answer to `/deck subscribe` or `/deck unsubscribe`. */
export function renderSubscription(
  sub: "subscribe" | "unsubscribe",
  r: { deck: { name: string }; changed: boolean },
  t: T = english,
) {
  const name = `**${r.deck.name}**`;
  const content =
    sub === "subscribe"
      ? subscribedLine(r.deck.name, r.changed, t)
      : t(r.changed ? "deck.unsubscribed" : "deck.notSubscribed", { name });
  return { content, allowed_mentions: NO_PINGS };
}

/** Autocomplete choices for a deck option: "name (id)", cut to Discord's choice length. */
export function deckChoices(found: readonly { id: string; name: string }[]) {
  return found.map((d) => ({ name: clip(`${d.name} (${d.id})`, LIMITS.choiceName), value: d.id }));
}

const PREVIEW_SIDE = 300;
const WARNINGS_LISTED = 5;

/** A deck name for message content: links wrapped, markdown-safe enough to bold. */
export const shownName = (name: string): string => suppressLinkPreviews(clip(name, 100));

/** What `import_progress` brought: cards on their Anki schedule, their reviews, and cards that kept this bot's. */
function progressLine(p: NonNullable<ImportReport["progress"]>): string {
  const n = (k: number, one: string) => `${k.toLocaleString("en-US")} ${one}${k === 1 ? "" : "s"}`;
  const kept =
    p.kept === 0
      ? ""
      : ` · ${n(p.kept, "card")} kept the schedule ${p.kept === 1 ? "it has" : "they have"} here`;
  return `Anki progress: **${n(p.cards, "card")}** on their Anki schedule, ${n(p.reviews, "review")} in your history${kept}.`;
}

export function renderImported(r: ImportReport): MessagePayload {
  const counts = r.created
    ? `**${r.cards}** card${r.cards === 1 ? "" : "s"}`
    : `**${r.cards}** card${r.cards === 1 ? "" : "s"}: ${r.added} new, ${r.kept} kept with their progress, ${r.retired} retired`;
  const images = r.images > 0 ? ` · ${plural(r.images, "image")}` : "";
  const lines = [
    `Format: **${FORMAT_NAMES[r.format]}** · ${counts}${images}`,
    r.scope === "personal"
      ? "Personal deck: only you see it, in every server."
      : "Server deck: everyone in this server can study it.",
    ...(r.progress ? [progressLine(r.progress)] : []),
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
    e.format === "apkg"
      ? "In Anki: File → Import, pick the file. `/deck import` takes it back with its images and keys."
      : e.format === "anki"
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

const cardCount = (n: number): string => `${n.toLocaleString("en-US")} card${n === 1 ? "" : "s"}`;

/**
 * The question before an update that would retire studied cards or that found its deck only by a name in other
 * capitals: what would be retired (and how much of it was studied), and three buttons. The attached file is
 * what the buttons import.
 */
export function renderImportConfirm(userId: string, c: ImportConfirm) {
  const u = snowflakeTo36(userId);
  const format = String(ALL_FORMATS.indexOf(c.format));
  const progress = c.progress ? [WITH_PROGRESS] : [];
  const whose = c.scope === "server" ? "this server's deck" : "your deck";
  const deck = `**${shownName(c.name)}** (\`${c.deckId}\`)`;
  const why = c.caseOnly
    ? `This file's deck is called **${shownName(c.importName)}**: it matches ${whose} ${deck} only by name, in other capitals.`
    : `This file would update ${whose} ${deck}.`;
  const studied =
    c.retiredStudied === 0
      ? ""
      : `, **${c.retiredStudied.toLocaleString("en-US")} of them with study progress${c.scope === "server" ? " (yours or other members')" : ""}**`;
  const retire =
    c.retired === 0
      ? "and retire none"
      : `and **retire ${cardCount(c.retired)}**${studied}: retired cards are no longer shown (their history stays for stats)`;
  const lines = [
    why,
    `Updating it would add ${c.added.toLocaleString("en-US")} new, keep ${c.kept.toLocaleString("en-US")} with their progress, ${retire}.`,
    `Or import the file (${FORMAT_NAMES[c.format]}, ${cardCount(c.cards)}${c.progress ? ", with your Anki progress" : ""}) as a new deck, and keep ${deck} as it is.`,
    "**Nothing has changed yet.**",
  ];
  if (c.warnings.length > 0)
    lines.push(
      `⚠️ ${c.warnings.length} warning${c.warnings.length === 1 ? "" : "s"}, e.g. line ${c.warnings[0]?.line}: ${c.warnings[0]?.message}`,
    );
  const buttons = row([
    button(
      encodeId(DECK_PREFIX, "iu", u, c.updateFingerprint, format, c.deckId, ...progress),
      c.retired === 0 ? "Update it" : `Update it: retire ${cardCount(c.retired)}`,
      ButtonStyle.Danger,
    ),
    button(
      encodeId(DECK_PREFIX, "in", u, c.newFingerprint, format, c.scope === "server" ? "s" : "p", ...progress),
      "Import as a new deck",
      ButtonStyle.Primary,
    ),
    button(encodeId(DECK_PREFIX, "ic", u), "Cancel", ButtonStyle.Secondary),
  ]);
  return {
    embeds: [
      {
        color: COLORS.info,
        title: clip(`Update ${c.name}?`, LIMITS.embedTitle),
        description: clip(lines.join("\n\n"), LIMITS.embedDescription),
      },
    ],
    components: [buttons],
    files: [{ attachment: c.file.bytes, name: c.file.name }],
    allowed_mentions: NO_PINGS,
  };
}

/** The answer to a confirm clicked too late: what it asked about changed, so it did nothing. */
export function renderImportStale(): MessagePayload {
  return {
    content:
      "This question is out of date: the deck changed since it was asked (another import, a removal, new progress, or this button was already used). **Nothing was imported.** Run `/deck import` again to see what it would do now.",
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

export function renderImportCancelled(): MessagePayload & { attachments: [] } {
  return {
    content: "Nothing was imported.",
    embeds: [],
    components: [],
    attachments: [],
    allowed_mentions: NO_PINGS,
  };
}
