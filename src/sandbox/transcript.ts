/**
 * What happened in the emulator, as events: each message's creation, each of its edits (replayed from its
 * history, so several edits in one step are all reported) and its deletion, plus every request the emulator
 * refused. `collect()` returns what changed since the last call.
 */
import type { DiscordEmulator, StoredAttachment, StoredMessage } from "../emulator/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: raw Discord JSON as the bot sent it
type Json = any;

export interface TranscriptButton {
  label: string;
  custom_id?: string;
  url?: string;
  disabled: boolean;
}

export interface MessageEvent {
  step: number;
  event: "create" | "edit" | "delete";
  /** 1, 2, 3… in order of creation in this run: links an edit to its create. */
  message: number;
  channel: string;
  /** "everyone", or the name of the one user who can see this ephemeral message. */
  visibleTo: string;
  /** Present (true) while the message is a deferred "thinking…" placeholder. */
  loading?: true;
  content: string;
  embeds: Json[];
  buttons: TranscriptButton[];
  /** Names of the users Discord would notify for this message under its allowed_mentions. */
  pings: string[];
  /** The attachments: where the sandbox saved each one (or its file name when it saves none). */
  files: string[];
}

export interface RejectedEvent {
  step: number;
  event: "rejected";
  status: number;
  code: number;
  message: string;
  method: string;
  path: string;
  errors?: Json;
}

export interface StepEvent {
  step: number;
  event: "step";
  [key: string]: unknown;
}

export interface ErrorEvent {
  step: number;
  event: "error";
  /** "step": the step could not be performed; "bot": the bot logged an error. */
  source: "step" | "bot";
  message: string;
}

/** What the interactive client printed for a `type` step (the bot's messages follow as their own events). */
export interface TerminalEvent {
  step: number;
  event: "terminal";
  text: string;
}

export type TranscriptEvent = MessageEvent | RejectedEvent | StepEvent | ErrorEvent | TerminalEvent;

const LOADING_FLAG = 128;

