// Blocks: every transaction gets a slot and an index in its block; a full block closes its slot.
import assert from "node:assert/strict";
import { SystemProgram, Transaction, sendAndConfirmTransaction, type Keypair } from "@solana/web3.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

describe("localnet: blocks and transaction positions", function () {
  this.timeout(60_000);
  // Slots that never time out, and blocks of two: positions depend only on the transactions.
  const chain = useLocalnet({ slotMs: 600_000, maxTxPerSlot: 2 });
  let payer: Keypair;

  before(async () => {
    payer = await fundedKeypair(chain().connection);
  });

  it("given an airdrop and five transfers, when blocks hold two, then they fill consecutive slots in pairs at indexes 0 and 1", async () => {
    const { connection } = chain();
    const start = await connection.getSlot();
    const sigs: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const tx = new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: i }));
      sigs.push(await sendAndConfirmTransaction(connection, tx, [payer]));
    }
    const positions = [];
    for (const sig of sigs) {
      const tx = await connection.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
      const block = await connection.getBlockSignatures(tx!.slot);
      positions.push([tx!.slot - start, block.signatures.indexOf(sig)]);
    }
    // The airdrop that funded the payer took index 0 of the first block.
    assert.deepEqual(positions, [
      [0, 1],
      [1, 0],
      [1, 1],
      [2, 0],
      [2, 1],
    ]);
    const second = await connection.getBlock(start + 1, { maxSupportedTransactionVersion: 0, transactionDetails: "full" });
    assert.equal(second!.parentSlot, start);
    const height = async (slot: number) =>
      ((await connection.getBlock(slot, { maxSupportedTransactionVersion: 0 })) as { blockHeight?: number } | null)?.blockHeight;
    assert.equal(await height(start + 1), (await height(start))! + 1);
    assert.deepEqual(
      second!.transactions.map((t) => t.transaction.signatures[0]),
      sigs.slice(1, 3),
    );
  });

  it("given a slot no transaction landed in, when its block is asked for, then it reads as skipped (-32007) and a future slot as not available (-32004)", async () => {
    const { connection, net } = chain();
    const before = await connection.getSlot();
    net.warp({ slots: 3 });
    const code = (expected: number) => (err: { code?: number }) => err.code === expected;
    await assert.rejects(connection.getBlock(before + 1, { maxSupportedTransactionVersion: 0 }), code(-32007));
    await assert.rejects(connection.getBlock(before + 100, { maxSupportedTransactionVersion: 0 }), code(-32004));
  });
});
