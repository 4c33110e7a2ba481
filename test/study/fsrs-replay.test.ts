import { and, eq } from "drizzle-orm";
import {
  type Card,
  createEmptyCard,
  default_w,
  fsrs,
  type Grade,
  generatorParameters,
  type RecordLogItem,
  type StepUnit,
} from "ts-fsrs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../datagen/rng.ts";
import {
  GRADES,
  RETENTION_MAX,
  RETENTION_MIN,
  Schedulers,
  type SchedulingSettings,
} from "../../src/core/scheduling.ts";
import { applyWeights } from "../../src/db/memory-fits.ts";
import { once } from "../../src/db/prepared.ts";
import { UNDO_WINDOW_MS } from "../../src/db/review-undos.ts";
import { cardStates, reviewLogs } from "../../src/db/schema.ts";
import { subscribe } from "../../src/services/decks.ts";
import { updateSettings } from "../../src/services/settings.ts";
import { rate, type Session, showAnswer } from "../../src/services/study.ts";
import { undoRating } from "../../src/services/study-undo.ts";
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
        deps.schedulers = new Schedulers({ fuzz });
        await seedDeck(deps, "replay", 1);
      });
      afterAll(() => deps.close());

      it("THEN every stored state, and every button's interval, equals what ts-fsrs computes directly with the member's settings, Undo included", async () => {
        const cardId = 1;
        let undone = 0;
        let refused = 0;
        for (let seq = 0; seq < sequences; seq++) {
          const rand = mulberry32(seq + (fuzz ? 1_000_000 : 0));
          const userId = String(10_000 + seq);
          await subscribe(deps, userId, null, "replay");
          // The member's own settings, through /settings' validation; the reference is built from them directly.
          const settings = randomSettings(rand);
          await updateSettings(deps.db, userId, {
            retention: settings.retention,
            maxInterval: settings.maxInterval,
            learningSteps: settings.learningSteps.join(" ") || "none",
            relearningSteps: settings.relearningSteps.join(" ") || "none",
          });
          if (settings.weights) await applyWeights(deps.db, userId, settings.weights, 0, 100);
          const direct = fsrs(
            generatorParameters({
              ...(settings.weights && { w: [...settings.weights] }),
              enable_fuzz: fuzz,
              request_retention: settings.retention,
              maximum_interval: settings.maxInterval,
              learning_steps: settings.learningSteps,
              relearning_steps: settings.relearningSteps,
            }),
          );
          deps.clock.set(new Date(Date.UTC(2026, 0, 1) + Math.floor(rand() * 365) * 86_400_000));
          const session: Session = {
            userId,
            guildId: null,
            deckId: null,
            source: "study",
            startedAt: deps.clock.now().getTime(),
          };
          // The states after each rating still standing (an Undo takes the last one back), and when it was made.
          const history: { card: Card; at: number }[] = [];
          const n = 1 + Math.floor(rand() * 12);
          for (let k = 0; k < n; k++) {
            // Random gaps from seconds to months, sometimes before the card is due.
            deps.clock.advance(Math.floor(rand() ** 3 * 120 * 86_400_000));
            const grade = GRADES[Math.floor(rand() * 4)] as Grade;
            const now = deps.clock.now();
            const expected = history.at(-1)?.card ?? null;
            const version = expected?.reps ?? 0;
            // The answer's buttons: each grade's interval as ts-fsrs previews it for this member.
            const shown = await showAnswer(deps, session, cardId, version, now.getTime());
            if (shown.kind !== "card" || !shown.intervals) throw new Error(`seq ${seq}: no answer view`);
            const preview = direct.repeat(expected ?? createEmptyCard(now), now);
            for (const g of GRADES)
              expect(shown.intervals[g], `seq ${seq} step ${k} grade ${g}`).toBe(
                preview[g].card.due.getTime() - now.getTime(),
              );
            const res = await rate(deps, session, cardId, version, grade, now.getTime());
            expect(res.recorded, `seq ${seq} step ${k}`).toBe(true);
            const next: RecordLogItem = direct.next(expected ?? createEmptyCard(now), now, grade);
            history.push({ card: next.card, at: now.getTime() });
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
            expect(res.view.undo).toEqual({ cardId, reps: next.card.reps });
            // Undo in random places: the rating just made, sometimes the one before it as well (refused when it
            // is more than a day old).
            for (let u = 0; u < 2 && history.length > 0 && rand() < (u === 0 ? 0.25 : 0.4); u++) {
              const last = history.at(-1)!;
              await undoRating(deps, session, { cardId, reps: last.card.reps });
              if (now.getTime() - last.at <= UNDO_WINDOW_MS) {
                history.pop();
                undone++;
              } else refused++;
              expect(await storedState(userId), `seq ${seq} step ${k} undo ${u}`).toEqual(
                rowOf(userId, history.at(-1)?.card),
              );
            }
          }
          expect(await storedState(userId), `seq ${seq}`).toEqual(rowOf(userId, history.at(-1)?.card));
        }
        // The random places did both: undo ratings, and refuse ones more than a day old.
        expect(undone).toBeGreaterThan(sequences / 20);
        if (sequences >= 100) expect(refused).toBeGreaterThan(0);
      }, 120_000);

      /** The stored state of the replay card, or undefined (never rated, or every rating undone). */
      async function storedState(userId: string) {
        return once(deps.db, (b) =>
          b
            .select()
            .from(cardStates)
            .where(and(eq(cardStates.userId, userId), eq(cardStates.cardId, 1)))
            .prepare(),
        ).get();
      }
    },
  );
});

/** The card_states row a ts-fsrs card is (undefined: no card). */
function rowOf(userId: string, c: Card | undefined) {
  if (!c) return undefined;
  return {
    userId,
    cardId: 1,
    deckId: "replay",
    due: c.due,
    stability: c.stability,
    difficulty: c.difficulty,
    elapsedDays: c.elapsed_days,
    scheduledDays: c.scheduled_days,
    learningSteps: c.learning_steps,
    reps: c.reps,
    lapses: c.lapses,
    state: c.state,
    lastReview: c.last_review ?? null,
  };
}

const STEP_CHOICES: StepUnit[][] = [
  [],
  ["1m"],
  ["1m", "10m"],
  ["10m", "1h", "1d"],
  ["5m", "30m", "2h", "1d", "3d"],
];

/** Random member settings within /settings' bounds. */
function randomSettings(rand: () => number): SchedulingSettings {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  return {
    retention: Math.round((RETENTION_MIN + rand() * (RETENTION_MAX - RETENTION_MIN)) * 100) / 100,
    maxInterval: pick([7, 30, 180, 365, 3650, 36500]),
    learningSteps: pick(STEP_CHOICES),
    relearningSteps: pick(STEP_CHOICES.slice(0, 3)),
    // A third of the members have their own fitted weights (`/settings memory optimize`): FSRS's within ±20%.
    weights: rand() < 1 / 3 ? default_w.map((w) => w * (0.8 + 0.4 * rand())) : null,
  };
}
