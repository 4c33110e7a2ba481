/**
 * A member's leeches (card_leeches): tagged in the rating that made them one (reviews.ts), with a suspension when
 * the member chose it (card-holds.ts); an Undo of that rating takes both back (review-undos.ts).
 */
import { and, eq, sql } from "drizzle-orm";
import { holdWrite, unsuspendWrite } from "./card-holds.ts";
import type { Db } from "./client.ts";
import { perConnection, preparedWrite, type Values, type WriteStatement } from "./prepared.ts";
import { cardLeeches } from "./schema.ts";

const p = (name: string) => sql.placeholder(name);

const statements = perConnection((db) => ({
  tag: preparedWrite(
    db
      .insert(cardLeeches)
      .values({
        userId: p("userId"),
        cardId: p("cardId"),
        deckId: p("deckId"),
        lapses: p("lapses"),
        at: p("at"),
      })
      .onConflictDoNothing(),
  ),
  untag: preparedWrite(
    db
      .delete(cardLeeches)
      .where(and(eq(cardLeeches.userId, p("userId")), eq(cardLeeches.cardId, p("cardId")))),
  ),
}));

export interface LeechKey {
  userId: string;
  cardId: number;
}

/** The writes that make a card a leech (tagged, and suspended with the `suspend` action), for the rating's batch. */
export function leechWrites(
  db: Db,
  l: LeechKey & { deckId: string; lapses: number; at: number; suspend: boolean },
): [WriteStatement, Values][] {
  const st = statements(db);
  const key = { userId: l.userId, cardId: l.cardId, deckId: l.deckId, at: l.at };
  const out: [WriteStatement, Values][] = [[st.tag, { ...key, lapses: l.lapses }]];
  if (l.suspend) out.push(holdWrite(db, { ...key, kind: "suspend", until: null }));
  return out;
}

/** The writes that take a leech back (an Undo of the rating that made it one). */
export function unleechWrites(db: Db, l: LeechKey, suspended: boolean): [WriteStatement, Values][] {
  const st = statements(db);
  const out: [WriteStatement, Values][] = [[st.untag, { ...l }]];
  if (suspended) out.push(unsuspendWrite(db, l));
  return out;
}
