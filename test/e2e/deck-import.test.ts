/**
 * /deck import, export and remove end to end. Each test gets its own world and makes the decks it works on
 * (bob's "Spanish basics", the server's "Biology", their copies) with the helpers below, so any one runs alone.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { InteractionResult, StoredMessage } from "../../src/emulator/index.ts";
import { sqlRow, sqlRows } from "../helpers/sql-template.ts";
import { E2E_ENGINES, startWorld, type World } from "./harness.ts";

describe.each(E2E_ENGINES)("%s", (engine) => {
  let w: World;

  beforeEach(async () => {
    w = await startWorld({
      engine,
      decks: [{ id: "french", name: "French Verbs", cards: [{ key: "1", front: "être", back: "to be" }] }],
    });
  });
  afterEach(async () => {
    await w?.stop();
  });

  const SPANISH_CSV =
    'front,back,tags\nhola,hello,greeting\nadiós,goodbye,greeting\n"gato, el",the cat,animals\n';

  const ANKI = [
    "#separator:tab",
    "#html:true",
    "#guid column:1",
    "#notetype column:2",
    "#deck column:3",
    "#tags column:6",
    "a1B2c3\tBasic\tBiology\tWhat does <b>ATP</b> stand for?\tAdenosine <i>tri</i>phosphate\tbio",
    'd4E5f6\tBasic\tBiology\t"Organelles:"\t"<ul><li>mitochondria</li><li>ribosome</li></ul>"\tbio cells',
    "",
  ].join("\n");

  const file = (name: string, text: string | Buffer, contentType = "text/plain") => ({
    name,
    contentType,
    data: typeof text === "string" ? Buffer.from(text, "utf8") : text,
  });

  const db = () => w.bot.deps.db;
  const counts = () =>
    sqlRow<{ decks: number; cards: number; subs: number; states: number }>(
      db(),
      sql`
    SELECT (SELECT count(*) FROM decks) AS decks, (SELECT count(*) FROM cards) AS cards,
      (SELECT count(*) FROM subscriptions) AS subs, (SELECT count(*) FROM card_states) AS states`,
    );
  const deckNamed = (name: string) =>
    sqlRow<{ id: string; owner_id: string | null; guild_id: string | null; retired_at: number | null }>(
      db(),
      sql`SELECT id, owner_id, guild_id, retired_at FROM decks WHERE name = ${name} ORDER BY updated_at DESC`,
    );
  const activeCards = (deckId: string) =>
    sqlRows<{ id: number; key: string; front: string; back: string }>(
      db(),
      sql`SELECT id, key, front, back FROM cards WHERE deck_id = ${deckId} AND retired_at IS NULL ORDER BY position`,
    );
  const text = (m: StoredMessage | undefined) => JSON.stringify([m?.content, m?.embeds]);

  async function importAs(user: World["bob"], options: Record<string, unknown>): Promise<InteractionResult> {
    return w.emu.runCommand({
      user,
      channel: w.channel,
      command: "deck import",
      options: options as never,
    });
  }

  async function list(user: World["bob"]): Promise<string> {
    return text((await w.emu.runCommand({ user, channel: w.channel, command: "deck list" })).message);
  }

  /** bob's personal deck "Spanish basics", from SPANISH_CSV. */
  const importSpanish = () => importAs(w.bob, { file: file("Spanish basics.csv", SPANISH_CSV, "text/csv") });

  /** alice's (an admin's) server deck "Biology", from the Anki export. */
  const importBiology = () => importAs(w.alice, { file: file("biology.txt", ANKI), scope: "server" });

  /** bob reviews the Spanish deck's first card, "hola", once (Easy). */
  async function reviewHola(deckId: string) {
    const s = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "study",
      options: { deck: deckId },
    });
    expect(text(s.message)).toContain("hola");
    const shown = await w.emu.click({ user: w.bob, message: s.message!, label: "Show answer" });
    await w.emu.click({ user: w.bob, message: shown.message!, label: "Easy" });
  }

  /** bob exports the deck as `format` and imports that file back as his deck "Biology copy <format>". */
  async function exportAndImportBack(deckId: string, format: "csv" | "anki" | "native") {
    const exported = await w.emu.runCommand({
      user: w.bob,
      channel: w.channel,
      command: "deck export",
      options: { deck: deckId, format },
    });
    const att = exported.message?.attachments[0];
    const back = await importAs(w.bob, {
      file: file(att?.filename ?? "x", att?.data ?? Buffer.alloc(0)),
      name: `Biology copy ${format}`,
    });
    return { exported, att, back };
  }

  describe("GIVEN /deck import", () => {
    it("WHEN a member imports a CSV THEN a personal deck: format, count, preview, subscribed, only they see it", async () => {
      const r = await importSpanish();
      expect(r.ephemeral).toBe(true);
      const embed = r.message?.embeds[0];
      expect(embed?.title).toBe("Imported: Spanish basics");
      expect(embed?.description).toContain("Format: **CSV** · **3** cards");
      expect(embed?.description).toContain("Personal deck");
      expect(embed?.fields.map((f: { name: string }) => f.name)).toEqual(["Card 1", "Card 2", "Card 3"]);
      expect(embed?.fields[2].value).toContain("gato, el");
      const deck = await deckNamed("Spanish basics");
      expect(deck?.owner_id).toBe(w.bob.id);
      expect(deck?.id).toMatch(/^spanish-basics-p[0-9a-f]{7}$/);
      expect(await activeCards(deck?.id ?? "")).toHaveLength(3);
      expect(await list(w.bob)).toContain("✅ **Spanish basics**");
      expect(await list(w.alice)).not.toContain("Spanish basics");
      expect(w.emu.rejections).toEqual([]);
    });

    it("WHEN a member asks for a server deck THEN refused (Manage Server) and nothing changes", async () => {
      const before = await counts();
      const r = await importAs(w.bob, { file: file("bio.txt", ANKI), scope: "server" });
      expect(r.ephemeral).toBe(true);
      expect(r.message?.content).toContain("Manage Server");
      expect(await counts()).toEqual(before);
    });

    it("WHEN an admin imports an Anki export as a server deck THEN everyone here sees it, HTML converted", async () => {
      const r = await importBiology();
      const embed = r.message?.embeds[0];
      expect(embed?.title).toBe("Imported: Biology");
      expect(embed?.description).toContain("Anki notes in plain text");
      expect(embed?.description).toContain("Server deck");
      const deck = await deckNamed("Biology");
      expect(deck?.owner_id).toBeNull();
      expect(deck?.guild_id).toBe(w.guild.id);
      expect((await activeCards(deck?.id ?? "")).map((c) => [c.key, c.front, c.back])).toEqual([
        ["a1B2c3", "What does **ATP** stand for?", "Adenosine *tri*phosphate"],
        ["d4E5f6", "Organelles:", "- mitochondria\n- ribosome"],
      ]);
      expect(await list(w.bob)).toContain("▫️ **Biology**");
    });

    it("WHEN the file is refused (unbalanced quote, binary, too big, header only) THEN the line or limit is named and nothing changes", async () => {
      const before = await counts();
      const cases: [ReturnType<typeof file>, string][] = [
        [file("bad.csv", 'front,back\nok,fine\n"never closed,oops\nmore,rows\n'), "line 3"],
        [
          file("pic.png", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d])),
          "binary",
        ],
        [file("big.csv", `front,back\n${"a,b\n".repeat(300_000)}`), "1 MiB"],
        [file("header.csv", "front,back\n"), "header row but no cards"],
        [file("one.tsv", "hola\thello\nadios\n"), "line 2: this row has only one field"],
        [file("words.csv", "hola\nadios\n", "text/csv"), "a CSV deck needs two, the question and the answer"],
        [file("latin1.csv", Buffer.from("front,back\ncaf\xe9,coffee\n", "latin1")), "not valid UTF-8"],
        [file("empty.csv", ""), "the file is empty"],
      ];
      for (const [f, expected] of cases) {
        const r = await importAs(w.bob, { file: f });
        expect(r.ephemeral).toBe(true);
        expect(r.message?.content, f.name).toContain(expected);
        expect(r.message?.content).toContain("Nothing was imported");
      }
      // A side over 1,500 characters after conversion is refused with the limit named.
      const long = await importAs(w.bob, { file: file("long.csv", `q,${"x".repeat(1501)}\n`) });
      expect(long.message?.content).toContain("the limit is 1,500 per side");
      expect(await counts()).toEqual(before);
    });

    it("WHEN a changed file is imported again THEN unchanged cards keep their progress; new ones added, missing ones retired", async () => {
      await importSpanish();
      const deckId = (await deckNamed("Spanish basics"))?.id ?? "";
      await reviewHola(deckId);
      const holaBefore = (await activeCards(deckId)).find((c) => c.front === "hola");
      const statesBefore = await sqlRows(
        db(),
        sql`SELECT * FROM card_states WHERE card_id = ${holaBefore?.id}`,
      );
      expect(statesBefore).toHaveLength(1);

      const changed =
        'front,back,tags\nhola,hello (informal),greeting\nperro,dog,animals\n"gato, el",the cat,animals\n';
      const r = await importAs(w.bob, { file: file("Spanish basics.csv", changed) });
      expect(r.message?.embeds[0].title).toBe("Updated: Spanish basics");
      expect(r.message?.embeds[0].description).toContain("1 new, 2 kept with their progress, 1 retired");
      const after = await activeCards(deckId);
      expect(after.map((c) => c.front)).toEqual(["hola", "perro", "gato, el"]);
      const holaAfter = after.find((c) => c.front === "hola");
      expect(holaAfter?.id).toBe(holaBefore?.id);
      expect(holaAfter?.back).toBe("hello (informal)");
      expect(await sqlRows(db(), sql`SELECT * FROM card_states WHERE card_id = ${holaAfter?.id}`)).toEqual(
        statesBefore,
      );
    });

    it("WHEN card text holds @everyone, mentions and links THEN it is stored as text and nothing pings or previews", async () => {
      const evil = `@everyone hi <@${w.alice.id}>,"[free nitro](https://evil.example/x) <@&123>"\n`;
      const r = await importAs(w.bob, { file: file("evil.csv", evil), name: "Evil @here" });
      expect(r.message?.pings).toEqual([]);
      expect(r.message?.allowed_mentions).toEqual({ parse: [] });
      expect(r.message?.embeds[0].fields[0].value).toContain("@everyone");
      const deck = await deckNamed("Evil @here");
      expect((await activeCards(deck?.id ?? ""))[0]?.back).toBe(
        `[free nitro](https://evil.example/x) <@&123>`,
      );
    });
  });

  describe("GIVEN /deck export", () => {
    for (const format of ["csv", "anki", "native"] as const) {
      it(`WHEN exported as ${format} THEN an attachment that imports back to the same cards`, async () => {
        await importBiology();
        const source = await deckNamed("Biology");
        const { exported, att, back } = await exportAndImportBack(source?.id ?? "", format);
        expect(exported.ephemeral).toBe(true);
        expect(att?.filename).toMatch(/\.(csv|anki\.txt|deck)$/);
        expect(back.message?.embeds[0].description).toContain("**2** cards");
        const copy = await deckNamed(`Biology copy ${format}`);
        const strip = (cs: { key: string; front: string; back: string }[]) =>
          cs.map(({ key, front, back }) => ({ key, front, back }));
        expect(strip(await activeCards(copy?.id ?? ""))).toEqual(strip(await activeCards(source?.id ?? "")));
      });
    }
  });

  describe("GIVEN /deck remove", () => {
    it("THEN autocomplete offers only the decks the member may remove", async () => {
      await importBiology();
      const biology = (await deckNamed("Biology"))?.id ?? "";
      for (const format of ["csv", "anki", "native"] as const) await exportAndImportBack(biology, format);
      const choices = async (user: World["bob"]) =>
        (
          await w.emu.autocomplete({
            user,
            channel: w.channel,
            command: "deck remove",
            options: { deck: "bio" },
            focused: "deck",
          })
        ).map((c) => c.name);
      expect(await choices(w.bob)).toEqual(
        ["Biology copy anki", "Biology copy csv", "Biology copy native"].map((n) =>
          expect.stringContaining(n),
        ),
      );
      expect(await choices(w.alice)).toEqual([expect.stringContaining("Biology (biology-s")]);
    });

    it("WHEN the owner confirms THEN the deck is retired, history kept; a cancel removes nothing", async () => {
      await importSpanish();
      const deck = await deckNamed("Spanish basics");
      await reviewHola(deck?.id ?? "");
      const ask = async () =>
        w.emu.runCommand({
          user: w.bob,
          channel: w.channel,
          command: "deck remove",
          options: { deck: deck?.id ?? "" },
        });
      const first = await ask();
      expect(first.message?.content).toContain("Remove **Spanish basics**");
      const cancelled = await w.emu.click({ user: w.bob, message: first.message!, label: "Cancel" });
      expect(cancelled.message?.content).toBe("Nothing was removed.");
      expect((await deckNamed("Spanish basics"))?.retired_at).toBeNull();

      const logsBefore = await sqlRow<{ n: number }>(
        db(),
        sql`SELECT count(*) AS n FROM review_logs WHERE deck_id = ${deck?.id}`,
      );
      expect(logsBefore?.n).toBe(1);
      const second = await ask();
      const done = await w.emu.click({ user: w.bob, message: second.message!, label: "Remove" });
      expect(done.message?.content).toContain("Removed **Spanish basics**");
      expect(done.message?.components).toEqual([]);
      expect((await deckNamed("Spanish basics"))?.retired_at).not.toBeNull();
      expect(
        await sqlRow(db(), sql`SELECT count(*) AS n FROM review_logs WHERE deck_id = ${deck?.id}`),
      ).toEqual(logsBefore);
      expect(await list(w.bob)).not.toContain("Spanish basics");
    });

    it("WHEN a member tries a server deck or a shipped deck THEN refused and nothing changes", async () => {
      await importBiology();
      const server = await deckNamed("Biology");
      const r = await w.emu.runCommand({
        user: w.bob,
        channel: w.channel,
        command: "deck remove",
        options: { deck: server?.id ?? "" },
      });
      expect(r.message?.content).toContain("Manage Server");
      const shipped = await w.emu.runCommand({
        user: w.alice,
        channel: w.channel,
        command: "deck remove",
        options: { deck: "french" },
      });
      expect(shipped.message?.content).toContain("ships with the bot");
      expect((await deckNamed("Biology"))?.retired_at).toBeNull();
    });
  });
});
