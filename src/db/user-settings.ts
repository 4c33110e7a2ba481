/** user_settings: a member's preferences (global to the user, not per server); no row = the defaults. */
import { eq, sql } from "drizzle-orm";
import { LEECH_THRESHOLD_DEFAULT } from "../core/leeches.ts";
import { NEW_PER_DAY_DEFAULT, REVIEW_LIMIT_DEFAULT } from "../core/new-cards.ts";
import {
  DEFAULT_SCHEDULING,
  formatSteps,
  parseSteps,
  parseWeights,
  type SchedulingSettings,
} from "../core/scheduling.ts";
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
      retention: DEFAULT_SCHEDULING.retention,
      maxInterval: DEFAULT_SCHEDULING.maxInterval,
      learningSteps: formatSteps(DEFAULT_SCHEDULING.learningSteps),
      relearningSteps: formatSteps(DEFAULT_SCHEDULING.relearningSteps),
      leechThreshold: LEECH_THRESHOLD_DEFAULT,
      leechAction: "tag",
      ratingStyle: "anki",
      reviewLimit: REVIEW_LIMIT_DEFAULT,
      fsrsWeights: null,
      weightsAt: null,
      weightsReviews: null,
      memoryRefit: false,
    }
  );
}

/** The scheduling columns, for a read that joins the member's settings row (reviews.ts, study-queue.ts). */
export const schedulingFields = {
  retention: userSettings.retention,
  maxInterval: userSettings.maxInterval,
  learningSteps: userSettings.learningSteps,
  relearningSteps: userSettings.relearningSteps,
  weights: userSettings.fsrsWeights,
};

type StoredScheduling = {
  retention: number;
  maxInterval: number;
  learningSteps: string;
  relearningSteps: string;
  weights: string | null;
};

/** A member's scheduling from their settings row (null: no row, the defaults). Steps were validated when written. */
export function schedulingOf(row: StoredScheduling | null | undefined): SchedulingSettings {
  if (!row) return DEFAULT_SCHEDULING;
  return {
    retention: row.retention,
    maxInterval: row.maxInterval,
    learningSteps: parseSteps(row.learningSteps) ?? DEFAULT_SCHEDULING.learningSteps,
    relearningSteps: parseSteps(row.relearningSteps) ?? DEFAULT_SCHEDULING.relearningSteps,
    weights: parseWeights(row.weights),
  };
}

/** The member's settings, the defaults when they never changed any. */
export async function readSettings(db: Db, userId: string): Promise<UserSettings> {
  return current(db, userId);
}

/** The member's scheduling (`/settings scheduling`, their own weights): what their ts-fsrs is built with. */
export async function readScheduling(db: Db, userId: string): Promise<SchedulingSettings> {
  const s = await current(db, userId);
  return schedulingOf({ ...s, weights: s.fsrsWeights });
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
