/**
 * The files the bot sends (the /stats chart, a deck export), saved into a folder so a person can open them; the
 * transcript and the terminal name them by the saved path.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, extname, isAbsolute, join, relative } from "node:path";
import type { StoredAttachment } from "../emulator/index.ts";

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
