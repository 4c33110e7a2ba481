import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { once, perConnection } from "./prepared.ts";
import { guilds } from "./schema.ts";

const statements = perConnection((db) => ({
  zone: db
    .select({ tz: guilds.timezone })
    .from(guilds)
    .where(eq(guilds.id, sql.placeholder("guildId")))
    .prepare(),
}));

/**
 * The server's study-day time zone: UTC until `/quiz setup` sets one, and UTC outside a server. The one read of
 * it, used inside the units of work of src/db (services call `serverZone`).
 */
export async function zoneOf(db: Db, guildId: string | null): Promise<string> {
  if (guildId === null) return "UTC";
  return (await statements(db).zone.get({ guildId }))?.tz ?? "UTC";
}

/** The server's study-day time zone (see `zoneOf`). */
export async function serverZone(db: Db, guildId: string | null): Promise<string> {
  return zoneOf(db, guildId);
}

/** Records a server the bot is in (it joined, or was in it at start); a server already known is left as it is. */
export async function addGuild(db: Db, guildId: string, now: Date): Promise<void> {
  await once(db, (b) =>
    b.insert(guilds).values({ id: guildId, createdAt: now }).onConflictDoNothing().prepare(),
  ).run();
}

/**
 * Sets the server's study-day time zone (`/quiz setup`), creating its row if the bot never saw the server's
 * GuildCreate. Runs inside the setup's unit of work (db/quiz-configs.ts `saveQuizSetup`).
 */
export async function setServerZone(db: Db, guildId: string, zone: string, now: Date): Promise<void> {
  await once(db, (b) =>
    b
      .insert(guilds)
      .values({ id: guildId, timezone: zone, createdAt: now })
      .onConflictDoUpdate({ target: guilds.id, set: { timezone: zone } })
      .prepare(),
  ).run();
}
