/**
 * Every row of the tables a rating writes, in key order: what a test compares before and after an action that must
 * leave them as they were (an Undo, a practice round).
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/client.ts";
import { sqlRows } from "./sql-template.ts";

/** The tables a rating writes (besides its undo record), each with its key. */
export const RATING_TABLES: Readonly<Record<string, string>> = {
  card_states: "user_id, card_id",
  review_logs: "id",
  stat_user_days: "user_id, day",
  stat_user_slots: "user_id, slot",
  stat_guild_days: "guild_id, day, user_id",
  stat_guild_members: "guild_id, user_id",
  stat_streaks: "user_id",
};

export async function snapshotTables(
  db: Db,
  tables: Readonly<Record<string, string>> = RATING_TABLES,
): Promise<Record<string, unknown[]>> {
  const out: Record<string, unknown[]> = {};
  for (const [table, key] of Object.entries(tables))
    out[table] = await sqlRows(db, sql.raw(`SELECT * FROM ${table} ORDER BY ${key}`));
  return out;
}
