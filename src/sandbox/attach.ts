/**
 * Local files as Discord attachments, both ways: an attachment option's value is a path the sandbox reads (what a
 * person would pick in Discord's file dialog), and the files the bot sends are saved into a folder so a person can
 * open them (the /stats chart, a deck export).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative, resolve } from "node:path";
import type { AttachmentInput, StoredAttachment } from "../emulator/index.ts";
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

/** A file name that stays inside the folder: no separators, no leading dots, no control characters. */
function safeName(name: string): string {
  const cleaned = name
    .replace(/[/\\:*?"<>|]/g, "_")
    .replace(/\p{Cc}/gu, "")
    .replace(/^\.+/, "");
  return cleaned === "" ? "file" : cleaned;
}

/**
 * Saves the attachments the bot sends as `<message number>-<file name>` in `dir` and names them by that path
 * (relative to the working directory when inside it). The numbers are the transcript's message numbers, so one
 * run writes the same paths every time; a file from an earlier run with the same number is replaced.
 */
export class FileSaver {
  private readonly saved = new Map<string, string>();
  private readonly taken = new Set<string>();
  /** Files that could not be written, one line each (the folder is read-only, the disk is full…). */
  readonly problems: string[] = [];

  constructor(
    readonly dir: string,
    private readonly cwd = process.cwd(),
  ) {}

  /** The path `att` was saved to (saved once per attachment: an edit that keeps it does not write it again). */
  save(att: StoredAttachment, message: number): string {
    const known = this.saved.get(att.id);
    if (known) return known;
    const name = safeName(att.filename);
    let file = join(this.dir, `${message}-${name}`);
    for (let k = 2; this.taken.has(file); k++) {
      const ext = extname(name);
      file = join(this.dir, `${message}-${basename(name, ext)}-${k}${ext}`);
    }
    this.taken.add(file);
    const shown = this.display(file);
    try {
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(file, att.data);
    } catch (err) {
      this.problems.push(`could not save ${att.filename} to ${shown}: ${(err as Error).message}`);
      this.saved.set(att.id, att.filename);
      return att.filename;
    }
    this.saved.set(att.id, shown);
    return shown;
  }

  private display(file: string): string {
    const rel = relative(this.cwd, file);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
  }
}
