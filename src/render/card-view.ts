/** `/card add`, a card's Edit and Report forms and their answers, and `/deck reports`. */
import {
  type APIEmbed,
  ButtonStyle,
  ComponentType,
  escapeMarkdown,
  type ModalComponentData,
  TextInputStyle,
} from "discord.js";
import { english, type T } from "../i18n/translate.ts";
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

const cardInputs = (t: T, c?: { front: string; back: string; tags: string[] }) => [
  input("front", t("card.question"), TextInputStyle.Paragraph, {
    required: true,
    maxLength: FIELD_MAX,
    value: c?.front,
  }),
  input("back", t("card.answer"), TextInputStyle.Paragraph, {
    required: true,
    maxLength: FIELD_MAX,
    value: c?.back,
  }),
  input("tags", t("card.tags"), TextInputStyle.Paragraph, {
    required: false,
    maxLength: FIELD_MAX,
    value: c?.tags.join(" "),
  }),
];

export function addForm(deck: { id: string; name: string }, t: T = english): ModalComponentData {
  return {
    customId: cardIds.addForm(deck.id),
    title: title(t("card.addTitle", { deck: deck.name })),
    components: cardInputs(t),
  };
}

export function editForm(
  c: {
    cardId: number;
    deckName: string;
    front: string;
    back: string;
    tags: string[];
  },
  t: T = english,
): ModalComponentData {
  return {
    customId: cardIds.editForm(c.cardId),
    title: title(t("card.editTitle", { deck: c.deckName })),
    components: cardInputs(t, c),
  };
}

export function reportForm(
  c: { cardId: number; deckName: string; front: string },
  t: T = english,
): ModalComponentData {
  return {
    customId: cardIds.reportForm(c.cardId),
    title: title(t("card.reportTitle", { front: c.front.replace(/\s+/g, " ") })),
    components: [
      input("text", t("card.reportLabel"), TextInputStyle.Paragraph, {
        required: true,
        maxLength: REPORT_MAX,
      }),
    ],
  };
}

export function cardAddedText(c: CardAdded, t: T = english): string {
  return [
    t("card.added", { deck: name(c.deckName), id: c.deckId }),
    cardText(c.front, 1500),
    t("card.addedNote"),
  ].join("\n");
}

export function cardEditedText(
  e: { deckName: string; front: string; reportsFixed: number },
  t: T = english,
): string {
  return [
    t("card.saved", { deck: name(e.deckName) }),
    cardText(e.front, 1500),
    e.reportsFixed > 0 ? t("card.reportsFixed", { count: e.reportsFixed }) : "",
  ]
    .filter(Boolean)
    .join("\n");
}

export function cardReportedText(
  r: { deckName: string; updated: boolean; shipped: boolean },
  t: T = english,
): string {
  if (r.shipped) return t("card.reportShipped", { deck: name(r.deckName) });
  return r.updated ? t("card.reportUpdated", { deck: name(r.deckName) }) : t("card.reportThanks");
}

/** The open reports of a deck, each with Edit and Dismiss (the first REPORTS_SHOWN, oldest first). */
export function renderReports(v: ReportsView, t: T = english): MessagePayload {
  const embed: APIEmbed = {
    color: COLORS.info,
    title: clip(t("card.reports.title", { deck: v.deckName }), LIMITS.embedTitle),
    description:
      v.total === 0
        ? t("card.reports.none")
        : t("card.reports.open", {
            count: v.total,
            oldest: v.total > v.reports.length ? t("card.reports.oldest", { shown: v.reports.length }) : "",
          }),
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
        button(cardIds.edit(r.cardId), t("card.reports.edit", { n: k + 1 }), ButtonStyle.Primary),
        button(cardIds.dismiss(r.id), t("card.reports.dismiss", { n: k + 1 }), ButtonStyle.Secondary),
      ]),
    ),
    allowed_mentions: NO_PINGS,
  };
}
