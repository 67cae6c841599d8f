import assert from "node:assert/strict";
import { Connection, SystemProgram, Transaction, sendAndConfirmTransaction } from "@solana/web3.js";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { BlockIndex } from "../indexer/src/ingest/rpc/block-index.js";
import { RpcClient } from "../indexer/src/ingest/rpc/client.js";
import { closeConnection, fundedKeypair } from "./helpers/localnet.js";

/**
 * A settlement's position in its block comes from getBlock, cached per slot. A block read while it
 * still takes transactions (the local chain serves its open block at "confirmed"; an RPC pool may
 * answer from a node a moment behind) must not make a later transaction of that slot look
 * unplaceable: that rejects it, the cursor moves past it, and the settlement is lost.
 */
describe("ingest: block positions of transactions landing in a block already read", function () {
  this.timeout(60_000);
  let net: Localnet;
  let connection: Connection;
  before(async () => {
    // long slots: both transfers land in one block
    net = await startLocalnet({ port: 0, slotMs: 30_000 });
    connection = new Connection(net.url, "confirmed");
  });
  after(async () => {
    closeConnection(connection);
    await net.stop();
  });

  it("given a block read after its first transaction, when a second lands in it, then the second's position is found", async () => {
    const payer = await fundedKeypair(connection);
    const transfer = (lamports: number) =>
      sendAndConfirmTransaction(
        connection,
        new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports })),
        [payer],
        { commitment: "confirmed" },
      );
    const first = await transfer(1);
    const slot = BigInt((await connection.getTransaction(first, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }))!.slot);
    const index = new BlockIndex(new RpcClient({ url: net.url, requestsPerSecond: 1000 }), "confirmed");
    const firstAt = await index.resolve(slot, first);
    assert.notEqual(firstAt, null);

    const second = await transfer(2);
    const secondSlot = BigInt(
      (await connection.getTransaction(second, { commitment: "confirmed", maxSupportedTransactionVersion: 0 }))!.slot,
    );
    assert.equal(secondSlot, slot, "the two transfers did not land in one block");
    assert.equal(await index.resolve(slot, second), firstAt! + 1);
  });
});
