/** `/card add`, a card's Edit and Report forms and their answers, and `/deck reports`. */
import {
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
  type ModalComponentData,
  TextInputStyle,
} from "discord.js";
import type { CardAdded } from "../services/card-add.ts";
import { REPORT_MAX, type ReportsView } from "../services/card-fix.ts";
import { cardIds } from "./card-ids.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

export { deckChoices } from "./deck-view.ts";

const name = (deckName: string) => escapeMarkdown(clip(deckName, 100));
/** Discord: a form's title at most 45 characters, a field's value at most 4,000. */
const title = (text: string) => clip(text, 45, "…");

const input = (
  customId: string,
  label: string,
  style: TextInputStyle,
  o: { required: boolean; maxLength: number; value?: string },
) => ({
  type: ComponentType.ActionRow as const,
  components: [
    {
      type: ComponentType.TextInput as const,
      customId,
      label,
      style,
      required: o.required,
      maxLength: o.maxLength,
      minLength: o.required ? 1 : 0,
      ...(o.value !== undefined && o.value !== "" && o.value.length <= o.maxLength && { value: o.value }),
    },
  ],
});

/**
 * Discord counts a field's length in UTF-16 units and allows 4,000; the card rule (1,500 characters a side) is
 * checked on submit, so a side of emoji is shown whole, never cut, and an edit never saves a cut text.
 */
const FIELD_MAX = 4000;

const cardInputs = (c?: { front: string; back: string; tags: string[] }) => [
  input("front", "Question", TextInputStyle.Paragraph, {
    required: true,
    maxLength: FIELD_MAX,
    value: c?.front,
  }),
  input("back", "Answer", TextInputStyle.Paragraph, { required: true, maxLength: FIELD_MAX, value: c?.back }),
  input("tags", "Tags (optional, separated by spaces)", TextInputStyle.Paragraph, {
    required: false,
    maxLength: FIELD_MAX,
    value: c?.tags.join(" "),
  }),
];

export function addForm(deck: { id: string; name: string }): ModalComponentData {
  return {
    customId: cardIds.addForm(deck.id),
    title: title(`New card · ${deck.name}`),
    components: cardInputs(),
  };
}

export function editForm(c: {
  cardId: number;
  deckName: string;
  front: string;
  back: string;
  tags: string[];
}): ModalComponentData {
  return {
    customId: cardIds.editForm(c.cardId),
    title: title(`Edit card · ${c.deckName}`),
    components: cardInputs(c),
  };
}

export function reportForm(c: { cardId: number; deckName: string; front: string }): ModalComponentData {
  return {
    customId: cardIds.reportForm(c.cardId),
    title: title(`Report: ${c.front.replace(/\s+/g, " ")}`),
    components: [
      input("text", "What is wrong with this card?", TextInputStyle.Paragraph, {
        required: true,
        maxLength: REPORT_MAX,
      }),
    ],
  };
}

export function cardAddedText(c: CardAdded): string {
  return [
    `Added to **${name(c.deckName)}** (\`${c.deckId}\`):`,
    cardText(c.front, 1500),
    "Everyone who studies this deck gets it as a new card in `/study`.",
  ].join("\n");
}

export function cardEditedText(e: { deckName: string; front: string; reportsFixed: number }): string {
  return [
    `Saved in **${name(e.deckName)}**: everyone's schedule for it stays as it was.`,
    cardText(e.front, 1500),
    e.reportsFixed > 0
      ? `${e.reportsFixed} open report${e.reportsFixed === 1 ? " is" : "s are"} marked fixed.`
      : "",
  ]
    .filter(Boolean)
    .join("\n");
}

export function cardReportedText(r: { deckName: string; updated: boolean; shipped: boolean }): string {
  if (r.shipped)
    return `Thanks: your report is kept for the bot's maintainers. **${name(r.deckName)}** ships with the bot, so its cards change with its file.`;
  return r.updated
    ? `Your report on this card of **${name(r.deckName)}** is updated: the deck's owners see it in \`/deck reports\`.`
    : "Thanks: the deck's owners see your report in `/deck reports` and can fix the card.";
}

/** The open reports of a deck, each with Edit and Dismiss (the first REPORTS_SHOWN, oldest first). */
export function renderReports(v: ReportsView): MessagePayload {
  const embed: APIEmbed = {
    color: COLORS.info,
    title: clip(`Reports · ${v.deckName}`, LIMITS.embedTitle),
    description:
      v.total === 0
        ? "No open reports: nothing to fix."
        : `${v.total} open report${v.total === 1 ? "" : "s"}${v.total > v.reports.length ? `, the oldest ${v.reports.length} below` : ""}. **Edit** fixes the card (everyone's schedule stays), **Dismiss** closes the report.`,
    fields: v.reports.map((r, k) => ({
      name: clip(`${k + 1}. ${r.front.replace(/\s+/g, " ")}`, LIMITS.embedFieldName),
      value: clip(
        `<@${r.reporterId}> <t:${Math.floor(r.createdAt / 1000)}:R>: ${cardText(r.text, 700)}`,
        LIMITS.embedFieldValue,
      ),
    })),
  };
  return {
    ...(v.notice && { content: v.notice }),
    embeds: [embed],
    components: v.reports.map((r, k) =>
      row([
        button(cardIds.edit(r.cardId), `Edit ${k + 1}`, ButtonStyle.Primary),
        button(cardIds.dismiss(r.id), `Dismiss ${k + 1}`, ButtonStyle.Secondary),
      ]),
    ),
    allowed_mentions: NO_PINGS,
  };
}
