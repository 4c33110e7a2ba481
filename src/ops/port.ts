/**
 * Which port this process's operations server takes. One process: METRICS_PORT. Under the ShardingManager each
 * shard is a process of its own with its own registry, so shard N listens on METRICS_PORT + N (by shard id, not
 * by rank on this machine: with SHARD_IDS=4,5 here, ports +4 and +5). The manager itself serves none.
 * Port 0 stays 0 (each process gets a port of the system's choosing).
 */
export function metricsPort(base: number, env: NodeJS.ProcessEnv = process.env): number {
  if (base === 0 || !env.SHARDING_MANAGER) return base;
  const shard = Number(env.SHARDS);
  if (!Number.isInteger(shard) || shard < 0)
    throw new Error(`SHARDS=${env.SHARDS} is not one shard id (a shard process has exactly one)`);
  return base + shard;
}
