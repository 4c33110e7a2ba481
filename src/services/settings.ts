import { eq } from "drizzle-orm";
import { UserError } from "../core/errors.ts";
import { NEW_PER_DAY_DEFAULT, NEW_PER_DAY_MAX } from "../core/new-cards.ts";
import { canonicalTimeZone } from "../core/time.ts";
import type { Db } from "../db/client.ts";
import { userSettings } from "../db/schema.ts";

export type UserSettings = typeof userSettings.$inferSelect;

export function getSettings(db: Db, userId: string): UserSettings {
  return (
    db.select().from(userSettings).where(eq(userSettings.userId, userId)).get() ?? {
      userId,
      newPerDay: NEW_PER_DAY_DEFAULT,
      timezone: null,
      reminders: false,
      leaderboardVisible: true,
    }
  );
}

/** Hidden members appear on no board and in no one else's /stats (`/settings leaderboard visible:false`). */
export function isHidden(db: Db, userId: string): boolean {
  return !getSettings(db, userId).leaderboardVisible;
}

/** Validates first (a timezone is stored under its IANA spelling), then writes one row: bad input changes nothing. */
export function updateSettings(
  db: Db,
  userId: string,
  patch: Partial<Omit<UserSettings, "userId">>,
): UserSettings {
  if (patch.timezone != null) {
    const zone = canonicalTimeZone(patch.timezone);
    if (zone === null)
      throw new UserError(
        `\`${patch.timezone.trim().slice(0, 64)}\` is not a timezone I know. Pick one from the list, e.g. \`Europe/Berlin\`.`,
      );
    patch = { ...patch, timezone: zone };
  }
  if (
    patch.newPerDay !== undefined &&
    (!Number.isInteger(patch.newPerDay) || patch.newPerDay < 0 || patch.newPerDay > NEW_PER_DAY_MAX)
  )
    throw new UserError(`New cards per day must be a whole number from 0 to ${NEW_PER_DAY_MAX}.`);
  const next = { ...getSettings(db, userId), ...patch, userId };
  db.insert(userSettings).values(next).onConflictDoUpdate({ target: userSettings.userId, set: next }).run();
  return next;
}
