import type { ReviewSource } from "../../src/core/points.ts";
import { type Db, tx } from "../../src/db/client.ts";
import { setServerZone } from "../../src/db/guilds.ts";
import { once } from "../../src/db/prepared.ts";
import { cards } from "../../src/db/schema.ts";
import { addSubscription } from "../../src/db/subscriptions.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import type { TestEngine } from "../helpers/engines.ts";
import { recordReview } from "../helpers/reviews.ts";

export type TestDeps = Awaited<ReturnType<typeof engineDeps>>;
export type World = Awaited<ReturnType<typeof world>>;

/** A test database on `engine` with one deck of `n` cards and server `g1` (timezone `zone`). */
export async function world(engine: TestEngine, o: { zone?: string; start?: string; cards?: number } = {}) {
  const deps = await engineDeps(engine, o.start ?? "2026-03-02T12:00:00Z");
  await seedDeck(deps, "alpha", o.cards ?? 40);
  await setServerZone(deps.db, "g1", o.zone ?? "UTC", deps.clock.now());
  const cardIds = (
    await once(deps.db, (b) => b.select({ id: cards.id }).from(cards).orderBy(cards.id).prepare()).all()
  ).map((c) => c.id);

  type ReviewOpts = {
    guild?: string | null;
    grade?: 1 | 2 | 3 | 4;
    ms?: number;
    source?: ReviewSource;
    card?: number;
  };

  /** The write path exactly as /study uses it (recordReview), at instant `at`, on the transaction's handle `t`. */
  function record(t: Db, userId: string, at: string | number, o: ReviewOpts): Promise<boolean> {
    deps.clock.set(new Date(at));
    const now = deps.clock.now().getTime();
    return recordReview(
      { ...deps, db: t },
      {
        userId,
        guildId: o.guild === undefined ? "g1" : o.guild,
        cardId: cardIds[(o.card ?? 0) % cardIds.length] ?? 1,
        grade: o.grade ?? 3,
        source: o.source ?? "study",
        shownAt: now - (o.ms ?? 5000),
        version: null,
      },
    );
  }

  /** Records one review at instant `at` (ISO or ms) in its own transaction, as /study does. */
  function review(userId: string, at: string | number, o: ReviewOpts = {}): Promise<boolean> {
    return tx(deps.db, (t) => record(t, userId, at, o));
  }

  /** `n` reviews one minute apart starting at `at`, on distinct cards (one transaction, to keep tests fast). */
  async function reviews(userId: string, at: string | number, n: number, o: ReviewOpts = {}): Promise<void> {
    const t0 = typeof at === "number" ? at : Date.parse(at);
    await tx(deps.db, async (t) => {
      for (let k = 0; k < n; k++) await record(t, userId, t0 + k * 60_000, { ...o, card: (o.card ?? 0) + k });
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
