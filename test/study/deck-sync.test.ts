import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { once } from "../../src/db/prepared.ts";
import { cards, decks } from "../../src/db/schema.ts";
import { syncDeckDir } from "../../src/services/deck-sync.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  /** A temp folder for deck files. */
  let tmp: string;
  beforeEach(async () => {
    deps = await engineDeps(engine);
    tmp = mkdtempSync(join(tmpdir(), "deck-sync-"));
  });
  afterEach(async () => {
    await deps.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  describe("GIVEN the repository's decks/ folder", async () => {
    it("THEN the PyTorch deck loads with its 81 cards, and loading twice changes nothing", async () => {
      const dir = resolve(import.meta.dirname, "../../decks");
      const first = await syncDeckDir(deps, dir);
      expect(first.failed).toEqual([]);
      expect(first.loaded).toContainEqual(
        expect.objectContaining({ deckId: "pytorch", cards: 81, added: 81 }),
      );
      const again = await syncDeckDir(deps, dir);
      expect(again.loaded).toContainEqual(
        expect.objectContaining({ deckId: "pytorch", cards: 81, added: 0, retired: 0 }),
      );
      expect(
        await once(deps.db, (b) => b.select().from(cards).where(eq(cards.deckId, "pytorch")).prepare()).all(),
      ).toHaveLength(81);
    });
  });

  describe("GIVEN a malformed deck file next to a good one", async () => {
    it("THEN it is reported with file and line, and neither stops the other nor touches its own loaded deck", async () => {
      const dir = join(tmp, "decks");
      mkdirSync(dir);
      const good = "id: good\nname: Good\ndescription: fine\n\n## 1\nQ one\n---\nA one\n";
      writeFileSync(join(dir, "good.deck"), good);
      writeFileSync(join(dir, "bad.deck"), "id: bad\nname: Bad\n\n## 1\nQ one\n---\nA one\n");
      expect((await syncDeckDir(deps, dir)).failed).toEqual([]);
      // Now break bad.deck: its card loses its separator.
      writeFileSync(join(dir, "bad.deck"), "id: bad\nname: Bad\n\n## 1\nQ one without answer\n");
      const r = await syncDeckDir(deps, dir);
      expect(r.loaded.map((l) => l.deckId)).toEqual(["good"]);
      expect(r.failed).toHaveLength(1);
      expect(r.failed[0]?.file).toContain("bad.deck");
      expect(r.failed[0]?.line).toBeGreaterThan(0);
      // The previously loaded 'bad' deck is untouched: not retired, card text unchanged.
      expect(
        (await once(deps.db, (b) => b.select().from(decks).where(eq(decks.id, "bad")).prepare()).get())
          ?.retiredAt,
      ).toBeNull();
      expect(
        (await once(deps.db, (b) => b.select().from(cards).where(eq(cards.deckId, "bad")).prepare()).get())
          ?.front,
      ).toBe("Q one");
    });

    it("THEN a file emptied by mistake is reported and its deck kept; a deleted file retires its deck", async () => {
      const dir = join(tmp, "decks2");
      mkdirSync(dir);
      writeFileSync(join(dir, "gone.deck"), "id: gone\nname: Gone\n\n## 1\nQ\n---\nA\n");
      await syncDeckDir(deps, dir);
      writeFileSync(join(dir, "gone.deck"), "");
      const r = await syncDeckDir(deps, dir);
      expect(r.failed).toHaveLength(1); // an empty file is malformed: reported, deck kept
      expect(
        (await once(deps.db, (b) => b.select().from(decks).where(eq(decks.id, "gone")).prepare()).get())
          ?.retiredAt,
      ).toBeNull();
      rmSync(join(dir, "gone.deck"));
      await syncDeckDir(deps, dir);
      expect(
        (await once(deps.db, (b) => b.select().from(decks).where(eq(decks.id, "gone")).prepare()).get())
          ?.retiredAt,
      ).not.toBeNull();
      expect(
        await once(deps.db, (b) => b.select().from(cards).where(eq(cards.deckId, "gone")).prepare()).all(),
      ).toHaveLength(1); // history kept
    });
  });
});
