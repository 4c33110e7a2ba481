import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { TSX_LOADER_FLAGS } from "../../src/shards/build.ts";

const ROOT = resolve(import.meta.dirname, "../..");
let emu: DiscordEmulator;
let dir: string;

beforeAll(async () => {
  emu = await DiscordEmulator.start();
  const g = emu.addGuild({ name: "Process Test" });
  emu.addChannel(g.id, { name: "study" });
  dir = mkdtempSync(join(tmpdir(), "study-proc-"));
});
afterAll(async () => {
  await emu?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("GIVEN `npm start`'s entry point with a token and the emulator's REST URL", () => {
  it("THEN it migrates, loads decks, connects through the normal start-up path, and SIGTERM shuts it down with exit 0", async () => {
    const child = spawn(process.execPath, [...TSX_LOADER_FLAGS, join(ROOT, "src/index.ts")], {
      cwd: dir, // no .env here
      env: {
        PATH: process.env.PATH ?? "",
        DISCORD_TOKEN: emu.token,
        DISCORD_API_URL: emu.apiUrl,
        DATABASE_PATH: join(dir, "nested/folder/study.db"),
        DECKS_DIR: join(ROOT, "decks"),
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((res) => child.on("exit", (code) => res(code)));
    try {
      await emu.waitForClients(1, 15_000);
      await emu.waitFor(
        () => stderr.includes('"msg":"ready"'),
        15_000,
        () => stderr,
      );
      expect(stderr).toContain('"msg":"decks loaded"');
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stderr).toContain('"signal":"SIGTERM"');
      expect(stderr).not.toMatch(/"level":(50|60)/); // no error or fatal line
    } finally {
      child.kill("SIGKILL");
    }
  }, 30_000);
});
