/**
 * How the sandbox terminal draws a message as text: Discord markup made readable (timestamps, mentions,
 * markdown escapes), embeds as boxes, files, pings, and buttons numbered for the viewer to type.
 */
import { basename } from "node:path";
import type { ClickRecord } from "./actions.ts";
import { type MessageEvent, type TranscriptButton, withoutMarkdownEscapes } from "./transcript.ts";

// biome-ignore lint/suspicious/noExplicitAny: raw Discord JSON as the bot sent it
type Json = any;

const RULE = "─".repeat(60);

/** A button that can be clicked: enabled and not a link. */
export const enabled = (b: TranscriptButton): b is TranscriptButton & { custom_id: string } =>
  !b.disabled && b.custom_id !== undefined;

/** "4h", "3d", "2mo": a short distance between two instants. */
function distance(ms: number): string {
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [365 * 86_400_000, "y"],
    [30 * 86_400_000, "mo"],
    [86_400_000, "d"],
    [3_600_000, "h"],
    [60_000, "m"],
  ];
  for (const [size, unit] of units) if (abs >= size) return `${Math.round(abs / size)}${unit}`;
  return `${Math.round(abs / 1000)}s`;
}

/**
 * Discord markup the terminal cannot draw: <t:…> timestamps (relative to the bot's clock), <@id> user and <#id>
 * channel mentions, and markdown escapes (`\_\_init\_\_` is shown as Discord shows it, `__init__`).
 */
export function readable(
  text: string,
  now: Date,
  name: (userId: string) => string,
  channel: (channelId: string) => string = (id) => id,
): string {
  return withoutMarkdownEscapes(text)
    .replace(/<t:(-?\d+)(?::([tTdDfFR]))?>/g, (_m, secs: string, style: string | undefined) => {
      const at = new Date(Number(secs) * 1000);
      const iso = `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
      if (style !== "R") return iso;
      const delta = at.getTime() - now.getTime();
      return delta >= 0 ? `in ${distance(delta)}` : `${distance(delta)} ago`;
    })
    .replace(/<@!?(\d+)>/g, (_m, id: string) => `@${name(id)}`)
    .replace(/<#(\d+)>/g, (_m, id: string) => `#${channel(id)}`);
}

/** `attachment://stats.png` as the path the message's file was saved to (`data/sandbox-files/3-stats.png`). */
function attachedAs(url: string, files: string[]): string {
  const name = /^attachment:\/\/(.+)$/.exec(url)?.[1];
  if (name === undefined) return url;
  // Saved as `<message number>-<name>` (see FileSaver); shown by name when nothing saves files.
  return files.find((f) => basename(f).replace(/^\d+-/, "") === name || f === name) ?? url;
}

/** One embed as a box of text. */
function renderEmbed(e: Json, fix: (s: string) => string, files: string[]): string[] {
  const lines: string[] = [];
  const add = (text: unknown) => {
    for (const l of fix(String(text)).split("\n")) lines.push(`│ ${l}`);
  };
  if (e.author?.name) add(e.author.name);
  if (e.title) add(`**${e.title}**`);
  if (e.description) add(e.description);
  for (const f of e.fields ?? []) add(`${f.name}: ${f.value}`);
  if (e.image?.url) add(`[image] ${attachedAs(String(e.image.url), files)}`);
  if (e.footer?.text) add(`— ${e.footer.text}`);
  return [`┌${RULE}`, ...lines, `└${RULE}`];
}

/** What drawing a message needs from the terminal. */
export interface DrawContext {
  /** The name of the user at the keyboard. */
  viewer: string;
  botName: string;
  /** The bot's clock (relative timestamps are drawn against it). */
  now: () => Date;
  userName: (userId: string) => string;
  channelName: (channelId: string) => string;
  /** The id of the message behind a transcript ordinal (to number its buttons). */
  messageIdOf: (ordinal: number) => string | undefined;
}

/**
 * One message event as lines. Buttons `viewer` can click get the next free numbers in `numbers`; `redraw`
 * leaves out the edited/deleted state.
 */
export function drawMessage(
  view: DrawContext,
  e: MessageEvent,
  created: boolean,
  numbers: Map<number, ClickRecord>,
  messageId?: string,
  redraw = false,
): string[] {
  const who =
    e.visibleTo === "everyone" ? "public" : e.visibleTo === view.viewer ? "only you" : `only ${e.visibleTo}`;
  const state = e.event === "delete" ? " · deleted" : created ? "" : " · edited";
  const lines = [`#${e.channel} · ${view.botName} (${who})${redraw ? "" : state}`];
  if (e.event === "delete") return lines;
  const fix = (text: string) => readable(text, view.now(), view.userName, view.channelName);
  if (e.loading) lines.push("  … is thinking");
  if (e.content)
    lines.push(
      ...fix(e.content)
        .split("\n")
        .map((l) => `  ${l}`),
    );
  for (const embed of e.embeds) lines.push(...renderEmbed(embed, fix, e.files).map((l) => `  ${l}`));
  for (const f of e.files) lines.push(`  [file] ${f}`);
  if (e.pings.length > 0) lines.push(`  pings: ${e.pings.map((p) => `@${p}`).join(", ")}`);
  const id = messageId ?? view.messageIdOf(e.message);
  const canClick = e.visibleTo === "everyone" || e.visibleTo === view.viewer;
  const buttons = e.buttons.map((b) => {
    if (b.url) return `[link] ${b.label} → ${b.url}`;
    if (b.disabled || !canClick || b.custom_id === undefined || id === undefined) return `(${b.label})`;
    const n = numbers.size + 1;
    numbers.set(n, { messageId: id, customId: b.custom_id, label: b.label });
    return `[${n}] ${b.label}`;
  });
  if (buttons.length > 0) lines.push(`  ${buttons.join("  ")}`);
  return lines;
}
