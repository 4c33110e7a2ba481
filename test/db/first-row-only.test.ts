import { describe, expect, it } from "vitest";
import { firstRowOnly } from "../../src/db/prepared.ts";

describe("GIVEN a statement's `get` on PostgreSQL (firstRowOnly)", () => {
  it("WHEN it is a SELECT without a LIMIT THEN it asks for one row", () => {
    expect(firstRowOnly('select "card_id" from "card_states" order by "due"')).toBe(
      'select "card_id" from "card_states" order by "due" limit 1',
    );
    expect(firstRowOnly("SELECT\n (SELECT count(*) FROM t) - 1 AS n\n")).toMatch(/ limit 1$/);
  });
  it("WHEN it has its own LIMIT (a number, a parameter, with OFFSET) THEN it is kept as written", () => {
    for (const text of [
      "select 1 from t limit 5",
      "select 1 from t limit $3",
      "select 1 from t limit $1 offset $2",
    ])
      expect(firstRowOnly(text)).toBe(text);
  });
  it("WHEN a LIMIT is only inside a subquery THEN the outer SELECT still gets one", () => {
    expect(firstRowOnly("select a from t where b in (select b from u limit 3) order by a")).toMatch(
      / limit 1$/,
    );
  });
  it("WHEN it locks rows or is not a SELECT THEN it is kept as written (LIMIT would be misplaced or wrong)", () => {
    for (const text of [
      "select 1 from t for update skip locked",
      'insert into "t" ("a") values ($1) returning "id"',
      'update "t" set "a" = $1 returning "a"',
      "with x as (select 1) select * from x",
    ])
      expect(firstRowOnly(text)).toBe(text);
  });
});
