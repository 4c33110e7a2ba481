import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execSql, querySql } from "../../datagen/raw-sql.ts";
import { frontKey } from "../../src/core/decks/keys.ts";
import { UserError } from "../../src/core/errors.ts";
import { importStatements } from "../../src/db/deck-imports.ts";
import { exportDeckFile } from "../../src/services/deck-export.ts";
import {
  checkRemovable,
  downloadAttachment,
  type ImportOutcome,
  type ImportReport,
  type ImportRequest,
  importDeck,
  removeDeck,
  searchManageableDecks,
} from "../../src/services/deck-import.ts";
import { syncDeckDir, upsertDeck } from "../../src/services/deck-sync.ts";
import { engineDeps, testDeps } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";

describe.each(ENGINES)("%s", (engine) => {
  let deps: Awaited<ReturnType<typeof engineDeps>>;
  /** A temp folder for deck files. */
  let tmp: string;
  beforeEach(async () => {
    deps = await engineDeps(engine);
    tmp = mkdtempSync(join(tmpdir(), "import-service-"));
  });
  afterEach(async () => {
    await deps.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  const BOB = "200000000000000001";
  const CAROL = "200000000000000002";
  const GUILD = "100000000000000001";
  const OTHER_GUILD = "100000000000000002";
  const utf8 = (s: string) => new TextEncoder().encode(s);

  const req = (over: Partial<ImportRequest> & { text?: string } = {}): ImportRequest => {
    const { text, ...rest } = over;
    return {
      userId: BOB,
      guildId: GUILD,
      canManageServer: false,
      fileName: "Spanish.csv",
      bytes: utf8(text ?? "hola,hello\nadiós,goodbye\n"),
      scope: "personal",
      ...rest,
    };
  };
  /** The outcome of an import that went through (not a question, not a stale confirm). */
  function imported(o: ImportOutcome): ImportReport {
    if (o.kind !== "imported") throw new Error(`expected an import, got ${o.kind}`);
    return o;
  }
  // count(*) is a bigint on PostgreSQL (a string from the driver).
  const count = async (table: string) =>
    Number(
      (await querySql<{ n: number | string }>(deps.db, `SELECT count(*) AS n FROM ${table}`))[0]?.n ?? -1,
    );
  const refusal = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return (e as Error).message;
    }
    throw new Error("expected a refusal");
  };

  describe("importDeck", () => {
    it("GIVEN two users and two servers importing the same name THEN four decks with distinct ids", async () => {
      const ids = [
        (await importDeck(deps, req())).deckId,
        (await importDeck(deps, req({ userId: CAROL }))).deckId,
        (await importDeck(deps, req({ userId: CAROL, scope: "server", canManageServer: true }))).deckId,
        (await importDeck(deps, req({ guildId: OTHER_GUILD, scope: "server", canManageServer: true })))
          .deckId,
      ];
      expect(new Set(ids).size).toBe(4);
      expect(ids[0]).toMatch(/^spanish-p[0-9a-f]{7}$/);
      expect(ids[2]).toMatch(/^spanish-s[0-9a-f]{7}$/);
      expect(await count("subscriptions")).toBe(4);
    });

    it("GIVEN the derived id is taken (by a shipped deck, say) THEN the next free suffix", async () => {
      const first = (await importDeck(deps, req())).deckId;
      await execSql(deps.db, "UPDATE decks SET name = 'renamed' WHERE id = ?", [first]);
      const second = (await importDeck(deps, req())).deckId;
      expect(second).toBe(`${first}-2`);
    });

    it("GIVEN the same name again THEN the same deck: progress kept by key, missing cards retired", async () => {
      const a = await importDeck(deps, req());
      const again = await importDeck(deps, req({ text: "hola,hello!\nnuevo,new\n" }));
      expect(again).toMatchObject({ deckId: a.deckId, created: false, added: 1, kept: 1, retired: 1 });
      // CASE, not `IS NOT NULL`: the same 0/1 on both engines (PostgreSQL's would be a boolean).
      const keys = await querySql<{ key: string; retired: number }>(
        deps.db,
        "SELECT key, CASE WHEN retired_at IS NULL THEN 0 ELSE 1 END AS retired FROM cards WHERE deck_id = ? ORDER BY id",
        [a.deckId],
      );
      expect(keys).toEqual([
        { key: frontKey("hola"), retired: 0 },
        { key: frontKey("adiós"), retired: 1 },
        { key: frontKey("nuevo"), retired: 0 },
      ]);
    });

    it("GIVEN a Brainscape file THEN cards are keyed by question, so an inserted card keeps the others' keys", async () => {
      const v1 = "Deck\n(2 cards)\n1\nQ one\nA one\n2\nQ two\nA two\n";
      const v2 = "Deck\n(3 cards)\n1\nQ new\nA new\n2\nQ one\nA one\n3\nQ two\nA two\n";
      const first = imported(await importDeck(deps, req({ fileName: "deck.txt", text: v1 })));
      expect(first.name).toBe("Deck");
      const second = await importDeck(deps, req({ fileName: "deck.txt", text: v2 }));
      expect(second).toMatchObject({ deckId: first.deckId, added: 1, kept: 2, retired: 0 });
    });

    it("GIVEN a native file THEN its keys are kept and its id is not used", async () => {
      const r = await importDeck(
        deps,
        req({ fileName: "x.deck", text: "id: pytorch\nname: Mine\n## k1\nq\n---\na\n" }),
      );
      expect(r.deckId).toMatch(/^mine-p/);
      expect(await querySql(deps.db, "SELECT key FROM cards WHERE deck_id = ?", [r.deckId])).toEqual([
        { key: "k1" },
      ]);
    });

    it("GIVEN a file with errors, over 5,000 cards, or a server import without Manage Server THEN nothing written", async () => {
      const before = [await count("decks"), await count("cards"), await count("subscriptions")];
      const many = Array.from({ length: 5001 }, (_, k) => `q${k},a${k}`).join("\n");
      expect(await refusal(async () => importDeck(deps, req({ text: many })))).toContain(
        "line 5001: the deck has 5,001 cards; the limit is 5,000",
      );
      expect(await refusal(async () => importDeck(deps, req({ text: "ok,fine\nbroken\n" })))).toContain(
        "line 2:",
      );
      expect(await refusal(async () => importDeck(deps, req({ scope: "server" })))).toContain(
        "Manage Server",
      );
      expect(
        await refusal(async () =>
          importDeck(deps, req({ scope: "server", guildId: null, canManageServer: true })),
        ),
      ).toContain("only be imported in a server");
      expect(
        await refusal(async () =>
          importDeck(deps, req({ bytes: new Uint8Array(1024 * 1024 + 1).fill(0x61) })),
        ),
      ).toContain("1 MiB");
      const six = Array.from({ length: 6 }, (_, k) => `only${k}`).join("\n");
      const listed = await refusal(async () => importDeck(deps, req({ text: `q,a\n${six}` })));
      expect(listed).toContain("6 problems");
      expect(listed).toContain("… and 1 more");
      expect([await count("decks"), await count("cards"), await count("subscriptions")]).toEqual(before);
    });

    it("GIVEN a failure inside the transaction THEN the deck, its cards and the subscription are rolled back", async () => {
      // A trigger that fails the import's last write, in each engine's own trigger syntax.
      if (deps.db.kind === "sqlite")
        await execSql(
          deps.db,
          "CREATE TRIGGER fail_sub BEFORE INSERT ON subscriptions BEGIN SELECT RAISE(ABORT, 'boom'); END",
        );
      else {
        await execSql(
          deps.db,
          "CREATE FUNCTION fail_sub() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
        );
        await execSql(
          deps.db,
          "CREATE TRIGGER fail_sub BEFORE INSERT ON subscriptions FOR EACH ROW EXECUTE FUNCTION fail_sub()",
        );
      }
      await expect(importDeck(deps, req())).rejects.toThrow("boom");
      expect([await count("decks"), await count("cards")]).toEqual([0, 0]);
    });

    it("GIVEN the deck option THEN only a deck the member may manage can be updated", async () => {
      const mine = await importDeck(deps, req());
      const server = await importDeck(
        deps,
        req({ fileName: "Srv.csv", scope: "server", canManageServer: true }),
      );
      expect(
        await refusal(async () => importDeck(deps, req({ userId: CAROL, deckId: mine.deckId }))),
      ).toContain("There is no deck");
      expect(
        await refusal(async () => importDeck(deps, req({ userId: CAROL, deckId: server.deckId }))),
      ).toContain("Manage Server");
      await upsertDeck(deps, {
        id: "shipped",
        name: "Shipped",
        description: "",
        filePath: "x.deck",
        cards: [],
      });
      expect(await refusal(async () => importDeck(deps, req({ deckId: "shipped" })))).toContain(
        "ships with the bot",
      );
      const renamed = await importDeck(
        deps,
        req({ deckId: mine.deckId, name: "Spanish 2", text: "hola,hello\n" }),
      );
      expect(renamed).toMatchObject({ deckId: mine.deckId, name: "Spanish 2", created: false, retired: 1 });
    });
  });

  describe("importDeck: an update that would lose progress asks first", () => {
    /** A card state for `userId` on the deck's card with this question and their member row here: what a review leaves behind. */
    const studied = async (userId: string, deckId: string, front: string) => {
      await execSql(
        deps.db,
        "INSERT INTO stat_guild_members (guild_id, user_id, reviews) VALUES (?, ?, 1) ON CONFLICT DO NOTHING",
        [GUILD, userId],
      );
      await execSql(
        deps.db,
        `INSERT INTO card_states (user_id, card_id, deck_id, due, stability, difficulty, elapsed_days,
        scheduled_days, learning_steps, reps, lapses, state, last_review)
      SELECT ?, id, deck_id, 0, 1, 5, 0, 1, 0, 1, 0, 2, 0 FROM cards
      WHERE deck_id = ? AND front = ?`,
        [userId, deckId, front],
      );
    };
    const cardsOf = (deckId: string) =>
      querySql(deps.db, "SELECT key, retired_at FROM cards WHERE deck_id = ? ORDER BY id", [deckId]);

    it("GIVEN a server deck another member studied THEN an update retiring that card is a question; nothing written", async () => {
      const server = await importDeck(deps, req({ scope: "server", canManageServer: true }));
      await studied(CAROL, server.deckId, "adiós");
      const before = await cardsOf(server.deckId);
      const ask = await importDeck(
        deps,
        req({ scope: "server", canManageServer: true, text: "hola,hello\nnuevo,new\n" }),
      );
      expect(ask).toMatchObject({
        kind: "confirm",
        deckId: server.deckId,
        scope: "server",
        caseOnly: false,
        added: 1,
        kept: 1,
        retired: 1,
        retiredStudied: 1,
      });
      expect(await cardsOf(server.deckId)).toEqual(before);
      // The same with the deck option: naming the deck is no consent to retiring studied cards.
      expect(
        (await importDeck(deps, req({ canManageServer: true, deckId: server.deckId, text: "hola,hello\n" })))
          .kind,
      ).toBe("confirm");
      expect(await cardsOf(server.deckId)).toEqual(before);
    });

    it("GIVEN retired cards nobody studied, or an exact name THEN no question", async () => {
      const mine = await importDeck(deps, req());
      await studied(BOB, mine.deckId, "hola");
      expect((await importDeck(deps, req({ text: "hola,hello\nnuevo,new\n" }))).kind).toBe("imported");
    });

    it("GIVEN the confirm's fingerprint THEN it goes through once; a second time it is stale and writes nothing", async () => {
      const mine = await importDeck(deps, req());
      await studied(BOB, mine.deckId, "adiós");
      const ask = await importDeck(deps, req({ text: "hola,hello\n" }));
      if (ask.kind !== "confirm") throw new Error("expected a question");
      const confirmed = { asNew: false, fingerprint: ask.updateFingerprint };
      const native = { fileName: ask.file.name, bytes: ask.file.bytes, parse: { format: "native" as const } };
      const done = await importDeck(deps, req({ ...native, deckId: mine.deckId, confirmed }));
      expect(done).toMatchObject({ kind: "imported", deckId: mine.deckId, kept: 1, retired: 1 });
      const after = await cardsOf(mine.deckId);
      expect((await importDeck(deps, req({ ...native, deckId: mine.deckId, confirmed }))).kind).toBe("stale");
      expect(await cardsOf(mine.deckId)).toEqual(after);
    });
  });

  describe("removeDeck", () => {
    it("GIVEN the owner THEN the deck is retired, its history kept; others and shipped decks are refused", async () => {
      const mine = await importDeck(deps, req());
      const server = await importDeck(
        deps,
        req({ fileName: "Srv.csv", scope: "server", canManageServer: true }),
      );
      const bob = { userId: BOB, guildId: GUILD, canManageServer: false };
      expect((await searchManageableDecks(deps.db, BOB, GUILD, false, "")).map((d) => d.id)).toEqual([
        mine.deckId,
      ]);
      expect(await refusal(async () => checkRemovable(deps.db, bob, server.deckId))).toContain(
        "Manage Server",
      );
      expect(
        await refusal(async () => checkRemovable(deps.db, { ...bob, userId: CAROL }, mine.deckId)),
      ).toContain("There is no deck");
      expect(await removeDeck(deps, bob, mine.deckId)).toEqual({ id: mine.deckId, name: "Spanish" });
      expect(await count("cards")).toBe(4);
      expect(await refusal(async () => removeDeck(deps, bob, mine.deckId))).toContain("There is no deck");
      expect((await removeDeck(deps, { ...bob, canManageServer: true }, server.deckId)).id).toBe(
        server.deckId,
      );
      // A new import with the old name makes a fresh deck: removal is final.
      expect((await importDeck(deps, req())).deckId).toBe(`${mine.deckId}-2`);
    });
  });

  describe("exportDeckFile", () => {
    it("GIVEN a visible deck THEN a file per format; another member's personal deck is not visible", async () => {
      const mine = await importDeck(deps, req());
      const csv = await exportDeckFile(deps, BOB, GUILD, mine.deckId, "csv");
      expect(csv.fileName).toBe(`${mine.deckId}.csv`);
      expect(csv.bytes.toString("utf8")).toContain("front,back,tags,key\r\nhola,hello,,f-");
      expect((await exportDeckFile(deps, BOB, GUILD, mine.deckId, "anki")).fileName).toMatch(/\.anki\.txt$/);
      expect(await refusal(async () => exportDeckFile(deps, CAROL, GUILD, mine.deckId, "native"))).toContain(
        "There is no deck",
      );
    });
  });
  describe("syncDeckDir and imported decks", () => {
    it("GIVEN a deck file whose id belongs to an imported deck THEN the file is refused and the import untouched", async () => {
      const mine = await importDeck(deps, req());
      const dir = join(tmp, "decks");
      mkdirSync(dir);
      writeFileSync(join(dir, "clash.deck"), `id: ${mine.deckId}\nname: Clash\n## 1\nq\n---\na\n`);
      const report = await syncDeckDir(deps, dir);
      expect(report.failed).toEqual([
        {
          file: join(dir, "clash.deck"),
          line: 1,
          message: `deck id '${mine.deckId}' is taken by an imported deck`,
        },
      ]);
      expect(
        await querySql(deps.db, "SELECT name, source, owner_id FROM decks WHERE id = ?", [mine.deckId]),
      ).toEqual([{ name: "Spanish", source: "import", owner_id: BOB }]);
    });
  });
});

