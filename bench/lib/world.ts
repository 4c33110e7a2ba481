/** The seeded world's shape: sizes, identities, who studies which decks and sits in which servers. */
import { intIn, type Rng, substream } from "./rng.ts";

/** Bump when the generated data changes shape: older files are then rebuilt rather than reused. */
export const SEED_VERSION = 2;
/** "Now" of every seeded database and of the benchmark clock: a Monday morning. */
export const BENCH_NOW = Date.UTC(2026, 2, 2, 8, 0, 0);

export interface SeedParams {
  users: number;
  /** Card states per member. */
  cards: number;
  /** Days of history. */
  days: number;
  guilds: number;
  seed: number;
}

export const SIZES = {
  /** The smoke test's: well under a second. */
  tiny: { users: 12, cards: 60, days: 30, guilds: 6, seed: 1 },
  /** Development: 100k card states. */
  quick: { users: 200, cards: 500, days: 30, guilds: 200, seed: 1 },
  /** The target: 10M card states, ≈30M review logs, 10,000 servers. */
  target: { users: 5000, cards: 2000, days: 30, guilds: 10000, seed: 1 },
} as const satisfies Record<string, SeedParams>;
export type SizeName = keyof typeof SIZES;

// Discord-like snowflakes of fixed width, so string order is number order.
export const userId = (u: number) => `3${String(u).padStart(17, "0")}`;
/**
 * Server ids are snowflakes whose timestamp part (`id >> 22`) counts up by one per server, so that Discord's shard
 * of a server, `(id >> 22) % shards`, deals them round-robin (version 1's ids all fell on shard 0).
 */
export const guildId = (g: number) => String(400_000_000_000_000_000n + (BigInt(g) << 22n));
export const channelId = (g: number) => `5${String(g).padStart(17, "0")}`;
export const deckId = (d: number) => `bench-${String(d).padStart(3, "0")}`;
/** Index 0 is the big server every member is in. */
export const BIG_GUILD = 0;

export interface Layout {
  decksPerUser: number;
  numDecks: number;
  deckSize: number;
  /** States per subscribed deck (the first positions of the deck: decks are learnt in order). */
  perDeck: number;
}

export function layout(p: SeedParams): Layout {
  const decksPerUser = Math.max(1, Math.min(5, Math.ceil(p.cards / 100)));
  const perDeck = Math.ceil(p.cards / decksPerUser);
  return {
    decksPerUser,
    numDecks: Math.max(decksPerUser * 2, Math.min(40, Math.ceil(p.users / 20))),
    deckSize: Math.ceil(perDeck * 1.3) + 5,
    perDeck,
  };
}

/** The decks member `u` studies, in the order /study introduces them (deck id order). */
export function userDecks(p: SeedParams, u: number): number[] {
  const l = layout(p);
  const first = (u * 7) % l.numDecks;
  return Array.from({ length: l.decksPerUser }, (_, k) => (first + k) % l.numDecks).sort((a, b) => a - b);
}

/** The servers member `u` is in: the big one, then up to two small ones. */
export function userGuilds(p: SeedParams, u: number): number[] {
  if (p.guilds <= 1) return [BIG_GUILD];
  const rng = substream(p.seed, 7, u);
  const a = intIn(rng, 1, p.guilds - 1);
  const b = intIn(rng, 1, p.guilds - 1);
  return a === b ? [BIG_GUILD, a] : [BIG_GUILD, a, b];
}

/** Members of each server (index → member indexes), from `userGuilds`. */
export function guildMembers(p: SeedParams): number[][] {
  const out: number[][] = Array.from({ length: p.guilds }, () => []);
  for (let u = 0; u < p.users; u++) for (const g of userGuilds(p, u)) out[g]?.push(u);
  return out;
}

export const cardIdOf = (l: Layout, deck: number, position: number) => deck * l.deckSize + position + 1;
/** About 1 card in 200 has been retired from its deck file (history kept). */
export const isRetired = (deck: number, position: number) => (deck * 131 + position * 31) % 200 === 7;

/** The server a review was made in (index), or -1 for a DM; the big server gets about half. */
export function pickGuild(rng: Rng, guilds: readonly number[]): number {
  const x = rng();
  if (x < 0.1) return -1;
  if (x < 0.55 || guilds.length === 1) return guilds[0] ?? -1;
  return guilds[1 + Math.floor(rng() * (guilds.length - 1))] ?? -1;
}

export const QUIZ_ZONES = [
  "UTC",
  "Europe/Berlin",
  "Europe/London",
  "America/New_York",
  "America/Los_Angeles",
  "America/Sao_Paulo",
  "Asia/Kolkata",
  "Asia/Tokyo",
  "Australia/Sydney",
] as const;
