import assert from "node:assert/strict";
import type { Keypair } from "@solana/web3.js";
import { closeEpoch } from "../indexer/src/epochs/close.js";
import { getEpoch } from "../indexer/src/epochs/queries.js";
import { startEpochs } from "../indexer/src/publish/daemon.js";
import { followEpochs } from "../indexer/src/publish/follow.js";
import { type PublishContext, publishEpoch } from "../indexer/src/publish/publish.js";
import {
  type ChainDistributor,
  claimFromShards,
  configure,
  createDistributor,
  DELAY,
  proposals,
  publishContext,
  setPaused,
  settle,
  usePublishSuite,
  veto,
} from "./helpers/publish-chain.js";
import { fundedKeypair } from "./helpers/localnet.js";

describe("publish: closed epochs go on-chain, activate, and pay claims (development chain, Postgres)", function () {
  this.timeout(120_000);
  const suite = usePublishSuite();
  const { chain, db } = suite;
  let dataDir: string;
  let d: ChainDistributor;
  let ctx: PublishContext;
  let alice: Keypair, bob: Keypair;
  const lines: string[] = [];

  beforeEach(async () => {
    const { connection } = chain();
    dataDir = suite.dataDir();
    d = await createDistributor(connection, { fund: 1_000_000_000n });
    await configure(db(), d);
    [alice, bob] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection)]);
    ctx = publishContext(db(), connection, dataDir, d.publisher, { log: (l) => lines.push(l) });
  });

  const distributor = () => d.address.toBase58();
  const close = () => closeEpoch(db(), { distributor: distributor(), dataDir });
  const publish = () => publishEpoch(ctx, { distributor: distributor() });
  const status = async (epoch: bigint) => (await getEpoch(db(), distributor(), epoch))!.status;
  /** Past the timelock, then the daemon's follow pass activates what is due. */
  const activate = async () => {
    chain().net.warp({ seconds: DELAY + 1 });
    const r = await followEpochs(ctx, { distributor: distributor() });
    assert.notEqual(r, "busy");
    return r as Exclude<typeof r, "busy">;
  };

  it("given settlements, when epoch 1 is closed, published and activated, then a claim with the proof from the shards pays; epoch 2 pays the same wallet exactly the difference", async () => {
    const { connection } = chain();
    // Given: Alice pays 3 units (30 base units), Bob 5 (50)
    await settle(db(), [
      [alice, 3],
      [bob, 5],
    ]);
    const e1 = await close();
    assert.equal(e1?.epoch, 1n);

    // When: published
    const p1 = await publish();
    assert.equal(p1.outcome, "proposed");
    assert.equal(await status(1n), "pending");
    const row = await getEpoch(db(), distributor(), 1n);
    assert.equal(row?.proposeSignature, p1.outcome === "proposed" ? p1.signature : "");
    assert.ok(row?.activatesAt && row.proposedAt, "the chain's times are recorded");
    assert.deepEqual(await proposals(connection, d, 1n), [row!.proposeSignature]);
    assert.deepEqual(await publish(), { outcome: "nothing" }, "nothing left to publish");

    // before the timelock nothing activates
    const early = await followEpochs(ctx, { distributor: distributor() });
    assert.ok(early !== "busy");
    assert.deepEqual(early.activated, []);
    assert.equal(await status(1n), "pending");

    // Then: after the delay the daemon activates it and Alice claims 30 with her proof from the shards
    const r1 = await activate();
    assert.deepEqual(r1.activated, [1n]);
    assert.equal(await status(1n), "active");
    assert.ok((await getEpoch(db(), distributor(), 1n))?.activatedAt);
    assert.equal(await claimFromShards(connection, d, dataDir, 1n, alice), 30n);

    // And: epoch 2 with 2 more units from Alice pays her exactly 20 more
    await settle(db(), [[alice, 2]]);
    assert.equal((await close())?.epoch, 2n);
    assert.equal((await publish()).outcome, "proposed");
    assert.deepEqual((await activate()).activated, [2n]);
    assert.equal(await claimFromShards(connection, d, dataDir, 2n, alice), 50n, "30 claimed before + the 20 difference");
    assert.equal(
      await claimFromShards(connection, d, dataDir, 2n, bob),
      50n,
      "Bob had no new activity: his epoch-1 amount under the new root",
    );
  });

  it("given epoch 2 vetoed by the guardian, when epoch 3 is published, then it pays what epoch 2 would have plus epoch 3's own", async () => {
    const { connection } = chain();
    await settle(db(), [[alice, 1]]);
    await close();
    await publish();
    await activate();
    assert.equal(await claimFromShards(connection, d, dataDir, 1n, alice), 10n);

    // Given: epoch 2 (Alice +4 units = 40) is vetoed on-chain
    await settle(db(), [[alice, 4]]);
    await close();
    assert.equal((await publish()).outcome, "proposed");
    await veto(connection, d, 2n);
    const watched = await followEpochs(ctx, { distributor: distributor() });
    assert.ok(watched !== "busy");
    assert.equal(watched.epochs.find((e) => e.epoch === 2n)?.status, "vetoed");
    assert.equal(await status(2n), "vetoed");
    assert.ok((await getEpoch(db(), distributor(), 2n))?.vetoedAt);

    // When: epoch 3 (Alice +2 units = 20) is closed on top of epoch 2's cumulative amounts and published
    await settle(db(), [[alice, 2]]);
    const e3 = await close();
    assert.equal(e3?.cumulativeTotal, 70n, "10 + 40 (vetoed, included again) + 20");
    assert.equal((await publish()).outcome, "proposed");
    assert.deepEqual((await activate()).activated, [3n]);

    // Then: Alice receives the 40 of the vetoed epoch and the 20 of epoch 3
    assert.equal(await claimFromShards(connection, d, dataDir, 3n, alice), 70n);
    assert.deepEqual(await Promise.all([1n, 2n, 3n].map(status)), ["active", "vetoed", "active"]);
  });

  it("given the epochs daemon, when it runs, then it closes and publishes, holds activation while the distributor is paused, and activates once unpaused", async () => {
    const { connection, net } = chain();
    await settle(db(), [[alice, 3]]);
    const daemon = startEpochs({
      sql: db(),
      connection,
      dataDir,
      signer: d.publisher,
      send: ctx.send,
      schedule: "every 6h",
      log: (l) => lines.push(l),
    });
    try {
      await daemon.runOnce();
      assert.equal(await status(1n), "pending", "closed and proposed in one pass");
      await setPaused(connection, d, true);
      net.warp({ seconds: DELAY + 1 });
      await daemon.runOnce();
      assert.equal(await status(1n), "pending", "paused: nothing activates");
      assert.ok(lines.some((l) => /distributor \w+ is paused: no activation/.test(l)));
      await setPaused(connection, d, false);
      await daemon.runOnce();
      assert.equal(await status(1n), "active");
      assert.equal(await claimFromShards(connection, d, dataDir, 1n, alice), 30n);
    } finally {
      await daemon.stop();
    }
  });

  it("given a schedule, when its time comes, then the daemon closes and publishes on its own, and stops cleanly", async () => {
    await settle(db(), [[bob, 1]]);
    const daemon = startEpochs({
      sql: db(),
      connection: chain().connection,
      dataDir,
      signer: d.publisher,
      send: ctx.send,
      schedule: { kind: "every", ms: 200 },
      followEveryMs: 60_000,
      log: (l) => lines.push(l),
    });
    try {
      const deadline = Date.now() + 20_000;
      while ((await getEpoch(db(), distributor(), 1n))?.status !== "pending") {
        assert.ok(Date.now() < deadline, "the scheduled pass never published epoch 1");
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await daemon.stop();
    }
  });
});
