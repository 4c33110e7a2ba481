/**
 * Deck tool.
 *   npm run deck -- check FILE [--format native|brainscape] [--json]
 *   npm run deck -- convert FILE --to native [--id ID] [--name NAME] [--description TEXT] [--out PATH]
 * Exit codes: 0 valid / converted, 1 the deck has errors, 2 usage error or unreadable file.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convertToNative, deckIdFromFileName } from "../core/decks/convert.ts";
import { DECK_FORMATS, type DeckFormat, formatIssue, parseDeck } from "../core/decks/parse.ts";
import { readDeckText } from "../core/decks/read-dir.ts";

export const USAGE = `usage:
  deck check FILE [--format native|brainscape] [--json]
      Checks a deck file: prints its format and card count, or its errors with line numbers.
      --json prints one JSON object: {"format", "cards": [{"front","back","tags"}], "errors": [{"line","message"}]}
  deck convert FILE --to native [--format F] [--id ID] [--name NAME] [--description TEXT] [--out PATH]
      Converts a deck to the native .deck format (to stdout, or to PATH with --out).
exit codes: 0 ok, 1 the deck has errors, 2 usage error or unreadable file`;

const out = (text: string): void => {
  process.stdout.write(`${text}\n`);
};
const err = (text: string): void => {
  process.stderr.write(`${text}\n`);
};

class UsageError extends Error {}

function parseFormat(value: string | undefined): DeckFormat | undefined {
  if (value === undefined) return undefined;
  if (!(DECK_FORMATS as readonly string[]).includes(value)) {
    throw new UsageError(`unknown format '${value}' (known: ${DECK_FORMATS.join(", ")})`);
  }
  return value as DeckFormat;
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
      help: { type: "boolean", short: "h" },
    },
  });
  return { values, positionals };
}

async function check(file: string, format: DeckFormat | undefined, json: boolean): Promise<number> {
  const read = await readDeckText(file);
  if (!read.ok) {
    if (json) out(JSON.stringify({ format: null, cards: [], errors: [{ line: 0, message: read.reason }] }));
    else err(`error: ${read.reason}`);
    return 2;
  }
  const result = parseDeck(read.text, format === undefined ? {} : { format });
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

async function convert(file: string, values: ReturnType<typeof parseCommandLine>["values"]): Promise<number> {
  if (values.to !== "native") throw new UsageError("convert needs --to native (the only output format)");
  const read = await readDeckText(file);
  if (!read.ok) {
    err(`error: ${read.reason}`);
    return 2;
  }
  const format = parseFormat(values.format);
  const parsed = parseDeck(read.text, format === undefined ? {} : { format });
  for (const warning of parsed.warnings) err(`warning: ${formatIssue(warning)}`);
  const converted = convertToNative(parsed, {
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
    process.stdout.write(converted.text);
  } else {
    await writeFile(values.out, converted.text, "utf8");
    err(
      `wrote ${values.out}: ${parsed.format} → native, deck '${converted.meta.id}', ${parsed.cards.length} cards`,
    );
  }
  return 0;
}

/** Runs the tool; resolves to the exit code. */
export async function run(argv: string[]): Promise<number> {
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
    if (command === "check") return await check(file, parseFormat(values.format), values.json === true);
    return await convert(file, values);
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
