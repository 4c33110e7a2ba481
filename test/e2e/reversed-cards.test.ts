/**
 * Reversed cards through Discord (the emulator): a shipped deck file with `reversed: yes`, studied by a member.
 * Rating a card keeps its reverse out of /study for the rest of the study day; the next study day (04:00 in the
 * server's zone) it is there; an Undo of the rating brings it back the same day.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

// Written by hand, as a deck author would: the deck option, one card that opts out.
const SPANISH = `id: spanish
name: Spanish
reversed: yes

## 1
hola
---
hello

## 2
gato
---
cat

## 3
reversed: no
¿Qué tal?
---
How are you?
`;

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  let tmp: string;

  beforeEach(async () => {
    tmp = mkdtempSync(join(tmpdir(), "e2e-reversed-"));
    const decksDir = join(tmp, "decks");
    mkdirSync(decksDir);
    writeFileSync(join(decksDir, "spanish.deck"), SPANISH);
    // 08:00 UTC, the server's zone: the study day runs until 04:00 UTC tomorrow.
    w = await startWorld({ engine, start: "2026-03-02T08:00:00Z", decksDir });
  });
  afterEach(async () => {
    await w?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  const run = (command: string, options?: Record<string, string>) =>
    w.emu.runCommand({ user: w.alice, channel: w.channel, command, ...(options && { options }) });
  const question = (m: StoredMessage) =>
    String((m.embeds?.[0] as { description?: string } | undefined)?.description ?? "");
  const labels = (m: StoredMessage) =>
    (m.components as { components: { label?: string }[] }[] | undefined)?.flatMap((r) =>
      r.components.map((c) => c.label),
    ) ?? [];
  const undoId = (m: StoredMessage) =>
    (m.components as { components: { label?: string; custom_id: string }[] }[])
      .flatMap((r) => r.components)
      .find((c) => c.label?.includes("Undo"))?.custom_id;
  const click = async (m: StoredMessage, label: string) => {
    w.clock.advance(3_000);
    return (await w.emu.click({ user: w.alice, message: m, label })).message!;
  };

  /** Answers every card /study offers with Easy; the questions in the order they came. */
  async function studyAll(): Promise<string[]> {
    let m = (await run("study")).message!;
    const shown: string[] = [];
    while (labels(m).includes("Show answer")) {
      shown.push(question(m));
      m = await click(await click(m, "Show answer"), "Easy");
    }
    return shown;
  }

  describe("GIVEN a member who studies the reversed deck", () => {
    it("THEN a card's reverse is not shown the day the card is rated, and is shown the next study day", async () => {
      await run("deck subscribe", { deck: "spanish" });
      const today = await studyAll();
      // One card of each note: the reverses of 'hola' and 'gato' wait.
      expect(today.map((q) => q.split("\n")[0])).toEqual(["hola", "gato", "¿Qué tal?"]);
      w.clock.advance(6 * 3_600_000); // 14:00, the same study day
      expect(await studyAll()).toEqual([]);
      w.clock.advance(14 * 3_600_000 + 60_000); // 04:01 the next day: a new study day
      const tomorrow = await studyAll();
      expect(tomorrow.map((q) => q.split("\n")[0])).toEqual(["hello", "cat"]);
      // /deck export writes the options back, not the reverse cards: the file is the one the author wrote.
      const exported = await run("deck export", { deck: "spanish", format: "native" });
      const file = exported.message?.attachments[0]?.data?.toString("utf8");
      expect(file).toBe(SPANISH.replace("name: Spanish\n", "name: Spanish\ndescription:\n"));
      // As an Anki package and back: every card with its key, each reverse still its card's sibling.
      const pkg = await run("deck export", { deck: "spanish", format: "apkg" });
      const att = pkg.message?.attachments[0];
      expect(att?.filename).toBe("spanish.apkg");
      const back = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck import",
        options: { file: { name: "spanish.apkg", data: att?.data ?? Buffer.alloc(0) } } as never,
      });
      expect(JSON.stringify([back.message?.content, back.message?.embeds[0]?.description])).toContain(
        "**5** cards",
      );
      const rows = await sqlRows<{ key: string; note_key: string | null }>(
        w.bot.deps.db,
        sql`SELECT key, note_key FROM cards WHERE deck_id <> 'spanish' AND retired_at IS NULL ORDER BY position`,
      );
      expect(rows.map((r) => [r.key, r.note_key])).toEqual([
        ["1", "1"],
        ["1~r", "1"],
        ["2", "2"],
        ["2~r", "2"],
        ["3", "3"],
      ]);
      expect(w.emu.rejections).toEqual([]);
    });

    it("THEN an Undo of the rating brings the reverse back the same day", async () => {
      await run("deck subscribe", { deck: "spanish" });
      const opened = (await run("study")).message!;
      expect(question(opened)).toContain("hola");
      const rated = await click(await click(opened, "Show answer"), "Good");
      expect(question(rated)).toContain("gato");
      const id = undoId(rated);
      expect(id).toBeDefined();
      w.clock.advance(3_000);
      const undone = (await w.emu.click({ user: w.alice, message: rated, customId: id })).message!;
      expect(undone.content).toContain("Rating undone");
      expect(question(undone)).toContain("hola");
      // Set 'hola' aside by hand: the next card is its reverse, no longer buried by the rating taken back.
      const buried = await click(await click(undone, "Show answer"), "Bury");
      expect(buried.content).toContain("Card buried");
      expect(question(buried).split("\n")[0]).toBe("hello");
      expect(w.emu.rejections).toEqual([]);
    });
  });
});
