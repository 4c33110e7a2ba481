/**
 * Bring your own deck: importing a file into a personal or server deck, re-importing it (progress kept by card
 * key), and removing an imported deck. Rules (README "Decks", decks/FORMAT.md "Importing"):
 *
 * - A file is refused, with nothing written, when it is over 1 MiB, not UTF-8 text, or has any deck error
 *   (each named with its line); over 5,000 cards or a side over 1,500 characters after conversion is an error.
 * - Personal decks are seen by their owner only (in every server); server decks by everyone in that server and
 *   need Manage Server to import, update or remove.
 * - Re-importing into the same deck (same name in the same scope, or the `deck` option) matches cards by key,
 *   so unchanged cards keep everyone's progress; new cards are added and missing ones retired. An update that
 *   would retire a card someone has studied, or whose deck matched only by a name in other capitals, is a
 *   question first (ImportConfirm): nothing is written until a confirm button vouches for the same state.
 * - Everything is written in one transaction, and the importer is subscribed in it.
 */
import { createHash } from "node:crypto";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { decodeDeckBytes } from "../core/decks/decode.ts";
import { frontKey, importDeckId } from "../core/decks/keys.ts";
import { MAX_DECK_NAME_CHARS, MAX_IMPORT_BYTES } from "../core/decks/limits.ts";
import {
  type DeckFormat,
  type DeckIssue,
  FORMAT_NAMES,
  formatIssue,
  type ParsedCard,
  type ParseOptions,
  parseDeckSteps,
  renderNative,
} from "../core/decks/parse.ts";
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { UserError } from "../core/errors.ts";
import { type Db, tx } from "../db/client.ts";
import { preparedOnce } from "../db/prepared.ts";
import { decks, subscriptions } from "../db/schema.ts";
import { upsertDeck } from "./deck-sync.ts";
import type { Deps } from "./deps.ts";
import { runInSlices, runSteps, type Steps } from "./slices.ts";

export type ImportScope = "personal" | "server";

export interface ImportRequest {
  userId: string;
  guildId: string | null;
  /** Whether the member has Manage Server here (interaction.memberPermissions), checked at run time. */
  canManageServer: boolean;
  fileName: string;
  bytes: Uint8Array;
  /** Parse options: a forced format and the TSV separators (already resolved). */
  parse?: ParseOptions;
  /** Deck name; default: the name in the file (Anki deck, Brainscape title, native name), else the file name. */
  name?: string;
  /** An imported deck to update (its id); default: the deck with the same name in the scope, or a new one. */
  deckId?: string;
  scope: ImportScope;
  /** Largest file accepted; default MAX_IMPORT_BYTES (a confirm re-reads the bot's own, larger, native file). */
  maxBytes?: number;
  /** The format to report (a confirm re-reads a native file converted from the member's file). */
  shownFormat?: DeckFormat;
  /**
   * A confirm button's click: `asNew` imports as a new deck; otherwise the update of `deckId` goes ahead.
   * Either way only while the scope is in the state the fingerprint was taken in (else "stale").
   */
  confirmed?: { asNew: boolean; fingerprint: string };
}

export interface ImportReport {
  kind: "imported";
  deckId: string;
  name: string;
  scope: ImportScope;
  created: boolean;
  format: DeckFormat;
  cards: number;
  added: number;
  kept: number;
  retired: number;
  preview: Pick<ParsedCard, "front" | "back">[];
  warnings: DeckIssue[];
}

/**
 * An update that needs the member's word first: it would retire cards someone has studied, or its deck was
 * found only by a name in other capitals. Nothing was written; `file` holds the parsed cards for the buttons.
 */
export interface ImportConfirm {
  kind: "confirm";
  /** The deck that would be updated, its name and scope. */
  deckId: string;
  name: string;
  scope: ImportScope;
  /** The deck was found by its name in other capitals only (it may well be another deck). */
  caseOnly: boolean;
  /** The name the import asked for (or found in the file): a new deck gets it. */
  importName: string;
  format: DeckFormat;
  cards: number;
  added: number;
  kept: number;
  retired: number;
  /** Of the retired cards, how many someone has studied. */
  retiredStudied: number;
  updateFingerprint: string;
  newFingerprint: string;
  warnings: DeckIssue[];
  file: { name: string; bytes: Buffer };
}

/** A confirm clicked after the deck changed (another import, a removal, new progress, a double click). */
export interface ImportStale {
  kind: "stale";
  deckId: string;
}

