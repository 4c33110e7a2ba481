import { describe, expect, it } from "vitest";
import { renderImported } from "../../src/render/deck-view.ts";
import type { ImportReport } from "../../src/services/deck-import.ts";

const report = (preview: ImportReport["preview"]): ImportReport => ({
  kind: "imported",
  deckId: "py-p1234567",
  name: "Py",
  scope: "personal",
  created: true,
  format: "native",
  cards: preview.length,
  added: preview.length,
  kept: 0,
  retired: 0,
  preview,
  images: 0,
  warnings: [],
});

describe("GIVEN an import's preview of its first cards", () => {
  it("THEN card text is shown as the deck meant it: dunder names kept, bold kept, code untouched", () => {
    const r = renderImported(
      report([
        { front: "What does __getitem__ do?", back: "Returns **one** sample: `ds[i]` calls `__getitem__`" },
        { front: "> not a quote", back: "~~not struck~~ ||not hidden||" },
      ]),
    );
    expect(r.embeds[0]?.fields?.map((f) => f.value)).toEqual([
      "What does \\_\\_getitem\\_\\_ do?\n**→** Returns **one** sample: `ds[i]` calls `__getitem__`",
      "\\> not a quote\n**→** \\~\\~not struck\\~\\~ \\|\\|not hidden\\|\\|",
    ]);
  });
});
