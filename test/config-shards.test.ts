import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { BASE_ENV, configRefusal } from "./helpers/config-refusal.ts";

const base = BASE_ENV;
const fails = configRefusal;

describe("GIVEN the sharding settings", () => {
  it("THEN without SHARD_COUNT the bot is one process, as before", () => {
    const c = loadConfig(base);
    expect(c.SHARD_COUNT).toBeUndefined();
    expect(c.SHARD_IDS).toBeUndefined();
    expect(c.SHARD_SPAWN_DELAY_MS).toBe(5500);
  });

  it("THEN SHARD_COUNT=auto, SHARD_COUNT=N and SHARD_IDS within N are read", () => {
    expect(loadConfig({ ...base, SHARD_COUNT: "auto" }).SHARD_COUNT).toBe("auto");
    const c = loadConfig({ ...base, SHARD_COUNT: "8", SHARD_IDS: "0,1", SHARD_SPAWN_DELAY_MS: "0" });
    expect([c.SHARD_COUNT, c.SHARD_IDS, c.SHARD_SPAWN_DELAY_MS]).toEqual([8, [0, 1], 0]);
    expect(loadConfig({ ...base, SHARD_COUNT: "4", SHARD_IDS: "3" }).SHARD_IDS).toEqual([3]);
  });

  it("THEN bad values get one line naming the setting and what to write", () => {
    expect(fails({ SHARD_COUNT: "0" })).toMatch(/^SHARD_COUNT: must be "auto" or a whole number/);
    expect(fails({ SHARD_COUNT: "two" })).toMatch(/^SHARD_COUNT: must be "auto"/);
    expect(fails({ SHARD_COUNT: "-1" })).toMatch(/^SHARD_COUNT:/);
    expect(fails({ SHARD_IDS: "0,1" })).toMatch(/^SHARD_IDS needs SHARD_COUNT/);
    expect(fails({ SHARD_IDS: "0,1", SHARD_COUNT: "auto" })).toMatch(
      /^SHARD_IDS needs a numeric SHARD_COUNT, not auto/,
    );
    expect(fails({ SHARD_IDS: "1,4,7", SHARD_COUNT: "4" })).toBe(
      "SHARD_IDS: 4, 7 out of range: with SHARD_COUNT=4 shard ids go from 0 to 3",
    );
    expect(fails({ SHARD_IDS: "0,,1", SHARD_COUNT: "4" })).toMatch(
      /^SHARD_IDS: must be shard ids separated by commas/,
    );
    expect(fails({ SHARD_IDS: "1,1", SHARD_COUNT: "4" })).toMatch(/^SHARD_IDS: lists a shard id twice/);
    expect(fails({ SHARD_SPAWN_DELAY_MS: "soon" })).toMatch(/^SHARD_SPAWN_DELAY_MS:/);
  });
});
