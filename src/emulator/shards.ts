/**
 * Discord's sharding rules, as the emulator applies them: which shard holds a guild, how many shards
 * `GET /gateway/bot` recommends, and how many guilds one connection may hold before Discord closes it with 4011.
 */

/** Discord recommends about this many guilds per shard (`GET /gateway/bot`'s `shards`). */
export const GUILDS_PER_RECOMMENDED_SHARD = 1000;
/** A connection that would hold more guilds than this is closed with 4011 "Sharding required". */
export const MAX_GUILDS_PER_SHARD = 2500;
export const SHARDING_REQUIRED = 4011;

/**
 * The shard that receives a guild's events: `(guild_id >> 22) % shard_count`. DMs and interactions outside a
 * guild (no guild id) go to shard 0, as on Discord.
 */
export function shardOf(guildId: string | undefined, shardCount: number): number {
  if (guildId === undefined) return 0;
  return Number((BigInt(guildId) >> 22n) % BigInt(shardCount));
}

/** `GET /gateway/bot`'s `shards`: ceil(guilds / 1000), at least 1. */
export function recommendedShards(guildCount: number): number {
  return Math.max(1, Math.ceil(guildCount / GUILDS_PER_RECOMMENDED_SHARD));
}