describe("downloadAttachment", () => {
  const stream = (chunks: number[], headers: Record<string, string> = {}) =>
    (async () =>
      new Response(
        new ReadableStream({
          start(c) {
            for (const n of chunks) c.enqueue(new Uint8Array(n).fill(0x61));
            c.close();
          },
        }),
        { headers },
      )) as unknown as typeof fetch;

  it("refuses by declared size without fetching, by Content-Length, and while streaming", async () => {
    const never = (() => {
      throw new Error("fetched");
    }) as unknown as typeof fetch;
    await expect(
      downloadAttachment({ url: "u", name: "a", size: 2_000_000 }, { fetch: never }),
    ).rejects.toThrow("the limit for an import is 1 MiB");
    await expect(
      downloadAttachment(
        { url: "u", name: "a", size: 10 },
        { fetch: stream([10], { "content-length": "5000000" }), maxBytes: 100 },
      ),
    ).rejects.toThrow("limit");
    await expect(
      downloadAttachment({ url: "u", name: "a", size: 10 }, { fetch: stream([60, 60]), maxBytes: 100 }),
    ).rejects.toThrow("`a` is over 100 bytes; the limit is 100 bytes");
    const ok = await downloadAttachment({ url: "u", name: "a", size: 10 }, { fetch: stream([3, 4]) });
    expect(ok.byteLength).toBe(7);
    const notFound = (async () => new Response("nope", { status: 404 })) as unknown as typeof fetch;
    await expect(downloadAttachment({ url: "u", name: "a", size: 1 }, { fetch: notFound })).rejects.toThrow(
      "HTTP 404",
    );
  });
});

// SQLite only: the pinned plan is SQLite's EXPLAIN QUERY PLAN.
describe("importDeck's reads on SQLite (query plan)", () => {
  it("THEN who studied a deck's cards is found by index seeks on card_states, never a scan of every state", () => {
    const deps = testDeps();
    try {
      const { source } = importStatements(deps.db).studiedInServer;
      // Values do not change this plan; one per `?` of the statement (its text has no literal '?').
      const values = Array.from(source.matchAll(/\?/g), () => "d");
      const plan = deps.db.sqlite.prepare(`EXPLAIN QUERY PLAN ${source}`).all(...values) as {
        detail: string;
      }[];
      const details = plan.map((p) => p.detail);
      expect(details).toContain(
        "SEARCH cs USING INDEX card_states_user_deck_due_idx (user_id=? AND deck_id=?)",
      );
      expect(details.filter((d) => /^SCAN cs\b/.test(d))).toEqual([]);
    } finally {
      deps.close();
    }
  });
});
