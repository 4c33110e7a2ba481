/**
 * Fixing cards from Discord (issue 17): a card with its deck as a fix reads it (who may edit it, who may report
 * it), its edit (same card row, same key: every member's schedule stays), and the reports members file against
 * it until one of the deck's owners fixes or dismisses them.
 */
import { and, asc, count, eq, inArray, isNull, sql } from "drizzle-orm";
import { reversedFrom, reverseKey } from "../core/decks/reverse.ts";
import { questionFingerprint } from "../core/decks/text.ts";
import { type Db, tx } from "./client.ts";
import { sameQuestion } from "./deck-cards.ts";
import { deckVisible } from "./deck-visibility.ts";
import { MANAGED_COLUMNS, type ManagedDeck } from "./decks.ts";
import { once } from "./prepared.ts";
import { cardReports, cards, decks } from "./schema.ts";

export interface CardToFix {
  id: number;
  deckId: string;
  front: string;
  back: string;
  tags: string[];
  retiredAt: number | null;
  deck: ManagedDeck;
  /** The member sees the card's deck here (a report needs that). */
  visible: boolean;
}

/** A card, its deck, and whether `userId` sees that deck in `guildId`. */
export async function cardToFix(
  db: Db,
  cardId: number,
  who: { userId: string; guildId: string | null },
): Promise<CardToFix | undefined> {
  const row = await once(db, (b) =>
    b
      .select({
        id: cards.id,
        deckId: cards.deckId,
        front: cards.front,
        back: cards.back,
        tags: cards.tags,
        retiredAt: cards.retiredAt,
        deck: MANAGED_COLUMNS,
        visible:
          sql<number>`CASE WHEN ${deckVisible(decks, who.userId, who.guildId)} THEN 1 ELSE 0 END`.mapWith(
            Number,
          ),
      })
      .from(cards)
      .innerJoin(decks, eq(decks.id, cards.deckId))
      .where(eq(cards.id, cardId))
      .prepare(),
  ).get();
  if (!row) return undefined;
  return {
    ...row,
    retiredAt: row.retiredAt === null ? null : Number(row.retiredAt),
    visible: row.visible === 1,
  };
}

export type CardEdit = { kind: "edited"; reportsFixed: number } | { kind: "duplicate" } | { kind: "gone" };

/**
 * The other card of a card and its reverse (core/decks/reverse.ts): a file holds them as one card with the
 * `reversed` option, so an edit of either side is one of both (else an export would write the card's text only).
 */
function mirrorKey(card: { key: string; noteKey: string | null }): string | undefined {
  if (card.noteKey === null) return undefined;
  if (card.key === card.noteKey) return reverseKey(card.key);
  return reversedFrom(card.key) === card.noteKey ? card.noteKey : undefined;
}

/**
 * A card's new text, in one transaction under the deck's write lock: refused when another active card of the
 * deck has the same question; the card's open reports are marked fixed by `by`. A card with a reverse card (or a
 * reverse card) changes with it, its sides swapped, and that card's reports are fixed too.
 */
export async function editCard(
  db: Db,
  cardId: number,
  c: { front: string; back: string; tags: string[] },
  by: string,
  now: number,
): Promise<CardEdit> {
  const card = await once(db, (b) =>
    b
      .select({ deckId: cards.deckId, key: cards.key, noteKey: cards.noteKey })
      .from(cards)
      .where(eq(cards.id, cardId))
      .prepare(),
  ).get();
  if (!card) return { kind: "gone" };
  const partnerKey = mirrorKey(card);
  return tx(
    db,
    async (t): Promise<CardEdit> => {
      const partner =
        partnerKey === undefined
          ? undefined
          : await once(t, (b) =>
              b
                .select({ id: cards.id })
                .from(cards)
                .where(
                  and(
                    eq(cards.deckId, card.deckId),
                    eq(cards.key, partnerKey),
                    eq(cards.noteKey, card.noteKey ?? ""),
                    isNull(cards.retiredAt),
                  ),
                )
                .prepare(),
            ).get();
      const edits = [{ id: cardId, ...c }];
      if (partner) edits.push({ id: partner.id, front: c.back, back: c.front, tags: c.tags });
      const ids = edits.map((e) => e.id);
      // Each card's new question against the deck's other cards, and the pair's two questions against each other.
      const images = new Map(
        (
          await once(t, (b) =>
            b
              .select({ id: cards.id, frontImage: cards.frontImage })
              .from(cards)
              .where(inArray(cards.id, ids))
              .prepare(),
          ).all()
        ).map((r) => [r.id, r.frontImage]),
      );
      for (const e of edits)
        if ((await sameQuestion(t, card.deckId, e.front, ids, images.get(e.id) ?? null)) !== undefined)
          return { kind: "duplicate" };
      if (partner && questionFingerprint(c.front) === questionFingerprint(c.back))
        return { kind: "duplicate" };
      let reportsFixed = 0;
      for (const e of edits) {
        const res = await once(t, (b) =>
          b
            .update(cards)
            .set({ front: e.front, back: e.back, tags: e.tags })
            .where(and(eq(cards.id, e.id), isNull(cards.retiredAt)))
            .prepare(),
        ).run();
        if (res.changes === 0) return { kind: "gone" };
        const fixed = await once(t, (b) =>
          b
            .update(cardReports)
            .set({ status: "fixed", resolvedBy: by, resolvedAt: now })
            .where(and(eq(cardReports.cardId, e.id), eq(cardReports.status, "open")))
            .prepare(),
        ).run();
        reportsFixed += fixed.changes;
      }
      await once(t, (b) =>
        b
          .update(decks)
          .set({ updatedAt: new Date(now) })
          .where(eq(decks.id, card.deckId))
          .prepare(),
      ).run();
      return { kind: "edited", reportsFixed };
    },
    { lockKey: `deck:${card.deckId}` },
  );
}

