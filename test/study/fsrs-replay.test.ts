import { and, eq } from "drizzle-orm";
import { type Card, createEmptyCard, type Grade, type RecordLogItem } from "ts-fsrs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../datagen/rng.ts";
import { createScheduler, GRADES } from "../../src/core/scheduling.ts";
import { once } from "../../src/db/prepared.ts";
import { cardStates, reviewLogs } from "../../src/db/schema.ts";
import { subscribe } from "../../src/services/decks.ts";
import { rate, type Session } from "../../src/services/study.ts";
import { engineDeps, seedDeck } from "../helpers/deps.ts";
import { ENGINES } from "../helpers/engines.ts";
import { bySize } from "../helpers/size.ts";

// 1,000 sequences without fuzz (the bar), and 300 more with fuzz on: ts-fsrs's fuzz is seeded by the card and
// review time, so the production setting is just as reproducible. TEST_SIZE=small replays a tenth, for local runs.
describe.each(ENGINES)("%s", (engine) => {
  // On PostgreSQL a sample of them (a rating there is several round trips, ~1 s a sequence on this machine):
  // what it adds is the stored round trip (double precision, ms timestamps), which a few dozen sequences cover.
  describe.each([
    { fuzz: false, sequences: engine === "pg" ? bySize(20, 10) : bySize(1000, 100) },
    { fuzz: true, sequences: engine === "pg" ? bySize(10, 5) : bySize(300, 30) },
  ])(
    "GIVEN fuzz=$fuzz, $sequences random rating sequences replayed through the service",
    ({ fuzz, sequences }) => {
      let deps: Awaited<ReturnType<typeof engineDeps>>;
      beforeAll(async () => {
        deps = await engineDeps(engine, "2026-01-01T00:00:00Z");
        deps.scheduler = createScheduler({ fuzz });
        await seedDeck(deps, "replay", 1);
      });
      afterAll(() => deps.close());

      it("THEN every stored state equals what ts-fsrs computes directly, field by field", async () => {
        const direct = createScheduler({ fuzz });
        const cardId = 1;
        for (let seq = 0; seq < sequences; seq++) {
          const rand = mulberry32(seq + (fuzz ? 1_000_000 : 0));
          const userId = String(10_000 + seq);
          await subscribe(deps, userId, null, "replay");
          deps.clock.set(new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000));
          const session: Session = {
            userId,
            guildId: null,
            deckId: null,
            source: "study",
            startedAt: deps.clock.now().getTime(),
          };
          let expected: Card | null = null; // a card has no state until its first rating
          const n = 1 + Math.floor(rand() * 12);
          for (let k = 0; k < n; k++) {
            // Random gaps from seconds to months, sometimes before the card is due.
            deps.clock.advance(Math.floor(rand() ** 3 * 120 * 86_400_000));
            const grade = GRADES[Math.floor(rand() * 4)] as Grade;
            const now = deps.clock.now();
            const res = await rate(deps, session, cardId, expected?.reps ?? 0, grade, now.getTime());
            expect(res.recorded, `seq ${seq} step ${k}`).toBe(true);
            const next: RecordLogItem = direct.next(expected ?? createEmptyCard(now), now, grade);
            expected = next.card;
            const log = (
              await once(deps.db, (b) =>
                b.select().from(reviewLogs).where(eq(reviewLogs.userId, userId)).prepare(),
              ).all()
            ).at(-1);
            expect(
              log && {
                rating: log.rating,
                state: log.state,
                due: log.due,
                s: log.stability,
                d: log.difficulty,
              },
            ).toEqual({
              rating: next.log.rating,
              state: next.log.state,
              due: next.log.due,
              s: next.log.stability,
              d: next.log.difficulty,
            });
          }
          const stored = await once(deps.db, (b) =>
            b
              .select()
              .from(cardStates)
              .where(and(eq(cardStates.userId, userId), eq(cardStates.cardId, cardId)))
              .prepare(),
          ).get();
          if (!expected) throw new Error("unreachable: n >= 1");
          expect(stored, `seq ${seq}`).toEqual({
            userId,
            cardId,
            deckId: "replay",
            due: expected.due,
            stability: expected.stability,
            difficulty: expected.difficulty,
            elapsedDays: expected.elapsed_days,
            scheduledDays: expected.scheduled_days,
            learningSteps: expected.learning_steps,
            reps: expected.reps,
            lapses: expected.lapses,
            state: expected.state,
            lastReview: expected.last_review ?? null,
          });
        }
      }, 60_000);
    },
  );
});
