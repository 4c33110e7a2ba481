import type { Clock } from "../core/clock.ts";
import type { Schedulers } from "../core/scheduling.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";
import type { BoardCacheOptions } from "./board-bases.ts";

/** What every service gets: passed in, never imported as globals, so tests can swap each part. */
export interface Deps {
  db: Db;
  clock: Clock;
  /** ts-fsrs per member settings (core/scheduling.ts). */
  schedulers: Schedulers;
  log: Logger;
  /** Which leaderboard bases are kept per connection (services/board-bases.ts); default BOARD_CACHE_DEFAULTS. */
  boards?: BoardCacheOptions;
}
