/**
 * The unit of work of `/deck import`: find the deck the file updates (by id or by name in its scope), read what
 * the update would do (cards added, kept, retired, and of those someone has studied), let the service's rules
 * decide (ask first, stale, or go ahead), and write deck, cards, the importer's subscription and, from an Anki
 * package with `import_progress`, their progress (imported-progress.ts) — all in one transaction, so a confirm
 * imports only while the scope is still at the fingerprint it was asked at.
 */
import { and, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { alias, union } from "drizzle-orm/sqlite-core";
import { clipDeckName, freeDeckName, scopeFingerprint } from "../core/decks/import-rules.ts";
import { importDeckId } from "../core/decks/keys.ts";
import { type Db, tx } from "./client.ts";
import { type CardInput, type DeckWrite, writeDeck } from "./deck-cards.ts";
import { type MediaInput, writeDeckMedia } from "./deck-media.ts";
import { MANAGED_COLUMNS, type ManagedDeck, managedDeck } from "./decks.ts";
import {
  type ImportedCardProgress,
  type ProgressWritten,
  writeImportedProgress,
} from "./imported-progress.ts";
import { decideWithLookups } from "./lookups.ts";
import { once, perConnection } from "./prepared.ts";
import { cardStates, cards, decks, statGuildMembers, subscriptions } from "./schema.ts";
import { addSubscription } from "./subscriptions.ts";

export type ImportScope = "personal" | "server";

/** Whose decks a scope holds: a member's personal decks, or a server's decks. */
type Owner = { ownerId: string; guildId: null } | { ownerId: null; guildId: string | null };

export interface ImportInput {
  /** The importer (subscribed to the deck in the same transaction) and the server they import in. */
  userId: string;
  guildId: string | null;
  /** The scope of a new deck. */
  scope: ImportScope;
  /** Update this deck (`canUpdate` checks the member may); else the deck of the scope named `matchName`. */
  deckId?: string;
  /** The name whose deck an import updates; absent: a new deck. */
  matchName?: string;
  description: string;
  cards: CardInput[];
  /** The deck's images from now on (its cards' frontImage/backImage name them); absent: none. */
  media?: MediaInput[];
  /** The importer's replayed Anki history, by card key: a personal deck's only (refused for a server deck). */
  progress?: readonly ImportedCardProgress[];
}

/** What the import would do, read inside its transaction, for the service's rules to decide on. */
export interface ImportPlan {
  /** The deck it would update (none: a new deck). */
  target: ManagedDeck | undefined;
  /** The target was found by its name in other capitals only. */
  caseOnly: boolean;
  scope: ImportScope;
  cards: number;
  /** Keys the deck has never had (a retired card coming back keeps its progress), and active cards retired. */
  added: number;
  retired: number;
  /** Of the retired cards, how many someone has studied. */
  retiredStudied: number;
  /** The scope's fingerprint (scopeFingerprint), for an update (with what it retires) or a new deck. */
  fingerprint(of: "update" | "new"): string;
}

/** Go ahead with `name` (a new deck's name is made free in its scope), or stop with the service's answer. */
export type ImportDecision<A> = { write: { name: string } } | { stop: A };

export interface ImportRules<A> {
  /** Throws the refusal when the member may not update this deck (an explicit `deckId`). */
  canUpdate(deck: ManagedDeck | undefined): ManagedDeck;
  decide(plan: ImportPlan): ImportDecision<A>;
}

export type ImportResult<A> =
  | { stopped: A }
  | {
      written: DeckWrite & {
        deckId: string;
        name: string;
        scope: ImportScope;
        created: boolean;
        progress?: ProgressWritten;
      };
    };

const deckId = sql.placeholder("deckId");
const cs = alias(cardStates, "cs");
const activeCards = (id: typeof decks.id) => and(eq(cards.deckId, id), isNull(cards.retiredAt));

const statements = perConnection((db) => ({
  // The cards of the deck being updated, active or retired.
  deckCards: db
    .select({ id: cards.id, key: cards.key, retiredAt: cards.retiredAt })
    .from(cards)
    .where(eq(cards.deckId, deckId))
    .prepare(),
  // Its cards someone has studied (a card state exists). card_states is keyed by member: a personal deck's only
  // student is its owner; a server deck's are among that server's members (a review writes the member row in
  // the same transaction) and its subscribers, each an index seek instead of a scan of every state.
  studiedByOwner: db
    .selectDistinct({ cardId: cs.cardId })
    .from(cs)
    .where(and(eq(cs.deckId, deckId), eq(cs.userId, sql.placeholder("ownerId"))))
    .prepare(),
  studiedInServer: db
    .selectDistinct({ cardId: cs.cardId })
    .from(cs)
    .where(
      and(
        eq(cs.deckId, deckId),
        inArray(
          cs.userId,
          union(
            db
              .select({ userId: statGuildMembers.userId })
              .from(statGuildMembers)
              .where(eq(statGuildMembers.guildId, sql.placeholder("guildId"))),
            db
              .select({ userId: subscriptions.userId })
              .from(subscriptions)
              .where(eq(subscriptions.deckId, deckId)),
          ),
        ),
      ),
    )
    .prepare(),
}));

/** The prepared reads of an import (exported for the query-plan test). */
export const importStatements = statements;

const inScope = (owner: Owner) =>
  owner.ownerId !== null
    ? eq(decks.ownerId, owner.ownerId)
    : and(isNull(decks.ownerId), eq(decks.guildId, owner.guildId ?? ""));

/** Active imported decks of one scope with their card counts, by id: what a fingerprint is taken of. */
async function scopeDecks(db: Db, owner: Owner) {
  const rows = await once(db, (b) =>
    b
      .select({ id: decks.id, updatedAt: decks.updatedAt, cards: b.$count(cards, activeCards(decks.id)) })
      .from(decks)
      .where(and(eq(decks.source, "import"), isNull(decks.retiredAt), inScope(owner)))
      .orderBy(decks.id)
      .prepare(),
  ).all();
  return rows.map((d) => ({ id: d.id, updatedAt: d.updatedAt.getTime(), cards: d.cards }));
}

/** The active imported deck of a scope with this name: exactly this name first, else the same letters in any case. */
async function deckByName(
  db: Db,
  owner: Owner,
  name: string,
): Promise<{ deck: ManagedDeck; exact: boolean } | undefined> {
  const deck = await once(db, (b) =>
    b
      .select(MANAGED_COLUMNS)
      .from(decks)
      .where(
        and(
          eq(decks.source, "import"),
          isNull(decks.retiredAt),
          inScope(owner),
          sql`lower(${decks.name}) = ${name.toLowerCase()}`,
        ),
      )
      .orderBy(sql`case when ${decks.name} = ${name} then 0 else 1 end`, desc(decks.updatedAt))
      .prepare(),
  ).get();
  return deck === undefined ? undefined : { deck, exact: deck.name === name };
}

const scopeOwner = (scope: ImportScope, userId: string, guildId: string | null): Owner =>
  scope === "personal" ? { ownerId: userId, guildId: null } : { ownerId: null, guildId };

/**
 * What two imports must not interleave on (PostgreSQL; SQLite's transactions are serial anyway): the scope they
 * read and write — its deck names, ids and fingerprint — so two confirms of one question import once.
 */
const importLock = (input: ImportInput): string =>
  input.scope === "personal"
    ? `deck-import:user:${input.userId}`
    : `deck-import:guild:${input.guildId ?? ""}`;

/** Imports the cards in one transaction, as `rules` decide on what it would do (see the file's comment). */
export async function importIntoDeck<A>(
  db: Db,
  input: ImportInput,
  now: Date,
  rules: ImportRules<A>,
): Promise<ImportResult<A>> {
  return tx(
    db,
    async (t): Promise<ImportResult<A>> => {
      let target: ManagedDeck | undefined;
      let caseOnly = false;
      if (input.deckId !== undefined) {
        target = rules.canUpdate(await managedDeck(t, input.deckId));
      } else if (input.matchName !== undefined) {
        const match = await deckByName(
          t,
          scopeOwner(input.scope, input.userId, input.guildId),
          input.matchName,
        );
        target = match?.deck;
        caseOnly = match !== undefined && !match.exact;
      }
      const scope: ImportScope =
        target !== undefined ? (target.ownerId === null ? "server" : "personal") : input.scope;
      const owner: Owner =
        scope === "personal"
          ? { ownerId: target?.ownerId ?? input.userId, guildId: null }
          : { ownerId: null, guildId: target?.guildId ?? input.guildId };

      const st = statements(t);
      const keys = new Set(input.cards.map((c) => c.key));
      const existing = target ? await st.deckCards.all({ deckId: target.id }) : [];
      const retiring = existing.filter((c) => c.retiredAt === null && !keys.has(c.key));
      const studiedRows =
        target === undefined || retiring.length === 0
          ? []
          : owner.ownerId !== null
            ? await st.studiedByOwner.all({ deckId: target.id, ownerId: owner.ownerId })
            : await st.studiedInServer.all({ deckId: target.id, guildId: owner.guildId });
      const studied = new Set(studiedRows.map((r) => r.cardId));
      const retiringCounts = {
        cards: retiring.length,
        studied: retiring.filter((c) => studied.has(c.id)).length,
      };
      const found = target;
      const decksNow = await scopeDecks(t, owner);
      const decision = rules.decide({
        target,
        caseOnly,
        scope,
        cards: input.cards.length,
        // As writeDeck counts: a key the deck has never had.
        added: input.cards.length - existing.filter((c) => keys.has(c.key)).length,
        retired: retiringCounts.cards,
        retiredStudied: retiringCounts.studied,
        fingerprint: (of) =>
          scopeFingerprint(decksNow, of === "update" && found !== undefined ? retiringCounts : null),
      });
      if ("stop" in decision) return { stopped: decision.stop };
      // The service refuses it first (decide); a member's history never lands in a deck others study.
      if (input.progress !== undefined && scope !== "personal")
        throw new Error("an import's progress is for a personal deck only");

      const chosen = decision.write.name;
      const newScope = scopeOwner(scope, input.userId, input.guildId);
      const name =
        target === undefined
          ? await decideWithLookups(
              (taken) => freeDeckName(chosen, taken),
              async (candidate) => (await deckByName(t, newScope, candidate))?.exact === true,
            )
          : clipDeckName(chosen);
      const idOwner =
        scope === "personal" ? { scope, userId: input.userId } : { scope, guildId: input.guildId ?? "" };
      const id =
        target?.id ??
        (await decideWithLookups(
          (taken) => importDeckId(name, idOwner, taken),
          async (candidate) => (await managedDeck(t, candidate)) !== undefined,
        ));
      const written = await writeDeck(
        t,
        {
          id,
          name,
          description: input.description,
          filePath: null,
          cards: input.cards,
          source: "import",
          guildId: owner.guildId,
          ownerId: owner.ownerId,
        },
        now,
      );
      await writeDeckMedia(t, id, input.media ?? []);
      await addSubscription(t, input.userId, id, now);
      const progress =
        input.progress === undefined
          ? undefined
          : await writeImportedProgress(t, { userId: input.userId, deckId: id, progress: input.progress });
      return {
        written: {
          deckId: id,
          name,
          scope,
          created: target === undefined,
          ...written,
          ...(progress && { progress }),
        },
      };
    },
    { lockKey: importLock(input) },
  );
}