export type ImportOutcome = ImportReport | ImportConfirm | ImportStale;

interface DeckCardRow {
  id: number;
  key: string;
  active: number;
}

/** At most this many problems are listed in a refusal (the CLI `deck check` lists them all). */
export const MAX_LISTED_PROBLEMS = 5;

const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
const plain = (text: string): string => text.replace(/[`\r\n]/g, "'").slice(0, 100);

/** A file name as quoted in replies: no backticks or line breaks, at most 100 characters. */
export const shownFileName = plain;

/**
 * Downloads an attachment, refusing anything over `maxBytes` before reading it whole: by its declared size,
 * by the response's Content-Length, and while streaming (in case either lies).
 */
export async function downloadAttachment(
  file: { url: string; name: string; size: number },
  opts: { maxBytes?: number; timeoutMs?: number; fetch?: typeof fetch } = {},
): Promise<Uint8Array> {
  const max = opts.maxBytes ?? MAX_IMPORT_BYTES;
  const tooBig = (size: number | string) =>
    new UserError(
      `\`${plain(file.name)}\` is ${typeof size === "number" ? mib(size) : size}; the limit for an import is 1 MiB (${max.toLocaleString("en-US")} bytes). Split the deck into smaller files. Nothing was imported.`,
    );
  if (file.size > max) throw tooBig(file.size);
  const doFetch = opts.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(file.url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
  } catch {
    throw new UserError(
      "I could not download the file from Discord. Please try again. Nothing was imported.",
    );
  }
  if (!res.ok || res.body === null) {
    throw new UserError(
      `I could not download the file from Discord (HTTP ${res.status}). Please try again. Nothing was imported.`,
    );
  }
  const declared = Number(res.headers.get("content-length") ?? Number.NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body.cancel().catch(() => {});
    throw tooBig(declared);
  }
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooBig("over 1 MiB");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  return bytes;
}

/** The refusal for a file with errors: the first few problems with their lines, and that nothing changed. */
function refused(fileName: string, format: DeckFormat | undefined, problems: DeckIssue[]): UserError {
  const n = problems.length;
  const listed = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map((p) => `• ${suppressLinkPreviews(formatIssue(p))}`);
  if (n > MAX_LISTED_PROBLEMS) listed.push(`• … and ${n - MAX_LISTED_PROBLEMS} more`);
  const as = format === undefined ? "" : ` (read as ${FORMAT_NAMES[format]})`;
  return new UserError(
    [
      `**Nothing was imported** from \`${plain(fileName)}\`${as}: ${n} problem${n === 1 ? "" : "s"}.`,
      ...listed,
      "Fix the file and import it again; `npm run deck -- check FILE` lists every problem.",
    ].join("\n"),
  );
}

/** A deck name from a file name: its base name without extensions, separators as spaces. */
export function nameFromFileName(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? "").replace(/\.[A-Za-z0-9]{1,10}$/, "");
  const name = base
    .replace(/\.(brainscape|anki|quizlet|deck)$/i, "")
    .replace(/[_]+/g, " ")
    .trim();
  return name === "" ? "Imported deck" : name;
}

interface DeckRow {
  id: string;
  name: string;
  source: "file" | "import";
  guildId: string | null;
  ownerId: string | null;
  retiredAt: Date | null;
}

function deckRow(db: Db, id: string): DeckRow | undefined {
  return db
    .select({
      id: decks.id,
      name: decks.name,
      source: decks.source,
      guildId: decks.guildId,
      ownerId: decks.ownerId,
      retiredAt: decks.retiredAt,
    })
    .from(decks)
    .where(eq(decks.id, id))
    .get();
}

const SERVER_PERMISSION =
  "Server decks need the **Manage Server** permission. Import it as a personal deck (`scope: personal`) instead, or ask a moderator.";

/**
 * Checks that `userId` may change (re-import into, or remove) an imported deck, and says why not otherwise.
 * Personal decks: their owner. Server decks: Manage Server in that server. Shipped file decks: nobody.
 */
