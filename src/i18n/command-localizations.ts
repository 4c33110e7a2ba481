/**
 * The slash commands in the member's language: each command's, subcommand's and option's description (and a few
 * commands' names) from the `commands` section of a catalog, as Discord's `description_localizations` and
 * `name_localizations`, keyed by Discord's locale codes. English is the command files themselves (their
 * `description`), so the English catalog has no such section; a missing translation leaves Discord's fallback,
 * the English text.
 */
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from "discord.js";
import { DISCORD_CODES, type Locale } from "./locales.ts";
import { CATALOGS } from "./translate.ts";

interface Node {
  name?: string;
  description?: string;
  [child: string]: Node | string | undefined;
}

interface CommandNode {
  name: string;
  description?: string;
  options?: CommandNode[];
  name_localizations?: Record<string, string>;
  description_localizations?: Record<string, string>;
}

const translated = (Object.keys(DISCORD_CODES) as Exclude<Locale, "en">[]).map((locale) => ({
  codes: DISCORD_CODES[locale],
  tree: ((CATALOGS[locale] as { commands?: Node }).commands ?? {}) as Node,
}));

function localize(node: CommandNode, trees: (Node | undefined)[], top: boolean): CommandNode {
  const names: Record<string, string> = {};
  const descriptions: Record<string, string> = {};
  translated.forEach(({ codes }, k) => {
    const t = trees[k];
    for (const code of codes) {
      if (typeof t?.description === "string") descriptions[code] = t.description;
      // Only commands get a name of their own language: options keep theirs (handlers read them by name).
      if (top && typeof t?.name === "string") names[code] = t.name;
    }
  });
  return {
    ...node,
    ...(Object.keys(names).length > 0 && { name_localizations: names }),
    ...(Object.keys(descriptions).length > 0 && { description_localizations: descriptions }),
    ...(node.options && {
      options: node.options.map((o) =>
        o.description === undefined
          ? o
          : localize(
              o,
              trees.map((t) => t?.[o.name] as Node | undefined),
              false,
            ),
      ),
    }),
  };
}

/** The command's JSON with its localizations (the catalogs' `commands.<command>.<subcommand>.<option>`). */
export function localizeCommand(
  data: RESTPostAPIChatInputApplicationCommandsJSONBody,
): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const trees = translated.map(({ tree }) => tree[data.name] as Node | undefined);
  return localize(data as CommandNode, trees, true) as RESTPostAPIChatInputApplicationCommandsJSONBody;
}
