/**
 * Cards with images in storage, on both engines: two image-only cards ("*(see the image)*") are different
 * questions for an Edit as for the import; a card revived by `/card add` under the key of a removed image card
 * shows no image it no longer has, and the deck still exports as an Anki package that reads back.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BASIC, collectionBytes, GIF_1X1, PNG_1X1, packageBytes } from "../../datagen/anki-packages.ts";
import { querySql } from "../../datagen/raw-sql.ts";
import { IMAGE_ONLY_TEXT } from "../../src/core/decks/images.ts";
import { editCard } from "../../src/db/card-reports.ts";
import { addCardToDeck } from "../../src/db/deck-cards.ts";
import { exportDeckFile } from "../../src/services/deck-export.ts";
import { type ImportOutcome, importDeck } from "../../src/services/deck-import.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

const BOB = "200000000000000001";
const birds = (notes: { guid: string; fields: [string, string] }[]) =>
  packageBytes(
    "collection.anki2",
    collectionBytes({
      schema: 11,
      noteTypes: [BASIC],
      decks: { 1: "Birds" },
      notes: notes.map((n, k) => ({ id: k + 1, guid: n.guid, mid: BASIC.id, fields: n.fields, ords: [0] })),
    }),
    {},
    { "robin.png": PNG_1X1, "wren.gif": GIF_1X1 },
  );
const BIRDS = birds([
  { guid: "b1", fields: ['<img src="robin.png">', "robin"] },
  { guid: "b2", fields: ['<img src="wren.gif">', "wren"] },
  { guid: "b3", fields: ["A question in words", "words"] },
]);

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  beforeEach(async () => {
    deps = await engineDeps(engine);
  });
  afterEach(() => deps.close());

  const importBirds = async (bytes: Uint8Array) => {
    const r: ImportOutcome = await importDeck(deps, {
      userId: BOB,
      guildId: null,
      canManageServer: false,
      fileName: "Birds.apkg",
      bytes,
      scope: "personal",
    });
    if (r.kind !== "imported") throw new Error(`expected an import, got ${r.kind}`);
    return r;
  };
  const card = async (deckId: string, key: string) =>
    (
      await querySql<{ id: number; front_image: string | null }>(
        deps.db,
        "SELECT id, front_image FROM cards WHERE deck_id = ? AND key = ?",
        [deckId, key],
      )
    )[0];

  it("GIVEN two image-only cards THEN an Edit of one is no duplicate of the other", async () => {
    const r = await importBirds(BIRDS);
    expect(r.cards).toBe(3);
    const robin = await card(r.deckId, "b1");
    const edited = await editCard(
      deps.db,
      robin?.id ?? 0,
      { front: IMAGE_ONLY_TEXT, back: "European robin", tags: [] },
      BOB,
      Date.now(),
    );
    expect(edited.kind).toBe("edited");
  });

  it("GIVEN an image card removed by a re-import THEN /card add under its key shows no image, and the deck exports as a package", async () => {
    const r = await importBirds(BIRDS);
    // Re-imported without the robin (a studied card would ask first: nobody studied it).
    await importBirds(
      birds([
        { guid: "b2", fields: ['<img src="wren.gif">', "wren"] },
        { guid: "b3", fields: ["A question in words", "words"] },
      ]),
    );
    expect(await querySql(deps.db, "SELECT name FROM deck_media WHERE deck_id = ?", [r.deckId])).toEqual([
      { name: "wren.gif" },
    ]);
    const added = await addCardToDeck(
      deps.db,
      r.deckId,
      { key: "b1", front: "Which bird is red-breasted?", back: "robin", tags: [] },
      new Date(),
    );
    expect(added.kind).toBe("added");
    expect((await card(r.deckId, "b1"))?.front_image).toBeNull();
    const exported = await exportDeckFile(deps, BOB, null, r.deckId, "apkg");
    expect(exported.cards).toBe(3);
  });
});
