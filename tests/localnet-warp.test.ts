// Chain time follows the wall clock and can be warped forward, so timelocks are testable: the
// Clock sysvar, block times and block heights move together.
import assert from "node:assert/strict";
import { SYSVAR_CLOCK_PUBKEY, SystemProgram, Transaction, sendAndConfirmTransaction, type Connection } from "@solana/web3.js";
import { fundedKeypair, rpc, useLocalnet } from "./helpers/localnet.js";

async function clockSysvar(connection: Connection): Promise<{ slot: bigint; unixTimestamp: bigint }> {
  const info = await connection.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  assert.ok(info);
  return { slot: info.data.readBigUInt64LE(0), unixTimestamp: info.data.readBigInt64LE(32) };
}

describe("localnet: clock and warp", function () {
  this.timeout(60_000);
  const chain = useLocalnet();

  it("given a fresh chain, when the Clock sysvar is read, then it shows the current slot and wall-clock time", async () => {
    const { connection } = chain();
    const before = await connection.getSlot();
    const clock = await clockSysvar(connection);
    const after = await connection.getSlot();
    assert.ok(before <= Number(clock.slot) && Number(clock.slot) <= after, `${before} <= ${clock.slot} <= ${after}`);
    assert.ok(Math.abs(Number(clock.unixTimestamp) - Date.now() / 1000) <= 2);
  });

  it("given merit_warp by a day, when the clock and the next transaction are read, then both are a day ahead", async () => {
    const { connection, net } = chain();
    const before = await clockSysvar(connection);
    const { json } = await rpc(net.url, { jsonrpc: "2.0", id: 1, method: "merit_warp", params: [{ seconds: 86_400 }] });
    const result = (json as { result: { slot: number; unixTimestamp: number } }).result;
    assert.ok(result.unixTimestamp >= Number(before.unixTimestamp) + 86_400);
    const after = await clockSysvar(connection);
    assert.ok(after.unixTimestamp >= before.unixTimestamp + 86_400n);
    assert.ok(after.slot > before.slot);

    const payer = await fundedKeypair(connection, 1);
    const sig = await sendAndConfirmTransaction(
      connection,
      new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 0 })),
      [payer],
    );
    const tx = await connection.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
    assert.ok(tx!.blockTime! >= Date.now() / 1000 + 86_400 - 5);
    assert.equal(await connection.getBlockTime(tx!.slot), tx!.blockTime);
  });

  it("given warp() by 1000 slots, when read, then slot and block height jump and an older blockhash has expired", async () => {
    const { connection, net } = chain();
    const { blockhash } = await connection.getLatestBlockhash();
    const [slot, height] = [await connection.getSlot(), await connection.getBlockHeight()];
    net.warp({ slots: 1000 });
    assert.ok((await connection.getSlot()) >= slot + 1000);
    assert.ok((await connection.getBlockHeight()) >= height + 1000);
    assert.equal((await connection.isBlockhashValid(blockhash)).value, false);
    const now = await connection.getSlot();
    const clockSlot = Number((await clockSysvar(connection)).slot);
    assert.ok(clockSlot >= now && clockSlot <= (await connection.getSlot()), `clock at ${clockSlot}, slot ${now}`);
  });

  it("given merit_warp without seconds or slots, when called, then it is an invalid-params error", async () => {
    const { json } = await rpc(chain().net.url, { jsonrpc: "2.0", id: 1, method: "merit_warp", params: [{}] });
    assert.equal((json as { error: { code: number } }).error.code, -32602);
  });
});
