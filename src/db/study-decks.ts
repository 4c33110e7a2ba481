import { and, eq, sql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/sqlite-core";
import { deckVisible } from "./deck-visibility.ts";
import { decks, subscriptions } from "./schema.ts";

/**
 * THE decks a member studies in a scope: subscribed, visible in that server (deck-visibility.ts), and the scope's
 * one deck when it names one. Placeholders `userId`, `guildId`, `deckId` (bind `deckId: null` for all the
 * member's decks). Every study, quiz and stats statement that asks "which decks does this member study here"
 * uses `studyDecks` (as `inArray(col, studyDecks)`) or, for an existence check, `studyDecksWhere`. PostgreSQL runs
 * a statement with this deck filter unnamed, planned for its values (pg/open.ts `statementName`).
 */
export const studyDecksWhere = and(
  eq(subscriptions.userId, sql.placeholder("userId")),
  deckVisible(decks, sql.placeholder("userId"), sql.placeholder("guildId")),
  sql`(CAST(${sql.placeholder("deckId")} AS text) IS NULL OR ${decks.id} = ${sql.placeholder("deckId")})`,
);

export const studyDecks = new QueryBuilder()
  .select({ deckId: subscriptions.deckId })
  .from(subscriptions)
  .innerJoin(decks, eq(decks.id, subscriptions.deckId))
  .where(studyDecksWhere);

/** A scope's placeholder values for `studyDecks`. */
export const scopeValues = (s: { userId: string; guildId: string | null; deckId: string | null }) => ({
  userId: s.userId,
  guildId: s.guildId,
  deckId: s.deckId,
});
