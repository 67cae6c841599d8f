import assert from "node:assert/strict";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { followEpochs } from "../indexer/src/publish/follow.js";
import {
  publishNextEpoch,
  claimFromShards,
  configure,
  createDistributor,
  DELAY,
  publishContext,
  usePublishSuite,
} from "./helpers/publish-chain.js";
import { fundedKeypair } from "./helpers/localnet.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";

describe("two-sided rewards on-chain: the merchant claims its provider points like any wallet (development chain, Postgres)", function () {
  this.timeout(120_000);
  const suite = usePublishSuite();
  const { chain, db } = suite;

  it("given a provider side, when the epoch is published and active, then the payer and the merchant each claim their own amount", async () => {
    const { connection, net } = chain();
    const d = await createDistributor(connection, { fund: 1_000_000n });
    await configure(db(), d);
    // Given: payers earn 1 point per unit, providers 0.5, and payers 10% of what they earned the provider
    await publishRuleSet(db(), {
      createdBy: "t",
      body: {
        earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
        sides: { provider: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 500 }], payerShareBps: 1000 } },
      },
    });
    const [alice, shop] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection)]);
    await insertSettlements(db(), [{ slot: 1, payer: alice.publicKey.toBase58(), payee: shop.publicKey.toBase58(), amount: 10_000_000n }]);
    await advanceIngestWatermark(db(), 1n);
    while ((await scoreBatch(db(), { maxSlot: 1n })) > 0);

    // When: epoch 1 is closed, proposed and activated
    const ctx = publishContext(db(), connection, suite.dataDir(), d.publisher);
    await publishNextEpoch(ctx, d.address.toBase58());
    net.warp({ seconds: DELAY + 1 });
    await followEpochs(ctx, { distributor: d.address.toBase58() });

    // Then: Alice 10 + 0.5 points, the shop 5 points, at 10 base units a point
    assert.equal(await claimFromShards(connection, d, suite.dataDir(), 1n, alice), 105n);
    assert.equal(await claimFromShards(connection, d, suite.dataDir(), 1n, shop), 50n);
  });
});