function assertCanManage(
  deck: DeckRow | undefined,
  who: { userId: string; guildId: string | null; canManageServer: boolean },
  deckId: string,
  action: "update" | "remove",
): asserts deck is DeckRow {
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

/** Imported decks `userId` may update or remove here, matching `query` (autocomplete), at most 25. */
export function searchManageableDecks(
  db: Db,
  userId: string,
  guildId: string | null,
  canManageServer: boolean,
  query: string,
) {
  const q = `%${query.toLowerCase().replace(/[%_\\]/g, "\\$&")}%`;
  const server =
    canManageServer && guildId !== null ? sql`OR (d.guild_id = ${guildId} AND d.owner_id IS NULL)` : sql``;
  return db.all<{ id: string; name: string; personal: number }>(sql`
    SELECT d.id, d.name, d.owner_id IS NOT NULL AS personal FROM decks d
    WHERE d.source = 'import' AND d.retired_at IS NULL AND (d.owner_id = ${userId} ${server})
      AND (lower(d.id) LIKE ${q} ESCAPE '\\' OR lower(d.name) LIKE ${q} ESCAPE '\\')
    ORDER BY d.name COLLATE NOCASE LIMIT 25`);
}

/** The plain reads an import's plan needs (exported for the query-plan test), prepared once per connection. */
export const IMPORT_SQL = {
  // The cards of the deck being updated, active or retired.
  deckCards: `SELECT id, key, retired_at IS NULL AS active FROM cards WHERE deck_id = @deckId`,
  // Its cards someone has studied (a card state exists). card_states is keyed by member: a personal deck's only
  // student is its owner; a server deck's are among that server's members (a review writes the member row in
  // the same transaction) and its subscribers, each an index seek instead of a scan of every state.
  studiedCards: `SELECT DISTINCT cs.card_id FROM card_states cs
    WHERE cs.deck_id = @deckId AND cs.user_id IN (
      SELECT @ownerId WHERE @ownerId IS NOT NULL
      UNION SELECT m.user_id FROM stat_guild_members m WHERE @ownerId IS NULL AND m.guild_id = @guildId
      UNION SELECT s.user_id FROM subscriptions s WHERE @ownerId IS NULL AND s.deck_id = @deckId)`,
  // Active imported decks of one scope (a member's personal decks, or a server's decks) with their card counts.
  scopeDecks: `SELECT d.id, d.updated_at AS updatedAt,
      (SELECT count(*) FROM cards c WHERE c.deck_id = d.id AND c.retired_at IS NULL) AS cards
    FROM decks d WHERE d.source = 'import' AND d.retired_at IS NULL
      AND ((@ownerId IS NOT NULL AND d.owner_id = @ownerId)
        OR (@ownerId IS NULL AND d.owner_id IS NULL AND d.guild_id = @guildId))
    ORDER BY d.id`,
} as const;
const statements = preparedOnce(IMPORT_SQL, (key, stmt) => (key === "studiedCards" ? stmt.pluck() : stmt));

/**
 * What a confirm button vouches for: the scope's decks as they were when the member was asked (ids, last
 * update, card counts) and, for an update, what it would retire. Any import, removal or new progress in between
 * changes it, so a stale or repeated confirm finds a different value and changes nothing.
 */
function fingerprint(
  db: Db,
  owner: { ownerId: string | null; guildId: string | null },
  retiring?: { cards: number; studied: number },
): string {
  const decksNow = statements(db).scopeDecks.all(owner) as { id: string; updatedAt: number; cards: number }[];
  const state = JSON.stringify([decksNow.map((d) => [d.id, d.updatedAt, d.cards]), retiring ?? null]);
  return createHash("sha256").update(state).digest("base64url").slice(0, 10);
}

/** The active imported deck of a scope with this name: exactly this name first, else the same letters in any case. */
function deckByName(
  db: Db,
  req: Pick<ImportRequest, "scope" | "userId" | "guildId">,
  name: string,
): { deck: DeckRow; exact: boolean } | undefined {
  const scopeWhere =
    req.scope === "personal"
      ? eq(decks.ownerId, req.userId)
      : and(isNull(decks.ownerId), eq(decks.guildId, req.guildId ?? ""));
  const found = db
    .select({ id: decks.id, name: decks.name })
    .from(decks)
    .where(
      and(
        eq(decks.source, "import"),
        isNull(decks.retiredAt),
        scopeWhere,
        sql`lower(${decks.name}) = ${name.toLowerCase()}`,
      ),
    )
    .orderBy(sql`${decks.name} = ${name} DESC`, desc(decks.updatedAt))
    .get();
  const deck = found === undefined ? undefined : deckRow(db, found.id);
  return deck === undefined ? undefined : { deck, exact: deck.name === name };
}

/** `name`, or `name (2)`, `name (3)`, … when an active deck of the scope already has exactly that name. */
function freeName(db: Db, req: Pick<ImportRequest, "scope" | "userId" | "guildId">, name: string): string {
  for (let n = 1; ; n++) {
    const suffix = n === 1 ? "" : ` (${n})`;
    const candidate = [...name].slice(0, MAX_DECK_NAME_CHARS - suffix.length).join("") + suffix;
    if (deckByName(db, req, candidate)?.exact !== true) return candidate;
  }
}

/**
 * Parses, validates and writes an import in one transaction, as steps (slices.ts): `importDeck` runs them at
 * once, `importDeckInSlices` gives the event loop back between them. Throws a UserError (nothing written) on a
 * refusal. An update that would retire studied cards, or that found its deck only by a name in other capitals,
 * writes nothing and returns a question instead ("confirm"), unless `confirmed` vouches for exactly that state.
 */
export function* importSteps(
  deps: Pick<Deps, "db" | "clock" | "log">,
  req: ImportRequest,
): Steps<ImportOutcome> {
  const { db } = deps;
  if (req.scope === "server") {
    if (req.guildId === null) throw new UserError("Server decks can only be imported in a server.");
    if (!req.canManageServer) throw new UserError(SERVER_PERMISSION);
  }
  const maxBytes = req.maxBytes ?? MAX_IMPORT_BYTES;
  if (req.bytes.byteLength > maxBytes) {
    throw new UserError(
      `\`${plain(req.fileName)}\` is ${mib(req.bytes.byteLength)}; the limit for an import is 1 MiB. Nothing was imported.`,
    );
  }
  const decoded = decodeDeckBytes(req.bytes);
  if (!decoded.ok) throw refused(req.fileName, undefined, [{ line: 1, message: decoded.reason }]);
  if (decoded.text.replace(/^\uFEFF/, "").trim() === "")
    throw refused(req.fileName, undefined, [{ line: 1, message: "the file is empty" }]);
  yield;
  const parsed = yield* parseDeckSteps(decoded.text, { fileName: req.fileName, ...req.parse });
  if (parsed.errors.length > 0) throw refused(req.fileName, parsed.format, parsed.errors);
  yield;

  // Cards numbered by position (Brainscape) would hand schedules to other cards when one is inserted.
  const cards =
    parsed.keys === "numbered" ? parsed.cards.map((c) => ({ ...c, key: frontKey(c.front) })) : parsed.cards;
  const requestedName = req.name?.replace(/\s+/g, " ").trim();
  const fileName = parsed.meta.name?.trim() || nameFromFileName(req.fileName);
  const format = req.shownFormat ?? parsed.format;
  yield;

  const outcome = tx(db, (): ImportReport | Omit<ImportConfirm, "file"> | ImportStale => {
    const now = deps.clock.now();
    let target: DeckRow | undefined;
    let caseOnly = false;
    if (req.deckId !== undefined && req.deckId !== "") {
      target = deckRow(db, req.deckId);
      assertCanManage(target, req, req.deckId, "update");
    } else if (req.confirmed?.asNew !== true) {
      const match = deckByName(db, req, requestedName || fileName);
      target = match?.deck;
      caseOnly = match !== undefined && !match.exact;
    }
    const scope: ImportScope =
      target !== undefined ? (target.ownerId === null ? "server" : "personal") : req.scope;
    const owner =
      scope === "personal"
        ? { ownerId: target?.ownerId ?? req.userId, guildId: null }
        : { ownerId: null, guildId: target?.guildId ?? req.guildId };

    const keys = new Set(cards.map((c) => c.key));
    const existing = target ? (statements(db).deckCards.all({ deckId: target.id }) as DeckCardRow[]) : [];
    const retiring = existing.filter((c) => c.active === 1 && !keys.has(c.key));
    const studied = new Set<number>(
      target && retiring.length > 0
        ? (statements(db).studiedCards.all({ deckId: target.id, ...owner }) as number[])
        : [],
    );
    const retiringCounts = {
      cards: retiring.length,
      studied: retiring.filter((c) => studied.has(c.id)).length,
    };
    // As upsertDeck counts: a key the deck has never had (a retired card coming back keeps its progress).
    const added = cards.length - existing.filter((c) => keys.has(c.key)).length;
    if (req.confirmed !== undefined) {
      const vouched = req.confirmed.asNew
        ? fingerprint(db, owner)
        : fingerprint(db, owner, target ? retiringCounts : undefined);
      if (vouched !== req.confirmed.fingerprint) return { kind: "stale", deckId: target?.id ?? "" };
    } else if (target !== undefined && (retiringCounts.studied > 0 || caseOnly)) {
      return {
        kind: "confirm",
        deckId: target.id,
        name: target.name,
        scope,
        caseOnly,
        importName: requestedName || fileName,
        format,
        cards: cards.length,
        added,
        kept: cards.length - added,
        retired: retiringCounts.cards,
        retiredStudied: retiringCounts.studied,
        updateFingerprint: fingerprint(db, owner, retiringCounts),
        newFingerprint: fingerprint(db, owner),
        warnings: parsed.warnings,
      };
    }

    const chosenName = requestedName || target?.name || fileName;
    const name =
      target === undefined
        ? freeName(db, { ...req, scope }, chosenName)
        : [...chosenName].slice(0, MAX_DECK_NAME_CHARS).join("");
    const id =
      target?.id ??
      importDeckId(
        name,
        scope === "personal" ? { scope, userId: req.userId } : { scope, guildId: req.guildId ?? "" },
        (candidate) => deckRow(db, candidate) !== undefined,
      );
    const written = upsertDeck(deps, {
      id,
      name,
      description: parsed.meta.description ?? "",
      filePath: null,
      cards,
      source: "import",
      guildId: owner.guildId,
      ownerId: owner.ownerId,
    });
    db.insert(subscriptions)
      .values({ userId: req.userId, deckId: id, createdAt: now })
      .onConflictDoNothing()
      .run();
    deps.log.info(
      { deck: id, format, cards: cards.length, ...written, created: target === undefined },
      "deck imported",
    );
    return {
      kind: "imported",
      deckId: id,
      name,
      scope,
      created: target === undefined,
      format,
      cards: cards.length,
      added: written.added,
      kept: cards.length - written.added,
      retired: written.retired,
      preview: cards.slice(0, 3).map(({ front, back }) => ({ front, back })),
      warnings: parsed.warnings,
    };
  });
  if (outcome.kind !== "confirm") return outcome;
  yield;
  // The confirm carries the parsed cards as a native file (keys included): the button finds them again there.
  const meta = {
    id: outcome.deckId,
    name: [...outcome.importName].slice(0, MAX_DECK_NAME_CHARS).join(""),
    description: parsed.meta.description ?? "",
  };
  const native = renderNative(meta, cards);
  return { ...outcome, file: { name: PENDING_FILE_NAME, bytes: Buffer.from(native, "utf8") } };
}

/** The file a confirm question carries: what its buttons import. */
export const PENDING_FILE_NAME = "import.deck";

/** Runs an import at once (tests, scripts). */
export function importDeck(deps: Pick<Deps, "db" | "clock" | "log">, req: ImportRequest): ImportOutcome {
  return runSteps(importSteps(deps, req));
}

/** Runs an import in slices that give the event loop back (the bot). */
export function importDeckInSlices(
  deps: Pick<Deps, "db" | "clock" | "log">,
  req: ImportRequest,
): Promise<ImportOutcome> {
  return runInSlices(importSteps(deps, req));
}

/** Checks that the deck can be removed by this member (before asking for confirmation); returns it. */
export function checkRemovable(
  db: Db,
  who: { userId: string; guildId: string | null; canManageServer: boolean },
  deckId: string,
): { id: string; name: string; scope: ImportScope } {
  const deck = deckRow(db, deckId);
  assertCanManage(deck, who, deckId, "remove");
  return { id: deck.id, name: deck.name, scope: deck.ownerId === null ? "server" : "personal" };
}

/**
 * Retires an imported deck: it disappears from lists, studies and quizzes; its cards, card states and review
 * history stay for stats. Permission is checked again (the click may come later than the question).
 */
export function removeDeck(
  deps: Pick<Deps, "db" | "clock">,
  who: { userId: string; guildId: string | null; canManageServer: boolean },
  deckId: string,
): { id: string; name: string } {
  return tx(deps.db, () => {
    const deck = checkRemovable(deps.db, who, deckId);
    const now = deps.clock.now();
    deps.db.update(decks).set({ retiredAt: now, updatedAt: now }).where(eq(decks.id, deck.id)).run();
    return { id: deck.id, name: deck.name };
  });
}
