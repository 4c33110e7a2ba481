/**
 * Bring your own deck: importing a file into a personal or server deck, and re-importing it (progress kept by
 * card key). Rules (README "Decks", decks/FORMAT.md "Importing"):
 *
 * - A file is refused, with nothing written, when it is over 1 MiB, not UTF-8 text, or has any deck error
 *   (each named with its line); over 5,000 cards or a side over 1,500 characters after conversion is an error
 *   (deck-file.ts reads it).
 * - Personal decks are seen by their owner only (in every server); server decks by everyone in that server and
 *   need Manage Server to import, update or remove (deck-manage.ts).
 * - Re-importing into the same deck (same name in the same scope, or the `deck` option) matches cards by key,
 *   so unchanged cards keep everyone's progress; new cards are added and missing ones retired. An update that
 *   would retire a card someone has studied, or whose deck matched only by a name in other capitals, is a
 *   question first (ImportConfirm): nothing is written until a confirm button vouches for the same state.
 * - Everything is written in one transaction (src/db/deck-imports.ts), and the importer is subscribed in it.
 * - `import_progress` (an Anki package into a personal deck only): the package's review log becomes the
 *   importer's history and card states, replayed through ts-fsrs with their own settings (anki-package/progress.ts,
 *   db/imported-progress.ts); a card they already have a state of keeps it. Refused, with nothing written, for a
 *   server deck and for a text file (no review log).
 */
import { clipDeckName } from "../core/decks/import-rules.ts";
import {
  type DeckFormat,
  type DeckIssue,
  type ParsedCard,
  type ParseOptions,
  renderNative,
} from "../core/decks/parse.ts";
import { UserError } from "../core/errors.ts";
import {
  type ImportDecision,
  type ImportPlan,
  type ImportScope,
  importIntoDeck,
} from "../db/deck-imports.ts";
import type { ProgressWritten } from "../db/imported-progress.ts";
import { readScheduling } from "../db/user-settings.ts";
import { type ReplayedPackage, replayPackageHistory } from "./anki-package/progress.ts";
import { PACKAGE_LIMITS } from "./anki-package/read.ts";
import {
  downloadAttachment,
  type ImportFile,
  importLimitFor,
  nameFromFileName,
  readImportFile,
} from "./deck-file.ts";
import { assertCanManage } from "./deck-manage.ts";
import type { Deps } from "./deps.ts";
import { atOnce, inSlices, type Runner, type Steps } from "./slices.ts";

// The import's other jobs, where callers have always found them.
export { downloadAttachment, MAX_LISTED_PROBLEMS, nameFromFileName, shownFileName } from "./deck-file.ts";
export { checkRemovable, removeDeck, searchManageableDecks } from "./deck-manage.ts";
export type { ImportScope };

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
  /** `import_progress`: the Anki package's review history becomes the member's (personal decks only). */
  progress?: boolean;
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
  /** The images the deck now has (an Anki package's). */
  images: number;
  warnings: DeckIssue[];
  /** With `import_progress`: what of the package's history became the member's. */
  progress?: ProgressWritten;
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
  /** The import asked for the package's progress: the buttons ask for it again. */
  progress: boolean;
  file: { name: string; bytes: Buffer };
}

/** A confirm clicked after the deck changed (another import, a removal, new progress, a double click). */
export interface ImportStale {
  kind: "stale";
  deckId: string;
}

export type ImportOutcome = ImportReport | ImportConfirm | ImportStale;

/** The file a confirm question carries: what its buttons import (the bot's native rendering of a text import). */
export const PENDING_FILE_NAME = "import.deck";
/**
 * A package's question carries the package itself (a native rendering would lose its review log and images), named
 * for the deck it would import as ("My Spanish.apkg"): "Import as a new deck" reads that name back, as a native
 * file's question carries it in its `name:` line.
 */
const PENDING_PACKAGE = /\.apkg$/;
export const pendingPackageName = (importName: string): string =>
  // Deck names are free text; a file name holds none of the characters file systems refuse (nor control ones).
  `${
    [...clipDeckName(importName)]
      .map((c) => (c < " " || '\\/:*?"<>|'.includes(c) ? " " : c))
      .join("")
      .trim() || "import"
  }.apkg`;

/** Whether a message's attachment is a confirm question's file. */
export const isPendingFile = (name: string): boolean =>
  name === PENDING_FILE_NAME || PENDING_PACKAGE.test(name);

export const PROGRESS_PERSONAL_ONLY =
  "`import_progress` brings your own Anki review history, so it is for a personal deck only (`scope: personal`). Nothing was imported.";

export const SERVER_PERMISSION =
  "Server decks need the **Manage Server** permission. Import it as a personal deck (`scope: personal`) instead, or ask a moderator.";

