/**
 * Test-only (`TEST_CLOCK_FILE`): a clock read from a file and a ticker that ticks when the file says so, so a test
 * (or the sandbox with `--shards`) can move the time of bot processes it only starts — a ShardingManager's shard
 * children, two "machines" — and make them all tick, the way ManualClock and the manual ticker do inside one
 * process. The file holds `<epoch ms>` or `<epoch ms> <tick id>`: the clock is the first number, and the ticker
 * ticks whenever the tick id (default: the ms itself) changes, so one writer can move the time without a tick.
 * Writers replace the file atomically (write, then rename): `writeClockFile`.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Clock } from "../core/clock.ts";
import type { Ticker } from "./quiz-job.ts";

/** How often the ticker looks at the file. */
const POLL_MS = 50;

/** Writes the clock file: the time, and the tick id that makes every reader tick when it changes. */
export function writeClockFile(path: string, ms: number, tickId: string | number = ms): void {
  writeFileSync(`${path}.next`, `${ms} ${tickId}`);
  renameSync(`${path}.next`, path); // atomic: a reader never sees half a line
}

export function fileClock(path: string): { clock: Clock; ticker: Ticker } {
  let last: { ms: number; tick: string } | undefined;
  const read = (): { ms: number; tick: string } => {
    const [ms, tick] = readFileSync(path, "utf8").trim().split(/\s+/);
    const v = Number(ms);
    if (!Number.isFinite(v)) {
      if (last) return last;
      throw new Error(`TEST_CLOCK_FILE ${path} holds no epoch milliseconds`);
    }
    last = { ms: v, tick: tick ?? String(v) };
    return last;
  };
  read(); // a missing or empty file stops the start here, with its path
  let timer: NodeJS.Timeout | undefined;
  return {
    clock: { now: () => new Date(read().ms) },
    ticker: {
      timers: null, // the clock moves with the file, so parties wake on its ticks
      start(onTick) {
        let seen = read().tick;
        timer = setInterval(() => {
          const { tick } = read();
          if (tick === seen) return;
          seen = tick;
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
