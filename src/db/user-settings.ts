/** user_settings: a member's preferences (global to the user, not per server); no row = the defaults. */
import { eq, sql } from "drizzle-orm";
import { NEW_PER_DAY_DEFAULT } from "../core/new-cards.ts";
import { type Db, tx } from "./client.ts";
import { once, perConnection } from "./prepared.ts";
import { userSettings } from "./schema.ts";

export type UserSettings = typeof userSettings.$inferSelect;
export type SettingsPatch = Partial<Omit<UserSettings, "userId">>;

const statements = perConnection((db) => ({
  // Read on boards (is the caller hidden?) and on every /settings.
  row: db
    .select()
    .from(userSettings)
    .where(eq(userSettings.userId, sql.placeholder("userId")))
    .prepare(),
}));

async function current(db: Db, userId: string): Promise<UserSettings> {
  return (
    (await statements(db).row.get({ userId })) ?? {
      userId,
      newPerDay: NEW_PER_DAY_DEFAULT,
      timezone: null,
      reminders: false,
      leaderboardVisible: true,
    }
  );
}

/** The member's settings, the defaults when they never changed any. */
export async function readSettings(db: Db, userId: string): Promise<UserSettings> {
  return current(db, userId);
}

/** One unit of work: the member's settings with `patch` applied, written as one row; returns them. */
export async function writeSettings(db: Db, userId: string, patch: SettingsPatch): Promise<UserSettings> {
  return tx(
    db,
    async (t) => {
      const next = { ...(await current(t, userId)), ...patch, userId };
      await once(t, (b) =>
        b
          .insert(userSettings)
          .values(next)
          .onConflictDoUpdate({ target: userSettings.userId, set: next })
          .prepare(),
      ).run();
      return next;
    },
    { lockKey: userId },
  );
}
