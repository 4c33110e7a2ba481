import type Database from "better-sqlite3";

/**
 * Buffered multi-row INSERT: one prepared `INSERT ... VALUES (...), (...), ...` of `rowsPerStatement` rows,
 * run whenever the buffer is full (far fewer native calls than a statement per row); `flush` writes the rest
 * row by row. Call inside a transaction.
 */
export class BatchInsert {
  private readonly buf: unknown[] = [];
  private readonly many: Database.Statement;
  private readonly one: Database.Statement;
  private readonly width: number;
  rows = 0;

  constructor(
    db: Database.Database,
    table: string,
    columns: readonly string[],
    private readonly rowsPerStatement = 64,
    verb = "INSERT",
  ) {
    this.width = columns.length;
    const tuple = `(${columns.map(() => "?").join(",")})`;
    const head = `${verb} INTO ${table} (${columns.join(",")}) VALUES `;
    this.many = db.prepare(head + Array.from({ length: rowsPerStatement }, () => tuple).join(","));
    this.one = db.prepare(head + tuple);
  }

  /** Appends one row's values, in column order. */
  add(...values: unknown[]): void {
    for (const v of values) this.buf.push(v);
    this.rows++;
    if (this.buf.length === this.width * this.rowsPerStatement) {
      this.many.run(this.buf);
      this.buf.length = 0;
    }
  }

  flush(): void {
    for (let k = 0; k < this.buf.length; k += this.width) this.one.run(this.buf.slice(k, k + this.width));
    this.buf.length = 0;
  }
}
