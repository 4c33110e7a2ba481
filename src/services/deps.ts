import type { FSRS } from "ts-fsrs";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { BoardCacheOptions } from "./board-bases.ts";

/** What every service gets: passed in, never imported as globals, so tests can swap each part. */
export interface Deps {
  db: Db;
  clock: Clock;
  scheduler: FSRS;
  log: Logger;
  /** Which leaderboard bases are kept per connection (services/board-bases.ts); default BOARD_CACHE_DEFAULTS. */
  boards?: BoardCacheOptions;
}
