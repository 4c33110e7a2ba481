/**
 * The sandbox's interactive client: a line-based Discord for one server. Slash commands run as the current
 * user, the bot's messages are drawn as text with numbered buttons, a number clicks one. Drawing is in
 * message-drawing.ts, the button numbering in button-numbers.ts.
 */
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { parseDuration } from "../core/clock.ts";
import type { UserHandle } from "../emulator/index.ts";
import { ActionError, type ClickRecord, clickAgain, describeTick, runTick } from "./actions.ts";
import { ButtonNumbers } from "./button-numbers.ts";
import { type DrawContext, drawMessage, enabled } from "./message-drawing.ts";
import { coerceOptions, parseCommandLine } from "./options.ts";
import type { FileSaver } from "./saved-files.ts";
import { buttonsOf, type MessageEvent, settle, Tracker } from "./transcript.ts";
import { ERROR_LEVEL, type SandboxWorld } from "./world.ts";

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

export class Terminal {
  private readonly world: SandboxWorld;
  private readonly out: Writable;
  private readonly tracker: Tracker;
  private current: UserHandle;
  private readonly buttons = new ButtonNumbers();
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
      const target = this.buttons.get(Number(line));
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
      this.print([
        `You are now ${user.name}.`,
        ...this.buttons.renumber(this.world.emu, this.current, (id) => this.channelName(id)),
      ]);
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
      lines.push(...drawMessage(this.view, event, created, numbers));
    if (numbers.size > 0) this.buttons.use(numbers);
    this.buttons.remember([...latest.values()].flatMap(({ event }) => this.withButtons(event)));
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
        ...drawMessage(
          this.view,
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
    this.buttons.use(numbers);
    this.buttons.remember(messages.filter((m) => buttonsOf(m.components).some(enabled)).map((m) => m.id));
    this.print(lines);
  }

  /** The message id of a drawn event that has enabled buttons (for anyone), as a list of zero or one. */
  private withButtons(e: MessageEvent): string[] {
    if (e.event === "delete" || !e.buttons.some(enabled)) return [];
    const id = this.messageIdOf(e.message);
    return id === undefined ? [] : [id];
  }

  /** What drawMessage needs, as the screen is now. */
  private get view(): DrawContext {
    return {
      viewer: this.current.name,
      botName: this.world.emu.botUser.name,
      now: () => this.world.clock.now(),
      userName: (id) => this.tracker.name(id),
      channelName: (id) => this.channelName(id),
      messageIdOf: (ordinal) => this.messageIdOf(ordinal),
    };
  }

  private channelName(id: string): string {
    for (const [name, c] of this.world.channels) if (c.id === id) return name;
    return id;
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
