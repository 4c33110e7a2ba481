/**
 * A scenario's `expect` step: what the previous step showed a user. A scenario that checks what the bot said
 * fails (exit 1) when the bot says something else, so a scenario can prove a fix, not only that nothing crashed.
 */
import { type MessageEvent, type TranscriptEvent, withoutMarkdownEscapes } from "./transcript.ts";

// biome-ignore lint/suspicious/noExplicitAny: raw Discord embed JSON as the bot sent it
type Json = any;

/** The text a person reads in a message: content, embeds (title, description, fields, footer), buttons, files (paths). */
export function readableText(e: MessageEvent): string {
  const embedText = (embed: Json): string[] => [
    embed.author?.name,
    embed.title,
    embed.description,
    ...(embed.fields ?? []).flatMap((f: Json) => [f.name, f.value]),
    embed.footer?.text,
  ];
  return withoutMarkdownEscapes(
    [e.content, ...e.embeds.flatMap(embedText), ...e.buttons.map((b) => b.label), ...e.files]
      .filter((x): x is string => typeof x === "string" && x.length > 0)
      .join("\n"),
  );
}

/**
 * Null when one message event of `shown` that `user` can see contains every `expect` text and no `lacks` text;
 * else why not, quoting what the user did see.
 */
export function checkExpectation(
  user: string,
  expect: string[],
  lacks: string[],
  shown: TranscriptEvent[],
): string | null {
  const seen = shown.filter(
    (e): e is MessageEvent =>
      (e.event === "create" || e.event === "edit") && (e.visibleTo === user || e.visibleTo === "everyone"),
  );
  const texts = seen.map(readableText);
  if (texts.some((t) => expect.every((x) => t.includes(x)) && !lacks.some((x) => t.includes(x)))) return null;
  const wanted = expect.map((x) => `"${x}"`).join(", ");
  const unwanted = lacks.length > 0 ? ` and none of ${lacks.map((x) => `"${x}"`).join(", ")}` : "";
  const got =
    texts.length === 0
      ? "the previous step showed them no message"
      : `they saw: ${texts.map((t) => JSON.stringify(t.length > 300 ? `${t.slice(0, 300)}…` : t)).join(" | ")}`;
  return `${user} was expected to see a message with ${wanted}${unwanted}; ${got}`;
}
