/**
 * Item 3: `/leaderboard` for the big server (every member studies there), every period × metric, built and
 * rendered for a random member (`leaderboard.<period>.<metric>`; week × points is the command's default), then
 * week and month once more with no kept bases (`….first`: the first board of a server and window after the bot
 * starts) and the background move of a kept base when the study day rolls over (`….advance`: `advanceBoards`, run
 * by the minute job; the boards after it are the warm ones above);
 * `/stats` for a member, the figures and then the PNG chart (`stats.png` is the whole handler's work: figures +
 * chart + payload).
 */

import { statsPng } from "../../src/render/chart.ts";
import { renderLeaderboard } from "../../src/render/leaderboard.ts";
import { renderStats } from "../../src/render/stats.ts";
import {
  advanceBoards,
  forgetBoards,
  leaderboard,
  METRICS,
  type Metric,
  PERIODS,
  type Period,
} from "../../src/services/leaderboard.ts";
import { getStats } from "../../src/services/stats.ts";
import { latencyResults, type Result, sample, summarize } from "../lib/measure.ts";
import { intIn } from "../lib/rng.ts";
import { BIG_GUILD, guildId, userId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

export async function benchSocial(ctx: BenchContext): Promise<Result[]> {
  const { deps, params, rng, warmup } = ctx;
  const n = Math.max(1, Math.ceil(ctx.n / 4)); // heavier calls: fewer samples
  const member = () => userId(intIn(rng, 0, params.users - 1));
  const show = async (u: string, period: Period, metric: Metric) =>
    renderLeaderboard(await leaderboard(deps, { guildId: guildId(BIG_GUILD), userId: u, period, metric }));
  // `first`: kept bases forgotten before each call; `advance`: a base kept from a board of the day before, moved on.
  const board = (period: Period, metric: Metric, before: "none" | "first" | "advance" = "none") =>
    sample(
      n,
      warmup,
      async () => {
        const u = member();
        if (before !== "none") forgetBoards(deps.db);
        if (before === "advance") {
          const now = deps.clock.now();
          deps.clock.set(new Date(now.getTime() - 86_400_000));
          await show(u, period, metric);
          deps.clock.set(now);
        }
        return u;
      },
      (u) => (before === "advance" ? advanceBoards(deps) : show(u, period, metric)),
    );
  const big = `big server: ${params.users} members`;
  const out: Result[] = [];
  for (const period of PERIODS)
    for (const metric of METRICS) {
      const name = `leaderboard.${period}.${metric}`;
      if (!ctx.wants(name)) continue;
      out.push(...latencyResults(name, summarize(await board(period, metric)), `${big} (target ≤ 20 ms)`));
    }
  // (No month `advance`: the seed's 30 days of history leave too few month bases to keep.)
  const cold = [
    ["week", "first"],
    ["week", "advance"],
    ["month", "first"],
  ] as const;
  for (const [period, before] of cold) {
    const name = `leaderboard.${period}.points.${before}`;
    if (!ctx.wants(name)) continue;
    const what =
      before === "first"
        ? "no kept bases (a server beyond the warmed ones, or before warm-up)"
        : "moving a kept base one day on (background, minute job)";
    out.push(...latencyResults(name, summarize(await board(period, "points", before)), `${big}, ${what}`));
  }
  if (ctx.wants("stats.figures")) {
    const stats = await sample(n, warmup, member, (u) =>
      getStats(deps, { viewerId: u, targetId: u, guildId: guildId(BIG_GUILD) }),
    );
    out.push(...latencyResults("stats.figures", summarize(stats), "getStats only"));
  }
  if (ctx.wants("stats.png")) {
    // The chart renders off the event loop (resvg's renderAsync): timed to the awaited payload, as the handler waits.
    const withPng = await sample(n, warmup, member, async (u) => {
      const s = await getStats(deps, { viewerId: u, targetId: u, guildId: guildId(BIG_GUILD) });
      return renderStats(s, await statsPng(s, "Study stats · bench"));
    });
    out.push(
      ...latencyResults("stats.png", summarize(withPng), "getStats + PNG + payload (target ≤ 100 ms)"),
    );
  }
  return out;
}
