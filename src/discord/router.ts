import type { Interaction } from "discord.js";
import { UserError } from "../core/errors.ts";
import { localeOf } from "../i18n/locales.ts";
import { translator } from "../i18n/translate.ts";
import type { Deps } from "../services/deps.ts";
import type { PartyRuntime } from "../services/party/runtime.ts";
import type { QuizTransport } from "../services/quiz/transport.ts";
import type { ButtonHandler, Command, ModalHandler } from "./command.ts";
import { checkGuards } from "./guards.ts";
import { type InteractionKind, type InteractionObservation, outcomeOf, StaleInteraction } from "./outcome.ts";
import { Responder } from "./responder.ts";

/** Defer when a handler has not answered by then: well inside Discord's 3-second window. */
export const DEFER_AFTER_MS = 1500;

/**
 * The single entry point for interactions: finds the handler by command name or custom_id prefix and is the
 * one error boundary. User errors become a polite ephemeral message; anything else is logged with context.
 */
export function createRouter(
  commands: Command[],
  deps: Deps,
  opts: {
    transport: QuizTransport;
    party: PartyRuntime;
    deferAfterMs?: number;
    /** Told how each interaction ended (metrics, src/ops/); an observer that throws is logged, nothing more. */
    observe?: (o: InteractionObservation) => void;
  },
) {
  // Built from the code's commands at start, not from data: other processes cannot make it stale.
  const byName = new Map(commands.map((c) => [c.data.name, c]));
  const byPrefix = new Map<string, { handler: ButtonHandler; command: Command }>();
  const byModal = new Map<string, { handler: ModalHandler; command: Command }>();
  for (const c of commands) {
    for (const [prefix, handler] of Object.entries(c.buttons ?? {})) {
      if (byPrefix.has(prefix)) throw new Error(`button prefix '${prefix}' claimed twice`);
      byPrefix.set(prefix, { handler, command: c });
    }
    for (const [prefix, handler] of Object.entries(c.modals ?? {})) {
      if (byModal.has(prefix)) throw new Error(`modal prefix '${prefix}' claimed twice`);
      byModal.set(prefix, { handler, command: c });
    }
  }
  const deferAfterMs = opts.deferAfterMs ?? DEFER_AFTER_MS;
  const observe = (command: string | undefined, kind: InteractionKind, started: number, err?: unknown) => {
    if (!opts.observe) return;
    const outcome = err === undefined ? "ok" : outcomeOf(err);
    const seconds = (performance.now() - started) / 1000;
    try {
      opts.observe({ command: command ?? "unknown", kind, outcome, seconds });
    } catch (e) {
      deps.log.warn({ err: e }, "interaction observer failed");
    }
  };

  return async function route(i: Interaction): Promise<void> {
    const started = performance.now();
    const log = deps.log.child({
      interaction: i.id,
      user: i.user.id,
      guild: i.guildId,
      command: i.isCommand() || i.isAutocomplete() ? i.commandName : undefined,
      customId: i.isMessageComponent() || i.isModalSubmit() ? i.customId : undefined,
    });
    if (i.isAutocomplete()) {
      const c = byName.get(i.commandName);
      let failure: unknown;
      try {
        await c?.autocomplete?.(i, { deps: { ...deps, log } });
        if (!i.responded) await i.respond([]);
      } catch (err) {
        failure = err ?? new Error("autocomplete threw nothing");
        log.error({ err }, "autocomplete failed");
      }
      observe(c?.data.name, "autocomplete", started, failure);
      return;
    }
    if (!i.isChatInputCommand() && !i.isButton() && !i.isModalSubmit()) return;
    const prefix = i.isChatInputCommand() ? "" : (i.customId.split(":")[0] ?? "");
    const target = i.isChatInputCommand()
      ? byName.get(i.commandName)
      : i.isButton()
        ? byPrefix.get(prefix)?.command
        : byModal.get(prefix)?.command;
    const kind: InteractionKind = i.isChatInputCommand() ? "command" : i.isButton() ? "button" : "modal";
    const respond = new Responder(i, target?.ephemeral ?? true);
    const t = translator(localeOf(i.locale));
    const timer = setTimeout(() => {
      respond.defer().catch((err) => log.warn({ err }, "defer failed"));
    }, deferAfterMs);
    let failure: unknown;
    try {
      if (!target) throw new StaleInteraction(t("errors.unsupported"));
      const ctx = { deps: { ...deps, log }, respond, transport: opts.transport, party: opts.party, t };
      if (i.isChatInputCommand()) {
        checkGuards(i, target.guards, t);
        await target.execute(i, ctx);
      } else if (i.isButton()) await byPrefix.get(prefix)?.handler(i, ctx);
      else await byModal.get(prefix)?.handler(i, ctx);
    } catch (err) {
      failure = err ?? new Error("a handler threw nothing");
      const userError = err instanceof UserError;
      if (!userError) log.error({ err }, "interaction failed");
      await respond
        .reply(
          { content: userError ? err.message : t("errors.apology"), embeds: [], components: [] },
          { ephemeral: true },
        )
        .catch((e) => log.error({ err: e }, "could not tell the user about the failure"));
    } finally {
      clearTimeout(timer);
    }
    observe(target?.data.name, kind, started, failure);
  };
}