/**
 * Who may import into the requested scope: a server deck needs a server and Manage Server there, and takes no
 * one's progress.
 */
export function checkImportScope(
  req: Pick<ImportRequest, "scope" | "guildId" | "canManageServer" | "progress">,
): void {
  if (req.scope !== "server") return;
  if (req.progress === true) throw new UserError(PROGRESS_PERSONAL_ONLY);
  if (req.guildId === null) throw new UserError("Server decks can only be imported in a server.");
  if (!req.canManageServer) throw new UserError(SERVER_PERMISSION);
}

/** What an import runs on: the member's own scheduler replays a package's progress. */
type ImportDeps = Pick<Deps, "db" | "clock" | "log" | "schedulers">;

type Stopped = ImportStale | Omit<ImportConfirm, "file">;

/**
 * The rules the import's unit of work applies to what it read: progress only into a personal deck (the `deck`
 * option may name a server deck); a confirm goes ahead only at its fingerprint; an update that would retire
 * studied cards, or whose deck matched only in other capitals, asks first.
 */
function decideImport(
  req: ImportRequest,
  file: ImportFile,
  requestedName: string | undefined,
  warnings: DeckIssue[],
) {
  const format = req.shownFormat ?? file.format;
  const importName = requestedName || file.fileDeckName;
  return (plan: ImportPlan): ImportDecision<Stopped> => {
    if (req.progress === true && plan.scope !== "personal") throw new UserError(PROGRESS_PERSONAL_ONLY);
    if (req.confirmed !== undefined) {
      const vouched = plan.fingerprint(req.confirmed.asNew ? "new" : "update");
      if (vouched !== req.confirmed.fingerprint)
        return { stop: { kind: "stale", deckId: plan.target?.id ?? "" } };
    } else if (plan.target !== undefined && (plan.retiredStudied > 0 || plan.caseOnly)) {
      return {
        stop: {
          kind: "confirm",
          deckId: plan.target.id,
          name: plan.target.name,
          scope: plan.scope,
          caseOnly: plan.caseOnly,
          importName,
          format,
          cards: plan.cards,
          added: plan.added,
          kept: plan.cards - plan.added,
          retired: plan.retired,
          retiredStudied: plan.retiredStudied,
          updateFingerprint: plan.fingerprint("update"),
          newFingerprint: plan.fingerprint("new"),
          warnings,
          progress: req.progress === true,
        },
      };
    }
    return { write: { name: requestedName || plan.target?.name || file.fileDeckName } };
  };
}

/**
 * Parses, validates and writes an import in one transaction; `run` runs the parsing at once or in slices that
 * give the event loop back. Throws a UserError (nothing written) on a refusal. An update that would retire
 * studied cards, or that found its deck only by a name in other capitals, writes nothing and returns a question
 * instead ("confirm"), unless `confirmed` vouches for exactly that state.
 */
async function runImport(deps: ImportDeps, req: ImportRequest, run: Runner): Promise<ImportOutcome> {
  checkImportScope(req);
  const file = await run(readImportFile(req));
  const replayed = req.progress === true ? await replayProgress(deps, req.userId, file, run) : undefined;
  const warnings = replayed ? [...file.warnings, ...replayed.warnings] : file.warnings;
  const requestedName = req.name?.replace(/\s+/g, " ").trim();
  const format = req.shownFormat ?? file.format;
  const explicit = req.deckId !== undefined && req.deckId !== "";
  const result = await importIntoDeck(
    deps.db,
    {
      userId: req.userId,
      guildId: req.guildId,
      scope: req.scope,
      ...(explicit
        ? { deckId: req.deckId }
        : req.confirmed?.asNew !== true && { matchName: requestedName || file.fileDeckName }),
      description: file.description,
      cards: file.cards,
      media: file.media,
      ...(replayed && { progress: replayed.progress }),
    },
    deps.clock.now(),
    {
      canUpdate: (deck) => {
        assertCanManage(deck, req, req.deckId ?? "", "update");
        return deck;
      },
      decide: decideImport(req, file, requestedName, warnings),
    },
  );
  if ("stopped" in result) {
    const stopped = result.stopped;
    return stopped.kind === "stale" ? stopped : run(withPendingFile(stopped, file, req.bytes));
  }
  const { written } = result;
  deps.log.info(
    {
      deck: written.deckId,
      format,
      cards: file.cards.length,
      added: written.added,
      retired: written.retired,
      created: written.created,
      ...(written.progress && { progress: written.progress }),
    },
    "deck imported",
  );
  return {
    kind: "imported",
    deckId: written.deckId,
    name: written.name,
    scope: written.scope,
    created: written.created,
    format,
    cards: file.cards.length,
    added: written.added,
    kept: file.cards.length - written.added,
    retired: written.retired,
    preview: file.cards.slice(0, 3).map(({ front, back }) => ({ front, back })),
    images: file.media.length,
    warnings,
    ...(written.progress && { progress: written.progress }),
  };
}

