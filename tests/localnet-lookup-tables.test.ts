// A v0 transaction whose token accounts come from an address lookup table: sent, confirmed and
// read back with its loaded addresses, which also index it by address.
import assert from "node:assert/strict";
import bs58 from "bs58";
import {
  AddressLookupTableProgram,
  TransactionMessage,
  VersionedTransaction,
  Transaction,
  sendAndConfirmTransaction,
  type Keypair,
  type PublicKey,
} from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { fundedKeypair, rpc, useLocalnet } from "./helpers/localnet.js";

describe("localnet: v0 transactions with address lookup tables", function () {
  this.timeout(60_000);
  const chain = useLocalnet();
  let payer: Keypair;
  let from: PublicKey, to: PublicKey, table: PublicKey, signature: string;

  before(async () => {
    const { connection } = chain();
    payer = await fundedKeypair(connection);
    const mint = await spl.createMint(connection, payer, payer.publicKey, null, 2);
    from = await spl.createAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
    to = await spl.createAssociatedTokenAccount(connection, payer, mint, (await fundedKeypair(connection, 1)).publicKey);
    await spl.mintTo(connection, payer, mint, from, payer, 1_000n);

    const recentSlot = await connection.getSlot();
    const [create, address] = AddressLookupTableProgram.createLookupTable({
      authority: payer.publicKey,
      payer: payer.publicKey,
      recentSlot,
    });
    const extend = AddressLookupTableProgram.extendLookupTable({
      lookupTable: address,
      authority: payer.publicKey,
      payer: payer.publicKey,
      addresses: [from, to],
    });
    await sendAndConfirmTransaction(connection, new Transaction().add(create, extend), [payer]);
    table = address;
    // Addresses added to a table are usable from the next slot on.
    const extendedAt = await connection.getSlot();
    while ((await connection.getSlot()) <= extendedAt) await new Promise((r) => setTimeout(r, 100));

    const lookup = (await connection.getAddressLookupTable(table)).value;
    assert.ok(lookup);
    const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
    const message = new TransactionMessage({
      payerKey: payer.publicKey,
      recentBlockhash: blockhash,
      instructions: [spl.createTransferInstruction(from, to, payer.publicKey, 250n)],
    }).compileToV0Message([lookup]);
    assert.equal(message.addressTableLookups.length, 1);
    const tx = new VersionedTransaction(message);
    tx.sign([payer]);
    signature = await connection.sendTransaction(tx);
    const confirmed = await connection.confirmTransaction({ signature, blockhash, lastValidBlockHeight });
    assert.equal(confirmed.value.err, null);
  });

  it("given the table, when read through getAddressLookupTable, then it holds the extended addresses", async () => {
    const lookup = (await chain().connection.getAddressLookupTable(table)).value;
    assert.deepEqual(lookup?.state.addresses.map(String), [from, to].map(String));
  });

  it("given the v0 transaction, when read with json, then version, lookups, loaded addresses and token balances line up", async () => {
    const got = await chain().connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.ok(got?.meta);
    assert.equal(got.version, 0);
    assert.deepEqual(
      got.transaction.message.addressTableLookups.map((l) => [l.accountKey.toBase58(), l.writableIndexes]),
      [[table.toBase58(), [0, 1]]],
    );
    assert.deepEqual(got.meta.loadedAddresses?.writable.map(String), [from, to].map(String));
    const keys = got.transaction.message.getAccountKeys({ accountKeysFromLookups: got.meta.loadedAddresses });
    const post = got.meta.postTokenBalances!.map((b) => [keys.get(b.accountIndex)!.toBase58(), b.uiTokenAmount.amount]);
    assert.deepEqual(post, [
      [from.toBase58(), "750"],
      [to.toBase58(), "250"],
    ]);
  });

  it("given the v0 transaction, when read with jsonParsed, then looked-up keys are marked with their source", async () => {
    const got = await chain().connection.getParsedTransaction(signature, { maxSupportedTransactionVersion: 0 });
    const sources = got!.transaction.message.accountKeys.map((k) => [k.pubkey.toBase58(), k.source, k.writable]);
    assert.deepEqual(
      sources.filter(([, source]) => source === "lookupTable"),
      [
        [from.toBase58(), "lookupTable", true],
        [to.toBase58(), "lookupTable", true],
      ],
    );
  });

  it("given the v0 transaction, when read with base64 encoding, then the wire bytes deserialize to the signed transaction", async () => {
    const { json } = await rpc(chain().net.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "getTransaction",
      params: [signature, { encoding: "base64", maxSupportedTransactionVersion: 0 }],
    });
    const result = (json as { result: { transaction: [string, string]; version: number } }).result;
    assert.equal(result.transaction[1], "base64");
    const tx = VersionedTransaction.deserialize(Buffer.from(result.transaction[0], "base64"));
    assert.equal(bs58.encode(tx.signatures[0]!), signature);
    assert.equal(result.version, 0);
  });

  it("given a client that did not declare v0 support, when it asks for the transaction, then it gets the validator's -32015", async () => {
    await assert.rejects(chain().connection.getTransaction(signature, {} as never), /Transaction version \(0\) is not supported/);
  });

  it("given a looked-up account, when its signatures are listed, then the v0 transaction is among them", async () => {
    const sigs = await chain().connection.getSignaturesForAddress(to, { limit: 1 });
    assert.equal(sigs[0]?.signature, signature);
  });
});