/** Discord shows `\_` as `_`: card text is escaped for Discord (src/render/card-text.ts); a reader sees none of it. */
const MARKDOWN_ESCAPE = /\\([!-/:-@[-`{-~])/g;

/** Text with Discord's markdown escapes resolved, as a person reads it in the client. */
export const withoutMarkdownEscapes = (text: string): string => text.replace(MARKDOWN_ESCAPE, "$1");

interface Version {
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: StoredAttachment[];
  flags: number;
  at: number;
}

/** Every button in a message's components (action rows, and components v2 sections/containers). */
export function buttonsOf(components: Json[]): TranscriptButton[] {
  const out: TranscriptButton[] = [];
  const walk = (list: Json[]) => {
    for (const c of list ?? []) {
      if (c?.type === 2) {
        const b: TranscriptButton = {
          label: String(c.label ?? c.emoji?.name ?? ""),
          disabled: c.disabled === true,
        };
        if (c.custom_id !== undefined) b.custom_id = c.custom_id;
        if (c.url !== undefined) b.url = c.url;
        out.push(b);
      }
      if (Array.isArray(c?.components)) walk(c.components);
      if (c?.accessory) walk([c.accessory]);
    }
  };
  walk(components);
  return out;
}

function versionsOf(m: StoredMessage): Version[] {
  const versions: Version[] = [];
  let at = m.timestamp;
  for (const h of m.history) {
    versions.push({ ...h, at });
    at = h.replacedAt;
  }
  versions.push({
    content: m.content,
    embeds: m.embeds,
    components: m.components,
    attachments: m.attachments,
    flags: m.flags,
    at,
  });
  return versions;
}

interface Seen {
  ordinal: number;
  versions: number;
  deleted: boolean;
}

export interface TrackerOptions {
  /** Saves an attachment the bot sent (message number given) and returns what `files` lists: its path. */
  saveFile?: ((att: StoredAttachment, message: number) => string) | undefined;
  /** The first message's number (default 1): a second tracker on a relaunched world goes on from the first's. */
  firstMessage?: number | undefined;
}

export class Tracker {
  private readonly seen = new Map<string, Seen>();
  private rejections = 0;
  private ordinal = 0;

  constructor(
    private emu: DiscordEmulator,
    /** channel id → name */
    private channels: Map<string, string>,
    /** user id → name */
    private userNames: Map<string, string>,
    private readonly o: TrackerOptions = {},
  ) {
    this.ordinal = (o.firstMessage ?? 1) - 1;
  }

  /** The number the next new message will get. */
  get nextMessage(): number {
    return this.ordinal + 1;
  }

  /** Watches another emulator from now on (a relaunched world); message numbers go on from where they were. */
  follow(emu: DiscordEmulator, channels: Map<string, string>, userNames: Map<string, string>): void {
    this.emu = emu;
    this.channels = channels;
    this.userNames = userNames;
    this.seen.clear();
    this.rejections = 0;
  }

  /** The channels followed: the world's, and the threads started in them (a review party's), named "parent/thread". */
  private channelIds(): string[] {
    const ids: string[] = [];
    for (const [id, name] of [...this.channels]) {
      ids.push(id);
      if (name.includes("/")) continue;
      for (const t of this.emu.threadsOf(id)) {
        if (!this.channels.has(t.id)) this.channels.set(t.id, `${name}/${t.name}`);
        ids.push(t.id);
      }
    }
    return [...new Set(ids)];
  }

  /** A cheap fingerprint of the emulator's messages and rejections: changes whenever either does. */
  signature(): string {
    let messages = 0;
    let versions = 0;
    let deleted = 0;
    for (const id of this.channelIds()) {
      for (const m of this.emu.messages(id)) {
        messages++;
        versions += m.history.length;
        if (m.deleted) deleted++;
      }
    }
    return `${messages}/${versions}/${deleted}/${this.emu.rejections.length}`;
  }

  /** The ordinal of a message seen by an earlier collect (as in transcript lines). */
  ordinalOf(messageId: string): number | undefined {
    return this.seen.get(messageId)?.ordinal;
  }

  /** What a message's `files` lists for `att`: the saved path, or the file name when nothing saves files. */
  fileEntry(att: StoredAttachment, message: number): string {
    return this.o.saveFile ? this.o.saveFile(att, message) : att.filename;
  }

  name(userId: string): string {
    return this.userNames.get(userId) ?? userId;
  }

  /** Events since the last call, in the order they happened. */
  collect(step: number): TranscriptEvent[] {
    const timed: { at: number; order: number; event: TranscriptEvent }[] = [];
    const all = this.channelIds()
      .flatMap((id) => this.emu.messages(id))
      .sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0));
    for (const m of all) {
      let s = this.seen.get(m.id);
      const versions = versionsOf(m);
      if (!s) {
        s = { ordinal: ++this.ordinal, versions: 0, deleted: false };
        this.seen.set(m.id, s);
      }
      for (let k = s.versions; k < versions.length; k++) {
        const v = versions[k] as Version;
        timed.push({
          at: v.at,
          order: timed.length,
          event: this.messageEvent(step, k === 0 ? "create" : "edit", m, s.ordinal, v),
        });
      }
      s.versions = versions.length;
      if (m.deleted && !s.deleted) {
        s.deleted = true;
        const last = versions[versions.length - 1] as Version;
        timed.push({
          at: Number.MAX_SAFE_INTEGER,
          order: timed.length,
          event: this.messageEvent(step, "delete", m, s.ordinal, last),
        });
      }
    }
    timed.sort((a, b) => a.at - b.at || a.order - b.order);
    const events: TranscriptEvent[] = timed.map((t) => t.event);
    const rejections = this.emu.rejections;
    for (; this.rejections < rejections.length; this.rejections++) {
      const r = rejections[this.rejections];
      if (!r) continue;
      const e: RejectedEvent = {
        step,
        event: "rejected",
        status: r.status,
        code: r.code,
        message: r.message,
        method: r.method,
        path: r.path,
      };
      if (r.body?.errors !== undefined) e.errors = r.body.errors;
      events.push(e);
    }
    return events;
  }

  private messageEvent(
    step: number,
    event: MessageEvent["event"],
    m: StoredMessage,
    ordinal: number,
    v: Version,
  ): MessageEvent {
    const e: MessageEvent = {
      step,
      event,
      message: ordinal,
      channel: this.channels.get(m.channel_id) ?? m.channel_id,
      visibleTo: m.visibleTo === "everyone" ? "everyone" : this.name(m.visibleTo),
      content: v.content,
      embeds: v.embeds,
      buttons: buttonsOf(v.components),
      pings: m.pings.map((id) => this.name(id)),
      files: v.attachments.map((a) => this.fileEntry(a, ordinal)),
    };
    if (v.flags & LOADING_FLAG) e.loading = true;
    return e;
  }
}

/**
 * Waits until the emulator has been quiet (no message or rejection change) for `quietMs`, so answers that
 * arrive just after a step (follow-ups, edits after a defer) are reported with that step.
 */
export async function settle(emu: DiscordEmulator, tracker: Tracker, quietMs = 60, maxRounds = 100) {
  for (let round = 0; round < maxRounds; round++) {
    const before = tracker.signature();
    try {
      await emu.waitFor(() => tracker.signature() !== before || undefined, quietMs);
    } catch {
      return;
    }
  }
}
