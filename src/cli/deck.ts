/**
 * Deck tool.
 *   npm run deck -- check FILE [--format F] [--json] [--term-separator S] [--row-separator S]
 *   npm run deck -- convert FILE --to native|anki|csv [--format F] [--id ID] [--name NAME] [--description TEXT]
 *                  [--out PATH]
 * Exit codes: 0 valid / converted, 1 the deck has errors, 2 usage error or unreadable file.
 */
import { readFile, stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convertDeck, deckIdFromFileName, EXPORT_FORMATS, type ExportFormat } from "../core/decks/convert.ts";
import {
  DECK_FORMATS,
  formatIssue,
  type ParseOptions,
  type ParseResult,
  parseDeck,
  type TextDeckFormat,
} from "../core/decks/parse.ts";
import { readDeckText } from "../core/decks/read-dir.ts";
import { resolveSeparator } from "../core/decks/tsv.ts";
import { looksLikeZip, PACKAGE_LIMITS, parsePackage } from "../services/anki-package/read.ts";

export const USAGE = `usage:
  deck check FILE [--format F] [--json] [--term-separator S] [--row-separator S]
      Checks a deck file: prints its format and card count, or its errors with line numbers.
      Formats (detected from the content unless --format is given): ${DECK_FORMATS.join(", ")}.
      --json prints one JSON object: {"format", "cards": [{"front","back","tags"}], "errors": [{"line","message"}]}
      --term-separator / --row-separator (tsv, Quizlet): tab, comma, semicolon, newline, or the text itself.
  deck convert FILE --to ${EXPORT_FORMATS.join("|")} [--format F] [--id ID] [--name NAME] [--description TEXT] [--out PATH]
      Converts a deck (to stdout, or to PATH with --out); the output is checked to read back to the same cards.
exit codes: 0 ok, 1 the deck has errors, 2 usage error or unreadable file`;

/** Where the tool writes; the CLI uses the process streams, tests pass their own. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
}

const processIo: Io = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Line printers over an Io (passed down, never global, so concurrent in-process runs stay apart). */
function printers(io: Io) {
  return {
    io,
    out: (text: string): void => io.stdout(`${text}\n`),
    err: (text: string): void => io.stderr(`${text}\n`),
  };
}
type Printers = ReturnType<typeof printers>;

class UsageError extends Error {}

