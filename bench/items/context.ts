import type { ManualClock } from "../../src/core/clock.ts";
import type { Db } from "../../src/db/handle.ts";
import type { Deps } from "../../src/services/deps.ts";
import type { Result } from "../lib/measure.ts";
import type { Rng } from "../lib/rng.ts";
import type { SeedParams } from "../lib/world.ts";

/** What every bench item gets: the seeded database behind the bot's own deps, and how much to measure. */
export interface BenchContext {
  params: SeedParams;
  /**
   * The database measured: the SQLite file the bench seeded, or (`--pg URL`) the PostgreSQL database it was
   * copied into with `npm run db:copy`.
   */
  deps: Deps & { db: Db; clock: ManualClock };
  /** The PostgreSQL URL when the bench runs on PostgreSQL (its raw baseline opens its own pool there). */
  pgUrl: string | null;
  /** What another process opens to measure the same database (the sharded tick): the file's path, or pgUrl. */
  database: string;
  /** The seeded SQLite file, when it is on this machine (on PostgreSQL, what the copy came from). */
  seedFile: string | null;
  rng: Rng;
  /** Timed calls per measured operation. */
  n: number;
  warmup: number;
  log: (line: string) => void;
  /** Whether an operation (result name prefix, e.g. `leaderboard.week.points`) is wanted (`--filter`). */
  wants: (name: string) => boolean;
}

export type BenchItem = (ctx: BenchContext) => Result[] | Promise<Result[]>;
