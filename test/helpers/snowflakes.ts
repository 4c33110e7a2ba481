/** Guild ids with a chosen timestamp part, so tests decide which shard holds each guild (`(id >> 22) % count`). */
const BASE_MS = 400_000_000_000n; // about 2027-09 after Discord's epoch; any value works

/** The n-th guild id of a test world: with count shards, it lands on shard n % count. */
export function guildSnowflake(n: number): string {
  return (((BASE_MS + BigInt(n)) << 22n) | (1n << 17n)).toString();
}
