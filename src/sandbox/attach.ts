/**
 * A local file as a Discord attachment: an attachment option's value is a path the sandbox reads, as a person would
 * pick the file in Discord's file dialog (`/deck import file:decks/pytorch.deck`).
 */
import { readFileSync } from "node:fs";
import { basename, extname, resolve } from "node:path";
import type { AttachmentInput } from "../emulator/index.ts";
import { ActionError } from "./actions.ts";

/** What Discord's CDN would report for common extensions; the bot reads the bytes, not this. */
const CONTENT_TYPES: Record<string, string> = {
  ".txt": "text/plain; charset=utf-8",
  ".deck": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8",
  ".tsv": "text/tab-separated-values; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".zip": "application/zip",
};

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/** `path` (relative to `cwd`) as the file a user attaches to option `option`; a clear ActionError if unreadable. */
export function attachLocalFile(option: string, path: string, cwd = process.cwd()): AttachmentInput {
  const full = resolve(cwd, path);
  let data: Buffer;
  try {
    data = readFileSync(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "";
    const why = REASONS[code] ?? (err as Error).message;
    throw new ActionError(
      `${option}: cannot attach "${path}": ${why} (a path relative to ${cwd}, e.g. ${option}:decks/pytorch.deck)`,
    );
  }
  const contentType = CONTENT_TYPES[extname(full).toLowerCase()];
  return { name: basename(full), data, ...(contentType ? { contentType } : {}) };
}
