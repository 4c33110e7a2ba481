import { UserError } from "../core/errors.ts";
import {
  type HoldKind,
  holdAtVersion,
  suspendedCards,
  unsuspendCard,
  unsuspendDeck,
} from "../db/card-holds.ts";
import { cardAccessHere } from "../db/cards.ts";
import { memberStudyDay } from "../db/daily-limits.ts";
import { findVisibleDeck } from "../db/decks.ts";
import { english, type T } from "../i18n/translate.ts";
import type { Deps } from "./deps.ts";
import {
  ALREADY_RATED,
  assertReachable,
  nextView,
  RETIRED,
  type Session,
  type StudyView,
  sessionUndo,
} from "./study.ts";

const discordTime = (ms: number) => `<t:${Math.floor(ms / 1000)}:R>`;

/**
 * Suspend or Bury on a card's answer view: the card leaves the member's study, its schedule kept. A bury lasts
 * until the member's next study day (04:00 in their zone); a suspension until they unsuspend it (`/deck
 * suspended`). As a rating: the card must be one the member may reach here, still active, still at the version
 * the view showed, and the one the message shows (`onScreen`, see study.ts showAnswer); else nothing changes.
 */
export async function setAside(
  deps: Deps,
  session: Session,
  cardId: number,
  version: number,
  kind: HoldKind,
  onScreen = true,
): Promise<StudyView> {
  const { userId, guildId } = session;
  const access = await cardAccessHere(deps.db, session, cardId);
  assertReachable(access);
  if (access.retiredAt !== null) return nextView(deps, session, RETIRED);
  if (!onScreen) return nextView(deps, session, ALREADY_RATED);
  const now = deps.clock.now().getTime();
  const until = kind === "bury" ? (await memberStudyDay(deps.db, userId, guildId, now)).end : null;
  const held = await holdAtVersion(
    deps.db,
    { userId, cardId, deckId: access.deckId, kind, until, at: now },
    version,
  );
  if (!held) return nextView(deps, session, ALREADY_RATED);
  const notice =
    until === null
      ? `Card suspended: it stays out of your reviews until you unsuspend it with \`/deck suspended deck:${access.deckId}\`.`
      : `Card buried: it comes back with your next study day, ${discordTime(until)}.`;
  return nextView(deps, session, notice, await sessionUndo(deps, session));
}

export interface SuspendedView {
  userId: string;
  deckId: string;
  deckName: string;
  cards: { cardId: number; front: string }[];
  notice: string | null;
}

async function visibleDeck(deps: Deps, userId: string, guildId: string | null, deckId: string) {
  const deck = await findVisibleDeck(deps.db, userId, guildId, deckId);
  if (!deck) throw new UserError(`There is no deck \`${deckId.slice(0, 40)}\` here. See \`/deck list\`.`);
  return deck;
}

/** `/deck suspended deck:`: the member's suspended cards of a deck, each with an Unsuspend button. */
export async function suspendedView(
  deps: Deps,
  userId: string,
  guildId: string | null,
  deckId: string,
  notice: string | null = null,
): Promise<SuspendedView> {
  const deck = await visibleDeck(deps, userId, guildId, deckId);
  const cards = await suspendedCards(deps.db, userId, deck.id);
  return { userId, deckId: deck.id, deckName: deck.name, cards, notice };
}

/**
 * Unsuspend (one card, or `all` of the deck's): the cards return to the member's study with their schedule. A card
 * no longer suspended (a double click) changes nothing and says so.
 */
export async function unsuspend(
  deps: Deps,
  userId: string,
  guildId: string | null,
  deckId: string,
  cardId: number | "all",
  t: T = english,
): Promise<SuspendedView> {
  const deck = await visibleDeck(deps, userId, guildId, deckId);
  let notice: string;
  if (cardId === "all") {
    const n = await unsuspendDeck(deps.db, userId, deck.id);
    notice = n === 0 ? t("suspended.noneSuspended") : t("suspended.backAll", { count: n });
  } else
    notice = t(
      (await unsuspendCard(deps.db, userId, cardId)) ? "suspended.backOne" : "suspended.notSuspended",
    );
  return suspendedView(deps, userId, guildId, deck.id, notice);
}
