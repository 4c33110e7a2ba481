/**
 * Discord closes a gateway connection that would hold more than 2,500 servers with 4011 "Sharding required".
 * discord.js then just stops that shard (no READY ever comes), so the bot turns the close into this error, whose
 * message is the one line an operator needs.
 */
export const SHARDING_REQUIRED_CLOSE = 4011;

export class ShardingRequiredError extends Error {
  constructor(
    readonly shardId: number,
    readonly shardCount: number,
    /** Run by the ShardingManager, so SHARD_COUNT is already set (too low). */
    managed: boolean,
  ) {
    super(
      managed
        ? `Discord requires more shards for this many servers: SHARD_COUNT=${shardCount} is too few (shard ${shardId} was refused); set SHARD_COUNT=auto (see README, Running at scale)`
        : "Discord requires sharding for this many servers: set SHARD_COUNT=auto (see README, Running at scale)",
    );
  }
}
