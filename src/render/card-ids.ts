import { b36, encodeId, fromB36 } from "../core/custom-id.ts";
import { DECK_ID_PATTERN } from "../core/decks/limits.ts";

/**
 * Card buttons and forms: `cd:e:<card36>` (Edit), `cd:r:<card36>` (Report), `cd:d:<report36>` (Dismiss a report);
 * the forms `cd:add:<deck id>`, `cd:edit:<card36>`, `cd:report:<card36>`. Who may do what is checked on the click
 * and on the submit (services/card-fix.ts), never read from the id.
 */
export const CARD_PREFIX = "cd";

export const cardIds = {
  edit: (cardId: number) => encodeId(CARD_PREFIX, "e", b36(cardId)),
  report: (cardId: number) => encodeId(CARD_PREFIX, "r", b36(cardId)),
  dismiss: (reportId: number) => encodeId(CARD_PREFIX, "d", b36(reportId)),
  addForm: (deckId: string) => encodeId(CARD_PREFIX, "add", deckId),
  editForm: (cardId: number) => encodeId(CARD_PREFIX, "edit", b36(cardId)),
  reportForm: (cardId: number) => encodeId(CARD_PREFIX, "report", b36(cardId)),
};

export type CardAction =
  | { action: "edit" | "report" | "edit-form" | "report-form"; cardId: number }
  | { action: "dismiss"; reportId: number }
  | { action: "add-form"; deckId: string };

export function parseCardId(customId: string): CardAction | null {
  const [prefix, kind, arg, ...rest] = customId.split(":");
  if (prefix !== CARD_PREFIX || arg === undefined || rest.length > 0) return null;
  if (kind === "add") return DECK_ID_PATTERN.test(arg) ? { action: "add-form", deckId: arg } : null;
  const n = fromB36(arg);
  if (n === null) return null;
  if (kind === "e") return { action: "edit", cardId: n };
  if (kind === "r") return { action: "report", cardId: n };
  if (kind === "d") return { action: "dismiss", reportId: n };
  if (kind === "edit") return { action: "edit-form", cardId: n };
  if (kind === "report") return { action: "report-form", cardId: n };
  return null;
}
