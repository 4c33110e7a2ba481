import { and, eq, isNull, or, type SQL, type SQLWrapper, sql } from "drizzle-orm";
import type { alias } from "drizzle-orm/sqlite-core";
import type { decks } from "./schema.ts";

/** The decks table or an alias of it (`alias(decks, "d")`), whose columns the rule names. */
export type DeckTable = typeof decks | ReturnType<typeof alias<typeof decks, string>>;

/** A member or server id: a bound value, or a `sql.placeholder(…)` of a prepared statement. */
type Id = string | SQLWrapper;

/**
 * Which decks a member may reach in a server — shipped deck files everywhere, the server's own imports, and the
 * member's personal imports. A removed (retired) deck is still in reach (its history stays the member's) but no
 * longer visible. The one definition of the rule: every other form below is built from it.
 */
export function deckInReach(d: DeckTable, userId: Id, guildId: Id | null): SQL {
  // `= guildId`, not `eq`: outside a server guildId is null and matches no server deck (`= NULL` is never true).
  const serverDeck = and(sql`${d.guildId} = ${guildId}`, isNull(d.ownerId));
  return sql`${or(eq(d.source, sql`'file'`), eq(d.ownerId, userId), serverDeck)}`;
}

/**
 * The decks a member sees in a server: in reach and not removed. Every query that lists, finds or studies decks
 * uses it, so the rule lives in one place.
 */
export function deckVisible(d: DeckTable, userId: Id, guildId: Id | null): SQL {
  return sql`(${isNull(d.retiredAt)} and ${deckInReach(d, userId, guildId)})`;
}
