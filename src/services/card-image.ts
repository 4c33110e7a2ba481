/**
 * The image a card view shows: the question's on the question side; on the answer side the answer's own, else the
 * question's again (the answer view repeats the question). Read only when the card has one, so a deck without
 * images costs no extra statement.
 */
import { cardImages, deckImage, type StoredImage } from "../db/deck-media.ts";
import type { CardImages } from "../db/study-queue.ts";
import type { Deps } from "./deps.ts";

export type { StoredImage };

export async function imageOf(
  deps: Pick<Deps, "db">,
  card: CardImages,
  side: "question" | "answer",
): Promise<StoredImage | null> {
  const name = side === "answer" ? (card.backImage ?? card.frontImage) : card.frontImage;
  if (name === null) return null;
  // A deck re-imported without the image since the view was built: the card is shown without it.
  return (await deckImage(deps.db, card.deckId, name)) ?? null;
}

/** The image of a day's question (its card's question side), or null: read only when the post goes out. */
export async function questionImage(
  deps: Pick<Deps, "db">,
  cardId: number | null,
): Promise<StoredImage | null> {
  if (cardId === null) return null;
  const card = await cardImages(deps.db, cardId);
  return card ? imageOf(deps, card, "question") : null;
}
