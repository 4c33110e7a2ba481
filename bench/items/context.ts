import type { ManualClock } from "../../src/core/clock.ts";
import type { SqliteDb } from "../../src/db/handle.ts";
import type { Deps } from "../../src/services/deps.ts";
import type { Result } from "../lib/measure.ts";
import type { Rng } from "../lib/rng.ts";
import type { SeedParams } from "../lib/world.ts";

/** What every bench item gets: the seeded database behind the bot's own deps, and how much to measure. */
export interface BenchContext {
  params: SeedParams;
  /** The bench measures SQLite (the file it seeded); `db.sqlite` is its connection. */
  deps: Deps & { db: SqliteDb; clock: ManualClock };
  rng: Rng;
  /** Timed calls per measured operation. */
  n: number;
  warmup: number;
  log: (line: string) => void;
  /** Whether an operation (result name prefix, e.g. `leaderboard.week.points`) is wanted (`--filter`). */
  wants: (name: string) => boolean;
}

export type BenchItem = (ctx: BenchContext) => Result[] | Promise<Result[]>;
