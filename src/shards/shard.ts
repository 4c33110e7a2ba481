/**
 * One shard process, as the ShardingManager (manager.ts) forks it: the bot exactly as `npm start` runs it.
 * discord.js's Client reads SHARDS and SHARD_COUNT from the environment the manager gave this process.
 */
import { configOrExit } from "../boot.ts";
import { runBot } from "../run-bot.ts";

await runBot(configOrExit(), { exitWithParent: true });
