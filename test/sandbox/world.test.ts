import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stableSnowflake } from "../../src/sandbox/stable-ids.ts";
import { createWorld, type SandboxWorld } from "../../src/sandbox/world.ts";

const tmp = mkdtempSync(join(tmpdir(), "sandbox-world-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const decks = [{ id: "basics", name: "Basics", cards: [{ key: "1", front: "What is 2+2?", back: "Four" }] }];
const ids = (w: SandboxWorld) => ({
  guild: w.guild.id,
  channels: [...w.channels.values()].map((c) => c.id),
  users: [...w.users.values()].map((u) => u.id),
});

describe("GIVEN the interactive sandbox's kept database, launched twice", () => {
  it("THEN the server, its channel and its users have the same ids, and alice's subscription is still hers", async () => {
    const databasePath = join(tmp, "sandbox.db");
    const open = () =>
      createWorld({ databasePath, decks, followRealTime: false, start: "2026-03-02T08:00:00Z" });
    const first = await open();
    const before = ids(first);
    try {
      await first.emu.runCommand({
        user: first.user("alice"),
        channel: first.channel("study"),
        command: "deck subscribe",
        options: { deck: "basics" },
      });
    } finally {
      await first.stop();
    }
    const second = await open();
    try {
      expect(ids(second)).toEqual(before);
      const r = await second.emu.runCommand({
        user: second.user("alice"),
        channel: second.channel("study"),
        command: "study",
      });
      expect(JSON.stringify(r.message?.embeds)).toContain("What is 2+2?");
    } finally {
      await second.stop();
    }
  });
});

describe("GIVEN stableSnowflake", () => {
  it("THEN the same kind and name give the same 17-digit id, from early 2015, and others another", () => {
    const alice = stableSnowflake("user", "alice");
    expect(alice).toBe(stableSnowflake("user", "alice"));
    expect(alice).toMatch(/^\d{17}$/);
    expect(new Set([alice, stableSnowflake("user", "bob"), stableSnowflake("channel", "alice")]).size).toBe(
      3,
    );
    // Snowflake timestamp (ms since 2015-01-01): before any id the emulator generates from the current time.
    const at = new Date(Number(BigInt(alice) >> 22n) + 1_420_070_400_000);
    expect(at.getUTCFullYear()).toBe(2015);
  });
});
