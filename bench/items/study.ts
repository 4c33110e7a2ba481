/**
 * Item 1: the `/study` path. `next_card` is the query that picks the card (due first, else a new one);
 * `next_view` is `nextView` (that pick plus the due/new counts the view shows); `first_view` is what the /study
 * handler does before answering: `openStudy` (the subscription check, `nextView`) and rendering the payload.
 */
import { nextDueCardId, nextNewCardId } from "../../src/db/study-queue.ts";
import { renderStudyOpening } from "../../src/render/study-view.ts";
import { nextView, openStudy, type Session } from "../../src/services/study.ts";
import { latencyResults, type Result, sample, summarize } from "../lib/measure.ts";
import { intIn } from "../lib/rng.ts";
import { BIG_GUILD, guildId, userId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

export function sessionFor(ctx: BenchContext, u: number): Session {
  return {
    userId: userId(u),
    guildId: guildId(BIG_GUILD),
    deckId: null,
    source: "study",
    startedAt: ctx.deps.clock.now().getTime(),
  };
}

export async function benchStudy(ctx: BenchContext): Promise<Result[]> {
  const { deps, params, rng, n, warmup } = ctx;
  const now = deps.clock.now().getTime();
  const pick = () => sessionFor(ctx, intIn(rng, 0, params.users - 1));

  const nextCard = await sample(
    n,
    warmup,
    pick,
    async (s) => (await nextDueCardId(deps.db, s, now)) ?? (await nextNewCardId(deps.db, s, now)),
  );
  const view = await sample(n, warmup, pick, (s) => nextView(deps, s));
  // The handler's own work minus Discord.
  const first = await sample(n, warmup, pick, async (s) =>
    renderStudyOpening(await openStudy(deps, s.userId, s.guildId, null, "study")),
  );
  return [
    ...latencyResults(
      "study.next_card",
      summarize(nextCard),
      "due card, else first new card (target p99 ≤ 1 ms)",
    ),
    ...latencyResults("study.next_view", summarize(view), "nextView: the pick + due/new counts"),
    ...latencyResults(
      "study.first_view",
      summarize(first),
      "/study handler: openStudy (deck check + nextView) + render",
    ),
  ];
}
