import { Column, type ExtractTablesWithRelations, getTableColumns, is, SQL, sql } from "drizzle-orm";
import {
  SQLiteAsyncDialect,
  SQLiteBaseInteger,
  type SQLiteInsertConfig,
  type SQLiteTable,
} from "drizzle-orm/sqlite-core";
import { SQLiteRemoteSession, SqliteRemoteDatabase } from "drizzle-orm/sqlite-proxy";
import type { Builder } from "../handle.ts";

/**
 * drizzle's SQLite dialect, writing what PostgreSQL reads differently. Every query is built once against the one
 * logical schema (`schema.ts`); the SQL the SQLite builder writes is standard (quoted identifiers, `insert … on
 * conflict … do update`, `returning`, `limit`), and the PostgreSQL tables (`schema-pg.ts`) store the same values
 * (epoch-ms `bigint`s, 0/1 `smallint`s, JSON as text), so the columns' encoders and decoders serve both. Two
 * things differ: parameters are `$1, $2…`, and an insert that leaves an autoincrement id out says `default`
 * (SQLite's dialect writes `null`, which SQLite turns into the next rowid and PostgreSQL refuses).
 */
export class PgRenderingDialect extends SQLiteAsyncDialect {
  override escapeParam(num: number): string {
    return `$${num + 1}`;
  }

  override buildInsertQuery(config: SQLiteInsertConfig): SQL {
    const onConflict = config.onConflict?.map(bareTargets);
    if (config.select || !Array.isArray(config.values))
      return super.buildInsertQuery({ ...config, onConflict });
    const ids = autoIds(config.table);
    const values = config.values.map((row) => {
      const filled = { ...row };
      for (const key of ids) if (filled[key] === undefined) filled[key] = sql`default`;
      return filled;
    });
    return super.buildInsertQuery({ ...config, values, onConflict });
  }
}

/**
 * `on conflict ("t"."a", "t"."b")` → `on conflict ("a", "b")`: SQLite takes a conflict target's columns qualified
 * by their table, PostgreSQL only bare (the target is the list of columns drizzle puts in an array chunk).
 */
function bareTargets(clause: SQL): SQL {
  const chunks = clause.queryChunks.map((chunk): unknown => {
    if (Array.isArray(chunk) && chunk.every((c) => is(c, Column)))
      return chunk.map((c) => sql.identifier((c as Column).name));
    if (is(chunk, SQL)) return bareTargets(chunk);
    return chunk;
  });
  return new SQL(chunks as SQL["queryChunks"]);
}

const AUTO_IDS = new WeakMap<SQLiteTable, string[]>();

/** The table's autoincrement columns (by property name), found once per table. */
function autoIds(table: SQLiteTable): string[] {
  let ids = AUTO_IDS.get(table);
  if (ids === undefined) {
    ids = Object.entries(getTableColumns(table))
      .filter(([, c]) => is(c, SQLiteBaseInteger) && c.autoIncrement)
      .map(([key]) => key);
    AUTO_IDS.set(table, ids);
  }
  return ids;
}

/** The builder every PostgreSQL connection shares: it only writes SQL; src/db/prepared.ts runs it on `pg`. */
export function pgBuilder(dialect: PgRenderingDialect): Builder {
  const refuse = async (): Promise<never> => {
    throw new Error(
      "the PostgreSQL builder does not run queries: bind them with perConnection (prepared.ts)",
    );
  };
  const session = new SQLiteRemoteSession<
    Record<string, never>,
    ExtractTablesWithRelations<Record<string, never>>
  >(refuse, dialect, undefined);
  return new SqliteRemoteDatabase<Record<string, never>>("async", dialect, session, undefined);
}
