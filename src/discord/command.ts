import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChatInputCommandInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
} from "discord.js";
import type { Deps } from "../services/deps.ts";
import type { Responder } from "./responder.ts";

export interface Ctx {
  deps: Deps;
  respond: Responder;
}

export type ButtonHandler = (i: ButtonInteraction, ctx: Ctx) => Promise<void>;

/** One slash command per file in commands/: its JSON data, its handler, and the buttons it owns. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Whether a deferred reply (slow path) should be ephemeral. Default true. */
  ephemeral?: boolean;
  execute(i: ChatInputCommandInteraction, ctx: Ctx): Promise<void>;
  autocomplete?(i: AutocompleteInteraction, ctx: Omit<Ctx, "respond">): Promise<void>;
  /** custom_id prefix (text before the first ':') → handler. Prefixes are unique across commands. */
  buttons?: Record<string, ButtonHandler>;
}
