import assert from "node:assert/strict";
import { useFreshDb } from "../../../tests/setup/db.js";
import { int32, jsonb, NUMERIC_BOUND, numeric } from "./binary-copy.js";
import { supportsCopy } from "./connection.js";
import { copyRows } from "./copy-pipe.js";

describe("COPY binary encoding of numeric, jsonb and integer fields", () => {
  const db = useFreshDb({ max: 1 });
  const amounts = [
    0n,
    1n,
    -1n,
    9999n,
    10_000n,
    10_001n,
    100_000_000n,
    123_456_789n,
    -50_000n,
    // around the arithmetic path for numbers a double holds (below 2^53), trailing zero digits
    2n ** 53n - 1n,
    2n ** 53n,
    -(2n ** 53n) + 1n,
    -(2n ** 53n),
    99_990_000n,
    1_000_000_000_000n,
    -10_000n,
    1_000_000_000_000_001n,
    2n ** 63n,
    2n ** 64n - 1n,
    -(2n ** 64n) + 1n,
    10n ** 20n,
    10n ** 39n + 7n,
  ];

  it("Given whole numbers of every digit shape, when copied in binary, then the server reads each back exactly", async function () {
    // the embedded PGlite takes no COPY (it breaks the connection); the close's unnest path runs there
    if (!supportsCopy(db())) this.skip();
    const sql = db();
    await sql`create temporary table t (i integer not null, n numeric not null, j jsonb not null, k integer not null)`;
    await sql.begin(async (tx) =>
      copyRows(tx, "t (i, n, j, k)", amounts, (seg, v) => {
        seg.room(2 + 8 + NUMERIC_BOUND + 64 + 8);
        seg.view.setInt16(seg.off, 4);
        seg.off += 2;
        int32(seg, amounts.indexOf(v));
        numeric(seg, v);
        jsonb(seg, v === 0n ? "{}" : `{"launch":"${v}","ü":"x"}`);
        int32(seg, Number(v % 1000n) * 3 - 1);
      }),
    );
    const rows = await sql<{ i: number; n: string; j: Record<string, string>; k: number }[]>`
      select i, n::text as n, j, k from t order by i`;
    assert.deepEqual(
      rows.map((r) => [r.n, r.j, r.k]),
      amounts.map((v) => [v.toString(), v === 0n ? {} : { launch: v.toString(), ü: "x" }, Number(v % 1000n) * 3 - 1]),
    );
    // the scale is 0, so a numeric(20, 0) column takes them unchanged
    const [s] = await sql<{ s: number }[]>`select max(scale(n)) as s from t`;
    assert.equal(s!.s, 0);
  });
});
