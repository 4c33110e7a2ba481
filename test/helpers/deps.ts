import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { ManualClock } from "../../src/core/clock.ts";
import { Schedulers } from "../../src/core/scheduling.ts";
import { tx } from "../../src/db/client.ts";
import { writeDeck } from "../../src/db/deck-cards.ts";
import type { SqliteDb } from "../../src/db/handle.ts";
import { openSqlite } from "../../src/db/sqlite/open.ts";
import type { Deps } from "../../src/services/deps.ts";
import { openTestDb, type TestEngine } from "./engines.ts";

/** A real SQLite file in a temp folder with the real migrations, a manual clock and a silent logger. */
export function testDeps(
  start = "2026-03-02T08:00:00Z",
): Deps & { db: SqliteDb; clock: ManualClock; dir: string; close(): void } {
  const dir = mkdtempSync(join(tmpdir(), "study-test-"));
  const db = openSqlite(join(dir, "test.db"));
  const clock = new ManualClock(new Date(start));
  return {
    db,
    clock,
    schedulers: new Schedulers({ fuzz: false }),
    log: pino({ level: "silent" }),
    dir,
    close() {
      db.sqlite.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * As `testDeps`, on either engine (test/helpers/engines.ts): SQLite (a real file) or the run's PostgreSQL (a
 * database of its own on the server, else PGlite). `target` is what another process opens (null on PGlite).
 */
export async function engineDeps(
  engine: TestEngine,
  start = "2026-03-02T08:00:00Z",
): Promise<Deps & { clock: ManualClock; engine: TestEngine; target: string | null; close(): Promise<void> }> {
  const t = await openTestDb(engine);
  return {
    db: t.db,
    clock: new ManualClock(new Date(start)),
    schedulers: new Schedulers({ fuzz: false }),
    log: pino({ level: "silent" }),
    engine,
    target: t.target,
    close: () => t.close(),
  };
}

export function makeCards(n: number, prefix = "q") {
  return Array.from({ length: n }, (_, k) => ({
    key: String(k + 1),
    front: `${prefix} front ${k + 1}`,
    back: `${prefix} back ${k + 1}`,
    tags: [],
  }));
}

/** A deck of `n` generated cards: shipped (file) by default, a server or personal import with guildId/ownerId. */
export async function seedDeck(
  deps: Deps,
  id: string,
  n: number,
  o: { name?: string; guildId?: string; ownerId?: string } = {},
) {
  // The same write the deck sync makes, in one transaction.
  await tx(deps.db, (t) =>
    writeDeck(
      t,
      {
        id,
        name: o.name ?? `Deck ${id}`,
        description: "",
        filePath: null,
        cards: makeCards(n, id),
        source: o.guildId || o.ownerId ? "import" : "file",
        guildId: o.guildId ?? null,
        ownerId: o.ownerId ?? null,
      },
      deps.clock.now(),
    ),
  );
}
