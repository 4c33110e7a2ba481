/**
 * Reversed decks in storage, on both engines: a shipped file with `reversed: yes` syncs its cards and their
 * reverses as siblings; an imported one exports the option (never the reverse cards) and the export imports back
 * to the same cards, keys and note keys, and so does an update's confirm file; an Edit of either card of a pair
 * changes both.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Rating } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import { recordRating } from "../../src/db/reviews.ts";
import { cards } from "../../src/db/schema.ts";
import { saveEdit } from "../../src/services/card-fix.ts";
import { exportDeckFile } from "../../src/services/deck-export.ts";
import { type ImportOutcome, type ImportReport, importDeck } from "../../src/services/deck-import.ts";
import { syncDeckDir } from "../../src/services/deck-sync.ts";
import { decideWith } from "../../src/services/study.ts";
import { engineDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

const BOB = "700000000000000002";
const SPANISH = [
  "id: es",
  "name: Spanish",
  "reversed: yes",
  "",
  "## 1",
  "tags: greeting",
  "hola",
  "---",
  "hello",
  "",
  "## 2",
  "gato",
  "---",
  "cat",
  "",
  "## 3",
  "reversed: no",
  "¿Qué tal?",
  "---",
  "How are you?",
  "",
].join("\n");

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  let tmp: string;
  beforeEach(async () => {
    deps = await engineDeps(engine);
    tmp = mkdtempSync(join(tmpdir(), "reversed-"));
  });
  afterEach(async () => {
    await deps.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const who = { userId: BOB, guildId: null, canManageServer: false };
  const rows = (deckId: string) =>
    once(deps.db, (b) =>
      b
        .select({
          id: cards.id,
          key: cards.key,
          front: cards.front,
          back: cards.back,
          tags: cards.tags,
          noteKey: cards.noteKey,
          retired: cards.retiredAt,
        })
        .from(cards)
        .where(eq(cards.deckId, deckId))
        .orderBy(asc(cards.position), asc(cards.id))
        .prepare(),
    ).all();
  const active = async (deckId: string) =>
    (await rows(deckId)).filter((r) => r.retired === null).map(({ key, noteKey }) => [key, noteKey]);
  function imported(o: ImportOutcome): ImportReport {
    if (o.kind !== "imported") throw new Error(`expected an import, got ${o.kind}`);
    return o;
  }
  const importText = async (text: string, fileName: string, deckId?: string) =>
    imported(
      await importDeck(deps, {
        ...who,
        fileName,
        bytes: Buffer.from(text),
        scope: "personal",
        ...(deckId && { deckId }),
      }),
    );

  describe("GIVEN a shipped deck file with 'reversed: yes'", () => {
    it("THEN its cards and their reverses sync as siblings; 'reversed: no' retires the reverses, 'yes' brings them back", async () => {
      const dir = join(tmp, "decks");
      mkdirSync(dir);
      writeFileSync(join(dir, "es.deck"), SPANISH);
      const first = await syncDeckDir(deps, dir);
      expect(first.failed).toEqual([]);
      expect(first.loaded).toEqual([expect.objectContaining({ deckId: "es", cards: 5, added: 5 })]);
      expect(await active("es")).toEqual([
        ["1", "1"],
        ["1~r", "1"],
        ["2", "2"],
        ["2~r", "2"],
        ["3", null],
      ]);
      const reverse = (await rows("es")).find((r) => r.key === "1~r");
      expect(reverse).toMatchObject({ front: "hello", back: "hola", tags: ["greeting"] });

      writeFileSync(join(dir, "es.deck"), SPANISH.replace("reversed: yes", "reversed: no"));
      expect((await syncDeckDir(deps, dir)).loaded).toEqual([
        expect.objectContaining({ deckId: "es", cards: 3, added: 0, retired: 2 }),
      ]);
      // A card without its reverse has no siblings any more.
      expect(await active("es")).toEqual([
        ["1", null],
        ["2", null],
        ["3", null],
      ]);
      writeFileSync(join(dir, "es.deck"), SPANISH);
      expect((await syncDeckDir(deps, dir)).loaded).toEqual([
        expect.objectContaining({ cards: 5, added: 0, retired: 0 }),
      ]);
      // The same rows again (their schedules with them).
      expect((await rows("es")).find((r) => r.key === "1~r")?.id).toBe(reverse?.id);
    });
  });

  describe("GIVEN an imported reversed deck", () => {
    it("THEN each export holds the option and not the reverse cards, and imports back to the same cards", async () => {
      const deck = await importText(SPANISH, "spanish.deck");
      expect(deck.cards).toBe(5);
      const before = await active(deck.deckId);
      for (const format of ["native", "csv", "anki"] as const) {
        const file = await exportDeckFile(deps, BOB, null, deck.deckId, format);
        const text = file.bytes.toString("utf8");
        expect(text, format).not.toContain("~r");
        expect(file.cards).toBe(5);
        const again = await importText(text, file.fileName, deck.deckId);
        expect([again.added, again.kept, again.retired], format).toEqual([0, 5, 0]);
        expect(await active(deck.deckId), format).toEqual(before);
      }
      const native = (await exportDeckFile(deps, BOB, null, deck.deckId, "native")).bytes.toString("utf8");
      // The file as written (the header gets its description line; the deck its import id).
      expect(native).toBe(
        SPANISH.replace("id: es", `id: ${deck.deckId}`).replace(
          "name: Spanish\n",
          "name: Spanish\ndescription:\n",
        ),
      );
    });

    it("THEN an update that asks first carries the reversed cards in its confirm file, which imports the same cards", async () => {
      const deck = await importText(SPANISH, "spanish.deck");
      const studied = (await rows(deck.deckId)).find((r) => r.key === "3");
      if (!studied) throw new Error("no card 3");
      await recordRating(
        deps.db,
        { ...who, cardId: studied.id, grade: Rating.Good, source: "study", shownAt: 0, version: 0 },
        deps.clock.now(),
        decideWith(deps, Rating.Good),
      );
      const without3 = SPANISH.slice(0, SPANISH.indexOf("## 3"));
      const ask = await importDeck(deps, {
        ...who,
        fileName: "spanish.deck",
        bytes: Buffer.from(without3),
        scope: "personal",
      });
      if (ask.kind !== "confirm") throw new Error(`expected a question, got ${ask.kind}`);
      expect([ask.cards, ask.kept, ask.retired, ask.retiredStudied]).toEqual([4, 4, 1, 1]);
      const pending = ask.file.bytes.toString("utf8");
      expect(pending).toContain("\nreversed: yes\n");
      expect(pending).not.toContain("~r");
      const done = imported(
        await importDeck(deps, {
          ...who,
          fileName: ask.file.name,
          bytes: ask.file.bytes,
          parse: { format: "native" },
          scope: "personal",
          deckId: deck.deckId,
          confirmed: { asNew: false, fingerprint: ask.updateFingerprint },
        }),
      );
      expect([done.added, done.kept, done.retired]).toEqual([0, 4, 1]);
      expect(await active(deck.deckId)).toEqual([
        ["1", "1"],
        ["1~r", "1"],
        ["2", "2"],
        ["2~r", "2"],
      ]);
    });

    it("THEN an Edit of a reverse card changes its card too (sides swapped), and the export still reads back", async () => {
      const deck = await importText(SPANISH, "spanish.deck");
      const byKey = async (key: string) =>
        once(deps.db, (b) =>
          b
            .select({ id: cards.id, front: cards.front, back: cards.back, tags: cards.tags })
            .from(cards)
            .where(and(eq(cards.deckId, deck.deckId), eq(cards.key, key)))
            .prepare(),
        ).get();
      const reverse = await byKey("2~r");
      if (!reverse) throw new Error("no reverse card");
      await saveEdit(deps, who, reverse.id, { front: "cat (the animal)", back: "el gato", tags: "animals" });
      expect(await byKey("2")).toMatchObject({
        front: "el gato",
        back: "cat (the animal)",
        tags: ["animals"],
      });
      expect(await byKey("2~r")).toMatchObject({
        front: "cat (the animal)",
        back: "el gato",
        tags: ["animals"],
      });
      const original = await byKey("1");
      if (!original) throw new Error("no card");
      await saveEdit(deps, who, original.id, { front: "¡hola!", back: "hello", tags: "greeting" });
      expect(await byKey("1~r")).toMatchObject({ front: "hello", back: "¡hola!" });
      const file = await exportDeckFile(deps, BOB, null, deck.deckId, "native");
      expect(file.bytes.toString("utf8")).toContain(
        "\n## 2\ntags: animals\nel gato\n---\ncat (the animal)\n",
      );
      // The reverse's new question must not be a question the deck asks, nor the card's own.
      await expect(
        saveEdit(deps, who, original.id, { front: "gato?", back: "el gato", tags: "" }),
      ).rejects.toThrow("has another card with this question");
      await expect(
        saveEdit(deps, who, original.id, { front: "same", back: "same", tags: "" }),
      ).rejects.toThrow("has another card with this question");
      expect(await byKey("1")).toMatchObject({ front: "¡hola!", back: "hello" });
      // A card without a reverse is edited alone.
      const alone = await byKey("3");
      if (!alone) throw new Error("no card");
      await saveEdit(deps, who, alone.id, { front: "¿Qué tal? (informal)", back: "How are you?", tags: "" });
      expect(await active(deck.deckId)).toEqual([
        ["1", "1"],
        ["1~r", "1"],
        ["2", "2"],
        ["2~r", "2"],
        ["3", null],
      ]);
    });
  });
});
