/** The only file-system access of the deck module: reading deck files (for the CLI and the deck loader). */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { decodeDeckBytes } from "./decode.ts";
import { MAX_DECK_FILE_BYTES } from "./limits.ts";
import { type ParseResult, parseDeck } from "./parse.ts";

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

/** Reads a deck file as UTF-8 text; a missing, oversized, binary or non-UTF-8 file gives a reason instead. */
export async function readDeckText(path: string): Promise<ReadResult> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return { ok: false, reason: `${path} is not a file` };
    if (info.size > MAX_DECK_FILE_BYTES) {
      return {
        ok: false,
        reason: `${path} is ${info.size} bytes; deck files are limited to ${MAX_DECK_FILE_BYTES} bytes`,
      };
    }
    const decoded = decodeDeckBytes(await readFile(path));
    return decoded.ok ? decoded : { ok: false, reason: `${path}: ${decoded.reason}` };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : String(error);
    return { ok: false, reason: `cannot read ${path}: ${why}` };
  }
}

export interface DeckFile {
  path: string;
  result: ParseResult;
}

/** Parses every `*.deck` file of a directory (native format), sorted by file name. */
export async function readDeckDir(dir: string): Promise<DeckFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith(".deck")).sort();
  return Promise.all(
    names.map(async (name): Promise<DeckFile> => {
      const path = join(dir, name);
      const read = await readDeckText(path);
      const result: ParseResult = read.ok
        ? parseDeck(read.text, { format: "native" })
        : {
            format: "native",
            keys: "file",
            meta: {},
            cards: [],
            errors: [{ line: 1, message: read.reason }],
            warnings: [],
          };
      return { path, result };
    }),
  );
}
