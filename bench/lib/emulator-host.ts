/**
 * Child process hosting the loopback Discord emulator for the tick and memory benchmarks, so its own CPU and
 * memory stay out of the bot's figures. Started with `--import tsx`; the parent sends one world description
 * over IPC, gets `{apiUrl, token}` back, may ask for counts, and finally sends "stop".
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { DiscordEmulator } from "../../src/emulator/index.ts";
import { channelId, guildId, guildMembers, type SeedParams, userId } from "./world.ts";

export type WorldSpec =
  /** The seeded servers (ids, quiz channels, members) of a bench database. */
  | { kind: "seeded"; params: SeedParams }
  /** `guilds` servers of `members` members drawn from a pool of `users`, `channels` text channels each. */
  | { kind: "crowd"; guilds: number; members: number; users: number; channels: number };

interface HostReply {
  apiUrl: string;
  token: string;
  guilds: number;
  members: number;
  buildMs: number;
}

function build(emu: DiscordEmulator, spec: WorldSpec): { guilds: number; members: number } {
  let members = 0;
  if (spec.kind === "seeded") {
    const p = spec.params;
    for (let u = 0; u < p.users; u++) emu.addUser({ name: `member${u}`, id: userId(u) });
    const byGuild = guildMembers(p);
    for (let g = 0; g < p.guilds; g++) {
      emu.addGuild({ name: `Server ${g}`, id: guildId(g) });
      emu.addChannel(guildId(g), { name: "daily-quiz", id: channelId(g) });
      for (const u of byGuild[g] ?? []) {
        emu.addMember(guildId(g), userId(u));
        members++;
      }
    }
    return { guilds: p.guilds, members };
  }
  const users = Array.from({ length: spec.users }, (_, u) => emu.addUser({ name: `user${u}` }).id);
  for (let g = 0; g < spec.guilds; g++) {
    const id = emu.addGuild({ name: `Server ${g}` }).id;
    for (let c = 0; c < spec.channels; c++) emu.addChannel(id, { name: `channel-${c}` });
    // A contiguous window of the pool, so each user sits in guilds × members / users servers.
    const start = (g * spec.members) % spec.users;
    for (let k = 0; k < spec.members; k++) {
      const u = users[(start + k) % spec.users];
      if (u) emu.addMember(id, u);
      members++;
    }
  }
  return { guilds: spec.guilds, members };
}

type HostMessage =
  | { kind: "world"; spec: WorldSpec }
  | { kind: "channels"; channels: string[] }
  | { kind: "count" }
  | { kind: "stop" };

if (process.send && process.argv[2] === "--host") {
  let emu: DiscordEmulator | null = null;
  let countIn: string[] = [];
  process.on("message", async (m: HostMessage) => {
    if (m.kind === "world") {
      const t0 = performance.now();
      emu = await DiscordEmulator.start({ answerTimeoutMs: 600_000 });
      const size = build(emu, m.spec);
      const reply: HostReply = {
        apiUrl: emu.apiUrl,
        token: emu.token,
        ...size,
        buildMs: performance.now() - t0,
      };
      process.send?.({ kind: "ready", ...reply });
    } else if (m.kind === "channels") {
      countIn = m.channels;
    } else if (m.kind === "count") {
      let n = 0;
      for (const c of countIn) n += emu?.messages(c).length ?? 0;
      process.send?.({ kind: "count", messages: n });
    } else {
      await emu?.stop();
      process.exit(0);
    }
  });
}

/** The parent's handle on a host process. */
export interface EmulatorHost extends HostReply {
  /** Messages stored in the given channels. */
  count(): Promise<number>;
  stop(): Promise<void>;
}

export function startEmulatorHost(spec: WorldSpec, countIn: string[] = []): Promise<EmulatorHost> {
  const child = fork(fileURLToPath(import.meta.url), ["--host"], {
    execArgv: ["--import", "tsx", "--max-old-space-size=8192"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<string, (m: Record<string, unknown>) => void>();
  child.on("message", (m: Record<string, unknown>) => {
    const k = String(m.kind);
    waiting.get(k)?.(m);
    waiting.delete(k);
  });
  const next = (kind: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      waiting.set(kind, resolve);
      child.once("exit", (code) => reject(new Error(`emulator host exited (${code}) before "${kind}"`)));
    });
  const ready = next("ready");
  child.send({ kind: "world", spec });
  child.send({ kind: "channels", channels: countIn });
  return ready.then((r) => ({
    ...(r as unknown as HostReply),
    async count() {
      const reply = next("count");
      child.send({ kind: "count" });
      return Number((await reply).messages);
    },
    async stop() {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ kind: "stop" });
      await exited;
    },
  }));
}
