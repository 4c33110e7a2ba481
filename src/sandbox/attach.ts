/**
 * A local file as a Discord attachment: an attachment option's value is a path the sandbox reads, as a person would
 * pick the file in Discord's file dialog (`/deck import file:decks/pytorch.deck`).
 */
import { readFileSync, statSync } from "node:fs";
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

/** Discord's upload limit for a server without boosts (the emulator's default attachment_size_limit). */
const UPLOAD_LIMIT = 10 * 1024 * 1024;

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EISDIR: "it is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "permission denied",
};

/** `path` (relative to `cwd`) as the file a user attaches to option `option`; a clear ActionError if unreadable. */
export function attachLocalFile(option: string, path: string, cwd = process.cwd()): AttachmentInput {
  const full = resolve(cwd, path);
  const refuse = (why: string): never => {
    throw new ActionError(
      `${option}: cannot attach "${path}": ${why} (a path relative to ${cwd}, e.g. ${option}:decks/pytorch.deck)`,
    );
  };
  let data: Buffer;
  try {
    // Checked before reading: a device (/dev/zero) or a huge file would never finish or fill the memory.
    const info = statSync(full);
    if (info.isDirectory()) return refuse(REASONS.EISDIR ?? "");
    if (!info.isFile()) return refuse("not a regular file");
    if (info.size > UPLOAD_LIMIT) return refuse(`${info.size} bytes, over Discord's 10 MiB upload limit`);
    data = readFileSync(full);
  } catch (err) {
    if (err instanceof ActionError) throw err;
    const code = (err as NodeJS.ErrnoException).code ?? "";
    return refuse(REASONS[code] ?? (err as Error).message);
  }
  const contentType = CONTENT_TYPES[extname(full).toLowerCase()];
  return { name: basename(full), data, ...(contentType ? { contentType } : {}) };
}
