import { ButtonStyle } from "discord.js";
import { b36, encodeId, fromB36, snowflakeFrom36, snowflakeTo36 } from "../core/custom-id.ts";
import { english, type T } from "../i18n/translate.ts";
import type { SuspendedView } from "../services/study-holds.ts";
import { cardText } from "./card-text.ts";
import { button, COLORS, type MessagePayload, row } from "./components.ts";
import { clip, LIMITS, NO_PINGS } from "./limits.ts";

/** Unsuspend buttons: `sus:<owner36>:<deckId>:<card36>`, or `…:*` for every card of the deck. */
export const SUSPENDED_PREFIX = "sus";

/** Cards listed with a button each: four rows of five, the fifth row for "Unsuspend all". */
const SHOWN = 4 * LIMITS.buttonsPerRow;

export type UnsuspendAction = { userId: string; deckId: string; cardId: number | "all" };

export function parseUnsuspendId(customId: string): UnsuspendAction | null {
  const [prefix, owner36, deckId, card, ...rest] = customId.split(":");
  const userId = snowflakeFrom36(owner36);
  if (prefix !== SUSPENDED_PREFIX || !userId || !deckId || card === undefined || rest.length > 0) return null;
  if (card === "*") return { userId, deckId, cardId: "all" };
  const cardId = fromB36(card);
  return cardId === null ? null : { userId, deckId, cardId };
}

export function renderSuspended(v: SuspendedView, t: T = english): MessagePayload {
  const shown = v.cards.slice(0, SHOWN);
  const id = (card: string) => encodeId(SUSPENDED_PREFIX, snowflakeTo36(v.userId), v.deckId, card);
  const lineLength = Math.floor((LIMITS.embedDescription - 200) / Math.max(1, shown.length));
  const lines = shown.map((c, k) => `**${k + 1}.** ${cardText(c.front, Math.min(180, lineLength))}`);
  if (v.cards.length > shown.length)
    lines.push(
      t("suspended.more", { cards: t("suspended.moreCards", { count: v.cards.length - shown.length }) }),
    );
  const buttons = shown.map((c, k) =>
    button(id(b36(c.cardId)), t("suspended.unsuspend", { n: k + 1 }), ButtonStyle.Secondary),
  );
  const rows = [];
  for (let k = 0; k < buttons.length; k += LIMITS.buttonsPerRow)
    rows.push(row(buttons.slice(k, k + LIMITS.buttonsPerRow)));
  if (v.cards.length > 1) rows.push(row([button(id("*"), t("suspended.unsuspendAll"), ButtonStyle.Primary)]));
  return {
    content: v.notice ?? undefined,
    embeds: [
      {
        color: COLORS.info,
        title: clip(t("suspended.title", { deck: v.deckName }), LIMITS.embedTitle),
        description:
          v.cards.length === 0 ? t("suspended.none") : clip(lines.join("\n"), LIMITS.embedDescription),
        footer: { text: t("suspended.footer", { count: v.cards.length }) },
      },
    ],
    components: rows,
    allowed_mentions: NO_PINGS,
  };
}
