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
  progress: false,
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
        progress: false,
        deckId: "pytorch-flashcards-and-mor-p1234567-1234",
      },
      {
        action: "import-new",
        userId: USER,
        fingerprint: "ZyXwVu98_-",
        format: "anki",
        progress: false,
        scope: "server",
      },
      { action: "import-cancel", userId: USER },
    ]);
    expect(view.allowed_mentions).toEqual({ parse: [] });
  });

  it("GIVEN a package's import with progress THEN both confirm buttons carry it (within 100 characters) and parse back", () => {
    const longest = "a".repeat(40);
    const view = renderImportConfirm(
      "18446744073709551615",
      confirm({ format: "apkg", scope: "personal", deckId: longest, progress: true }),
    );
    expect(view.embeds[0]?.description).toContain(
      "(Anki package, 81 cards, with your Anki progress) as a new deck",
    );
    const ids = (view.components[0]?.components ?? []).map((b) => ("custom_id" in b ? b.custom_id : ""));
    for (const id of ids) expect(id.length).toBeLessThanOrEqual(CUSTOM_ID_MAX);
    const [update, asNew] = ids.map(parseDeckId);
    expect(update).toMatchObject({
      action: "import-update",
      format: "apkg",
      progress: true,
      deckId: longest,
    });
    expect(asNew).toMatchObject({ action: "import-new", format: "apkg", progress: true, scope: "personal" });
    // Only `p` marks it: any other seventh part is no button of ours.
    expect(parseDeckId(`${ids[0]?.slice(0, -1)}x`)).toBeNull();
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
