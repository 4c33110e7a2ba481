/**
 * Item 3: `/leaderboard` for the big server (every member studies there), rolling week and all time, ranked by
 * points (the command's default metric) and rendered; `/stats` for a member, the figures and then the PNG chart
 * (`stats.png` is the whole handler's work: figures + chart + payload).
 */

import { statsPng } from "../../src/render/chart.ts";
import { renderLeaderboard } from "../../src/render/leaderboard.ts";
import { renderStats } from "../../src/render/stats.ts";
import { leaderboard, type Period } from "../../src/services/leaderboard.ts";
import { getStats } from "../../src/services/stats.ts";
import { latencyResults, type Result, sample, summarize } from "../lib/measure.ts";
import { intIn } from "../lib/rng.ts";
import { BIG_GUILD, guildId, userId } from "../lib/world.ts";
import type { BenchContext } from "./context.ts";

export async function benchSocial(ctx: BenchContext): Promise<Result[]> {
  const { deps, params, rng, warmup } = ctx;
  const n = Math.max(1, Math.ceil(ctx.n / 4)); // heavier calls: fewer samples
  const member = () => userId(intIn(rng, 0, params.users - 1));
  const board = (period: Period) =>
    sample(n, warmup, member, (u) =>
      renderLeaderboard(
        leaderboard(deps, { guildId: guildId(BIG_GUILD), userId: u, period, metric: "points" }),
      ),
    );
  const week = await board("week");
  const all = await board("all");
  const stats = await sample(n, warmup, member, (u) =>
    getStats(deps, { viewerId: u, targetId: u, guildId: guildId(BIG_GUILD) }),
  );
  // The chart renders off the event loop (resvg's renderAsync): timed to the awaited payload, as the handler waits.
  const withPng = await sample(n, warmup, member, async (u) => {
    const s = getStats(deps, { viewerId: u, targetId: u, guildId: guildId(BIG_GUILD) });
    return renderStats(s, await statsPng(s, "Study stats · bench"));
  });
  const big = `big server: ${params.users} members`;
  return [
    ...latencyResults("leaderboard.week", summarize(week), `${big}, points (target ≤ 20 ms)`),
    ...latencyResults("leaderboard.all", summarize(all), `${big}, points (target ≤ 20 ms)`),
    ...latencyResults("stats.figures", summarize(stats), "getStats only"),
    ...latencyResults("stats.png", summarize(withPng), "getStats + PNG + payload (target ≤ 100 ms)"),
  ];
}
