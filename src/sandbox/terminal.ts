/**
 * The sandbox's interactive client: a line-based Discord for one server. Slash commands run as the current
 * user, the bot's messages are drawn as text with numbered buttons, a number clicks one.
 */
import { basename } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseDuration } from "../core/clock.ts";
import type { UserHandle } from "../emulator/index.ts";
import { ActionError, type ClickRecord, clickAgain, describeTick, runTick } from "./actions.ts";
import { coerceOptions, parseCommandLine } from "./options.ts";
import type { FileSaver } from "./saved-files.ts";
import {
  buttonsOf,
  type MessageEvent,
  settle,
  Tracker,
  type TranscriptButton,
  withoutMarkdownEscapes,
} from "./transcript.ts";
import { ERROR_LEVEL, type SandboxWorld } from "./world.ts";

// biome-ignore lint/suspicious/noExplicitAny: raw Discord JSON as the bot sent it
type Json = any;

export interface TerminalOptions {
  world: SandboxWorld;
  input: Readable;
  output: Writable;
  /** The user typing first; default: the first user. */
  as?: string;
  /** How often messages the bot sends on its own (scheduled posts) are picked up; default 250 ms. */
  pollMs?: number;
  /** Lines printed before the first prompt. */
  banner?: string[];
  /** Saves the files the bot sends (their lines then name the saved path); default: shown by name only. */
  files?: FileSaver;
  /** The number of the first message it draws (default 1); only a scenario's relaunched world starts later. */
  firstMessage?: number;
}

export const TERMINAL_HELP = [
  "Commands:",
  "  /study, /deck list, /deck subscribe deck:pytorch …   run a slash command (name:value, quote values with spaces)",
  "  /deck import file:decks/pytorch.deck                 attach a local file by its path (relative to here)",
  "  1, 2, 3 …          click the numbered button",
  "  /as bob            act as another user",
  "  :again             click your previous button again (a double click)",
  "  :advance 1d        move the bot's clock (30m, 4h, 1d, 1w, 1d12h)",
  "  :tick              run the scheduler's tick now",
  "  :show              redraw the latest messages you can see",
  "  :restart           replace the bot with a fresh one on the same database",
  "  :who               users, channels and the bot's clock",
  "  :quit              stop everything and leave",
];

const RULE = "─".repeat(60);

/** A button that can be clicked: enabled and not a link. */
const enabled = (b: TranscriptButton): b is TranscriptButton & { custom_id: string } =>
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

export class Terminal {
  private readonly world: SandboxWorld;
  private readonly out: Writable;
  private readonly tracker: Tracker;
  private current: UserHandle;
  /** Number typed → the button it clicks (from the latest drawing that had buttons the current user can click). */
  private numbers = new Map<number, ClickRecord>();
  /** Message ids of each drawing that had enabled buttons, oldest first: renumbered for whoever types next. */
  private drawings: string[][] = [];
  private lastClick = new Map<string, ClickRecord>();
  private errorsSeen: number;
  private problemsSeen = 0;
  private busy = false;

  constructor(private readonly o: TerminalOptions) {
    this.world = o.world;
    this.out = o.output;
    const files = o.files;
    this.tracker = new Tracker(
      o.world.emu,
      new Map([...o.world.channels].map(([name, c]) => [c.id, name])),
      new Map([...o.world.users].map(([name, u]) => [u.id, name])),
      { saveFile: files ? (att, n) => files.save(att, n) : undefined, firstMessage: o.firstMessage },
    );
    this.tracker.collect(0); // what happened before the client started is not news
    this.errorsSeen = o.world.errors.length;
    const first = o.as ?? [...o.world.users.keys()][0] ?? "";
    this.current = o.world.user(first);
  }

  private print(lines: string | string[]): void {
    this.out.write(`${(Array.isArray(lines) ? lines : [lines]).join("\n")}\n`);
  }

  private get prompt(): string {
    return `${this.current.name}> `;
  }

  /** Reads lines until :quit or the end of input. Does not stop the world. */
  async run(): Promise<void> {
    const { input } = this.o;
    const tty = (input as { isTTY?: boolean }).isTTY === true;
    const rl = createInterface({ input, output: this.out, terminal: tty, prompt: this.prompt });
    rl.on("SIGINT", () => rl.close());
    const timer = setInterval(() => {
      if (this.busy) return;
      if (this.drain()) {
        rl.setPrompt(this.prompt);
        rl.prompt(true);
      }
    }, this.o.pollMs ?? 250);
    timer.unref();
    try {
      if (this.o.banner) this.print(this.o.banner);
      rl.prompt();
      for await (const line of rl) {
        this.busy = true;
        let quit = false;
        try {
          quit = await this.handle(line.trim());
        } catch (err) {
          this.print(`! ${(err as Error).message.split("\n").join("\n  ")}`);
          this.drain();
        } finally {
          this.busy = false;
        }
        if (quit) break;
        rl.setPrompt(this.prompt);
        rl.prompt();
      }
    } finally {
      clearInterval(timer);
      rl.close();
    }
  }

