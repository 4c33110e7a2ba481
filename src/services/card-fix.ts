/**
 * Fixing a card from Discord: the answer view's **Edit** for whoever may change the card's deck (its owner; a
 * server deck: Manage Server; deck-manage.ts `assertCanManage`), **Report** for everyone else, and the deck
 * owners' `/deck reports` (Edit or Dismiss each). An edit keeps the card's row and key, so every member's schedule
 * stays; it marks the card's open reports fixed. Text follows the import's rules (card-add.ts `checkedCard`).
 */
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { UserError } from "../core/errors.ts";
import {
  type CardToFix,
  cardToFix,
  dismissReport,
  editCard,
  fileReport,
  type OpenReport,
  openReports,
  reportById,
} from "../db/card-reports.ts";
import { deckToManage } from "../db/decks.ts";
import { english, type T } from "../i18n/translate.ts";
import { checkedCard } from "./card-add.ts";
import { type Actor, assertCanManage } from "./deck-manage.ts";
import type { Deps } from "./deps.ts";

/** Reports listed per `/deck reports` message (two buttons each, five rows). */
export const REPORTS_SHOWN = 5;
/** A report's text, at most. */
export const REPORT_MAX = 500;

const GONE = "This card is no longer in its deck.";

async function card(deps: Pick<Deps, "db">, who: Actor, cardId: number): Promise<CardToFix> {
  const c = await cardToFix(deps.db, cardId, who);
  if (!c || c.retiredAt !== null || c.deck.retiredAt !== null) throw new UserError(GONE);
  return c;
}

const mayEdit = (c: CardToFix, who: Actor): boolean =>
  c.deck.source !== "file" &&
  (c.deck.ownerId === who.userId ||
    (c.deck.ownerId === null &&
      c.deck.guildId !== null &&
      c.deck.guildId === who.guildId &&
      who.canManageServer));

/** Which button the answer view offers this member for this card. */
export async function fixKind(
  deps: Pick<Deps, "db">,
  who: Actor,
  cardId: number,
): Promise<"edit" | "report"> {
  const c = await cardToFix(deps.db, cardId, who);
  return c && mayEdit(c, who) ? "edit" : "report";
}

/** The card as the Edit form shows it; refused (UserError) for a member who may not edit its deck. */
export async function cardToEdit(deps: Pick<Deps, "db">, who: Actor, cardId: number) {
  const c = await card(deps, who, cardId);
  assertCanManage(c.deck, who, c.deck.id, "update");
  return { cardId: c.id, deckName: c.deck.name, front: c.front, back: c.back, tags: c.tags };
}

/** Saves an edit: the same card, its new text; how many open reports it fixed. */
export async function saveEdit(
  deps: Pick<Deps, "db" | "clock" | "log">,
  who: Actor,
  cardId: number,
  input: { front: string; back: string; tags: string },
) {
  const c = await card(deps, who, cardId);
  assertCanManage(c.deck, who, c.deck.id, "update");
  const checked = checkedCard(input);
  const r = await editCard(deps.db, cardId, checked, who.userId, deps.clock.now().getTime());
  if (r.kind === "gone") throw new UserError(GONE);
  if (r.kind === "duplicate")
    throw new UserError(
      `**${suppressLinkPreviews(c.deck.name)}** has another card with this question, so the card was not changed.`,
    );
  deps.log.info({ deck: c.deck.id, card: cardId, user: who.userId, reports: r.reportsFixed }, "card edited");
  return { deckName: c.deck.name, front: checked.front, reportsFixed: r.reportsFixed };
}

/** The card as the Report form names it: any card of a deck the member sees here. */
export async function cardToReport(deps: Pick<Deps, "db">, who: Actor, cardId: number) {
  const c = await card(deps, who, cardId);
  if (!c.visible) throw new UserError(GONE);
  return { cardId: c.id, deckName: c.deck.name, front: c.front };
}

/** Files the member's report (or replaces their open one's text). */
export async function reportCard(
  deps: Pick<Deps, "db" | "clock" | "log">,
  who: Actor,
  cardId: number,
  text: string,
) {
  const c = await card(deps, who, cardId);
  if (!c.visible) throw new UserError(GONE);
  const said = text.trim();
  if (said === "") throw new UserError("Say what is wrong with the card: the report was not sent.");
  if (said.length > REPORT_MAX)
    throw new UserError(`A report is at most ${REPORT_MAX} characters: the report was not sent.`);
  const r = await fileReport(
    deps.db,
    { cardId, deckId: c.deck.id, reporterId: who.userId, guildId: who.guildId, text: said },
    deps.clock.now().getTime(),
  );
  deps.log.info({ deck: c.deck.id, card: cardId, user: who.userId, kind: r }, "card reported");
  return { deckName: c.deck.name, updated: r === "updated", shipped: c.deck.source === "file" };
}

export interface ReportsView {
  deckId: string;
  deckName: string;
  reports: OpenReport[];
  total: number;
  notice: string | null;
}

/** `/deck reports deck:`: the deck's open reports, for whoever may change the deck. */
export async function reportsView(
  deps: Pick<Deps, "db">,
  who: Actor,
  deckId: string,
  notice: string | null = null,
) {
  const deck = await deckToManage(deps.db, deckId);
  assertCanManage(deck, who, deckId, "update");
  const { reports, total } = await openReports(deps.db, deck.id, REPORTS_SHOWN);
  return { deckId: deck.id, deckName: deck.name, reports, total, notice } satisfies ReportsView;
}

/** A report's Dismiss: the list again, without it (a double click changes nothing and says so). */
export async function dismiss(
  deps: Pick<Deps, "db" | "clock">,
  who: Actor,
  reportId: number,
  t: T = english,
): Promise<ReportsView> {
  const r = await reportById(deps.db, reportId);
  if (!r) throw new UserError("That report is gone.");
  const deck = await deckToManage(deps.db, r.deckId);
  assertCanManage(deck, who, r.deckId, "update");
  const done = await dismissReport(deps.db, reportId, who.userId, deps.clock.now().getTime());
  return reportsView(deps, who, r.deckId, t(done ? "card.reports.dismissed" : "card.reports.alreadyClosed"));
}
