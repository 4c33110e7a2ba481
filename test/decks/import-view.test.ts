import { describe, expect, it } from "vitest";
import { CUSTOM_ID_MAX } from "../../src/core/custom-id.ts";
import { parseDeckId, renderImportConfirm } from "../../src/render/deck-view.ts";
import type { ImportConfirm } from "../../src/services/deck-import.ts";

const USER = "923456789012345678";
const confirm = (over: Partial<ImportConfirm> = {}): ImportConfirm => ({
  kind: "confirm",
  deckId: "pytorch-flashcards-and-mor-p1234567-1234",
  name: "Pytorch Flashcards",
  scope: "server",
  caseOnly: true,
  importName: "PyTorch Flashcards",
  format: "anki",
  cards: 81,
  added: 3,
  kept: 78,
  retired: 0,
  retiredStudied: 0,
  updateFingerprint: "AbCdEf_-12",
  newFingerprint: "ZyXwVu98_-",
  warnings: [],
  file: { name: "import.deck", bytes: Buffer.from("id: x\n") },
  ...over,
});

describe("renderImportConfirm", () => {
  it("GIVEN a match in other capitals that retires nothing THEN it says so, and its buttons parse back", () => {
    const view = renderImportConfirm(USER, confirm());
    const text = view.embeds[0]?.description ?? "";
    expect(text).toContain("matches this server's deck **Pytorch Flashcards**");
    expect(text).toContain("add 3 new, keep 78 with their progress, and retire none.");
    const buttons = view.components[0]?.components ?? [];
    expect(buttons.map((b) => ("label" in b ? b.label : ""))).toEqual([
      "Update it",
      "Import as a new deck",
      "Cancel",
    ]);
    const ids = buttons.map((b) => ("custom_id" in b ? b.custom_id : ""));
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
    expect(ids.map(parseDeckId)).toEqual([
      {
        action: "import-update",
        userId: USER,
        fingerprint: "AbCdEf_-12",
        format: "anki",
        deckId: "pytorch-flashcards-and-mor-p1234567-1234",
      },
      { action: "import-new", userId: USER, fingerprint: "ZyXwVu98_-", format: "anki", scope: "server" },
      { action: "import-cancel", userId: USER },
    ]);
    expect(view.allowed_mentions).toEqual({ parse: [] });
  });

  it("GIVEN studied cards to retire on a server deck THEN how many, and that they may be other members'", () => {
    const text = renderImportConfirm(USER, confirm({ caseOnly: false, retired: 12, retiredStudied: 5 }))
      .embeds[0]?.description;
    expect(text).toContain("This file would update this server's deck");
    expect(text).toContain(
      "**retire 12 cards**, **5 of them with study progress (yours or other members')**",
    );
  });
});
