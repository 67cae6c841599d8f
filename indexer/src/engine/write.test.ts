import assert from "node:assert/strict";
import { useFreshDb } from "../../../tests/setup/db.js";
import { arr } from "./write.js";

describe("array literals for unnest writes", () => {
  const db = useFreshDb({ max: 1 });

  it("round-trips quotes, backslashes, commas, braces, spaces, empty strings, the word NULL and real nulls", async () => {
    const values = ['a"b', "c\\d", "e,f", "{g}", " h ", "", "NULL", null, "ünï", "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin"];
    // compared element by element in SQL: the driver's own text[] parser reads NULL elements as "NULL"
    const rows = await db()`select x, x is null as missing from unnest(${arr(values)}::text[]) with ordinality as u(x, i) order by i`;
    assert.deepEqual(
      rows.map((r) => (r.missing ? null : r.x)),
      values,
    );
  });

  it("carries bigint beyond 2^53 exactly", async () => {
    const big = (2n ** 63n - 1n).toString();
    const [row] = await db()`select (${arr([big, "-5", null])}::bigint[])[1] as v`;
    assert.equal(row!.v, 2n ** 63n - 1n);
  });
});
