/**
 * The member's file of a `/deck import`: downloading it (size-checked before it is read whole), decoding and
 * parsing it as steps (slices.ts), and the refusal that lists its problems. Nothing here touches the database.
 */
import { decodeDeckBytes } from "../core/decks/decode.ts";
import { frontKey } from "../core/decks/keys.ts";
import {
  MAX_IMPORT_BYTES,
  MAX_IMPORTED_REVIEWS,
  MAX_IMPORTED_REVIEWS_PER_CARD,
} from "../core/decks/limits.ts";
import {
  type DeckFormat,
  type DeckIssue,
  FORMAT_NAMES,
  finish,
  formatIssue,
  type ParsedCard,
  type ParseOptions,
  parseDeckSteps,
} from "../core/decks/parse.ts";
import { suppressLinkPreviews } from "../core/decks/text.ts";
import { UserError } from "../core/errors.ts";
import {
  type DeckImage,
  looksLikeZip,
  PACKAGE_LIMITS,
  PackageError,
  type PackageHistory,
  readAnkiPackage,
} from "./anki-package/read.ts";
import type { Steps } from "./slices.ts";

/** At most this many problems are listed in a refusal (the CLI `deck check` lists them all). */
export const MAX_LISTED_PROBLEMS = 5;

export const mib = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
/** A size as a limit is said: MiB from 1 MiB up, else bytes. */
const sizeText = (bytes: number): string =>
  bytes >= 1024 * 1024 ? mib(bytes) : `${bytes.toLocaleString("en-US")} bytes`;
