import type { ReviewSource } from "../../src/core/points.ts";
import { tx } from "../../src/db/client.ts";
import { cards, guilds } from "../../src/db/schema.ts";
import { addSubscription } from "../../src/db/subscriptions.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { seedDeck, testDeps } from "../helpers/deps.ts";
import { recordReview } from "../helpers/reviews.ts";

export type TestDeps = ReturnType<typeof testDeps>;

/** A test database with one deck of `n` cards and server `g1` (timezone `zone`). */
export function world(o: { zone?: string; start?: string; cards?: number } = {}) {
  const deps = testDeps(o.start ?? "2026-03-02T12:00:00Z");
  seedDeck(deps, "alpha", o.cards ?? 40);
  deps.db
    .insert(guilds)
    .values({ id: "g1", timezone: o.zone ?? "UTC", createdAt: deps.clock.now() })
    .run();
  const cardIds = deps.db
    .select({ id: cards.id })
    .from(cards)
    .all()
    .map((c) => c.id);

  type ReviewOpts = {
    guild?: string | null;
    grade?: 1 | 2 | 3 | 4;
    ms?: number;
    source?: ReviewSource;
    card?: number;
  };

  /** The write path exactly as /study uses it (recordReview), at instant `at`; the caller holds the transaction. */
  function record(userId: string, at: string | number, o: ReviewOpts): boolean {
    deps.clock.set(new Date(at));
    const now = deps.clock.now().getTime();
    return recordReview(deps, {
      userId,
      guildId: o.guild === undefined ? "g1" : o.guild,
      cardId: cardIds[(o.card ?? 0) % cardIds.length] ?? 1,
      grade: o.grade ?? 3,
      source: o.source ?? "study",
      shownAt: now - (o.ms ?? 5000),
      version: null,
    });
  }

  /** Records one review at instant `at` (ISO or ms) in its own transaction, as /study does. */
  function review(userId: string, at: string | number, o: ReviewOpts = {}): boolean {
    return tx(deps.db, () => record(userId, at, o));
  }

  /** `n` reviews one minute apart starting at `at`, on distinct cards (one transaction, to keep tests fast). */
  function reviews(userId: string, at: string | number, n: number, o: ReviewOpts = {}) {
    const t0 = typeof at === "number" ? at : Date.parse(at);
    tx(deps.db, () => {
      for (let k = 0; k < n; k++) record(userId, t0 + k * 60_000, { ...o, card: (o.card ?? 0) + k });
    });
  }

  return {
    deps,
    cardIds,
    review,
    reviews,
    subscribe: (userId: string) => addSubscription(deps.db, userId, "alpha", deps.clock.now()),
    hide: (userId: string) => updateSettings(deps.db, userId, { leaderboardVisible: false }),
    setZone: (userId: string, zone: string) => updateSettings(deps.db, userId, { timezone: zone }),
    at: (iso: string) => deps.clock.set(new Date(iso)),
  };
}

export const DAY = 86_400_000;