/** The package's history replayed with the member's own scheduler (anki-package/progress.ts). */
async function replayProgress(
  deps: ImportDeps,
  userId: string,
  file: ImportFile,
  run: Runner,
): Promise<ReplayedPackage> {
  // readImportFile refused a file without history already; a package without revlog has an empty one.
  const byKey = file.history?.byKey ?? new Map();
  if (byKey.size === 0) return { progress: [], warnings: [] };
  const scheduler = deps.schedulers.for(await readScheduling(deps.db, userId));
  const keys = file.cards.map((c) => c.key);
  return run(replayPackageHistory(byKey, keys, scheduler, deps.clock.now()));
}

/**
 * The confirm carries the parsed cards as a native file (keys included): the button finds them again there. A
 * package's carries the package as it came (its review log, its media): the button reads it again as a package.
 */
function* withPendingFile(
  question: Omit<ImportConfirm, "file">,
  file: ImportFile,
  bytes: Uint8Array,
): Steps<ImportConfirm> {
  if (file.format === "apkg")
    return {
      ...question,
      file: { name: pendingPackageName(question.importName), bytes: Buffer.from(bytes) },
    };
  yield;
  const meta = {
    id: question.deckId,
    name: clipDeckName(question.importName),
    description: file.description,
  };
  const native = renderNative(meta, file.cards);
  return { ...question, file: { name: PENDING_FILE_NAME, bytes: Buffer.from(native, "utf8") } };
}

/** Runs an import at once (tests, scripts). */
export function importDeck(deps: ImportDeps, req: ImportRequest): Promise<ImportOutcome> {
  return runImport(deps, req, atOnce);
}

/** Runs an import in slices that give the event loop back (the bot). */
export function importDeckInSlices(deps: ImportDeps, req: ImportRequest): Promise<ImportOutcome> {
  return runImport(deps, req, inSlices());
}

/** An attached file as Discord describes it. */
export interface Attachment {
  url: string;
  name: string;
  size: number;
}

/**
 * `/deck import` of an attachment: checks the scope, then `acknowledge`s (the download and a 5,000-card import
 * take longer than a click should wait for), downloads, and imports in slices so other members' clicks are
 * answered meanwhile.
 */
export async function importAttachment(
  deps: ImportDeps,
  file: Attachment,
  req: Omit<ImportRequest, "fileName" | "bytes">,
  acknowledge: () => Promise<unknown>,
): Promise<ImportOutcome> {
  checkImportScope(req);
  await acknowledge();
  const bytes = await downloadAttachment(file, { maxBytes: importLimitFor(file.name) });
  return importDeckInSlices(deps, { ...req, fileName: file.name, bytes });
}

/** The question's own file: the bot's native rendering of a ≤ 1 MiB import, somewhat larger at most. */
const MAX_PENDING_BYTES = 4 * 1024 * 1024;

/**
 * "Update it" / "Import as a new deck" under an import's question: imports the cards of the question's attached
 * file (`acknowledge`d first), but only while the deck is as it was when asked (the fingerprint; else "stale").
 * A package's question carries the package (pendingPackageName): read again as one, with its progress when the
 * import asked for it (`answer.progress`, from the button).
 */
export async function confirmPendingImport(
  deps: ImportDeps,
  who: Pick<ImportRequest, "userId" | "guildId" | "canManageServer">,
  file: Attachment,
  answer: { format: DeckFormat; fingerprint: string; progress?: boolean } & (
    | { asNew: false; deckId: string }
    | { asNew: true; scope: ImportScope }
  ),
  acknowledge: () => Promise<unknown>,
): Promise<ImportOutcome> {
  await acknowledge();
  const isPackage = PENDING_PACKAGE.test(file.name);
  const maxBytes = isPackage ? PACKAGE_LIMITS.bytes : MAX_PENDING_BYTES;
  const bytes = await downloadAttachment(file, { maxBytes });
  return importDeckInSlices(deps, {
    ...who,
    fileName: file.name,
    bytes,
    maxBytes,
    ...(!isPackage && { parse: { format: "native" } }),
    shownFormat: answer.format,
    ...(answer.progress === true && { progress: true }),
    // A new deck gets the name the question offered it under: the package's file is named for it.
    ...(isPackage && answer.asNew && { name: nameFromFileName(file.name) }),
    ...(answer.asNew
      ? { scope: answer.scope, confirmed: { asNew: true, fingerprint: answer.fingerprint } }
      : {
          scope: "personal",
          deckId: answer.deckId,
          confirmed: { asNew: false, fingerprint: answer.fingerprint },
        }),
  });
}
