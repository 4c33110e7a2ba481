/**
 * Command options as people type them (`deck:pytorch`, `enabled:true`, `channel:study`, `user:bob`), turned into
 * what the emulator's driver expects, typed by the command definition the bot registered.
 */
import type { DiscordEmulator, OptionValue, RegisteredCommand, UserHandle } from "../emulator/index.ts";
import { OptionType } from "../emulator/validate-commands.ts";
import { attachLocalFile } from "./attach.ts";

export type RawOption = string | number | boolean;

interface OptionDef {
  name: string;
  type: number;
  options?: OptionDef[];
}

/** The leaf options of `command` ("deck subscribe"), or undefined when the bot registered no such command. */
function leafOptions(commands: RegisteredCommand[], command: string): OptionDef[] | undefined {
  const [name, ...path] = command.trim().split(/\s+/);
  const def = commands.find((c) => c.name === name && c.type === 1);
  if (!def) return undefined;
  let level = (def.options ?? []) as OptionDef[];
  for (const part of path) {
    const sub = level.find(
      (o) => (o.type === OptionType.Subcommand || o.type === OptionType.SubcommandGroup) && o.name === part,
    );
    if (!sub) return undefined;
    level = sub.options ?? [];
  }
  return level;
}

const TRUE = new Set(["true", "yes", "on", "1"]);
const FALSE = new Set(["false", "no", "off", "0"]);

/**
 * Converts typed values by the registered option type: booleans from true/false/yes/no/on/off, numbers from
 * digits, users from a user name, attachments from a file path (read now; an unreadable path throws an
 * ActionError). Channels and roles stay names (the emulator resolves them in the server).
 * Unknown commands and options pass through unchanged: the emulator then reports them precisely.
 */
export function coerceOptions(
  emu: DiscordEmulator,
  guildId: string,
  command: string,
  options: Record<string, RawOption>,
  users: Map<string, UserHandle>,
): Record<string, OptionValue> {
  const defs = leafOptions(emu.commands(guildId), command) ?? [];
  const out: Record<string, OptionValue> = {};
  for (const [key, value] of Object.entries(options)) {
    const def = defs.find((d) => d.name === key);
    // An attachment is a local file: the value is its path, relative to the working directory.
    if (def?.type === OptionType.Attachment) out[key] = attachLocalFile(key, String(value));
    else out[key] = def && typeof value === "string" ? coerce(def.type, value, users) : value;
  }
  return out;
}

function coerce(type: number, value: string, users: Map<string, UserHandle>): OptionValue {
  const v = value.trim();
  switch (type) {
    case OptionType.Boolean:
      if (TRUE.has(v.toLowerCase())) return true;
      if (FALSE.has(v.toLowerCase())) return false;
      return value;
    case OptionType.Integer:
    case OptionType.Number:
      return v !== "" && !Number.isNaN(Number(v)) ? Number(v) : value;
    case OptionType.User:
    case OptionType.Mentionable:
      return users.get(v.replace(/^@/, "")) ?? value;
    case OptionType.Channel:
      return v.replace(/^#/, "");
    default:
      return value;
  }
}

export class CommandLineError extends Error {}

/**
 * Parses `/quiz setup channel:study time:09:00 timezone:"Europe/Berlin"` into the command path and its options.
 * Words before the first `name:value` are the path; a value may be quoted ("…" or '…') to hold spaces, and the
 * first colon separates name and value (so `time:09:00` works).
 */
export function parseCommandLine(line: string): { command: string; options: Record<string, string> } {
  const text = line.trim().replace(/^\//, "");
  const tokens: string[] = [];
  let current = "";
  let quote: string | null = null;
  let inToken = false;
  for (const ch of text) {
    if (quote) {
      if (ch === quote) quote = null;
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inToken = true;
    } else if (/\s/.test(ch)) {
      if (inToken) tokens.push(current);
      current = "";
      inToken = false;
    } else {
      current += ch;
      inToken = true;
    }
  }
  if (quote) throw new CommandLineError(`Unclosed ${quote} quote`);
  if (inToken) tokens.push(current);

  const path: string[] = [];
  const options: Record<string, string> = {};
  for (const token of tokens) {
    const m = /^([\w-]+):(.*)$/s.exec(token);
    if (m) {
      options[m[1] as string] = m[2] as string;
    } else if (Object.keys(options).length > 0) {
      throw new CommandLineError(
        `"${token}" follows an option: quote values with spaces, e.g. name:"two words"`,
      );
    } else {
      path.push(token);
    }
  }
  if (path.length === 0) throw new CommandLineError("Type a command, e.g. /study");
  return { command: path.join(" "), options };
}
