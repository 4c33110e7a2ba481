/**
 * Fixing cards from Discord, end to end on both engines: bob (no Manage Server) sees **Report** on the answer of a
 * server deck's card and reports it; alice (Manage Server) sees **Edit** there, finds the report in
 * `/deck reports`, edits the card from it (the form shows the card as it is), and bob's next view of the card shows
 * the fixed text with his schedule unchanged. Dismiss closes a report once.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

const labels = (m: StoredMessage | undefined) =>
  (m?.components ?? []).flatMap((r: { components: { label?: string }[] }) =>
    r.components.map((b) => b.label),
  );
const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;
  let deckId: string;
  beforeEach(async () => {
    w = await startWorld({ engine, start: "2026-03-02T10:00:00Z" });
    await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck import",
      options: {
        file: {
          name: "Biology.csv",
          data: Buffer.from(
            "front,back\nWhat is ATP?,The cell's enrgy currency\nWhat is DNA?,Genetic material\n",
          ),
        },
        scope: "server",
      } as never,
    });
    deckId =
      (await sqlRow<{ id: string }>(w.bot.deps.db, sql`SELECT id FROM decks WHERE name = 'Biology'`))?.id ??
      "";
    await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck subscribe",
      options: { deck: deckId },
    });
  });
  afterEach(() => w.stop());

  const state = (userId: string, front: string) =>
    sqlRow<{ card_id: number; due: number; stability: number; reps: number }>(
      w.bot.deps.db,
      sql`SELECT s.card_id, s.due, s.stability, s.reps FROM card_states s JOIN cards c ON c.id = s.card_id
          WHERE s.user_id = ${userId} AND c.front = ${front}`,
    );

  it("GIVEN bob's report THEN alice edits the card from /deck reports, and bob's next view shows it fixed, schedule unchanged", async () => {
    const q = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    expect(text(q.message)).toContain("What is ATP?");
    const answer = await w.emu.click({ user: w.bob, message: q.message!, label: "Show answer" });
    expect(labels(answer.message)).toContain("Report");
    expect(labels(answer.message)).not.toContain("Edit");
    const opened = await w.emu.click({ user: w.bob, message: answer.message!, label: "Report" });
    expect(opened.modal?.title).toBe("Report: What is ATP?");
    const sent = await w.emu.submitModal({
      user: w.bob,
      interaction: opened,
      values: { text: "Typo: enrgy" },
    });
    expect(sent.message?.content).toContain("the deck's owners see your report in `/deck reports`");
    await w.emu.click({ user: w.bob, message: answer.message!, label: "Good" });
    const before = await state(w.bob.id, "What is ATP?");
    expect(before?.reps).toBe(1);

    // alice, an admin, sees Edit on the same card's answer.
    const aq = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    const aa = await w.emu.click({ user: w.alice, message: aq.message!, label: "Show answer" });
    expect(labels(aa.message)).toContain("Edit");

    const list = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck reports",
      options: { deck: deckId },
    });
    expect(list.ephemeral).toBe(true);
    expect(list.message?.embeds[0]?.fields?.[0]?.name).toBe("1. What is ATP?");
    expect(list.message?.embeds[0]?.fields?.[0]?.value).toContain(`<@${w.bob.id}>`);
    expect(list.message?.embeds[0]?.fields?.[0]?.value).toContain("Typo: enrgy");
    expect(list.message?.pings).toEqual([]);
    const edit = await w.emu.click({ user: w.alice, message: list.message!, label: "Edit 1" });
    const shown = (edit.modal?.components ?? []).map(
      (r: { components: { value?: string }[] }) => r.components[0]?.value,
    );
    expect(shown.slice(0, 2)).toEqual(["What is ATP?", "The cell's enrgy currency"]);
    const saved = await w.emu.submitModal({
      user: w.alice,
      interaction: edit,
      values: { front: "What is ATP?", back: "The cell's energy currency", tags: "" },
    });
    expect(saved.message?.content).toContain("everyone's schedule for it stays as it was");
    expect(saved.message?.content).toContain("1 open report is marked fixed");
    const after = await state(w.bob.id, "What is ATP?");
    expect(after).toEqual(before);
    const empty = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck reports",
      options: { deck: deckId },
    });
    expect(empty.message?.embeds[0]?.description).toBe("No open reports: nothing to fix.");

    // bob's next view of the card, once it is due again: the fixed answer.
    w.clock.advance(40 * 86_400_000);
    const later = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    expect(text(later.message)).toContain("What is ATP?");
    const fixed = await w.emu.click({ user: w.bob, message: later.message!, label: "Show answer" });
    expect(text(fixed.message)).toContain("The cell's energy currency");
    expect(w.emu.rejections).toEqual([]);
  });

  it("GIVEN a report THEN Dismiss closes it once, bob may not edit or list, and an empty report is refused", async () => {
    const q = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    const answer = await w.emu.click({ user: w.bob, message: q.message!, label: "Show answer" });
    const opened = await w.emu.click({ user: w.bob, message: answer.message!, label: "Report" });
    const blank = await w.emu.submitModal({ user: w.bob, interaction: opened, values: { text: "   " } });
    expect(blank.message?.content).toContain("Say what is wrong with the card");
    const again = await w.emu.click({ user: w.bob, message: answer.message!, label: "Report" });
    await w.emu.submitModal({ user: w.bob, interaction: again, values: { text: "Unclear" } });
    const refused = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck reports",
      options: { deck: deckId },
    });
    expect(refused.message?.content).toContain("you need the **Manage Server** permission");
    const list = await w.emu.runCommand({
      user: w.alice,
      channel: w.channel,
      command: "deck reports",
      options: { deck: deckId },
    });
    const dismissed = await w.emu.click({ user: w.alice, message: list.message!, label: "Dismiss 1" });
    expect(dismissed.message?.content).toBe("Report dismissed.");
    expect(dismissed.message?.embeds[0]?.description).toBe("No open reports: nothing to fix.");
    const twice = await w.emu.click({
      user: w.alice,
      message: list.message!,
      label: "Dismiss 1",
      stale: true,
    });
    expect(twice.message?.content).toBe("That report was already closed.");
  });
});
