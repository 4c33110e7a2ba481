/**
 * Views for /deck: the list, subscribe and unsubscribe, import, export and remove, and the autocomplete choices.
 * Card text goes into embeds (Discord never shows link previews for
 * links inside embeds); text in plain message content has its links wrapped in `<…>`. Nothing pings:
 * allowed_mentions parses nothing.
 */
import { type APIEmbed, type APIEmbedField, ButtonStyle } from "discord.js";
import { encodeId, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import { DECK_ID_PATTERN } from "../core/decks/limits.ts";
import { ALL_FORMATS, type DeckFormat } from "../core/decks/parse.ts";
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { english, type T } from "../i18n/translate.ts";
import type { ExportedDeck } from "../services/deck-export.ts";
import type { ImportConfirm, ImportReport, ImportScope } from "../services/deck-import.ts";
import type { DeckListView, DeckSummary } from "../services/decks.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { subscribedLine } from "./deck-lines.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

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
function deckCounts(d: DeckSummary, t: T): string {
  if (d.subscribed) return t("deck.list.counts", { due: d.due, unseen: d.unseen, total: d.total });
  if (d.seen > 0) return t("deck.list.kept", { seen: d.seen, total: d.total });
  return t("common.cards", { count: d.total });
}

/** `/deck list`: every deck the member sees here, with their counts, and the new cards they may start today. */
export function renderDeckList(v: DeckListView, t: T = english) {
  const lines = v.decks.map(
    (d) => `${d.subscribed ? "✅" : "▫️"} **${d.name}** \`${d.id}\` — ${deckCounts(d, t)}`,
  );
  return {
    embeds: [
      {
        color: COLORS.info,
        title: t("deck.list.title"),
        description: clip(lines.join("\n") || t("deck.list.empty"), LIMITS.embedDescription),
        footer: { text: t("deck.list.footer", { cards: t("study.newCards", { count: v.newLeft }) }) },
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

/** A format's name in the member's language (the same words as FORMAT_NAMES in English). */
const formatName = (f: DeckFormat, t: T): string => t(`deck.formats.${f}`);

const PREVIEW_SIDE = 300;
const WARNINGS_LISTED = 5;

/** A deck name for message content: links wrapped, markdown-safe enough to bold. */
export const shownName = (name: string): string => suppressLinkPreviews(clip(name, 100));

/** What `import_progress` brought: cards on their Anki schedule, their reviews, and cards that kept this bot's. */
function progressLine(p: NonNullable<ImportReport["progress"]>, t: T): string {
  const kept =
    p.kept === 0
      ? ""
      : t("deck.imported.progressKept", { count: p.kept, cards: t("deck.cardCount", { count: p.kept }) });
  return t("deck.imported.progress", {
    cards: t("deck.cardCount", { count: p.cards }),
    reviews: t("deck.imported.reviews", { count: p.reviews }),
    kept,
  });
}

export function renderImported(r: ImportReport, t: T = english): MessagePayload {
  const cards = t("deck.imported.cards", { count: r.cards });
  const counts = r.created
    ? cards
    : t("deck.imported.changes", { cards, added: r.added, kept: r.kept, retired: r.retired });
  const images = r.images > 0 ? ` · ${t("deck.imported.images", { count: r.images })}` : "";
  const lines = [
    t("deck.imported.format", { format: formatName(r.format, t), counts, images }),
    t(r.scope === "personal" ? "deck.imported.personal" : "deck.imported.server"),
    ...(r.progress ? [progressLine(r.progress, t)] : []),
    t("deck.imported.deckId", { id: r.deckId }),
  ];
  const fields: APIEmbedField[] = r.preview.map((c, k) => ({
    name: t("deck.imported.card", { n: k + 1 }),
    value: clip(
      `${cardText(c.front, PREVIEW_SIDE)}\n**→** ${cardText(c.back, PREVIEW_SIDE)}`,
      LIMITS.embedFieldValue,
    ),
  }));
  if (r.warnings.length > 0) {
    const listed = r.warnings
      .slice(0, WARNINGS_LISTED)
      .map((w) => t("deck.imported.warningLine", { line: w.line, message: w.message }));
    if (r.warnings.length > WARNINGS_LISTED)
      listed.push(t("deck.imported.warningsMore", { count: r.warnings.length - WARNINGS_LISTED }));
    fields.push({
      name: t("deck.imported.warnings", { count: r.warnings.length }),
      value: clip(listed.join("\n"), LIMITS.embedFieldValue),
    });
  }
  const embed: APIEmbed = {
    color: COLORS.done,
    title: clip(
      t(r.created ? "deck.imported.titleCreated" : "deck.imported.titleUpdated", { name: r.name }),
      LIMITS.embedTitle,
    ),
    description: clip(lines.join("\n"), LIMITS.embedDescription),
    fields,
  };
  return { embeds: [embed], components: [], allowed_mentions: NO_PINGS };
}

const HOW_KEYS = {
  apkg: "deck.exported.howApkg",
  anki: "deck.exported.howAnki",
  csv: "deck.exported.howCsv",
} as const;

export function renderExported(e: ExportedDeck, t: T = english) {
  const how = t(
    e.format === "apkg" || e.format === "anki" || e.format === "csv"
      ? HOW_KEYS[e.format]
      : "deck.exported.howNative",
  );
  return {
    content: clip(
      t("deck.exported.done", {
        name: shownName(e.name),
        id: e.deckId,
        cards: t("common.cards", { count: e.cards }),
        format: formatName(e.format, t),
        how,
      }),
      LIMITS.content,
    ),
    files: [{ attachment: e.bytes, name: e.fileName }],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoveConfirm(
  userId: string,
  deck: { id: string; name: string; scope: "personal" | "server" },
  t: T = english,
): MessagePayload {
  const buttons = row([
    button(
      encodeId(DECK_PREFIX, "rm", snowflakeTo36(userId), deck.id),
      t("deck.remove.button"),
      ButtonStyle.Danger,
    ),
    button(encodeId(DECK_PREFIX, "no", snowflakeTo36(userId)), t("deck.cancel"), ButtonStyle.Secondary),
  ]);
  return {
    content: clip(
      t(deck.scope === "server" ? "deck.remove.confirmServer" : "deck.remove.confirmPersonal", {
        name: shownName(deck.name),
        id: deck.id,
      }),
      LIMITS.content,
    ),
    embeds: [],
    components: [buttons],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoved(deck: { id: string; name: string }, t: T = english): MessagePayload {
  return {
    content: t("deck.remove.done", { name: shownName(deck.name), id: deck.id }),
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

export function renderRemoveCancelled(t: T = english): MessagePayload {
  return { content: t("deck.remove.cancelled"), embeds: [], components: [], allowed_mentions: NO_PINGS };
}

/**
 * The question before an update that would retire studied cards or that found its deck only by a name in other
 * capitals: what would be retired (and how much of it was studied), and three buttons. The attached file is
 * what the buttons import.
 */
export function renderImportConfirm(userId: string, c: ImportConfirm, t: T = english) {
  const u = snowflakeTo36(userId);
  const format = String(ALL_FORMATS.indexOf(c.format));
  const progress = c.progress ? [WITH_PROGRESS] : [];
  const server = c.scope === "server";
  const deck = `**${shownName(c.name)}** (\`${c.deckId}\`)`;
  const why = c.caseOnly
    ? t(server ? "deck.confirm.caseOnlyServer" : "deck.confirm.caseOnlyPersonal", {
        importName: shownName(c.importName),
        deck,
      })
    : t(server ? "deck.confirm.updateServer" : "deck.confirm.updatePersonal", { deck });
  const studied =
    c.retiredStudied === 0
      ? ""
      : t(server ? "deck.confirm.studiedServer" : "deck.confirm.studied", { count: c.retiredStudied });
  const retireCards = t("deck.cardCount", { count: c.retired });
  const retire =
    c.retired === 0
      ? t("deck.confirm.retireNone")
      : t("deck.confirm.retire", { cards: retireCards, studied });
  const lines = [
    why,
    t("deck.confirm.updating", { added: c.added, kept: c.kept, retire }),
    t("deck.confirm.orNew", {
      format: formatName(c.format, t),
      cards: t("deck.cardCount", { count: c.cards }),
      progress: c.progress ? t("deck.confirm.withProgress") : "",
      deck,
    }),
    t("deck.confirm.nothingYet"),
  ];
  if (c.warnings.length > 0)
    lines.push(
      t("deck.confirm.warnings", {
        count: c.warnings.length,
        line: c.warnings[0]?.line ?? "",
        message: c.warnings[0]?.message ?? "",
      }),
    );
  const buttons = row([
    button(
      encodeId(DECK_PREFIX, "iu", u, c.updateFingerprint, format, c.deckId, ...progress),
      c.retired === 0 ? t("deck.confirm.updateIt") : t("deck.confirm.updateRetire", { cards: retireCards }),
      ButtonStyle.Danger,
    ),
    button(
      encodeId(DECK_PREFIX, "in", u, c.newFingerprint, format, server ? "s" : "p", ...progress),
      t("deck.confirm.importNew"),
      ButtonStyle.Primary,
    ),
    button(encodeId(DECK_PREFIX, "ic", u), t("deck.cancel"), ButtonStyle.Secondary),
  ]);
  return {
    embeds: [
      {
        color: COLORS.info,
        title: clip(t("deck.confirm.title", { name: c.name }), LIMITS.embedTitle),
        description: clip(lines.join("\n\n"), LIMITS.embedDescription),
      },
    ],
    components: [buttons],
    files: [{ attachment: c.file.bytes, name: c.file.name }],
    allowed_mentions: NO_PINGS,
  };
}

/** The answer to a confirm clicked too late: what it asked about changed, so it did nothing. */
export function renderImportStale(t: T = english): MessagePayload {
  return {
    content: t("deck.confirm.stale"),
    embeds: [],
    components: [],
    allowed_mentions: NO_PINGS,
  };
}

export function renderImportCancelled(t: T = english): MessagePayload & { attachments: [] } {
  return {
    content: t("deck.confirm.cancelled"),
    embeds: [],
    components: [],
    attachments: [],
    allowed_mentions: NO_PINGS,
  };
}