function parseFormat(value: string | undefined): TextDeckFormat | undefined {
  if (value === undefined) return undefined;
  if (!(DECK_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown format '${value}' (known: ${DECK_FORMATS.join(", ")})`);
  }
  return value as TextDeckFormat;
}

function parseOptions(values: ReturnType<typeof parseCommandLine>["values"]): ParseOptions {
  const opts: ParseOptions = {};
  const format = parseFormat(values.format);
  if (format !== undefined) opts.format = format;
  for (const [flag, field] of [
    ["term-separator", "termSeparator"],
    ["row-separator", "rowSeparator"],
  ] as const) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const sep = resolveSeparator(raw);
    if (!sep.ok) throw new UsageError(`--${flag}: ${sep.reason}`);
    opts[field] = sep.value;
  }
  return opts;
}

function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      format: { type: "string" },
      json: { type: "boolean" },
      to: { type: "string" },
      id: { type: "string" },
      name: { type: "string" },
      description: { type: "string" },
      out: { type: "string" },
      "term-separator": { type: "string" },
      "row-separator": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  return { values, positionals };
}

/** A deck file parsed: a text deck (any format), or an Anki package (.apkg / .colpkg, or any zip). */
async function loadDeck(
  file: string,
  opts: ParseOptions,
): Promise<{ ok: true; result: ParseResult } | { ok: false; reason: string }> {
  if (opts.format === undefined) {
    let head: Uint8Array | null = null;
    try {
      head = (await readFile(file)).subarray(0, 4);
    } catch {
      // readDeckText below says why
    }
    if (/\.(apkg|colpkg)$/i.test(file) || (head !== null && looksLikeZip(head))) {
      const info = await stat(file);
      if (info.size > PACKAGE_LIMITS.bytes)
        return {
          ok: false,
          reason: `${file} is ${info.size} bytes; Anki packages are limited to ${PACKAGE_LIMITS.bytes}`,
        };
      return { ok: true, result: parsePackage(await readFile(file)) };
    }
  }
  const read = await readDeckText(file);
  if (!read.ok) return read;
  return { ok: true, result: parseDeck(read.text, { fileName: file, ...opts }) };
}

async function check(p: Printers, file: string, opts: ParseOptions, json: boolean): Promise<number> {
  const { out, err } = p;
  const read = await loadDeck(file, opts);
  if (!read.ok) {
    if (json) out(JSON.stringify({ format: null, cards: [], errors: [{ line: 0, message: read.reason }] }));
    else err(`error: ${read.reason}`);
    return 2;
  }
  const result = read.result;
  if (json) {
    out(
      JSON.stringify({
        format: result.format,
        cards: result.cards.map(({ front, back, tags }) => ({ front, back, tags })),
        errors: result.errors.map(({ line, message }) => ({ line, message })),
      }),
    );
    return result.errors.length === 0 ? 0 : 1;
  }
  const deck = result.meta.id !== undefined ? ` deck '${result.meta.id}'` : "";
  const name = result.meta.name !== undefined ? ` (${result.meta.name})` : "";
  const cards = `${result.cards.length} card${result.cards.length === 1 ? "" : "s"}`;
  for (const warning of result.warnings) out(`warning: ${formatIssue(warning)}`);
  if (result.errors.length === 0) {
    out(`${file}: ${result.format}${deck}${name}, ${cards}: OK`);
    return 0;
  }
  for (const error of result.errors) out(formatIssue(error));
  const n = result.errors.length;
  out(`${file}: ${result.format}${deck}${name}, ${cards}: ${n} error${n === 1 ? "" : "s"}, not valid`);
  return 1;
}

async function convert(
  p: Printers,
  file: string,
  values: ReturnType<typeof parseCommandLine>["values"],
): Promise<number> {
  const { io, err } = p;
  const to = values.to;
  if (to === undefined || !(EXPORT_FORMATS as readonly string[]).includes(to))
    throw new UsageError(`convert needs --to ${EXPORT_FORMATS.join("|")}`);
  const opts = parseOptions(values);
  const read = await loadDeck(file, opts);
  if (!read.ok) {
    err(`error: ${read.reason}`);
    return 2;
  }
  const parsed = read.result;
  for (const warning of parsed.warnings) err(`warning: ${formatIssue(warning)}`);
  const converted = convertDeck(parsed, to as ExportFormat, {
    id: values.id ?? parsed.meta.id ?? deckIdFromFileName(file),
    ...(values.name !== undefined && { name: values.name }),
    ...(values.description !== undefined && { description: values.description }),
  });
  if (!converted.ok) {
    for (const error of converted.errors) err(formatIssue(error));
    err(
      `${file}: not converted (${converted.errors.length} error${converted.errors.length === 1 ? "" : "s"})`,
    );
    return 1;
  }
  if (values.out === undefined) {
    io.stdout(converted.text);
  } else {
    await writeFile(values.out, converted.text, "utf8");
    err(
      `wrote ${values.out}: ${parsed.format} → ${to}, deck '${converted.meta.id}', ${parsed.cards.length} cards`,
    );
  }
  return 0;
}

/** Runs the tool; resolves to the exit code. Output goes to `streams` (default: the process's). */
export async function run(argv: string[], streams: Io = processIo): Promise<number> {
  const p = printers(streams);
  const { out, err } = p;
  try {
    const { values, positionals } = parseCommandLine(argv);
    if (values.help === true) {
      out(USAGE);
      return 0;
    }
    const [command, file, ...rest] = positionals;
    if (command === undefined) throw new UsageError("missing command (check or convert)");
    if (command !== "check" && command !== "convert") throw new UsageError(`unknown command '${command}'`);
    if (file === undefined) throw new UsageError(`${command} needs a FILE`);
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    if (command === "check") return await check(p, file, parseOptions(values), values.json === true);
    return await convert(p, file, values);
  } catch (error) {
    const argsError =
      error instanceof Error && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS");
    if (error instanceof UsageError || argsError) {
      err(`error: ${(error as Error).message}\n${USAGE}`);
      return 2;
    }
    err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
}

const invokedDirectly =
  process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  process.exitCode = await run(process.argv.slice(2));
}
