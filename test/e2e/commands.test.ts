import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { getSettings } from "../../src/services/settings.ts";
import { sqlRun } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  const SERVER_ZONE = "Europe/Vienna";

  let w: World;
  const cards = (n: number, p: string) =>
    Array.from({ length: n }, (_, k) => ({
      key: String(k + 1),
      front: `${p} Q${k + 1}`,
      back: `${p} A${k + 1}`,
    }));

  // Each test gets its own world (bot, emulator, database), so any one runs alone.
  beforeEach(async () => {
    w = await startWorld({
      engine,
      decks: [
        { id: "french", name: "French Verbs", cards: cards(3, "fr") },
        { id: "german", name: "German Nouns", cards: cards(2, "de") },
      ],
      timezone: SERVER_ZONE,
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);

  describe("GIVEN /deck", () => {
    it("THEN autocomplete offers matching decks by name or id", async () => {
      const choices = await w.emu.autocomplete({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "germ" },
        focused: "deck",
      });
      expect(choices).toEqual([{ name: "German Nouns (german)", value: "german" }]);
    });

    it("THEN list shows due / new / total and subscription, subscribe and unsubscribe change it", async () => {
      const list = async () =>
        text((await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "deck list" })).message);
      expect(await list()).toContain("▫️ **French Verbs** `french` — 3 cards");
      const sub = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "french" },
      });
      expect(sub.ephemeral).toBe(true);
      expect(sub.message?.content).toContain("Subscribed to **French Verbs**");
      const again = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "french" },
      });
      expect(again.message?.content).toContain("already subscribed");
      expect(await list()).toContain("✅ **French Verbs**");
      const unsub = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck unsubscribe",
        options: { deck: "french" },
      });
      expect(unsub.message?.content).toContain("Unsubscribed");
      expect(await list()).toContain("▫️ **French Verbs** `french` — 3 cards");
    });

    it("THEN after unsubscribing, list shows no due count but the kept progress, and /stats agrees", async () => {
      const dana = w.emu.addUser({ name: "dana", guildId: w.guild.id });
      const run = async (command: string, options?: Record<string, string>) =>
        (await w.emu.runCommand({ user: dana, channel: w.channel, command, options })).message;
      const stats = async () => text(await run("stats"));
      await run("deck subscribe", { deck: "german" });
      const card = await run("study");
      const shown = await w.emu.click({ user: dana, message: card!, label: "Show answer" });
      await w.emu.click({ user: dana, message: shown.message!, label: "Again" });
      w.clock.advance(10 * 60_000); // the Again card is due again
      expect(text(await run("deck list"))).toContain(
        "✅ **German Nouns** `german` — 1 due · 1 new · 2 total",
      );
      expect(await stats()).toContain('"name":"Due","value":"Today **1**');
      await run("deck unsubscribe", { deck: "german" });
      const list = text(await run("deck list"));
      expect(list).toContain(
        "▫️ **German Nouns** `german` — not studied · your progress on 1 of 2 cards is kept",
      );
      expect(list).not.toContain("1 due");
      expect(await stats()).toContain('"name":"Due","value":"Today **0**');
      expect(await stats()).toContain('"name":"Studied","value":"Decks **0**');
    });

    it("THEN an unknown deck gets a clear message and changes nothing", async () => {
      const r = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "@everyone nope" },
      });
      expect(r.ephemeral).toBe(true);
      expect(r.message?.content).toContain("There is no deck `@everyone nope` here");
      expect(r.message?.pings).toEqual([]);
    });
  });

  describe("GIVEN /study with a deck option and the Stop button", () => {
    it("THEN only that deck is studied and Stop ends with a summary", async () => {
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "german" },
      });
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "french" },
      });
      const r = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "study",
        options: { deck: "german" },
      });
      expect(text(r.message)).toContain("de Q1");
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      const next = await w.emu.click({ user: w.alice, message: shown.message!, label: "Good" });
      expect(text(next.message)).toContain("de Q2"); // not a French card
      const stopped = await w.emu.click({ user: w.alice, message: next.message!, label: "Stop" });
      expect(text(stopped.message)).toContain("Session stopped");
      expect(text(stopped.message)).toContain("Cards reviewed: **1**");
      // Only the Undo of the session's last rating stays on the summary.
      const rows = (stopped.message?.components ?? []) as { components: { label?: string }[] }[];
      const buttons = rows.flatMap((row) => row.components.map((c) => c.label));
      expect(buttons).toEqual(["↩ Undo"]);
    });
  });

  describe("GIVEN /settings", () => {
    it("THEN a member sets new cards per day and a timezone; a bad timezone is refused with nothing changed", async () => {
      const before = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "settings show" });
      expect(text(before.message)).toContain(`server's: ${SERVER_ZONE} (default)`);
      const n = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "settings newcards",
        options: { per_day: 5 },
      });
      expect(n.message?.content).toContain("up to 5 new cards");
      const tz = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "settings timezone",
        options: { zone: "Asia/Tokyo" },
      });
      expect(text(tz.message)).toContain("Asia/Tokyo");
      const bad = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "settings timezone",
        options: { zone: "Mars/Olympus" },
      });
      expect(bad.message?.content).toContain("not a timezone I know");
      const show = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "settings show" });
      expect(text(show.message)).toContain("Asia/Tokyo");
      const choices = await w.emu.autocomplete({
        user: w.bob,
        channel: w.channel,
        command: "settings timezone",
        options: { zone: "europe/ber" },
        focused: "zone",
      });
      expect(choices[0]).toEqual({ name: "Europe/Berlin", value: "Europe/Berlin" });
    });

    it("THEN a timezone typed in lower case is stored and shown under its IANA name", async () => {
      const tz = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "settings timezone",
        options: { zone: " america/los_angeles " },
      });
      expect(tz.message?.content).toBe("Your timezone is now `America/Los_Angeles`.");
      expect((await getSettings(w.bot.deps.db, w.bob.id)).timezone).toBe("America/Los_Angeles");
      const show = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "settings show" });
      expect(text(show.message)).toContain("America/Los_Angeles");
      expect(text(show.message)).not.toContain("america/los_angeles");
    });
  });

  describe("GIVEN a failure inside the bot", () => {
    it("THEN the member gets a short apology, the error is logged with context, and the bot keeps serving", async () => {
      const db = w.bot.deps.db;
      // Simulate a broken database underneath the running bot: queries on a missing table throw.
      await sqlRun(db, sql`ALTER TABLE subscriptions RENAME TO subscriptions_away`);
      try {
        const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "deck list" });
        expect(r.ephemeral).toBe(true);
        expect(r.message?.content).toContain("something went wrong");
      } finally {
        await sqlRun(db, sql`ALTER TABLE subscriptions_away RENAME TO subscriptions`);
      }
      const logged = w.errors.find((e) => (e as { msg?: string }).msg === "interaction failed") as Record<
        string,
        unknown
      >;
      expect(logged).toMatchObject({ command: "deck", user: w.alice.id, guild: w.guild.id });
      expect(logged.interaction).toBeTruthy();
      w.errors.length = 0;
      const ok = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "deck list" });
      expect(text(ok.message)).toContain("French Verbs");
    });
  });
});
