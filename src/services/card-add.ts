/**
 * `/card add`: one card written in Discord, added to a deck the member may change (their personal decks; a server
 * deck with Manage Server: deck-manage.ts `assertCanManage`). Its text follows the deck rules of every import
 * (core/decks/validate.ts: both sides, 1,500 characters each) and its key is its question's hash, as for a file
 * without keys, so the card keeps its schedule when the deck is imported again with it.
 */
import { frontKey } from "../core/decks/keys.ts";
import { finish } from "../core/decks/parse.ts";
import { normalizeSide, suppressLinkPreviews } from "../core/decks/text.ts";
import { UserError } from "../core/errors.ts";
import { addCardToDeck } from "../db/deck-cards.ts";
import { deckToManage } from "../db/decks.ts";
import { type Actor, assertCanManage } from "./deck-manage.ts";
import type { Deps } from "./deps.ts";

/** A deck the member may add to: its id and name; refuses (UserError) any other. */
export async function deckToAddTo(deps: Pick<Deps, "db">, who: Actor, deckId: string) {
  const deck = await deckToManage(deps.db, deckId);
  assertCanManage(deck, who, deckId, "update");
  return { id: deck.id, name: deck.name };
}

export interface NewCard {
  deckId: string;
  front: string;
  back: string;
  /** As typed: separated by spaces or commas. */
  tags: string;
}

export interface CardAdded {
  deckId: string;
  deckName: string;
  cardId: number;
  front: string;
}

/** Tags a card keeps from a form (an imported Anki note may have many: an edit must not drop them). */
const MAX_TAGS = 200;

/**
 * A card's text as a form gave it, checked by the rules of every import (validate.ts): sides trimmed, tags split
 * on spaces or commas (at most MAX_TAGS). Refuses with the first problem (UserError).
 */
export function checkedCard(c: { front: string; back: string; tags: string }, verb = "changed") {
  const front = normalizeSide(c.front);
  const back = normalizeSide(c.back);
  const tags = [...new Set(c.tags.split(/[\s,]+/).filter((t) => t !== ""))].slice(0, MAX_TAGS);
  const card = { key: frontKey(front), front, back, tags, line: 1 };
  const steps = finish("native", { meta: {}, metaLines: {}, cards: [card], errors: [], warnings: [] });
  let checked = steps.next();
  while (!checked.done) checked = steps.next();
  const problem = checked.value.errors[0];
  if (problem)
    throw new UserError(`The card was not ${verb}: ${problem.message.replace(/^the card /, "it ")}.`);
  return card;
}

/** Adds the card, or refuses with what is wrong (nothing written). */
export async function addCard(
  deps: Pick<Deps, "db" | "clock" | "log">,
  who: Actor,
  c: NewCard,
): Promise<CardAdded> {
  const deck = await deckToAddTo(deps, who, c.deckId);
  const card = checkedCard(c, "added");
  const r = await addCardToDeck(deps.db, deck.id, card, deps.clock.now());
  if (r.kind === "exists")
    throw new UserError(
      `**${suppressLinkPreviews(deck.name)}** already has a card with this question, so nothing was added.`,
    );
  deps.log.info({ deck: deck.id, card: r.cardId, user: who.userId }, "card added");
  return { deckId: deck.id, deckName: deck.name, cardId: r.cardId, front: card.front };
}
