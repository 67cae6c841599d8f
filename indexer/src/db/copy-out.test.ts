import assert from "node:assert/strict";
import { useFreshDb } from "../../../tests/setup/db.js";
import { supportsCopy } from "./connection.js";
import { copyOut } from "./copy-out.js";

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
});
