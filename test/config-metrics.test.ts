import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { BASE_ENV, configRefusal } from "./helpers/config-refusal.ts";

const base = BASE_ENV;
const fails = configRefusal;

describe("GIVEN the metrics settings", () => {
  it("THEN without METRICS_PORT there is no metrics server, and the host defaults to loopback", () => {
    const c = loadConfig(base);
    expect(c.METRICS_PORT).toBeUndefined();
    expect(c.METRICS_HOST).toBe("127.0.0.1");
    expect(loadConfig({ ...base, METRICS_PORT: "" }).METRICS_PORT).toBeUndefined();
  });

  it("THEN a port (0: the system picks one) and an address or host name are read", () => {
    const c = loadConfig({ ...base, METRICS_PORT: "9464", METRICS_HOST: "0.0.0.0" });
    expect([c.METRICS_PORT, c.METRICS_HOST]).toEqual([9464, "0.0.0.0"]);
    expect(loadConfig({ ...base, METRICS_PORT: "0" }).METRICS_PORT).toBe(0);
    expect(loadConfig({ ...base, METRICS_HOST: "::1" }).METRICS_HOST).toBe("::1");
    expect(loadConfig({ ...base, METRICS_HOST: "metrics.internal" }).METRICS_HOST).toBe("metrics.internal");
  });

  it("THEN bad values get one line naming the setting", () => {
    for (const port of ["http", "-1", "65536", "94.5"])
      expect(fails({ METRICS_PORT: port })).toBe(
        "METRICS_PORT: must be a port number from 0 to 65535 (see .env.example)",
      );
    expect(fails({ METRICS_HOST: "http://127.0.0.1" })).toMatch(
      /^METRICS_HOST: must be an IP address or host/,
    );
  });

  it("THEN a shard's port past 65535 (METRICS_PORT + its id) is refused up front", () => {
    expect(loadConfig({ ...base, METRICS_PORT: "65532", SHARD_COUNT: "4" }).METRICS_PORT).toBe(65532);
    expect(fails({ METRICS_PORT: "65533", SHARD_COUNT: "4" })).toMatch(
      /^METRICS_PORT: with SHARD_COUNT=4 shard 3 would listen on 65536, past 65535/,
    );
  });
});
