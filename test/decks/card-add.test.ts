/** `/card add`'s rule on both engines: a question the deck already has is refused, whatever its key. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addCard } from "../../src/services/card-add.ts";
import { importDeck } from "../../src/services/deck-import.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

const BOB = "700000000000000002";
// A native deck: its cards are keyed by the file (1, 2), not by their questions.
const SPANISH = [
  "id: es",
  "name: Spanish",
  "",
  "## 1",
  "hola",
  "---",
  "hello",
  "",
  "## 2",
  "gato",
  "---",
  "cat",
  "",
].join("\n");

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  let deckId = "";
  beforeEach(async () => {
    deps = await engineDeps(engine);
    const r = await importDeck(deps, {
      userId: BOB,
      guildId: null,
      canManageServer: false,
      fileName: "spanish.deck",
      bytes: Buffer.from(SPANISH),
      scope: "personal",
    });
    if (r.kind !== "imported") throw new Error(r.kind);
    deckId = r.deckId;
  });
  afterEach(() => deps.close());

  const who = { userId: BOB, guildId: null, canManageServer: false };

  it("THEN a card whose question the deck has under another key is refused, and a new one is added", async () => {
    await expect(addCard(deps, who, { deckId, front: "  hola ", back: "hi", tags: "" })).rejects.toThrow(
      "already has a card with this question",
    );
    const added = await addCard(deps, who, { deckId, front: "perro", back: "dog", tags: "a b" });
    expect(added.front).toBe("perro");
  });
});
