import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { startLocalnet, type Localnet } from "../clients/src/localnet/index.js";
import { freshDb } from "./setup/db.js";
import { connect, type Sql } from "../indexer/src/db.js";
import { migrate } from "../indexer/src/db/migrate.js";
import { startThrowawayPostgres, type ThrowawayPostgres } from "./fixtures/ingest/throwaway-postgres.js";
import { countSettlements, listSettlements } from "../indexer/src/ingest/settlements-queries.js";
import { createWorld, rulesOf, sendFacilitated, type ExpectedSettlement } from "./fixtures/ingest/localnet-scenario.js";

/**
 * Exactly once under kill -9: the real `run` command polls the local chain in a child process
 * that is killed with SIGKILL at random moments (during start-up, between fetch and commit,
 * between batches), restarted each time, and finally left to finish. The table must then hold
 * exactly the expected settlements: none lost, none twice.
 */
const SETTLEMENTS = 120;
const KILLS = 6;

describe("Ingest under kill -9", function () {
  this.timeout(600_000);
  // Processes killed mid-transaction and several writers at once need a real server: PGlite
  // serves one session at a time over its socket. Without DATABASE_URL a throwaway cluster runs.
  let pg: ThrowawayPostgres | undefined;
  let sql: Sql;
  const db = () => sql;
  let net: Localnet;
  let expected: ExpectedSettlement[];
  let env: NodeJS.ProcessEnv;
  const logs: string[] = [];

  before(async () => {
    if (process.env.MERIT_TEST_EMBEDDED_PG === "1") {
      pg = await startThrowawayPostgres();
      sql = connect(pg.url, { max: 2, name: "merit-crash-test" });
      await migrate(sql);
    } else {
      sql = await freshDb({ max: 2 });
    }
    net = await startLocalnet({ port: 0 });
    const world = await createWorld(net.url, { payers: 4 });
    expected = [];
    for (let i = 0; i < SETTLEMENTS; i++) {
      const payer = world.payers[i % world.payers.length]!;
      const merchant = world.merchants[i % 2]!.publicKey;
      expected.push((await sendFacilitated(world, payer, merchant, BigInt(1000 + i), i % 3 === 0 ? `x402:crash/${i}` : null)).expected);
    }
    const rules = rulesOf(world);
    env = {
      ...process.env,
      RPC_URL: net.url,
      DATABASE_URL: pg?.url ?? process.env.DATABASE_URL,
      WATCH_MINTS: rules.mints.join(","),
      WATCH_FACILITATORS: rules.facilitators.join(","),
      WATCH_MERCHANTS: rules.merchants.join(","),
      // Small batches and a tight request budget stretch ingestion over seconds, so random kills
      // land in the middle of it rather than before or after.
      INGEST_BATCH_SIZE: "2",
      RPC_REQUESTS_PER_SECOND: "60",
      RPC_MAX_CONCURRENCY: "2",
      POLL_INTERVAL_MS: "100",
    };
  });
  after(async () => {
    await net?.stop();
    await sql?.end();
    pg?.stop();
  });

  const start = (): ChildProcess => {
    const child = spawn("npx", ["tsx", "indexer/src/cli/main.ts", "run"], { env, stdio: ["ignore", "ignore", "pipe"], detached: true });
    child.stderr!.on("data", (d) => logs.push(String(d)));
    return child;
  };
  // npx -> tsx -> node: kill the whole process group, like a machine losing power.
  const kill9 = async (child: ChildProcess) => {
    const exited = new Promise((r) => child.once("exit", r));
    process.kill(-child.pid!, "SIGKILL");
    await exited;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it("given random SIGKILLs and restarts, then the table equals the expected set exactly", async () => {
    const killedAt: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const before = await countSettlements(db());
      const child = start();
      // Half the kills wait for progress past a random count (mid-ingest); the others fire at a
      // random time, which may be during start-up or listing.
      if (k % 2 === 0) {
        const target = before + 1 + Math.floor(Math.random() * 12);
        const t0 = Date.now();
        while ((await countSettlements(db())) < target && Date.now() - t0 < 60_000) await sleep(20 + Math.random() * 40);
        await sleep(Math.random() * 150);
      } else {
        await sleep(3000 + Math.random() * 4000);
      }
      await kill9(child);
      killedAt.push(await countSettlements(db()));
    }
    const child = start();
    const t0 = Date.now();
    while ((await countSettlements(db())) < expected.length && Date.now() - t0 < 120_000) await sleep(100);
    await sleep(1500); // a full extra pass: nothing more may appear
    await kill9(child);

    const key = (r: { signature: string; outer_index: number; inner_index: number }) => `${r.signature}/${r.outer_index}/${r.inner_index}`;
    const rows = await listSettlements(db());
    const got = rows.map((r) => `${key(r)} ${r.amount} ${r.payer} ${r.payee} ${r.memo}`).sort();
    const want = expected.map((e) => `${key(e)} ${e.amount} ${e.payer} ${e.payee} ${e.memo}`).sort();
    assert.ok(killedAt.some((n, i) => n > 0 && n < expected.length && (i === 0 || n > killedAt[i - 1]!)), `no kill landed mid-ingest: ${killedAt}\n${logs.join("")}`);
    assert.deepEqual(got, want, logs.join(""));
    console.log(`      killed at ${killedAt.join(", ")} of ${expected.length} settlements`);
  });
});
