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
  it("given two processes' connections, one in transactions, sending parameterised queries at once, then neither loses its portal to the other between Bind and Execute", async () => {
    // Each process keeps to one connection (connection.ts), but the daemon and a `merit` command are
    // two connections to one PGlite session: a BEGIN of one between the other's Bind and Execute
    // dropped its unnamed portal ("portal \"\" does not exist"), seen in `merit start` tests.
    const pg = await startEmbeddedPostgres({ exportUrl: false });
    const a = connect(`${pg.url}?application_name=daemon`, { max: 1 });
    const b = connect(`${pg.url}?application_name=cli`, { max: 1 });
    try {
      const rounds = Array.from({ length: 200 }, (_, i) => i);
      const [fromA, fromB] = await Promise.all([
        Promise.all(rounds.map((i) => a`select ${i}::int as n, 'a' as who`)),
        Promise.all(rounds.map((i) => b.begin((tx) => tx`select ${String(i)}::text as n, ${i * 2}::bigint as twice`))),
      ]);
      assert.deepEqual(
        fromA.map((r) => r[0]!.n),
        rounds,
      );
      assert.deepEqual(
        fromB.map((r) => r[0]!.twice),
        rounds.map((i) => BigInt(i * 2)),
      );
    } finally {
      await Promise.all([a.end({ timeout: 1 }), b.end({ timeout: 1 })]);
      await pg.stop();
    }
  });
});
