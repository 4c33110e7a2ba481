import { Column, type DriverValueDecoder, is, SQL, Subquery } from "drizzle-orm";

/** What drizzle's builder keeps on a prepared select (or `returning`): the selected fields, in column order. */
interface SelectedField {
  path: string[];
  field: unknown;
}

/** A row as the driver gives it (an array in SELECT order) → the object drizzle's builder types it as. */
export type RowMapper = (row: unknown[]) => Record<string, unknown>;

/**
 * The row mapping drizzle does on every row (`mapResultRow`: per column, an `is()` walk to find the decoder, then
 * the decoder), with each column's decoder found once per statement. Only for flat selections (every field at the
 * top of the row: what src/db selects); null for a statement without fields (its rows are as the driver gives
 * them); "drizzle" for anything else (a table nested in a join's row, a custom mapper): run it through drizzle.
 */
export function rowMapper(query: unknown): RowMapper | null | "drizzle" {
  const q = query as { fields?: SelectedField[]; customResultMapper?: unknown };
  if (q.customResultMapper) return "drizzle";
  const fields = q.fields;
  if (!fields) return null;
  if (fields.some((f) => f.path.length !== 1)) return "drizzle";
  const keys = fields.map((f) => f.path[0] ?? "");
  const decoders = fields.map((f) => decoderOf(f.field));
  const n = keys.length;
  return (row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const raw = row[i];
      out[keys[i] as string] = raw === null ? null : (decoders[i] as Decoder).mapFromDriverValue(raw);
    }
    return out;
  };
}

type Decoder = DriverValueDecoder<unknown, unknown>;
/** drizzle's SQL keeps its decoder internal (`sql\`…\`.mapWith()` sets it). */
type Decoded = { decoder: Decoder };

/** As drizzle's `mapResultRow` finds a field's decoder. */
function decoderOf(field: unknown): Decoder {
  if (is(field, Column)) return field;
  if (is(field, SQL)) return (field as unknown as Decoded).decoder;
  if (is(field, Subquery)) return (field._.sql as unknown as Decoded).decoder;
  return ((field as SQL.Aliased).sql as unknown as Decoded).decoder;
}