/** Files a member's report on a card, or replaces the text of their open one: whether it was new. */
export async function fileReport(
  db: Db,
  r: { cardId: number; deckId: string; reporterId: string; guildId: string | null; text: string },
  now: number,
): Promise<"filed" | "updated"> {
  return tx(
    db,
    async (t) => {
      const updated = await once(t, (b) =>
        b
          .update(cardReports)
          .set({ text: r.text, createdAt: now })
          .where(
            and(
              eq(cardReports.cardId, r.cardId),
              eq(cardReports.reporterId, r.reporterId),
              eq(cardReports.status, "open"),
            ),
          )
          .prepare(),
      ).run();
      if (updated.changes > 0) return "updated" as const;
      await once(t, (b) =>
        b
          .insert(cardReports)
          .values({ ...r, createdAt: now, status: "open" })
          .prepare(),
      ).run();
      return "filed" as const;
    },
    { lockKey: r.reporterId },
  );
}

export interface OpenReport {
  id: number;
  cardId: number;
  front: string;
  text: string;
  reporterId: string;
  createdAt: number;
}

/** A deck's open reports, oldest first (at most `limit`), and how many are open in all. */
export async function openReports(
  db: Db,
  deckId: string,
  limit: number,
): Promise<{ reports: OpenReport[]; total: number }> {
  // A report on a card since removed from the deck has nothing left to fix: not listed.
  const open = and(
    eq(cardReports.deckId, deckId),
    eq(cardReports.status, "open"),
    sql`${cardReports.cardId} IN (SELECT ${cards.id} FROM ${cards} WHERE ${cards.deckId} = ${deckId} AND ${cards.retiredAt} IS NULL)`,
  );
  const reports = await once(db, (b) =>
    b
      .select({
        id: cardReports.id,
        cardId: cardReports.cardId,
        front: cards.front,
        text: cardReports.text,
        reporterId: cardReports.reporterId,
        createdAt: cardReports.createdAt,
      })
      .from(cardReports)
      .innerJoin(cards, eq(cards.id, cardReports.cardId))
      .where(open)
      .orderBy(asc(cardReports.createdAt), asc(cardReports.id))
      .limit(limit)
      .prepare(),
  ).all();
  const total = await once(db, (b) => b.select({ n: count() }).from(cardReports).where(open).prepare()).get();
  return { reports, total: Number(total?.n ?? 0) };
}

/** A report by id, with its deck (for the permission check before it is dismissed). */
export async function reportById(db: Db, id: number) {
  return once(db, (b) =>
    b
      .select({ id: cardReports.id, deckId: cardReports.deckId, status: cardReports.status })
      .from(cardReports)
      .where(eq(cardReports.id, id))
      .prepare(),
  ).get();
}

/** Dismisses an open report once: false when it was fixed or dismissed already (a double click). */
export async function dismissReport(db: Db, id: number, by: string, now: number): Promise<boolean> {
  const res = await once(db, (b) =>
    b
      .update(cardReports)
      .set({ status: "dismissed", resolvedBy: by, resolvedAt: now })
      .where(and(eq(cardReports.id, id), eq(cardReports.status, "open")))
      .prepare(),
  ).run();
  return res.changes > 0;
}
