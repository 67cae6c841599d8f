import assert from "node:assert/strict";
import { connect, type Sql } from "./connection.js";
import { startEmbeddedPostgres } from "./embedded.js";

describe("embedded PGlite server", function () {
  this.timeout(120_000);

  it("given many clients connected at once (the daemon, CLI commands, psql, a test suite's pools), then each one gets answers", async () => {
    const pg = await startEmbeddedPostgres({ exportUrl: false });
    const pools: Sql[] = [];
    try {
      for (let i = 0; i < 100; i++) pools.push(connect(`${pg.url}?application_name=client-${i}`, { max: 1 }));
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error("a client got no answer in 20 s")), 20_000));
      const answers = await Promise.race([Promise.all(pools.map((sql, i) => sql`select ${i}::int as n`)), timeout]);
      assert.deepEqual(
        answers.map((rows) => rows[0]!.n),
        pools.map((_, i) => i),
      );
    } finally {
      await Promise.all(pools.map((sql) => sql.end({ timeout: 1 })));
      await pg.stop();
    }
  });
});
