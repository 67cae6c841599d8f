import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startLocalnet, type Localnet } from "@merit/localnet";
import type { Sql } from "../indexer/src/db/connection.js";
import { publishRuleSet } from "../indexer/src/engine/index.js";
import { RpcClient } from "../indexer/src/ingest/rpc/client.js";
import { listCursors } from "../indexer/src/ingest/store/cursors.js";
import { countSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, type ExpectedSettlement, sendFacilitated, type World } from "./fixtures/ingest/localnet-scenario.js";
import { engineState, realPostgres, startDaemon, storedVsExpected, until } from "./helpers/daemon.js";
import { RULES } from "./helpers/publish-chain.js";

/**
 * SIGTERM to `merit start --roles ingest,engine` while ingest is fetching a batch: the batch in
 * hand is finished and committed with its cursor, the engine's batch likewise, and the process
 * exits 0. Nothing is half-written and nothing is lost: a restart ingests exactly the rest.
 */
const SETTLEMENTS = 40;

describe("daemon: SIGTERM finishes the batch in hand, commits and exits", function () {
  this.timeout(300_000);
  let sql: Sql;
  let pg: Awaited<ReturnType<typeof realPostgres>>;
  let net: Localnet;
  let world: World;
  let expected: ExpectedSettlement[];
  let env: NodeJS.ProcessEnv;
  let dataDir: string;

  before(async () => {
    pg = await realPostgres();
    sql = pg.sql;
    net = await startLocalnet({ port: 0 });
    world = await createWorld(net.url, { payers: 3 });
    expected = [];
    for (let i = 0; i < SETTLEMENTS; i++)
      expected.push(
        (await sendFacilitated(world, world.payers[i % 3]!, world.merchants[i % 2]!.publicKey, BigInt(1000 + i), null)).expected,
      );
    await publishRuleSet(sql, { createdBy: "t", body: RULES });
    dataDir = mkdtempSync(join(tmpdir(), "merit-sigterm-"));
    env = {
      ...process.env,
      DATABASE_URL: pg.url,
      RPC_URL: net.url,
      RPC_COMMITMENT: "confirmed",
      // one watched address (the facilitator), so its cursor orders every settlement
      WATCH_MINTS: world.mintA.toBase58(),
      WATCH_FACILITATORS: world.facilitator.publicKey.toBase58(),
      MERIT_DATA_DIR: dataDir,
      // Small batches and a slow RPC budget: a batch takes about a second to fetch, so the signal
      // lands while one is in hand.
      INGEST_BATCH_SIZE: "4",
      RPC_REQUESTS_PER_SECOND: "6",
      RPC_MAX_CONCURRENCY: "1",
      POLL_INTERVAL_MS: "100",
      ENGINE_BATCH_SIZE: "3",
    };
    delete env.MERIT_EMBEDDED_PG_URL;
  });
  after(async () => {
    await net?.stop();
    await pg?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("Given ingest mid-batch, When SIGTERM arrives, Then the batch commits with its cursor, the ledger equals a replay and the exit code is 0; a restart loses and duplicates nothing", async () => {
    const d = startDaemon(env, "ingest,engine");
    await until("the first batch committed", async () => (await countSettlements(sql)) > 0, 90_000, d.output);
    const atSignal = await countSettlements(sql);
    d.child.kill("SIGTERM");
    const code = await d.exited;
    assert.equal(code, 0, d.output());
    assert.match(d.output(), /SIGTERM: stopping/);
    const afterStop = await countSettlements(sql);
    assert.ok(afterStop > atSignal, `the batch in hand at the signal was not committed (${atSignal} then ${afterStop})\n${d.output()}`);
    assert.ok(afterStop < SETTLEMENTS, `the signal came after ingest was done (${afterStop}); it proves nothing`);

    // No partial batch: what is stored is exactly every settlement up to the cursor's signature.
    const facilitator = world.facilitator.publicKey.toBase58();
    const cursor = (await listCursors(sql)).find((c) => c.address === facilitator && c.stream === "live");
    assert.ok(cursor, "no cursor for the facilitator");
    const sigs = (
      await new RpcClient({ url: net.url }).call<{ signature: string }[]>("getSignaturesForAddress", [
        facilitator,
        { commitment: "confirmed" },
      ])
    )
      .map((s) => s.signature)
      .reverse();
    const upTo = sigs.indexOf(cursor.lastSignature);
    assert.ok(upTo >= 0, "the cursor names a signature of the facilitator");
    const prefix = expected.filter((e) => sigs.indexOf(e.signature) <= upTo);
    const partial = await storedVsExpected(sql, prefix);
    assert.deepEqual(partial.got, partial.want, "stored settlements are not exactly those up to the cursor");
    // (the engine scores below ingest's watermark, which a first pass not yet complete leaves unset)
    assert.equal((await engineState(pg.url)).mismatches, 0, "the ledger differs from a replay");

    // A restart takes up where the first stopped: everything once.
    const again = startDaemon(env, "ingest,engine");
    await until("the rest ingested", async () => (await countSettlements(sql)) >= SETTLEMENTS, 120_000, again.output);
    await until("everything scored", async () => (await engineState(pg.url)).backlog === 0, 60_000, again.output);
    again.child.kill("SIGTERM");
    assert.equal(await again.exited, 0, again.output());
    const all = await storedVsExpected(sql, expected);
    assert.deepEqual(all.got, all.want);
    const final = await engineState(pg.url);
    assert.deepEqual([final.backlog, final.mismatches, final.settlements], [0, 0, SETTLEMENTS]);
    console.log(`      SIGTERM with ${atSignal} settlements stored; the batch in hand committed ${afterStop - atSignal} more`);
  });
});
