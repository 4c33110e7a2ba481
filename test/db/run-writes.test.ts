import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { inlined, perConnection, preparedWrite, runWrites } from "../../src/db/prepared.ts";
import { guilds } from "../../src/db/schema.ts";
import { ENGINES, openTestDb, type TestDb } from "../helpers/engines.ts";

describe("GIVEN values written into a statement as literals (inlined)", () => {
  it("WHEN they are strings, numbers and nulls THEN each becomes its literal, quotes and backslashes escaped", () => {
    expect(inlined("insert into t values ($1, $2, $3, $4)", ["it's", 42, null, -1.5])).toBe(
      "insert into t values ('it''s', 42, NULL, (-1.5))",
    );
    // node-postgres' escapeLiteral: a string with a backslash is written as E'…' (after a space).
    expect(inlined("select $1", ["a\\b"])).toBe("select  E'a\\\\b'");
    // A parameter number with no value: no text (a statement is never sent half-filled).
    expect(inlined("select $1, $2", ["x"])).toBeUndefined();
  });
  it("WHEN a value has no safe literal (a boolean, NaN, an object) THEN there is no inlined text", () => {
    for (const bad of [true, Number.NaN, Number.POSITIVE_INFINITY, { a: 1 }, new Uint8Array(1)])
      expect(inlined("select $1", [bad])).toBeUndefined();
  });
});

const statements = perConnection((db) => ({
  add: preparedWrite(
    db
      .insert(guilds)
      .values({ id: sql.placeholder("id"), timezone: sql.placeholder("tz"), createdAt: new Date(1) })
      .onConflictDoNothing(),
  ),
  rename: preparedWrite(
    db
      .update(guilds)
      .set({ timezone: sql`${sql.placeholder("tz")}` })
      .where(eq(guilds.id, sql.placeholder("id"))),
  ),
}));

describe.each(ENGINES)("runWrites on %s", (engine) => {
  const open: TestDb[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });
  const fresh = async () => {
    const t = await openTestDb(engine);
    open.push(t);
    return t.db;
  };
  const zones = async (db: TestDb["db"]) => {
    const q = "SELECT id, timezone FROM guilds ORDER BY id";
    return db.kind === "sqlite" ? db.sqlite.prepare(q).all() : (await db.exec.query(q, [], "objects")).rows;
  };

  it("WHEN writes run as one batch THEN each one's changed rows come back in order, tricky text intact", async () => {
    const db = await fresh();
    const st = statements(db);
    const tricky = "g'1\\; DROP TABLE guilds; --";
    const changes = await runWrites(db, [
      [st.add, { id: tricky, tz: "Europe/Paris" }],
      [st.add, { id: tricky, tz: "Asia/Tokyo" }], // conflict: nothing
      [st.add, { id: "g2", tz: "UTC" }],
      [st.rename, { id: "g2", tz: "America/New_York" }],
    ]);
    expect(changes).toEqual([1, 0, 1, 1]);
    expect(await zones(db)).toEqual([
      { id: tricky, timezone: "Europe/Paris" },
      { id: "g2", timezone: "America/New_York" },
    ]);
  });

  it("WHEN one write of a batch fails inside a transaction THEN none of the batch is kept", async () => {
    const db = await fresh();
    const { tx } = await import("../../src/db/client.ts");
    await expect(
      tx(db, (t) =>
        runWrites(t, [
          [statements(t).add, { id: "g1", tz: "UTC" }],
          [statements(t).add, { id: "g3", tz: null }], // NOT NULL
        ]),
      ),
    ).rejects.toThrow();
    expect(await zones(db)).toEqual([]);
  });
});
