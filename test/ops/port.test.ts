import { describe, expect, it } from "vitest";
import { metricsPort } from "../../src/ops/port.ts";

describe("GIVEN METRICS_PORT", () => {
  it("THEN one process listens on it", () => {
    expect(metricsPort(9464, {})).toBe(9464);
  });

  it("THEN each shard process of the ShardingManager listens on METRICS_PORT + its shard id", () => {
    const shard = (id: string) => ({ SHARDING_MANAGER: "true", SHARDS: id, SHARD_COUNT: "8" });
    expect(metricsPort(9464, shard("0"))).toBe(9464);
    expect(metricsPort(9464, shard("5"))).toBe(9469);
    expect(() => metricsPort(9464, shard("0,1"))).toThrow(/not one shard id/);
  });

  it("THEN port 0 stays 0 everywhere: each process gets one the system picks", () => {
    expect(metricsPort(0, { SHARDING_MANAGER: "true", SHARDS: "3" })).toBe(0);
  });
});
