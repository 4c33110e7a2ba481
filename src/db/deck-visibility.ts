/**
 * Which decks a member sees in a server — shipped deck files everywhere, the server's own imports, and the member's
 * personal imports — as one SQL condition on `decks d`, bound by the named parameters @userId and @guildId.
 * Every query that lists, finds or studies decks uses it, so the rule lives in one place.
 */
export const DECK_VISIBLE = `d.retired_at IS NULL
  AND (d.source = 'file' OR d.owner_id = @userId OR (d.guild_id = @guildId AND d.owner_id IS NULL))`;
