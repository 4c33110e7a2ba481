import { sql } from "drizzle-orm";
import { decks } from "./schema.ts";

/**
 * Which decks a member may reach in a server — shipped deck files everywhere, the server's own imports, and the
 * member's personal imports — as one SQL condition on `decks d`, bound by the named parameters @userId and @guildId.
 * A removed (retired) deck is still in reach (its history stays the member's) but no longer visible.
 */
export const DECK_IN_REACH = `(d.source = 'file' OR d.owner_id = @userId OR (d.guild_id = @guildId AND d.owner_id IS NULL))`;

/**
 * The decks a member sees in a server: in reach and not removed. Every query that lists, finds or studies decks
 * uses it, so the rule lives in one place.
 */
export const DECK_VISIBLE = `d.retired_at IS NULL AND ${DECK_IN_REACH}`;

// The same rule for drizzle statements (placeholders `userId`, `guildId`), on the `decks` table. The strings above
// serve the plain-SQL statements not yet converted; both must say the same thing.
export const deckInReach = sql`(${decks.source} = 'file' OR ${decks.ownerId} = ${sql.placeholder("userId")} OR (${decks.guildId} = ${sql.placeholder("guildId")} AND ${decks.ownerId} IS NULL))`;
export const deckVisible = sql`${decks.retiredAt} IS NULL AND ${deckInReach}`;
