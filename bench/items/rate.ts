/**
 * Item 2: rating a card. `rate.write` is the write the rating button makes — read state → ts-fsrs → write state +
 * append log + aggregates, one IMMEDIATE transaction (`recordRating`, the unit of work `rate` awaits);
 * `rate.full` is the whole `rate()` a click runs (that write, then the next card's view). `rate.raw` is the same
 * write in raw prepared statements (bench/lib/raw.ts); the ratio bot/raw compares the p50s. The three are
 * interleaved call by call so they see the same cache and the same machine load.
 */
import type { Grade } from "ts-fsrs";
import { recordRating } from "../../src/db/reviews.ts";
import { decideWith, nextView, rate, type Session } from "../../src/services/study.ts";
import { latencyResults, type Result, round, summarize, yieldToLoop } from "../lib/measure.ts";
import { RawRating } from "../lib/raw.ts";
import { RawPgRating } from "../lib/raw-pg.ts";
import { intIn, weighted } from "../lib/rng.ts";
import type { BenchContext } from "./context.ts";
import { sessionFor } from "./study.ts";

const GRADE_ODDS = [10, 10, 70, 10];

interface Target {
  session: Session;
  cardId: number;
  version: number;
  grade: Grade;
}

export async function benchRate(ctx: BenchContext): Promise<Result[]> {
  const { deps, params, rng, n, warmup } = ctx;
  // The same write in raw statements of the engine measured.
  const raw = deps.db.kind === "sqlite" ? new RawRating(deps.db.sqlite) : new RawPgRating(ctx.pgUrl ?? "");

  /** A member's current card (as the message they click on shows it), untimed. */
  const target = async (): Promise<Target> => {
    for (;;) {
      const session = sessionFor(ctx, intIn(rng, 0, params.users - 1));
      const view = await nextView(deps, session);
      if (view.kind === "card")
        return {
          session,
          cardId: view.cardId,
          version: view.version,
          grade: (weighted(rng, GRADE_ODDS) + 1) as Grade,
        };
    }
  };
  const timed = async (fn: () => unknown): Promise<number> => {
    const t0 = process.hrtime.bigint();
    await fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };

  const write: number[] = [];
  const full: number[] = [];
  const rawWrite: number[] = [];
  let refused = 0;
  for (let i = 0; i < warmup + n; i++) {
    deps.clock.advance(2_000); // time moves on between clicks
    const now = deps.clock.now().getTime();
    const shownAt = now - 6_000;

    const a = await target();
    let recorded = true;
    const tWrite = await timed(async () => {
      recorded =
        (await recordRating(
          deps.db,
          {
            userId: a.session.userId,
            guildId: a.session.guildId,
            cardId: a.cardId,
            grade: a.grade,
            source: "study",
            shownAt,
            version: a.version,
          },
          deps.clock.now(),
          decideWith(deps, a.grade),
        )) !== false;
    });
    const b = await target();
    const tFull = await timed(async () => {
      if (!(await rate(deps, b.session, b.cardId, b.version, b.grade, shownAt)).recorded) refused++;
    });
    const c = await target();
    const tRaw = await timed(() => raw.write(c.session.userId, c.session.guildId, c.cardId, c.grade, now));
    if (!recorded) refused++;
    await yieldToLoop();
    if (i < warmup) continue;
    write.push(tWrite);
    full.push(tFull);
    rawWrite.push(tRaw);
  }
  if (raw instanceof RawPgRating) await raw.close();
  if (refused > 0) throw new Error(`${refused} ratings were refused: the bench picked stale cards`);
  const w = summarize(write);
  const r = summarize(rawWrite);
  return [
    ...latencyResults("rate.write", w, "recordRating: one IMMEDIATE tx (target p99 ≤ 1 ms)"),
    ...latencyResults("rate.full", summarize(full), "rate(): the write + the next card's view"),
    ...latencyResults("rate.raw", r, "same write, raw prepared statements, no ORM/FSRS"),
    {
      name: "rate.bot_raw_ratio",
      value: round(w.p50 / r.p50, 2),
      unit: "x",
      extra: "p50 write / p50 raw (target ≤ 2)",
    },
  ];
}
