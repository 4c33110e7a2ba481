import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { T } from "../i18n/translate.ts";
import type { Deps } from "../services/deps.ts";
import type { PartyRuntime } from "../services/party/runtime.ts";
import type { QuizTransport } from "../services/quiz/transport.ts";
import type { Guards } from "./guards.ts";
import type { Responder } from "./responder.ts";

export interface Ctx {
  deps: Deps;
  respond: Responder;
  /** How quiz posts reach Discord (the same one the daily job uses). */
  transport: QuizTransport;
  /** Review parties (their transport, edits and timer). */
  party: PartyRuntime;
  /** The member's language (`interaction.locale`): what the views they see are rendered in (src/i18n). */
  t: T;
}

export type ButtonHandler = (i: ButtonInteraction, ctx: Ctx) => Promise<void>;
export type ModalHandler = (i: ModalSubmitInteraction, ctx: Ctx) => Promise<void>;

/** One slash command per file in commands/: its JSON data, its handler, and the buttons it owns. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Whether a deferred reply (slow path) should be ephemeral. Default true. */
  ephemeral?: boolean;
  /** Checked by the router before `execute` runs (in a server, Manage Server, bot permissions). */
  guards?: Guards;
  execute(i: ChatInputCommandInteraction, ctx: Ctx): Promise<void>;
  autocomplete?(i: AutocompleteInteraction, ctx: Pick<Ctx, "deps">): Promise<void>;
  /** custom_id prefix (text before the first ':') → handler. Prefixes are unique across commands. */
  buttons?: Record<string, ButtonHandler>;
  /** The same for the modals the command shows (their submit). */
  modals?: Record<string, ModalHandler>;
}
