import assert from "node:assert/strict";
import { useFreshDb } from "../../../tests/setup/db.js";
import { supportsCopy } from "./connection.js";
import { copyOut, copyOutEach } from "./copy-out.js";

describe("COPY TO STDOUT", () => {
  const db = useFreshDb({ max: 1 });

  it("Given COPY output larger than the stream's buffer, when it is read to its end, then the next queries on the transaction complete", async function () {
    if (!supportsCopy(db())) this.skip(); // the embedded PGlite takes no COPY
    const got = await db().begin(async (tx) => {
      const hung = new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error("a query after the COPY never completed")), 10_000).unref(),
      );
      let bytes = 0;
      for (const rows of [3, 20_000, 50_000]) {
        for await (const chunk of copyOut(tx, `copy (select g, repeat('x', 80) from generate_series(1, ${rows}) g) to stdout`)) {
          bytes += chunk.length;
        }
        await Promise.race([tx`select 1`, hung]);
      }
      const [r] = await Promise.race([tx<{ n: number }[]>`select 2 as n`, hung]);
      return { bytes, n: r!.n };
    });
    assert.ok(got.bytes > 6_000_000, `${got.bytes} bytes`);
    assert.equal(got.n, 2);
  });

  it("Given text with tabs, newlines, backslashes, non-ASCII and NULLs, when read as rows, then each field is what a query returns", async function () {
    if (!supportsCopy(db())) this.skip();
    const values = ["plain", "a\tb", "line\nbreak", "back\\slash", "\\N", "ü ✓", "", '{"k":"v\\"q"}', "\u0001x\u007f"];
    const select = `select v, case when v = 'plain' then null else 'x' end as w from unnest($1::text[]) with ordinality as t(v, o) order by o`;
    const expected = (await db().unsafe<{ v: string; w: string | null }[]>(select, [values])).map((r) => [r.v, r.w]);
    const literal = `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(",")}]`;
    const rows: (string | null)[][] = [];
    await db().begin(async (tx) => {
      const statement = `copy (${select.replace("$1", literal)}) to stdout`;
      for await (const _ of copyOutEach(tx, statement, (r) => rows.push([r.text(0), r.text(1)]))) {
      }
    });
    assert.deepEqual(rows, expected);
    assert.deepEqual(
      rows.map((r) => r[0]),
      values,
    );
  });

  it("Given whole numbers of every length and sign, when read in place as bigints, then each is what the server holds", async function () {
    if (!supportsCopy(db())) this.skip();
    const values = [
      "0",
      "-1",
      "7",
      "999999999999999",
      "-999999999999999",
      "1000000000000000",
      "18446744073709551615",
      "-9223372036854775808",
      "123456789012345678901234567890",
    ];
    const got: [bigint | null, bigint | null, string | null, number][] = [];
    await db().begin(async (tx) => {
      const statement = `copy (select v::numeric, case when o % 2 = 0 then null else v::numeric end, 'x\ty', case when o = 1 then '' else 't' end
        from unnest(array[${values.map((v) => `'${v}'`).join(",")}]) with ordinality as t(v, o) order by o) to stdout`;
      for await (const _ of copyOutEach(tx, statement, (r) => got.push([r.bigint(0), r.bigint(1), r.text(2), r.firstByte(3)]))) {
      }
    });
    assert.deepEqual(
      got,
      values.map((v, k) => [BigInt(v), k % 2 === 1 ? null : BigInt(v), "x\ty", k === 0 ? -1 : 0x74]),
    );
  });
});
