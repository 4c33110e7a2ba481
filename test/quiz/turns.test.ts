import { describe, expect, it } from "vitest";
import { turns } from "../../src/services/turns.ts";

/** A piece of work that logs its start and end around a real wait (a timer), like a tick batch's reads. */
const work =
  (log: string[], name: string, ms: number, fail = false) =>
  async () => {
    log.push(`${name}+`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`${name}-`);
    if (fail) throw new Error(name);
    return name;
  };

describe("GIVEN turns for the tick's database work", () => {
  it("THEN one at a time: each starts after the one before it ended, in the order asked", async () => {
    const log: string[] = [];
    const turn = turns(false);
    const results = await Promise.all([
      turn(work(log, "a", 15)),
      turn(work(log, "b", 1)),
      turn(work(log, "c", 5)),
    ]);
    expect(results).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["a+", "a-", "b+", "b-", "c+", "c-"]);
  });

  it("THEN a failing turn rejects its own caller only; the next one still runs", async () => {
    const log: string[] = [];
    const turn = turns(false);
    const [a, b] = await Promise.allSettled([turn(work(log, "a", 5, true)), turn(work(log, "b", 1))]);
    expect(a.status).toBe("rejected");
    expect(b).toEqual({ status: "fulfilled", value: "b" });
    expect(log).toEqual(["a+", "a-", "b+", "b-"]);
  });

  it("THEN side by side (PostgreSQL's pool), the work overlaps", async () => {
    const log: string[] = [];
    const turn = turns(true);
    await Promise.all([turn(work(log, "a", 15)), turn(work(log, "b", 1))]);
    expect(log).toEqual(["a+", "b+", "b-", "a-"]);
  });
});
