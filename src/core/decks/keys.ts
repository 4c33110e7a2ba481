/**
 * Card keys for formats that carry none of their own. A card keeps its schedule by its key, so the key of an
 * imported card is a hash of its question: re-importing an updated file keeps the progress of every card whose
 * question is unchanged (its answer and tags may change). Anki's note guid, when the export has a guid column,
 * is used instead (it survives edits of the question).
 */

import { createHash } from "node:crypto";
import { CARD_KEY_PATTERN } from "./limits.ts";
import { reversedFrom } from "./reverse.ts";
import { questionFingerprint } from "./text.ts";

const digest = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);

/** `f-` + 16 hex digits of SHA-256 over the question with whitespace runs collapsed and ends trimmed. */
export function frontKey(front: string): string {
  return `f-${digest(questionFingerprint(front))}`;
}

/**
 * A key from an Anki guid (plus `suffix`, e.g. `.c2` for a cloze card): the guid itself when that makes a valid
 * card key, else `g-` + 16 hex digits of the guid's hash (Anki guids usually hold punctuation).
 */
export function guidKey(guid: string, suffix = ""): string {
  const g = guid.trim();
  // A reverse card the bot exported as a note of its own (`7~r`, anki-package/write.ts) keeps its key.
  const from = suffix === "" ? reversedFrom(g) : undefined;
  if (from !== undefined && CARD_KEY_PATTERN.test(from)) return g;
  return CARD_KEY_PATTERN.test(`${g}${suffix}`) ? `${g}${suffix}` : `g-${digest(g)}${suffix}`;
}

/**
 * The id of an imported deck. `decks.id` is one namespace for every deck of every server and user, so the id
 * carries its owner: a slug of the deck name (at most 24 characters, `deck` when nothing is left), `-`, then
 * `p` (personal) or `s` (server) and 7 hex digits of a hash of the owner's user id or the server id, e.g.
 * `spanish-verbs-p3f9a2c1`. If that id is taken anyway (another deck of the same owner with a name that
 * slugs the same, or a removed deck), `-2`, `-3`, … is appended. At most 40 characters (DECK_ID_PATTERN).
 */
export function importDeckId(
  name: string,
  owner: { scope: "personal"; userId: string } | { scope: "server"; guildId: string },
  taken: (id: string) => boolean,
): string {
  const slug =
    name
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+/, "")
      .slice(0, 24)
      .replace(/-+$/, "") || "deck";
  const tag =
    owner.scope === "personal"
      ? `p${digest(`user:${owner.userId}`).slice(0, 7)}`
      : `s${digest(`guild:${owner.guildId}`).slice(0, 7)}`;
  const base = `${slug}-${tag}`;
  if (!taken(base)) return base;
  for (let n = 2; ; n++) {
    const id = `${base}-${n}`;
    if (!taken(id)) return id;
  }
}
