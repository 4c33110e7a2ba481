/**
 * The gateway: HELLO → IDENTIFY → READY + GUILD_CREATE per guild, heartbeats, RESUME with replay, dispatches.
 * Plain JSON text frames only: a client asking for zlib compression is refused.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { randomToken } from "./ids.ts";
import { apiGuildCreate, apiMember, apiUser } from "./serialize.ts";
import { MAX_GUILDS_PER_SHARD, SHARDING_REQUIRED, shardOf } from "./shards.ts";
import type { EmulatorState } from "./state.ts";
import type { Json } from "./types.ts";

export const GatewayOp = {
  Dispatch: 0,
  Heartbeat: 1,
  Identify: 2,
  PresenceUpdate: 3,
  Resume: 6,
  Reconnect: 7,
  RequestGuildMembers: 8,
  InvalidSession: 9,
  Hello: 10,
  HeartbeatAck: 11,
} as const;

interface Frame {
  op: number;
  d: Json;
  s: number | null;
  t: string | null;
}

export interface GatewaySession {
  id: string;
  intents: number;
  shard: [number, number];
  /** Last sequence number sent. */
  seq: number;
  /** Every dispatch sent on this session, for RESUME replay. */
  sent: Frame[];
  socket: WebSocket | undefined;
  /** Identified and READY sent, socket open. */
  live: boolean;
  /** Closed for good (client closed with 1000/1001, or invalidated). */
  ended: boolean;
  heartbeats: number;
  readyAt: number;
}

export interface GatewayOptions {
  state: EmulatorState;
  token: string;
  heartbeatIntervalMs: number;
  resumeUrl: () => string;
  log: (line: string) => void;
}

const MAX_REPLAY = 1000;

export class Gateway {
  readonly sessions = new Map<string, GatewaySession>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private roundRobin = 0;
  /** During an outage (`drop`): new sockets wait here for their HELLO until `restore`. */
  private held: (() => void)[] | null = null;

