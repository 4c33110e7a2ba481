/**
 * Backups end to end on the SQLite file (PostgreSQL is pg_dump's: README, Backups): `npm run backup` taken while
 * four members rate cards without pause gives a copy that passes `integrity_check` and holds every review the bot
 * acknowledged before the backup began; `npm run restore` puts it in place of a stopped bot's file (and refuses
 * while a bot runs on it), and the bot runs on the restored file.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage, UserHandle } from "../../src/emulator/index.ts";
import { startWorld, type World } from "./harness.ts";

const ROOT = resolve(import.meta.dirname, "../..");
const run = (script: string, args: string[], env: Record<string, string> = {}) =>
  promisify(execFile)("npx", ["tsx", script, ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: "", ...env },
  }).then(
    (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );

const reviewsBy = (path: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return new Map(
      (
        db.prepare("SELECT user_id, count(*) AS n FROM review_logs GROUP BY user_id").all() as {
          user_id: string;
          n: number;
        }[]
      ).map((r) => [r.user_id, r.n]),
    );
  } finally {
    db.close();
  }
};

describe("GIVEN four members rating cards without pause on the SQLite file", () => {
  let w: World;
  let dir: string;
  beforeEach(async () => {
    w = await startWorld({
      engine: "sqlite",
      decks: [
        {
          id: "verbs",
          name: "Verbs",
          cards: Array.from({ length: 8 }, (_, k) => ({
            key: String(k + 1),
            front: `verb ${k + 1}?`,
            back: `to ${k + 1}`,
          })),
        },
      ],
    });
    dir = mkdtempSync(join(tmpdir(), "backup-"));
  });
  afterEach(async () => {
    await w.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("THEN a backup holds every review acknowledged before it began, passes integrity_check, and restores", async () => {
    const members: UserHandle[] = [w.alice, w.bob];
    for (const name of ["carol", "dave"]) {
      members.push(w.emu.addUser({ name, guildId: w.guild.id }));
    }
    const acked = new Map<string, number>(members.map((m) => [m.id, 0]));
    let stop = false;
    // Again on every card: each stays in learning (due within the learn-ahead window), so a session never ends.
    const rate = async (m: UserHandle) => {
      await w.emu.runCommand({
        user: m,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "verbs" },
      });
      let view: StoredMessage = (await w.emu.runCommand({ user: m, channel: w.channel, command: "study" }))
        .message!;
      while (!stop) {
        const shown = await w.emu.click({ user: m, message: view, label: "Show answer" });
        view = (await w.emu.click({ user: m, message: shown.message!, label: "Again" })).message!;
        acked.set(m.id, (acked.get(m.id) ?? 0) + 1);
      }
    };
    const raters = members.map(rate);
    await w.emu.waitFor(() => [...acked.values()].every((n) => n >= 3), 20_000);
    const before = new Map(acked);
    const out = join(dir, "study-backup.sqlite");
    const backup = await run("src/cli/backup.ts", ["--out", out], { DATABASE_PATH: w.dbPath ?? "" });
    const during =
      [...acked.values()].reduce((a, b) => a + b, 0) - [...before.values()].reduce((a, b) => a + b, 0);
    stop = true;
    await Promise.all(raters);
    expect(backup.stderr).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up .* bytes in [\d.]+ s\n$/);
    // The members went on rating while it ran: the backup did not stop the bot.
    expect(during).toBeGreaterThan(0);

    const copy = new Database(out, { readonly: true });
    expect(copy.pragma("integrity_check", { simple: true })).toBe("ok");
    copy.close();
    const inCopy = reviewsBy(out);
    for (const m of members)
      expect(inCopy.get(m.id) ?? 0, m.id).toBeGreaterThanOrEqual(before.get(m.id) ?? 0);

    // Restoring over the file of the running bot is refused, and changes nothing.
    const live = w.dbPath ?? "";
    const refused = await run("src/cli/restore.ts", [out], { DATABASE_PATH: live });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `restore refused, nothing changed: a bot is running on ${live} (process ${process.pid})`,
    );
    expect(reviewsBy(live).get(w.alice.id)).toBe(acked.get(w.alice.id));

    // Stopped, the bot's file is replaced (the old one kept aside) and a bot starts on the restored copy.
    await w.bot.stop();
    const restored = await run("src/cli/restore.ts", [out], { DATABASE_PATH: live });
    expect(restored.stderr).toBe("");
    expect(restored.code).toBe(0);
    const aside = /the file it replaced is kept as (\S+)\./.exec(restored.stdout)?.[1] ?? "";
    expect(existsSync(aside)).toBe(true);
    expect(reviewsBy(live)).toEqual(inCopy);
    await w.restart();
    const s = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
    expect(s.message?.embeds[0]?.description).toContain("verb");
    expect(w.emu.rejections).toEqual([]);
  }, 60_000);

  it("THEN restore refuses a file that is not the bot's, or damaged, and changes nothing", async () => {
    await w.bot.stop();
    const live = w.dbPath ?? "";
    const stranger = join(dir, "other.sqlite");
    new Database(stranger).exec("CREATE TABLE t (x)").close();
    const notOurs = await run("src/cli/restore.ts", [stranger], { DATABASE_PATH: live });
    expect(notOurs.code).toBe(2);
    expect(notOurs.stderr).toContain("is not a backup to restore: it has no drizzle migrations table");
    const junk = join(dir, "junk.sqlite");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(junk, "SQLite format 3\u0000 and then nothing".repeat(100));
    const damaged = await run("src/cli/restore.ts", [junk], { DATABASE_PATH: live });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/is not a backup to restore: it cannot be (opened|read) as SQLite/);
    // The bot's file, but written by a newer version (a migration this one does not know).
    const newer = join(dir, "newer.sqlite");
    const source = new Database(live, { readonly: true });
    await source.backup(newer);
    source.close();
    const n = new Database(newer);
    n.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('x', 9999999999999)").run();
    n.close();
    const ahead = await run("src/cli/restore.ts", [newer], { DATABASE_PATH: live });
    expect(ahead.code).toBe(2);
    expect(ahead.stderr).toContain("it has migrations this version does not know");
    expect(reviewsBy(live).size).toBe(0);
    await w.restart();
  });

  it("THEN with DATABASE_URL set, backup and restore point to pg_dump and change nothing", async () => {
    const r = await run("src/cli/backup.ts", ["--out", join(dir, "x")], {
      DATABASE_URL: "postgres://u@127.0.0.1/db",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("pg_dump --format=custom");
    expect(existsSync(join(dir, "x"))).toBe(false);
  });
});
