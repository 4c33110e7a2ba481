/**
 * Cards a member holds out of their study (card_holds): suspended until unsuspended, buried until their next study
 * day — by hand, or because they rated a sibling (cards.noteKey: a card and its reverse, an Anki note's cards). The
 * `held` rule is the one definition every queue and due count uses; a hold never touches the card's schedule, so an
 * unsuspended card comes back with it.
 */
import { and, asc, eq, inArray, isNull, ne, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import { getState } from "./card-states.ts";
import { type Db, type EngineKind, tx } from "./client.ts";
import { perConnection, preparedWrite, type Values, type WriteStatement } from "./prepared.ts";
import { cardHolds, cards } from "./schema.ts";

const p = (name: string) => sql.placeholder(name);

/**
 * Whether the member (`userId`, an SQL expression or placeholder) holds `card` out at the instant `now`: a
 * suspension, or a bury that has not ended. One primary-key probe.
 */
export function held(card: SQLWrapper, userId: SQLWrapper = p("userId"), now: SQLWrapper = p("now")): SQL {
  return sql`EXISTS (SELECT 1 FROM ${cardHolds} WHERE ${cardHolds.userId} = ${userId} AND ${cardHolds.cardId} = ${card}
    AND (${cardHolds.until} IS NULL OR ${cardHolds.until} > ${now}))`;
}

/** Whether the member has suspended `card` (a bury ends: the due forecast counts buried cards). */
export function suspended(card: SQLWrapper, userId: SQLWrapper = p("userId")): SQL {
  return sql`EXISTS (SELECT 1 FROM ${cardHolds} WHERE ${cardHolds.userId} = ${userId} AND ${cardHolds.cardId} = ${card}
    AND ${cardHolds.until} IS NULL)`;
}

export type HoldKind = "suspend" | "bury";

/** A bound value in a SELECT list: PostgreSQL cannot tell a bare parameter's type there. */
const typed = (kind: EngineKind, name: string, type: "text" | "bigint"): SQL =>
  kind === "pg" ? sql`cast(${p(name)} as ${sql.raw(type)})` : sql`${p(name)}`;

/** The rated card's siblings: the deck's other cards of its note (cards_deck_note_idx). */
const siblingsOf = and(
  eq(cards.deckId, p("deckId")),
  eq(cards.noteKey, p("noteKey")),
  ne(cards.id, p("cardId")),
);

const statements = perConnection((db, kind) => ({
  hold: preparedWrite(
    db
      .insert(cardHolds)
      .values({
        userId: p("userId"),
        cardId: p("cardId"),
        deckId: p("deckId"),
        kind: p("kind"),
        until: sql`${p("until")}`,
        at: p("at"),
      })
      .onConflictDoUpdate({
        target: [cardHolds.userId, cardHolds.cardId],
        set: { kind: sql.raw("excluded.kind"), until: sql.raw("excluded.until"), at: sql.raw("excluded.at") },
      }),
  ),
  // One statement with the rating's own writes: every sibling, but one the member already holds (a suspension, a
  // bury by hand or by an earlier rating: kept as it is, `at` included). A bury that has ended holds nothing, so it
  // is replaced. `where` before `on conflict` also lets SQLite parse the upsert.
  burySiblings: preparedWrite(
    db
      .insert(cardHolds)
      .select(
        db
          .select({
            userId: typed(kind, "userId", "text").as("user_id"),
            cardId: cards.id,
            deckId: cards.deckId,
            kind: sql`'bury'`.as("kind"),
            until: typed(kind, "until", "bigint").as("until"),
            at: typed(kind, "at", "bigint").as("at"),
          })
          .from(cards)
          .where(and(siblingsOf, isNull(cards.retiredAt))),
      )
      .onConflictDoUpdate({
        target: [cardHolds.userId, cardHolds.cardId],
        set: { kind: sql.raw("excluded.kind"), until: sql.raw("excluded.until"), at: sql.raw("excluded.at") },
        setWhere: sql`${cardHolds.until} IS NOT NULL AND ${cardHolds.until} <= ${sql.raw("excluded.at")}`,
      }),
  ),
  // What one rating's burySiblings wrote: its instant is theirs (a Bury click is an interaction of its own).
  unburySiblings: preparedWrite(
    db
      .delete(cardHolds)
      .where(
        and(
          eq(cardHolds.userId, p("userId")),
          eq(cardHolds.kind, "bury"),
          eq(cardHolds.at, p("at")),
          inArray(cardHolds.cardId, db.select({ id: cards.id }).from(cards).where(siblingsOf)),
        ),
      ),
  ),
  unsuspend: preparedWrite(
    db
      .delete(cardHolds)
      .where(
        and(
          eq(cardHolds.userId, p("userId")),
          eq(cardHolds.cardId, p("cardId")),
          eq(cardHolds.kind, "suspend"),
        ),
      ),
  ),
  unsuspendDeck: db
    .delete(cardHolds)
    .where(
      and(
        eq(cardHolds.userId, p("userId")),
        eq(cardHolds.deckId, p("deckId")),
        eq(cardHolds.kind, "suspend"),
      ),
    )
    .prepare(),
  suspended: db
    .select({ cardId: cards.id, front: cards.front, at: cardHolds.at })
    .from(cardHolds)
    .innerJoin(cards, eq(cards.id, cardHolds.cardId))
    .where(
      and(
        eq(cardHolds.userId, p("userId")),
        eq(cardHolds.deckId, p("deckId")),
        eq(cardHolds.kind, "suspend"),
        isNull(cards.retiredAt),
      ),
    )
    .orderBy(asc(cards.position), asc(cards.id))
    .prepare(),
}));

export interface Hold {
  userId: string;
  cardId: number;
  deckId: string;
  kind: HoldKind;
  /** When a bury ends (ms); null for a suspension. */
  until: number | null;
  at: number;
}

/** Holds `cardId` out of the member's study (replacing any hold of it): a suspension, or a bury until `until`. */
export async function holdCard(db: Db, h: Hold): Promise<void> {
  await statements(db).hold.run({ ...h });
}

/** `holdCard` as a write for another unit of work's batch (`runWrites`: a leech's suspension). */
export function holdWrite(db: Db, h: Hold): [WriteStatement, Values] {
  return [statements(db).hold, { ...h }];
}

/** Who rated which card of which note, when, and when their study day ends: what a sibling bury needs. */
export interface SiblingBury {
  userId: string;
  cardId: number;
  deckId: string;
  noteKey: string;
  /** The start of the member's next study day (ms): when the buries end. */
  until: number;
  /** The rating's instant (ms): the buries' `at`, by which its Undo finds them. */
  at: number;
}

/**
 * Buries the rated card's siblings until the member's next study day, for the rating's batch (reviews.ts): a card
 * and its reverse are never shown on the same day, nor a new sibling introduced then.
 */
export function burySiblingsWrite(db: Db, b: SiblingBury): [WriteStatement, Values] {
  return [statements(db).burySiblings, { ...b }];
}

/** Lifts the buries that rating wrote, for its Undo's batch (review-undos.ts); other holds stay. */
export function unburySiblingsWrite(db: Db, b: Omit<SiblingBury, "until">): [WriteStatement, Values] {
  return [statements(db).unburySiblings, { ...b }];
}

/** The lift of a suspension, for a batch (an Undo of the rating that suspended a leech). */
export function unsuspendWrite(db: Db, key: { userId: string; cardId: number }): [WriteStatement, Values] {
  return [statements(db).unsuspend, { ...key }];
}

/**
 * The Suspend / Bury button's unit of work: holds the card if the member's state of it is still at `version` (the
 * view the click was made on), under the member's lock as a rating. False: it moved on, nothing written.
 */
export async function holdAtVersion(db: Db, h: Hold, version: number): Promise<boolean> {
  return tx(
    db,
    async (t) => {
      if (((await getState(t, h.userId, h.cardId))?.reps ?? 0) !== version) return false;
      await holdCard(t, h);
      return true;
    },
    { lockKey: h.userId },
  );
}

/** Lifts the member's suspension of a card; false when it was not suspended. */
export async function unsuspendCard(db: Db, userId: string, cardId: number): Promise<boolean> {
  return (await statements(db).unsuspend.run({ userId, cardId })).changes > 0;
}

/** Lifts every suspension of the member in a deck; how many. */
export async function unsuspendDeck(db: Db, userId: string, deckId: string): Promise<number> {
  return (await statements(db).unsuspendDeck.run({ userId, deckId })).changes;
}

export interface SuspendedCard {
  cardId: number;
  front: string;
  at: number;
}

/** The member's suspended cards of a deck (its removed cards left out), in deck order. */
export async function suspendedCards(db: Db, userId: string, deckId: string): Promise<SuspendedCard[]> {
  return statements(db).suspended.all({ userId, deckId });
}
