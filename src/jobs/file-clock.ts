/**
 * Test-only (`TEST_CLOCK_FILE`): a clock read from a file and a ticker that ticks when the file changes, so a test
 * can move the time of bot processes it only starts (a ShardingManager's shard children, two "machines") and
 * make them all tick, the way the sandbox's ManualClock and manual ticker do inside one process. The file holds
 * epoch milliseconds; writers replace it atomically (write, then rename).
 */
import { readFileSync } from "node:fs";
import type { Clock } from "../core/clock.ts";
import type { Ticker } from "./quiz-job.ts";

/** How often the ticker looks at the file. */
const POLL_MS = 50;

export function fileClock(path: string): { clock: Clock; ticker: Ticker } {
  let last = Number.NaN;
  const read = (): number => {
    const v = Number(readFileSync(path, "utf8").trim());
    if (!Number.isFinite(v)) {
      if (Number.isFinite(last)) return last;
      throw new Error(`TEST_CLOCK_FILE ${path} holds no epoch milliseconds`);
    }
    last = v;
    return v;
  };
  read(); // a missing or empty file stops the start here, with its path
  let timer: NodeJS.Timeout | undefined;
  return {
    clock: { now: () => new Date(read()) },
    ticker: {
      start(onTick) {
        let seen = read();
        timer = setInterval(() => {
          const now = read();
          if (now === seen) return;
          seen = now;
          onTick();
        }, POLL_MS);
      },
      stop() {
        clearInterval(timer);
        timer = undefined;
      },
    },
  };
}
