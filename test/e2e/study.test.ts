import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;

  const labels = (m: { components: unknown }) =>
    (m.components as { components: { label?: string; disabled?: boolean }[] }[]).flatMap((r) =>
      r.components.map((c) => c.label ?? ""),
    );

  // Each test gets its own world (bot, emulator, database), so any one runs alone.
  beforeEach(async () => {
    w = await startWorld({
      engine,
      decks: [
        {
          id: "basics",
          name: "Basics",
          cards: [
            { key: "1", front: "What is 2+2?", back: "4" },
            { key: "2", front: "Capital of France?", back: "Paris" },
            { key: "3", front: "H2O is?", back: "Water" },
          ],
        },
      ],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  describe("GIVEN the real bot connected to the emulator", () => {
    it("THEN its command registration payloads are accepted", () => {
      const names = w.emu
        .commands(w.guild.id)
        .map((c) => c.name)
        .sort();
      expect(names).toEqual(expect.arrayContaining(["deck", "help", "settings", "study"]));
      expect(w.emu.rejections).toEqual([]);
    });

    it("THEN /help answers ephemerally", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "help" });
      expect(r.ephemeral).toBe(true);
      expect(JSON.stringify(r.message?.embeds)).toContain("/study");
    });

    it("THEN /study without a subscription offers the decks, and Subscribe starts the session", async () => {
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      expect(r.ephemeral).toBe(true);
      expect(labels(r.message!)).toContain("Subscribe: Basics");
      const s = await w.emu.click({ user: w.alice, message: r.message!, label: "Subscribe: Basics" });
      expect(s.message?.content).toContain("Subscribed");
      expect(JSON.stringify(s.message?.embeds)).toContain("What is 2+2?");
    });

    it("THEN a full /study session runs: question → Show answer → rate → … → summary", async () => {
      await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "basics" },
      });
      const r = await w.emu.runCommand({ user: w.bob, channel: w.channel, command: "study" });
      let msg = r.message!;
      const seen: string[] = [];
      for (let k = 0; k < 3; k++) {
        const embed = JSON.stringify(msg.embeds);
        expect(embed).toMatch(/due · \d+ new left today/);
        // After a rating, the next card carries the Undo of it.
        expect(labels(msg)).toEqual(k === 0 ? ["Show answer", "Stop"] : ["Show answer", "↩ Undo", "Stop"]);
        seen.push(embed);
        const shown = await w.emu.click({ user: w.bob, message: msg, label: "Show answer" });
        const buttons = labels(shown.message!);
        expect(buttons).toEqual([
          expect.stringMatching(/^Again/),
          expect.stringMatching(/^Hard/),
          expect.stringMatching(/^Good/),
          expect.stringMatching(/^Easy/),
          "Bury",
          "Suspend",
          // A shipped deck's card: bob may not change it, so he may report it.
          "Report",
          "Stop",
        ]);
        expect(buttons[0]).toMatch(/^Again · \d+m$/);
        expect(buttons[2]).toMatch(/^Good · /);
        const rated = await w.emu.click({ user: w.bob, message: shown.message!, label: "Easy" });
        msg = rated.message!;
        expect(msg.id).toBe(r.message!.id); // same message, edited in place
      }
      expect(seen.join()).toContain("Capital of France?");
      const summary = JSON.stringify(msg.embeds);
      expect(summary).toContain("Cards reviewed: **3**");
      expect(summary).toContain("Next card due");
      expect(labels(msg)).toEqual(["↩ Undo"]);
      expect(w.emu.rejections).toEqual([]);
    });
  });
});
