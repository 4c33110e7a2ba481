/**
 * Card text as the deck meant it, end to end: the real bot against the loopback emulator. A study card of the
 * user's deck (decks/pytorch.deck) keeps `__init__` as written; the daily quiz shows each choice as its own field,
 * code blocks intact and other markdown escaped.
 */
import type { APIEmbedField } from "discord.js";
import { afterEach, describe, expect, it } from "vitest";
import type { StoredMessage } from "../../src/emulator/index.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World | undefined;
  afterEach(async () => {
    await w?.stop();
    w = undefined;
  });

  const description = (m: StoredMessage | undefined) => String(m?.embeds[0]?.description ?? "");

  describe("GIVEN the shipped deck decks/pytorch.deck", () => {
    it("THEN /study shows card 1's answer with __init__() as written, its bullets and numbering kept", async () => {
      w = await startWorld({ engine, start: "2026-01-15T10:00:00Z" });
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "pytorch" },
      });
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      expect(description(r.message)).toContain("What is the Pytorch “Module” submodule, and how is it used?");
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      const d = description(shown.message);
      // Discord drops the backslashes and shows "__init__()"; unescaped it would show an underlined "init()".
      expect(d).toContain("2. Define the \\_\\_init\\_\\_() method (for layers/submodules");
      expect(d).toContain("\n• It’s the base class for all NN modules\n");
      expect(d).not.toMatch(/(^|[^\\])__init/);
    });
  });

  const SNIPPETS = [
    [
      "Define a module's layers",
      "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()",
    ],
    ["Get one sample", "class Data(Dataset):\n    def __getitem__(self, i):\n        return self.x[i]"],
    ["Count the samples", "class Data(Dataset):\n    def __len__(self):\n        return len(self.x)"],
    ["Run the forward pass", "class Net(nn.Module):\n    def forward(self, x):\n        return self.fc(x)"],
    ["Zero the gradients", "for x, y in loader:\n    opt.zero_grad()\n    loss = crit(net(x), y)"],
  ].map(([front, code], k) => ({
    key: String(k + 1),
    front: front as string,
    back: `Uses __dunder__ names:\n\`\`\`py\n${code}\n\`\`\``,
  }));

  describe("GIVEN a deck whose answers are code blocks, and the daily quiz", () => {
    it("THEN the post shows each choice as its own field: code as code, prose escaped, nothing flattened", async () => {
      w = await startWorld({
        engine,
        start: "2026-01-15T06:00:00Z",
        decks: [{ id: "snippets", name: "Snippets", cards: SNIPPETS }],
      });
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "quiz setup",
        options: { channel: w.channel, time: "09:00", timezone: "Europe/Berlin" },
      });
      w.clock.set(new Date("2026-01-15T08:00:00Z"));
      await w.bot.tick();
      const post = w.emu.messages(w.channel.id).find((m) => m.embeds[0]?.title?.startsWith("Daily quiz ·"));
      const fields: APIEmbedField[] = post?.embeds[0]?.fields ?? [];
      expect(fields.map((f) => f.name)).toEqual(["A", "B", "C", "D"]);
      const escaped = (back: string) => back.replace("__dunder__", "\\_\\_dunder\\_\\_");
      const backs = SNIPPETS.map((c) => escaped(c.back));
      for (const f of fields) {
        expect(backs).toContain(f.value); // whole: the code block's lines, fences and indentation intact
        expect(f.value).not.toContain(" · ");
      }
      expect(new Set(fields.map((f) => f.value)).size).toBe(4);
      expect(description(post)).not.toContain("```");
      expect(w.emu.rejections).toEqual([]);
    });
  });

  describe("GIVEN a card whose answer links a page with underscores in its address", () => {
    it("THEN /study shows the link as typed (Discord reads it as a link, a backslash in it would break it)", async () => {
      const url = "https://pytorch.org/docs/stable/generated/torch.nn.functional.cross_entropy.html";
      w = await startWorld({
        engine,
        decks: [
          {
            id: "links",
            name: "Links",
            cards: [{ key: "1", front: "Where is __call__ documented?", back: url }],
          },
        ],
      });
      await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck subscribe",
        options: { deck: "links" },
      });
      const r = await w.emu.runCommand({ user: w.alice, channel: w.channel, command: "study" });
      const shown = await w.emu.click({ user: w.alice, message: r.message!, label: "Show answer" });
      const d = description(shown.message);
      expect(d).toContain("Where is \\_\\_call\\_\\_ documented?");
      expect(d).toContain(`**Answer**\n${url}`);
    });
  });
});
