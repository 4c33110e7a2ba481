import type { FSRS } from "ts-fsrs";
import type { Clock } from "../core/clock.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logger.ts";

/** What every service gets: passed in, never imported as globals, so tests can swap each part. */
export interface Deps {
  db: Db;
  clock: Clock;
  scheduler: FSRS;
  log: Logger;
}