  /** Handles one line; true when the user asked to quit. */
  async handle(line: string): Promise<boolean> {
    if (line === "") return false;
    if (/^\d+$/.test(line)) {
      const target = this.numbers.get(Number(line));
      if (!target)
        throw new ActionError(`No button [${line}] on screen. Type :show to redraw your messages.`);
      const message = this.world.emu.message(target.messageId);
      if (!message || message.deleted) throw new ActionError("That message is gone.");
      this.lastClick.set(this.current.name, target);
      await this.world.emu.click({ user: this.current, message, customId: target.customId });
      await this.refresh();
      return false;
    }
    if (line.startsWith("/as ") || line === "/as") {
      const name = line.slice(3).trim().replace(/^@/, "");
      const user = this.world.users.get(name);
      if (!user) {
        throw new ActionError(`No user "${name}". Users: ${[...this.world.users.keys()].join(", ")}`);
      }
      this.current = user;
      this.print([`You are now ${user.name}.`, ...this.renumber()]);
      return false;
    }
    if (line.startsWith("/")) {
      const { command, options } = parseCommandLine(line);
      const coerced = coerceOptions(this.world.emu, this.world.guild.id, command, options, this.world.users);
      const channel = [...this.world.channels.values()][0];
      if (!channel) throw new ActionError("This server has no channel");
      await this.world.emu.runCommand({ user: this.current, channel, command, options: coerced });
      await this.refresh();
      return false;
    }
    const [word, ...rest] = line.split(/\s+/);
    const arg = rest.join(" ");
    switch (word) {
      case ":quit":
      case ":q":
      case ":exit":
        this.print("Bye.");
        return true;
      case ":help":
        this.print(TERMINAL_HELP);
        return false;
      case ":advance": {
        const ms = parseDuration(arg);
        if (ms === null)
          throw new ActionError('Usage: :advance 1d (units s, m, h, d, w; e.g. "4h", "1d12h")');
        this.world.advance(ms);
        this.print(`The bot's clock is now ${this.world.clock.now().toISOString()}.`);
        return false;
      }
      case ":tick": {
        const report = await runTick(this.world);
        await this.refresh();
        this.print(`Ticked at ${this.world.clock.now().toISOString()}: ${describeTick(report)}.`);
        return false;
      }
      case ":again": {
        const previous = this.lastClick.get(this.current.name);
        if (!previous) throw new ActionError(`${this.current.name} has not clicked anything yet`);
        await clickAgain(this.world, this.current, previous);
        await this.refresh();
        return false;
      }
      case ":restart":
        await this.world.restart();
        this.print("The bot restarted (same database).");
        return false;
      case ":show":
        this.show();
        return false;
      case ":who":
        this.print([
          `Users: ${[...this.world.users.keys()].join(", ")} (you are ${this.current.name})`,
          `Channels: ${[...this.world.channels.keys()].map((c) => `#${c}`).join(", ")}`,
          `Bot clock: ${this.world.clock.now().toISOString()}`,
        ]);
        return false;
      default:
        throw new ActionError(`Unknown input "${line}". Type :help.`);
    }
  }

  private async refresh(): Promise<void> {
    await settle(this.world.emu, this.tracker);
    this.drain();
  }

  /** Draws what changed since the last drawing and reports bot errors; true if anything was printed. */
  drain(): boolean {
    const events = this.tracker.collect(0);
    const latest = new Map<number, { event: MessageEvent; created: boolean }>();
    const lines: string[] = [];
    for (const e of events) {
      if (e.event === "rejected") {
        lines.push(`! Discord (emulated) rejected ${e.method} ${e.path}: ${e.status} ${e.code} ${e.message}`);
      } else if (e.event === "create" || e.event === "edit" || e.event === "delete") {
        const before = latest.get(e.message);
        latest.set(e.message, { event: e, created: (before?.created ?? false) || e.event === "create" });
      }
    }
    const numbers = new Map<number, ClickRecord>();
    for (const { event, created } of latest.values())
      lines.push(...this.renderMessage(event, created, numbers));
    if (numbers.size > 0) this.numbers = numbers;
    this.remember([...latest.values()].flatMap(({ event }) => this.withButtons(event)));
    const problems = this.o.files?.problems ?? [];
    for (; this.problemsSeen < problems.length; this.problemsSeen++)
      lines.push(`! ${problems[this.problemsSeen]}`);
    for (; this.errorsSeen < this.world.errors.length; this.errorsSeen++) {
      const rec = this.world.errors[this.errorsSeen];
      if (rec && rec.level >= ERROR_LEVEL)
        lines.push(`! the bot logged an error: ${rec.msg ?? ""} (see the log)`);
    }
    if (lines.length > 0) this.print(lines);
    return lines.length > 0;
  }

