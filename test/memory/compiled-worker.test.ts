/**
 * A sharded start runs the compiled JavaScript (src/shards/build.ts): the fit's worker must start from the .js
 * beside fit-thread.js there, not through tsx. Compiles the sources and fits in a plain `node` process.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildForNode } from "../../src/shards/build.ts";

describe("GIVEN the compiled build of a sharded start", () => {
  it("THEN a fit runs in its worker thread from the compiled worker", async () => {
    const build = await buildForNode("src/services/memory/fit-thread.ts");
    try {
      const script = join(build.dir, "fit-once.mjs");
      writeFileSync(
        script,
        `import { fitInWorker } from "./src/services/memory/fit-thread.js";
const histories = Array.from({ length: 50 }, () => ({ ratings: [3, 3, 1, 3, 3], deltas: [0, 1, 3, 1, 4] }));
const a = await fitInWorker({ histories, current: null, relearningSteps: 1 });
console.log(JSON.stringify({ weights: a.weights.length, loss: Number.isFinite(a.after.logLoss) }));`,
      );
      const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
      expect(JSON.parse(out)).toEqual({ weights: 21, loss: true });
    } finally {
      build.remove();
    }
  }, 60_000);
});
