import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function sandbox(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res, rej) => {
    const child = spawn("npx", ["tsx", "src/sandbox/main.ts", ...args], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", rej);
    child.on("close", (code) => res({ code, stdout, stderr }));
  });
}

// One real process (tsx start-up is the cost); failures and exit codes are covered in-process in runner.test.ts.
describe("GIVEN npm run sandbox -- --script", () => {
  it("THEN study-session.json prints one JSON object per stdout line and exits 0, logs on stderr", async () => {
    const { code, stdout, stderr } = await sandbox("--script", "scenarios/study-session.json");
    expect(code, stderr).toBe(0);
    const lines = stdout.trimEnd().split("\n");
    const events = lines.map((l) => JSON.parse(l) as { step: number; event: string });
    expect(events.length).toBeGreaterThan(10);
    expect(events.filter((e) => e.event === "step").map((e) => e.step)).toEqual(
      Array.from({ length: 14 }, (_, k) => k + 1),
    );
    expect(stderr).toContain('"msg":"ready"');
  }, 60_000);
});
