/**
 * `npm start`: one bot process, or with SHARD_COUNT a discord.js ShardingManager that runs one process per shard
 * (src/shards/). The shard processes themselves start from src/shards/shard.ts, never from here.
 */
import { configOrExit } from "./boot.ts";
import { runBot } from "./run-bot.ts";
import { runManager } from "./shards/manager.ts";

const config = configOrExit();
if (config.SHARD_COUNT === undefined) await runBot(config);
else await runManager(config, config.SHARD_COUNT);