  constructor(private readonly opts: GatewayOptions) {
    this.wss.on("connection", (ws, req) => this.onConnection(ws, req));
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit("connection", ws, req));
  }

  /** Sessions with an open socket that finished IDENTIFY/RESUME. */
  liveSessions(): GatewaySession[] {
    return [...this.sessions.values()].filter((s) => s.live && s.socket?.readyState === WebSocket.OPEN);
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.searchParams.get("v") !== "10" || (url.searchParams.get("encoding") ?? "json") !== "json") {
      ws.close(4012, "Invalid API version or encoding (emulator speaks v=10, encoding=json)");
      return;
    }
    if (url.searchParams.has("compress")) {
      ws.close(
        4000,
        "Emulator refuses transport compression: frames must be plain JSON (is zlib-sync installed?)",
      );
      return;
    }
    let session: GatewaySession | undefined;
    const send = (frame: Frame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const hello = () =>
      send({
        op: GatewayOp.Hello,
        d: { heartbeat_interval: this.opts.heartbeatIntervalMs },
        s: null,
        t: null,
      });
    if (this.held) this.held.push(hello);
    else hello();

    ws.on("message", (data, isBinary) => {
      if (isBinary) {
        ws.close(4002, "Decode error: binary frames are not accepted");
        return;
      }
      let frame: Frame;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        ws.close(4002, "Decode error");
        return;
      }
      switch (frame.op) {
        case GatewayOp.Heartbeat:
          send({ op: GatewayOp.HeartbeatAck, d: null, s: null, t: null });
          if (session) {
            session.heartbeats++;
            this.opts.state.changed();
          }
          return;
        case GatewayOp.Identify:
          if (session) {
            ws.close(4005, "Already authenticated");
            return;
          }
          session = this.identify(ws, frame.d);
          return;
        case GatewayOp.Resume:
          if (session) {
            ws.close(4005, "Already authenticated");
            return;
          }
          session = this.resume(ws, frame.d);
          return;
        case GatewayOp.RequestGuildMembers:
          if (session) this.requestGuildMembers(session, frame.d);
          return;
        case GatewayOp.PresenceUpdate:
          return;
        default:
          if (frame.op === 4) return; // voice state update: ignored
          ws.close(4001, "Unknown opcode");
      }
    });
    ws.on("close", (code) => {
      if (!session || session.socket !== ws) return;
      session.live = false;
      session.socket = undefined;
      // A normal close ends the session; anything else (4200 "resuming", 1006) leaves it resumable.
      if (code === 1000 || code === 1001) session.ended = true;
      this.opts.log(`[emulator] gateway session ${session.id} closed (${code})`);
      this.opts.state.changed();
    });
  }

  private identify(ws: WebSocket, d: Json): GatewaySession | undefined {
    const { state } = this.opts;
    if (d?.token !== this.opts.token) {
      ws.close(4004, "Authentication failed");
      return undefined;
    }
    if (d.compress === true) {
      ws.close(4000, "Emulator refuses identify compression: frames must be plain JSON");
      return undefined;
    }
    if (typeof d.intents !== "number") {
      ws.close(4013, "Invalid intent(s)");
      return undefined;
    }
    const shard: [number, number] = Array.isArray(d.shard)
      ? [Number(d.shard[0]), Number(d.shard[1])]
      : [0, 1];
    if (!(shard[1] >= 1 && shard[0] >= 0 && shard[0] < shard[1])) {
      ws.close(4010, "Invalid shard");
      return undefined;
    }
    const guilds = this.guildsOf(shard);
    if (guilds.length > MAX_GUILDS_PER_SHARD) {
      this.opts.log(
        `[emulator] refused shard ${shard.join("/")}: ${guilds.length} guilds > ${MAX_GUILDS_PER_SHARD} (4011)`,
      );
      ws.close(SHARDING_REQUIRED, "Sharding required");
      return undefined;
    }
    const session: GatewaySession = {
      id: randomToken("session")
        .replace(/[^a-zA-Z0-9]/g, "")
        .slice(0, 32),
      intents: d.intents,
      shard,
      seq: 0,
      sent: [],
      socket: ws,
      live: false,
      ended: false,
      heartbeats: 0,
      readyAt: Date.now(),
    };
    this.sessions.set(session.id, session);
    this.dispatchTo(session, "READY", {
      v: 10,
      user: apiUser(state.botUser),
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      session_type: "normal",
      resume_gateway_url: this.opts.resumeUrl(),
      shard,
      application: { id: state.applicationId, flags: 0 },
      user_settings: {},
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
      auth: {},
    });
    for (const g of guilds) this.dispatchTo(session, "GUILD_CREATE", apiGuildCreate(state, g));
    session.live = true;
    this.opts.log(`[emulator] gateway session ${session.id} identified (shard ${shard.join("/")})`);
    state.changed();
    return session;
  }

  private resume(ws: WebSocket, d: Json): GatewaySession | undefined {
    const session = this.sessions.get(String(d?.session_id));
    if (d?.token !== this.opts.token) {
      ws.close(4004, "Authentication failed");
      return undefined;
    }
    if (!session || session.ended) {
      ws.send(JSON.stringify({ op: GatewayOp.InvalidSession, d: false, s: null, t: null }));
      return undefined;
    }
    if (session.socket && session.socket !== ws) session.socket.close(4009, "Session resumed elsewhere");
    session.socket = ws;
    const from = Number(d.seq ?? 0);
    for (const frame of session.sent) if ((frame.s ?? 0) > from) ws.send(JSON.stringify(frame));
    this.dispatchTo(session, "RESUMED", null);
    session.live = true;
    this.opts.log(`[emulator] gateway session ${session.id} resumed from seq ${from}`);
    this.opts.state.changed();
    return session;
  }

  private requestGuildMembers(session: GatewaySession, d: Json): void {
    const { state } = this.opts;
    const ids: string[] = Array.isArray(d?.guild_id) ? d.guild_id : [d?.guild_id];
    for (const gid of ids) {
      const guild = state.guilds.get(String(gid));
      if (!guild) continue;
      const wanted: string[] | undefined = d.user_ids ? [].concat(d.user_ids) : undefined;
      const query = typeof d.query === "string" ? d.query.toLowerCase() : "";
      const members = [...guild.members.values()].filter((m) => {
        if (wanted) return wanted.includes(m.userId);
        return (state.users.get(m.userId)?.username.toLowerCase() ?? "").startsWith(query);
      });
      this.dispatchTo(session, "GUILD_MEMBERS_CHUNK", {
        guild_id: guild.id,
        members: members.map((m) => apiMember(state, m)),
        chunk_index: 0,
        chunk_count: 1,
        not_found: wanted ? wanted.filter((id) => !guild.members.has(id)) : [],
        nonce: d.nonce,
      });
    }
  }

  /** The guilds a connection identified as `[id, count]` holds. */
  private guildsOf([id, count]: [number, number]) {
    return [...this.opts.state.guilds.values()].filter((g) => shardOf(g.id, count) === id);
  }

  /** Sends (or, while the socket is down, buffers for RESUME) one dispatch on one session. */
  dispatchTo(session: GatewaySession, t: string, d: Json): void {
    session.seq += 1;
    const frame: Frame = { op: GatewayOp.Dispatch, t, s: session.seq, d };
    session.sent.push(frame);
    if (session.sent.length > MAX_REPLAY) session.sent.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify(frame));
  }

  /** A guild-scoped event to every session (live or resumable) whose shard owns the guild. */
  dispatchGuildEvent(guildId: string, t: string, d: Json, requiredIntent = 0): void {
    for (const s of this.sessions.values()) {
      if (s.ended || (s.intents & requiredIntent) !== requiredIntent) continue;
      if (shardOf(guildId, s.shard[1]) === s.shard[0]) this.dispatchTo(s, t, d);
    }
  }

  /**
   * Sends an INTERACTION_CREATE on a connection holding the guild's shard (shard 0 without a guild: a DM).
   * `via` picks a session; otherwise "round-robin" picks one live session of that shard per interaction, and
   * "all" sends to every one (as Discord does for duplicate sessions).
   */
  dispatchInteraction(
    guildId: string | undefined,
    payload: Json,
    mode: "round-robin" | "all",
    via?: string,
  ): string[] {
    const live = this.liveSessions();
    let candidates = live.filter((s) => shardOf(guildId, s.shard[1]) === s.shard[0]);
    if (via !== undefined) candidates = candidates.filter((s) => s.id === via);
    if (candidates.length === 0) {
      const held = live.map((s) => s.shard.join("/")).join(", ");
      throw new Error(
        via !== undefined
          ? `Gateway session ${via} is not connected (or does not hold this guild's shard)`
          : live.length === 0
            ? "No bot client is connected to the emulator (did the client log in and reach READY?)"
            : `No connected bot client holds the shard of guild ${guildId ?? "(none: a DM)"} (connected shards: ${held})`,
      );
    }
    const targets =
      mode === "all" || via !== undefined ? candidates : [candidates[this.roundRobin++ % candidates.length]];
    const ids: string[] = [];
    for (const s of targets) {
      if (!s) continue;
      this.dispatchTo(s, "INTERACTION_CREATE", payload);
      ids.push(s.id);
    }
    return ids;
  }

  /** Drops a session's socket with a resumable close code, as a network blip would. */
  dropConnection(sessionId: string, code = 4000): void {
    const s = this.sessions.get(sessionId);
    s?.socket?.close(code, "Emulator dropped the connection");
  }

  /**
   * An outage: every open socket is closed with a resumable code, and sockets that connect meanwhile get no HELLO
   * (as a gateway that accepts TCP but never answers) until `restore`, when they get it and may RESUME.
   */
  drop(code = 4000): void {
    this.held ??= [];
    for (const s of this.sessions.values()) s.socket?.close(code, "Emulator gateway outage");
  }

  restore(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const hello of waiting) hello();
  }

  /** Asks a session to reconnect and resume (op 7). */
  requestReconnect(sessionId: string): void {
    const s = this.sessions.get(sessionId);
    if (s?.socket?.readyState === WebSocket.OPEN) {
      s.socket.send(JSON.stringify({ op: GatewayOp.Reconnect, d: null, s: null, t: null }));
    }
  }

  async close(): Promise<void> {
    this.held = null;
    for (const s of this.sessions.values()) {
      s.ended = true;
      s.live = false;
    }
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
