/**
 * Why a database path cannot be opened, in one line a person can act on. `openDb` checks the path before SQLite
 * sees it (a directory, a folder that cannot be made, a file cut short) and translates SQLite's own refusals
 * (not a database, corrupt, cannot open, read-only, full); start-up prints `lineFor("DATABASE_PATH")`, the
 * sandbox `lineFor("--db")`, instead of a stack trace.
 */
import { closeSync, mkdirSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";

export class DatabaseOpenError extends Error {
  constructor(
    /** Absolute path of the database file. */
    readonly path: string,
    /** What is wrong, as a predicate of the path ("is a directory, not a database file"). */
    readonly problem: string,
    /** What to do about it. */
    readonly remedy: string,
  ) {
    super(`database ${path} ${problem}: ${remedy}.`);
    this.name = "DatabaseOpenError";
  }

  /** The one line to show, naming the setting the path came from. */
  lineFor(setting: string): string {
    return `${setting} ${this.path} ${this.problem}: ${this.remedy}.`;
  }
}

const NEW_FILE = "or point it at a new file name to start an empty database";

/**
 * Checks `path` (absolute) before it is opened and creates its folder. Throws DatabaseOpenError when the path is
 * a directory or not a regular file, when a folder on the way is a file or cannot be made, or when the file is
 * shorter than its own header says (a copy or download cut short: SQLite would only notice at the missing pages).
 */
export function preparePath(path: string): void {
  const st = statOrNull(path);
  if (st?.isDirectory())
    throw new DatabaseOpenError(
      path,
      "is a directory, not a database file",
      `point it at a file, e.g. ${join(path, "study.db")}`,
    );
  if (st && !st.isFile())
    throw new DatabaseOpenError(path, "is not a regular file", "point it at a database file");
  if (st) checkLength(path, st.size);
  else makeFolder(dirname(path), path);
}

/** mkdir -p by hand: Node's recursive mkdirSync loops forever where mkdir answers ENOENT (under /proc). */
function makeFolder(folder: string, path: string): void {
  const missing: string[] = [];
  let at = folder;
  let st = statOrNull(at);
  while (!st) {
    missing.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
    st = statOrNull(at);
  }
  if (st && !st.isDirectory())
    throw new DatabaseOpenError(
      path,
      `cannot be created because ${at} is a file, not a folder`,
      "point it at a path in a folder (or move that file away)",
    );
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (err) {
      if (statOrNull(dir)?.isDirectory()) continue; // another process (a second shard) made it meanwhile
      throw new DatabaseOpenError(
        path,
        `cannot be created because the folder ${dir} cannot be made (${reasonOf(err)})`,
        "point it at a folder this user can write to",
      );
    }
  }
}

/** The header's page count × page size against the file's length (sqlite.org/fileformat.html, "in-header size"). */
function checkLength(path: string, size: number): void {
  if (size < 100) return; // empty (a new database) or too short to be one: SQLite's own check names it
  const head = Buffer.alloc(100);
  const fd = openSync(path, "r");
  try {
    readSync(fd, head, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString("latin1", 0, 16) !== "SQLite format 3\0") return;
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  const pages = head.readUInt32BE(28);
  // The count is only trusted when its "valid for" counter matches (true for any SQLite since 3.7.0), and a
  // non-empty WAL or hot journal may legitimately hold pages the file does not have yet.
  const valid = pages > 0 && head.readUInt32BE(24) === head.readUInt32BE(92);
  const pending = (statOrNull(`${path}-wal`)?.size ?? 0) + (statOrNull(`${path}-journal`)?.size ?? 0) > 0;
  if (valid && !pending && pages * pageSize > size)
    throw new DatabaseOpenError(
      path,
      `is truncated: its header counts ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes) but the file holds ${size}`,
      `restore it from a backup, ${NEW_FILE}`,
    );
}

/** The DatabaseOpenError for an error SQLite raised while opening or reading `path`, or null if it is not one. */
export function explainSqliteError(path: string, err: unknown): DatabaseOpenError | null {
  if (!(err instanceof Database.SqliteError)) return null;
  const code = err.code;
  const why = `(${err.message})`;
  if (code === "SQLITE_NOTADB")
    return new DatabaseOpenError(
      path,
      `is not a SQLite database ${why}`,
      "point it at the bot's database file, or at a new file name to start an empty database",
    );
  if (code.startsWith("SQLITE_CORRUPT"))
    return new DatabaseOpenError(
      path,
      `is corrupt ${why}`,
      `restore it from a backup (sqlite3's .recover may save part of it), ${NEW_FILE}`,
    );
  if (code.startsWith("SQLITE_CANTOPEN"))
    return new DatabaseOpenError(
      path,
      `cannot be opened or created in ${dirname(path)} ${why}`,
      "point it at a folder this user can write to",
    );
  if (code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_PERM"))
    return new DatabaseOpenError(
      path,
      `cannot be written ${why}`,
      "give this user write access to the file and its folder",
    );
  if (code === "SQLITE_FULL")
    return new DatabaseOpenError(path, `cannot grow ${why}`, "free some disk space");
  if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"))
    return new DatabaseOpenError(
      path,
      `is locked by another process ${why}`,
      "stop that process (or wait for it) and start again",
    );
  if (code.startsWith("SQLITE_IOERR"))
    return new DatabaseOpenError(path, `cannot be read or written ${why}`, "check the disk and the file");
  return null;
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  ENOSPC: "no space left on the device",
  ENOENT: "the file system does not allow a folder there",
};

function reasonOf(err: unknown): string {
  const code = err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : "";
  return REASONS[code] ?? (err instanceof Error ? err.message : String(err));
}