export const plain = (text: string): string => text.replace(/[`\r\n]/g, "'").slice(0, 100);

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
      max === MAX_IMPORT_BYTES
        ? `\`${plain(file.name)}\` is ${typeof size === "number" ? mib(size) : size}; the limit for an import is 1 MiB (${max.toLocaleString("en-US")} bytes). Split the deck into smaller files. Nothing was imported.`
        : `\`${plain(file.name)}\` is ${typeof size === "number" ? sizeText(size) : size}; the limit is ${sizeText(max)}. Nothing was imported.`,
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
      throw tooBig(`over ${max === MAX_IMPORT_BYTES ? "1 MiB" : sizeText(max)}`);
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

/** An Anki package: a zip, or a file named .apkg / .colpkg (refused as a package when it is not a zip). */
export function isPackage(file: { fileName: string; bytes?: Uint8Array; parse?: ParseOptions }): boolean {
  if (file.parse?.format !== undefined) return false;
  return PACKAGE_NAME.test(file.fileName) || (file.bytes !== undefined && looksLikeZip(file.bytes));
}

const PACKAGE_NAME = /\.(apkg|colpkg)$/i;

/** The largest file an import downloads: a package may be larger than a text deck. */
export function importLimitFor(fileName: string): number {
  return PACKAGE_NAME.test(fileName) ? PACKAGE_LIMITS.bytes : MAX_IMPORT_BYTES;
}

const count = (n: number) => n.toLocaleString("en-US");

/**
 * An Anki package read as an import (services/anki-package), with the shared checks of every format; with
 * `progress`, its review history too (refused over MAX_IMPORTED_REVIEWS, a warning when there is none).
 */
function* readPackageFile(file: {
  fileName: string;
  bytes: Uint8Array;
  progress?: boolean;
}): Steps<ImportFile> {
  if (file.bytes.byteLength > PACKAGE_LIMITS.bytes)
    throw new UserError(
      `\`${plain(file.fileName)}\` is ${mib(file.bytes.byteLength)}; the limit for an Anki package is ${mib(PACKAGE_LIMITS.bytes)}. Export fewer decks, or without media. Nothing was imported.`,
    );
  let raw: ReturnType<typeof readAnkiPackage>;
  try {
    raw = readAnkiPackage(file.bytes, { progress: file.progress === true });
  } catch (err) {
    if (err instanceof PackageError) throw refusedPackage(file.fileName, err.message);
    throw err;
  }
  const { history } = raw;
  if (history && history.total > MAX_IMPORTED_REVIEWS)
    throw new UserError(
      `**Nothing was imported** from \`${plain(file.fileName)}\`: its review history holds ${count(history.total)} reviews of these cards, and \`import_progress\` brings at most ${count(MAX_IMPORTED_REVIEWS)}. Export fewer decks from Anki, or import it without \`import_progress\` (the cards then start as new).`,
    );
  const longest = history ? Math.max(0, ...[...history.byKey.values()].map((r) => r.length)) : 0;
  if (longest > MAX_IMPORTED_REVIEWS_PER_CARD)
    throw new UserError(
      `**Nothing was imported** from \`${plain(file.fileName)}\`: one of its cards has ${count(longest)} reviews in its history, and \`import_progress\` brings at most ${count(MAX_IMPORTED_REVIEWS_PER_CARD)} per card. Import it without \`import_progress\` (the cards then start as new).`,
    );
  yield;
  const parsed = yield* finish("apkg", raw);
  if (parsed.cards.length === 0 && parsed.errors.length === 0)
    parsed.errors.push({ line: 1, message: "no cards found in the package" });
  if (parsed.errors.length > 0) throw refused(file.fileName, "apkg", parsed.errors);
  const merged: DeckIssue[] =
    raw.decks > 1 ? [{ line: 1, message: `${raw.decks} Anki decks were imported as one deck` }] : [];
  // Only the images a kept card shows (a skipped duplicate's stay behind).
  const shown = new Set(parsed.cards.flatMap((c) => [c.frontImage, c.backImage]));
  if (history && history.byKey.size === 0)
    merged.push({
      line: 1,
      message: "the package has no review history (revlog) for these cards: they start as new",
    });
  return {
    cards: parsed.cards,
    media: [...raw.media].filter(([name]) => shown.has(name)).map(([name, image]) => ({ name, ...image })),
    format: "apkg",
    fileDeckName: parsed.meta.name?.trim() || nameFromFileName(file.fileName),
    description: "",
    warnings: [...merged, ...parsed.warnings],
    ...(history && { history }),
  };
}

function refusedPackage(fileName: string, reason: string): UserError {
  return new UserError(
    `**Nothing was imported** from \`${plain(fileName)}\`: ${reason}. Export the deck again from Anki (File › Export… › Anki Deck Package) and import that file.`,
  );
}

/** A deck name from a file name: its base name without extensions, separators as spaces. */
export function nameFromFileName(fileName: string): string {
  const base = (fileName.split(/[\\/]/).pop() ?? "").replace(/\.[A-Za-z0-9]{1,10}$/, "");
  const name = base
    .replace(/\.(brainscape|anki|quizlet|deck|apkg|colpkg)$/i, "")
    .replace(/[_]+/g, " ")
    .trim();
  return name === "" ? "Imported deck" : name;
}

/** A file read for an import: its cards (keyed for progress), the names it offers, and what it warned about. */
export interface ImportFile {
  cards: ParsedCard[];
  /** The images its cards show (an Anki package's; none for a text file). */
  media: (DeckImage & { name: string })[];
  format: DeckFormat;
  /** The deck name in the file (Anki deck, Brainscape title, native name), else from the file name. */
  fileDeckName: string;
  description: string;
  warnings: DeckIssue[];
  /** An Anki package's review history by card key, read only for `import_progress`. */
  history?: PackageHistory;
}

/** The refusal of `import_progress` for a file that is no Anki package. */
export const NO_HISTORY_IN_TEXT =
  "`import_progress` brings an Anki package's review history (.apkg or .colpkg), and a text deck has none. Import it without `import_progress`, or export an Anki Deck Package from Anki. Nothing was imported.";

/**
 * Checks, decodes and parses the file as steps; throws a UserError (the refusal) on a file over `maxBytes`, not
 * UTF-8 text, empty, or with any deck error, and on `progress` for a file that is not an Anki package.
 */
export function* readImportFile(file: {
  fileName: string;
  bytes: Uint8Array;
  parse?: ParseOptions;
  maxBytes?: number;
  /** Read the package's review history too (`import_progress`). */
  progress?: boolean;
}): Steps<ImportFile> {
  if (isPackage(file)) return yield* readPackageFile(file);
  if (file.progress === true) throw new UserError(NO_HISTORY_IN_TEXT);
  const maxBytes = file.maxBytes ?? MAX_IMPORT_BYTES;
  if (file.bytes.byteLength > maxBytes) {
    throw new UserError(
      `\`${plain(file.fileName)}\` is ${mib(file.bytes.byteLength)}; the limit for an import is 1 MiB. Nothing was imported.`,
    );
  }
  const decoded = decodeDeckBytes(file.bytes);
  if (!decoded.ok) throw refused(file.fileName, undefined, [{ line: 1, message: decoded.reason }]);
  if (decoded.text.replace(/^\uFEFF/, "").trim() === "")
    throw refused(file.fileName, undefined, [{ line: 1, message: "the file is empty" }]);
  yield;
  const parsed = yield* parseDeckSteps(decoded.text, { fileName: file.fileName, ...file.parse });
  if (parsed.errors.length > 0) throw refused(file.fileName, parsed.format, parsed.errors);
  yield;
  // Cards numbered by position (Brainscape) would hand schedules to other cards when one is inserted.
  const cards =
    parsed.keys === "numbered" ? parsed.cards.map((c) => ({ ...c, key: frontKey(c.front) })) : parsed.cards;
  yield;
  return {
    cards,
    media: [],
    format: parsed.format,
    fileDeckName: parsed.meta.name?.trim() || nameFromFileName(file.fileName),
    description: parsed.meta.description ?? "",
    warnings: parsed.warnings,
  };
}
