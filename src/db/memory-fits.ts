/**
 * The memory model's storage (services/memory): a member's review history as the optimizer reads it, their own
 * FSRS weights (user_settings), and their latest fit (memory_fits), with the claim that keeps a monthly re-fit to
 * one run a month across processes.
 */
import { and, asc, eq, isNull, lte, ne, or, sql } from "drizzle-orm";
import { type Db, tx } from "./client.ts";
import { once, perConnection } from "./prepared.ts";
import { memoryFits, reviewLogs, userSettings } from "./schema.ts";
import { readSettings, type UserSettings, writeSettings } from "./user-settings.ts";

const p = (name: string) => sql.placeholder(name);

const statements = perConnection((db) => ({
  // Every review of the member but a Re-do round's answers (no review: they moved no state), card by card in order.
  history: db
    .select({
      cardId: reviewLogs.cardId,
      rating: reviewLogs.rating,
      state: reviewLogs.state,
      at: reviewLogs.review,
    })
    .from(reviewLogs)
    .where(and(eq(reviewLogs.userId, p("userId")), ne(reviewLogs.source, "practice")))
    .orderBy(asc(reviewLogs.cardId), asc(reviewLogs.review), asc(reviewLogs.id))
    .prepare(),
}));

// Apart from the history: /stats reads a member's latest fit, and never review_logs.
const fitStatements = perConnection((db) => ({
  fit: db
    .select()
    .from(memoryFits)
    .where(eq(memoryFits.userId, p("userId")))
    .prepare(),
}));

/** One review as the optimizer reads it: the card, the rating, the card's state before it, when (ms). */
export interface HistoryRow {
  cardId: number;
  rating: number;
  state: number;
  at: Date;
}

export async function reviewHistory(db: Db, userId: string): Promise<HistoryRow[]> {
  return statements(db).history.all({ userId });
}

export type MemoryFit = typeof memoryFits.$inferSelect;

export async function latestFit(db: Db, userId: string): Promise<MemoryFit | undefined> {
  return fitStatements(db).fit.get({ userId });
}

/** The member's scheduling from now on uses `weights` (fitted from `reviews` reviews at `at`). */
export async function applyWeights(
  db: Db,
  userId: string,
  weights: readonly number[],
  at: number,
  reviews: number,
): Promise<UserSettings> {
  return writeSettings(db, userId, {
    fsrsWeights: JSON.stringify(weights),
    weightsAt: at,
    weightsReviews: reviews,
  });
}

/** Back to FSRS's default weights. */
export async function resetWeights(db: Db, userId: string): Promise<UserSettings> {
  return writeSettings(db, userId, { fsrsWeights: null, weightsAt: null, weightsReviews: null });
}

/**
 * Claims a fit of the member: true when this caller may run it. A `command` fit always may (it is the member's
 * own request, and one process serves it); a `monthly` one only when no fit started in the last `minAgeMs`, so
 * two processes that pick the same member run it once.
 */
export async function claimFit(
  db: Db,
  userId: string,
  trigger: "command" | "monthly",
  now: number,
  minAgeMs: number,
): Promise<boolean> {
  const res = await once(db, (b) =>
    b
      .insert(memoryFits)
      .values({ userId, attemptedAt: now, trigger })
      .onConflictDoUpdate({
        target: memoryFits.userId,
        set: { attemptedAt: now, trigger },
        ...(trigger === "monthly" && { setWhere: lte(memoryFits.attemptedAt, now - minAgeMs) }),
      })
      .prepare(),
  ).run();
  return res.changes > 0;
}

/** A finished fit's outcome (what /settings memory show and /stats read). */
export interface FitOutcome {
  fittedAt: number;
  reviews: number;
  logLossBefore: number;
  logLossAfter: number;
  rmseBefore: number;
  rmseAfter: number;
  applied: boolean;
  calibration: string;
}

/**
 * Stores a finished fit and, when `apply` is given, the fitted weights, in one unit of work under the member's
 * lock. The weights are applied only if the member's weights are still those the fit started from
 * (`apply.before`, their stored text): a `/settings memory reset` during the fit wins. Resolves to whether the
 * weights were applied; the stored outcome says so too.
 */
export async function saveFit(
  db: Db,
  userId: string,
  o: Omit<FitOutcome, "applied"> & { attemptedAt: number; trigger: "command" | "monthly" },
  apply: { weights: readonly number[]; before: string | null } | null,
): Promise<boolean> {
  return tx(
    db,
    async (t) => {
      const applied = apply !== null && (await readSettings(t, userId)).fsrsWeights === apply.before;
      const row = { ...o, applied };
      await once(t, (b) =>
        b
          .insert(memoryFits)
          .values({ userId, ...row })
          .onConflictDoUpdate({ target: memoryFits.userId, set: row })
          .prepare(),
      ).run();
      if (applied) await applyWeights(t, userId, apply.weights, o.fittedAt, o.reviews);
      return applied;
    },
    { lockKey: userId },
  );
}

/** Members who opted in to the monthly re-fit and had none started in the last `minAgeMs`: at most `limit`. */
export async function refitDue(db: Db, now: number, minAgeMs: number, limit: number): Promise<string[]> {
  const rows = await once(db, (b) =>
    b
      .select({ userId: userSettings.userId })
      .from(userSettings)
      .leftJoin(memoryFits, eq(memoryFits.userId, userSettings.userId))
      .where(
        and(
          sql`${userSettings.memoryRefit} = 1`,
          or(isNull(memoryFits.attemptedAt), lte(memoryFits.attemptedAt, now - minAgeMs)),
        ),
      )
      .orderBy(asc(userSettings.userId))
      .limit(limit)
      .prepare(),
  ).all();
  return rows.map((r) => r.userId);
}
