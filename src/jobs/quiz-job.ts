import cron from "node-cron";
import type { Deps } from "../services/deps.ts";
import { advanceBoards, warmBoards } from "../services/leaderboard.ts";
import { refitOne } from "../services/memory/refit.ts";
import { type PartyRuntime, type PartyTimers, realTimers } from "../services/party/runtime.ts";
import { type ShardFilter, type TickReport, tick } from "../services/quiz/tick.ts";
import type { QuizTransport } from "../services/quiz/transport.ts";
import type { DailyBackup } from "./daily-backup.ts";

/** What drives the ticks: node-cron every minute in production; tests and the sandbox tick by hand. */
export interface Ticker {
  start(onTick: () => void): void;
  stop(): void;
  /**
   * The timers beside the ticks (a party round's close, services/party/runtime.ts): real ones with node-cron;
   * none where ticks come by hand, so a round closes on a tick after the clock moved, as the timer would have.
   */
  readonly timers: PartyTimers | null;
}

/** node-cron, every minute, never overlapping itself. */
export function cronTicker(expression = "* * * * *"): Ticker {
  let task: ReturnType<typeof cron.schedule> | null = null;
  return {
    timers: realTimers,
    start(onTick) {
      task = cron.schedule(expression, () => onTick(), { name: "daily-quiz", noOverlap: true });
    },
    stop() {
      void task?.destroy();
      task = null;
    },
  };
}

/** A ticker that never fires on its own (call `QuizJob.tick`). */
export const manualTicker: Ticker = { start() {}, stop() {}, timers: null };

/** One tick's end, for metrics and health (src/ops/): its report, or what it threw. */
export type TickObservation = { ok: true; report: TickReport } | { ok: false; error: unknown };

export interface QuizJob {
  /** One tick at `at` (default: the bot's clock now). Ticks of one process run one after another. */
  tick(at?: Date): Promise<TickReport>;
  transport: QuizTransport;
  /**
   * Starts the ticker and runs a catch-up tick right away (a quiz missed while the bot was down posts now); then,
   * in the background, prepares the biggest servers' leaderboards (`warmBoards`).
   */
  start(): Promise<void>;
  /** Stops the ticker and waits for a running tick to finish. */
  stop(): Promise<void>;
}

export function createQuizJob(o: {
  deps: Deps;
  /** How posts reach Discord (src/discord/quiz-transport.ts; tests pass a fake). */
  transport: QuizTransport;
  ticker?: Ticker;
  /** The shards this process holds, once the client knows them (default: every server). */
  shards?: () => ShardFilter;
  /** Review parties: each tick wakes those due (a round's close, the next round, a lobby's expiry). */
  parties?: PartyRuntime;
  /** The daily backup (BACKUP_DIR): each tick starts it when the day's file is missing, beside the ticks. */
  backup?: DailyBackup;
  /** Told each tick's end (the quiz's part; the parties' wake is not waited for); must not throw. */
  observe?: (o: TickObservation) => void;
}): QuizJob {
  const { deps } = o;
  const ticker = o.ticker ?? cronTicker();
  const { transport } = o;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;
  let refitting: Promise<unknown> | null = null;
  let backingUp: Promise<unknown> | null = null;
  /** Beside the ticks, not in their chain: a large file's copy must not hold up the next minute's posts. */
  const startBackup = (when: Date) => {
    if (!o.backup || backingUp !== null || stopped) return;
    backingUp = o.backup
      .run(when)
      .catch((err) => deps.log.error({ err }, "daily backup failed"))
      .finally(() => {
        backingUp = null;
      });
  };

  const runTick = (at?: Date): Promise<TickReport> => {
    const next = running
      .catch(() => {})
      .then(async () => {
        const when = at ?? deps.clock.now();
        const shards = o.shards?.() ?? null;
        // Parties wake whatever the quiz tick does: a failing quiz must not leave a party waiting.
        startBackup(when);
        const r = await tick(deps, transport, when, shards)
          .then(
            (report) => {
              o.observe?.({ ok: true, report });
              return report;
            },
            (error: unknown) => {
              o.observe?.({ ok: false, error });
              throw error;
            },
          )
          .finally(() =>
            o.parties?.wake(when).catch((err) => deps.log.error({ err }, "review parties' tick failed")),
          );
        deps.log.debug(
          // The whole report, at debug only: the sandbox with --shards reads its ticks from these lines.
          { at: when.toISOString(), shards: shards?.shardIds ?? "all", report: r },
          "quiz tick done",
        );
        return r;
      });
    running = next;
    return next;
  };
  const background = () => {
    if (stopped) return;
    // The same minute job keeps the leaderboards' kept bases up with the study day (stop waits for both).
    running = runTick()
      .catch((err) => deps.log.error({ err }, "quiz tick failed"))
      .then(() => advanceBoards(deps))
      .catch((err) => deps.log.error({ err }, "leaderboard advance failed"));
    // And starts a member's monthly memory-model re-fit, beside the ticks (services/memory/refit.ts).
    if (refitting === null)
      refitting = refitOne(deps)
        .catch((err) => deps.log.error({ err }, "monthly memory re-fit failed"))
        .finally(() => {
          refitting = null;
        });
  };

  return {
    tick: runTick,
    transport,
    async start() {
      stopped = false;
      ticker.start(background);
      await runTick().catch((err) => deps.log.error({ err }, "quiz catch-up tick failed"));
      // The biggest servers' leaderboards get their kept bases now rather than on their first board.
      running = running
        .then(() => warmBoards(deps, o.shards?.() ?? null))
        .catch((err) => deps.log.error({ err }, "leaderboard warm-up failed"));
    },
    async stop() {
      stopped = true;
      ticker.stop();
      await running.catch(() => {});
      await refitting;
      await backingUp;
    },
  };
}
