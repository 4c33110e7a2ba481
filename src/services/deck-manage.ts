/**
 * Who may change an imported deck, and removing one. Personal decks: their owner. Server decks: Manage Server in
 * that server. Shipped file decks: nobody (they change with their file in decks/).
 */
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { UserError } from "../core/errors.ts";
import type { Db } from "../db/client.ts";
import type { ImportScope } from "../db/deck-imports.ts";
import { deckToManage, type ManagedDeck, retireDeck, searchManageableDecks as search } from "../db/decks.ts";
import { plain } from "./deck-file.ts";
import type { Deps } from "./deps.ts";

export type { ImportScope };

/** Who acts, and whether they hold Manage Server where they act. */
export interface Actor {
  userId: string;
  guildId: string | null;
  canManageServer: boolean;
}

/**
 * Checks that the member may change (re-import into, or remove) an imported deck, and says why not otherwise
 * (the refusal, as a UserError).
 */
export function assertCanManage(
  deck: ManagedDeck | undefined,
  who: Actor,
  deckId: string,
  action: "update" | "remove",
): asserts deck is ManagedDeck {
  const visible =
    deck !== undefined &&
    deck.retiredAt === null &&
    (deck.source === "file" ||
      deck.ownerId === who.userId ||
      (deck.ownerId === null && deck.guildId !== null && deck.guildId === who.guildId));
  if (!visible) throw new UserError(`There is no deck \`${plain(deckId)}\` here. See \`/deck list\`.`);
  if (deck.source === "file") {
    throw new UserError(
      `**${suppressLinkPreviews(deck.name)}** ships with the bot (a file in \`decks/\`), so it cannot be changed or removed here. You can \`/deck unsubscribe\` from it.`,
    );
  }
  if (deck.ownerId === null && !who.canManageServer) {
    throw new UserError(
      `**${suppressLinkPreviews(deck.name)}** is a server deck: to ${action} it you need the **Manage Server** permission.`,
    );
  }
}

const scopeOf = (deck: ManagedDeck): ImportScope => (deck.ownerId === null ? "server" : "personal");

/** Imported decks `userId` may update or remove here, matching `query` (autocomplete), at most 25. */
export async function searchManageableDecks(
  db: Db,
  userId: string,
  guildId: string | null,
  canManageServer: boolean,
  query: string,
) {
  return search(db, userId, guildId, canManageServer, query);
}

/** Checks that the deck can be removed by this member (before asking for confirmation); returns it. */
export async function checkRemovable(
  db: Db,
  who: Actor,
  deckId: string,
): Promise<{ id: string; name: string; scope: ImportScope }> {
  const deck = await deckToManage(db, deckId);
  assertCanManage(deck, who, deckId, "remove");
  return { id: deck.id, name: deck.name, scope: scopeOf(deck) };
}

/**
 * Retires an imported deck: it disappears from lists, studies and quizzes; its cards, card states and review
 * history stay for stats. Permission is checked again, in the same transaction (the click may come later than
 * the question).
 */
export async function removeDeck(
  deps: Pick<Deps, "db" | "clock">,
  who: Actor,
  deckId: string,
): Promise<{ id: string; name: string }> {
  const deck = await retireDeck(deps.db, deckId, deps.clock.now(), (found) => {
    assertCanManage(found, who, deckId, "remove");
    return found;
  });
  return { id: deck.id, name: deck.name };
}