  /** Redraws the current user's latest messages (up to 3) with fresh button numbers. */
  show(): void {
    this.drain(); // messages the poll has not drawn yet get their numbers (and saved files) first
    const ids = [...this.world.channels.values()].map((c) => c.id);
    const messages = ids
      .flatMap((id) => this.world.emu.seenBy(this.current, id))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
      .slice(-3);
    if (messages.length === 0) {
      this.print("(nothing here yet: try /help or /study)");
      return;
    }
    const numbers = new Map<number, ClickRecord>();
    const lines: string[] = [];
    for (const m of messages) {
      lines.push(
        ...this.renderMessage(
          {
            step: 0,
            event: "create",
            message: this.tracker.ordinalOf(m.id) ?? 0,
            channel: this.world.channels.size > 0 ? this.channelName(m.channel_id) : "",
            visibleTo: m.visibleTo === "everyone" ? "everyone" : this.tracker.name(m.visibleTo),
            content: m.content,
            embeds: m.embeds,
            buttons: buttonsOf(m.components),
            pings: m.pings.map((p) => this.tracker.name(p)),
            files: m.attachments.map((a) => this.tracker.fileEntry(a, this.tracker.ordinalOf(m.id) ?? 0)),
            ...((m.flags & 128) !== 0 ? { loading: true as const } : {}),
          },
          false,
          numbers,
          m.id,
          true,
        ),
      );
    }
    this.numbers = numbers;
    this.remember(messages.filter((m) => buttonsOf(m.components).some(enabled)).map((m) => m.id));
    this.print(lines);
  }

  /** The message id of a drawn event that has enabled buttons (for anyone), as a list of zero or one. */
  private withButtons(e: MessageEvent): string[] {
    if (e.event === "delete" || !e.buttons.some(enabled)) return [];
    const id = this.messageIdOf(e.message);
    return id === undefined ? [] : [id];
  }

  private remember(ids: string[]): void {
    if (ids.length === 0) return;
    this.drawings.push(ids);
    if (this.drawings.length > 20) this.drawings.shift();
  }

  /**
   * After a change of user: numbers the buttons the new user can click in the latest drawing that has some (as
   * the messages are now), e.g. the public quiz post drawn while alice typed. Returns the lines that say which.
   */
  private renumber(): string[] {
    const user = this.current;
    for (const ids of [...this.drawings].reverse()) {
      const numbers = new Map<number, ClickRecord>();
      const lines: string[] = [];
      for (const id of ids) {
        const m = this.world.emu.message(id);
        if (!m || m.deleted || (m.visibleTo !== "everyone" && m.visibleTo !== user.id)) continue;
        const labels = buttonsOf(m.components)
          .filter(enabled)
          .map((b) => {
            const n = numbers.size + 1;
            numbers.set(n, { messageId: m.id, customId: b.custom_id, label: b.label });
            return `[${n}] ${b.label}`;
          });
        const where = m.visibleTo === "everyone" ? "public" : "only you";
        if (labels.length > 0)
          lines.push(`  #${this.channelName(m.channel_id)} (${where}): ${labels.join("  ")}`);
      }
      if (numbers.size > 0) {
        this.numbers = numbers;
        return [`Buttons ${user.name} can click on screen:`, ...lines];
      }
    }
    this.numbers = new Map();
    return [];
  }

  private channelName(id: string): string {
    for (const [name, c] of this.world.channels) if (c.id === id) return name;
    return id;
  }

  private renderMessage(
    e: MessageEvent,
    created: boolean,
    numbers: Map<number, ClickRecord>,
    messageId?: string,
    redraw = false,
  ): string[] {
    const who =
      e.visibleTo === "everyone"
        ? "public"
        : e.visibleTo === this.current.name
          ? "only you"
          : `only ${e.visibleTo}`;
    const state = e.event === "delete" ? " · deleted" : created ? "" : " · edited";
    const lines = [`#${e.channel} · ${this.world.emu.botUser.name} (${who})${redraw ? "" : state}`];
    if (e.event === "delete") return lines;
    const fix = (text: string) =>
      readable(
        text,
        this.world.clock.now(),
        (id) => this.tracker.name(id),
        (id) => this.channelName(id),
      );
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
    const id = messageId ?? this.messageIdOf(e.message);
    const canClick = e.visibleTo === "everyone" || e.visibleTo === this.current.name;
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

  private messageIdOf(ordinal: number): string | undefined {
    for (const c of this.world.channels.values()) {
      for (const m of this.world.emu.messages(c.id))
        if (this.tracker.ordinalOf(m.id) === ordinal) return m.id;
    }
    return undefined;
  }
}

/** Runs the interactive client until :quit or end of input. */
export async function runTerminal(o: TerminalOptions): Promise<void> {
  await new Terminal(o).run();
}
