import assert from "node:assert/strict";
import { Connection } from "@solana/web3.js";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { getIngestWatermark, startIngest, watchRules } from "../indexer/src/ingest/index.js";
import { countSettlements } from "../indexer/src/ingest/store/settlements.js";
import { createWorld, rulesOf, sendFacilitated } from "./fixtures/ingest/localnet-scenario.js";
import { useFreshDb } from "./setup/db.js";

/**
 * Ingest's watermark says every settlement at or below it is stored, and scoring never goes past
 * it. A slot whose block still takes transactions (the local chain serves its open block at
 * "confirmed") is not complete: a settlement landing in it after a pass would be stored below a
 * watermark the engine already scored to, and never scored.
 */
describe("ingest: the watermark stays below a block still taking transactions", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let net: Localnet;
  before(async () => {
    // long slots: the block stays open for the whole test
    net = await startLocalnet({ port: 0, slotMs: 60_000 });
  });
  after(async () => net?.stop());

  it("given a settlement in the open block, when a pass has ingested it, then the watermark is below that block's slot", async () => {
    const world = await createWorld(net.url, { payers: 1 });
    const { sig } = await sendFacilitated(world, world.payers[0]!, world.merchants[0]!.publicKey, 1000n, null);
    const connection = new Connection(net.url, "confirmed");
    const slot = BigInt((await connection.getTransaction(sig, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }))!.slot);
    const ingest = await startIngest({
      sql: db(),
      rpcUrl: net.url,
      rules: watchRules(rulesOf(world)),
      commitment: "confirmed",
      pollIntervalMs: 100,
    });
    try {
      const t0 = Date.now();
      while ((await countSettlements(db())) < 1 || (await getIngestWatermark(db())) === undefined) {
        assert.ok(Date.now() - t0 < 30_000, "nothing ingested");
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 500)); // more passes
      assert.ok((await getIngestWatermark(db()))! < slot, "the watermark covers a block still open");
    } finally {
      await ingest.stop();
    }
  });
});
