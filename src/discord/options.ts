import type { ChatInputCommandInteraction } from "discord.js";
import { UserError } from "../core/errors.ts";

/**
 * A string option whose value must be one of `values` (a command's declared choices): typed as that union, so a
 * handler needs no cast. Discord only sends declared choices, but an old client or a hand-made request may not:
 * anything else is a polite error, and a missing optional option is `fallback`.
 */
export function choiceOption<const T extends string>(
  i: ChatInputCommandInteraction,
  name: string,
  values: readonly T[],
  fallback: T,
): T;
export function choiceOption<const T extends string>(
  i: ChatInputCommandInteraction,
  name: string,
  values: readonly T[],
  fallback?: undefined,
): T | null;
export function choiceOption<const T extends string>(
  i: ChatInputCommandInteraction,
  name: string,
  values: readonly T[],
  fallback?: T,
): T | null {
  const raw = i.options.getString(name);
  if (raw === null) return fallback ?? null;
  const found = values.find((v) => v === raw);
  if (found === undefined) throw new UserError(`\`${name}\`: pick one of the listed values.`);
  return found;
}
