// Failing transactions answer like a validator's: preflight rejects them with -32002 and the
// simulation's error and logs; without preflight they land, pay their fee and carry the error.
import assert from "node:assert/strict";
import bs58 from "bs58";
import {
  Keypair,
  SendTransactionError,
  SystemProgram,
  Transaction,
  sendAndConfirmTransaction,
  type Connection,
  type PublicKey,
} from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { fundedKeypair, rpc, useLocalnet } from "./helpers/localnet.js";

type RpcErrorBody = { error: { code: number; message: string; data?: { err: unknown; logs: string[]; unitsConsumed: number } } };

describe("localnet: failed transactions", function () {
  this.timeout(60_000);
  const chain = useLocalnet();
  let payer: Keypair, alice: Keypair;
  let from: PublicKey, to: PublicKey;

  before(async () => {
    const { connection } = chain();
    [payer, alice] = await Promise.all([fundedKeypair(connection), fundedKeypair(connection)]);
    const mint = await spl.createMint(connection, payer, payer.publicKey, null, 0);
    from = await spl.createAssociatedTokenAccount(connection, payer, mint, alice.publicKey);
    to = await spl.createAssociatedTokenAccount(connection, payer, mint, payer.publicKey);
    await spl.mintTo(connection, payer, mint, from, payer, 10n);
  });

  /** Alice moves more tokens than she holds: SPL Token's error 1 (InsufficientFunds) at instruction 1. */
  async function overdraft(connection: Connection): Promise<Transaction> {
    const tx = new Transaction().add(
      SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: payer.publicKey, lamports: 1 }),
      spl.createTransferInstruction(from, to, alice.publicKey, 11n),
    );
    tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    tx.feePayer = alice.publicKey;
    tx.sign(alice);
    return tx;
  }

  it("given preflight, when a transaction fails, then the error is -32002 with InstructionError [1, {Custom: 1}] and logs, and nothing lands", async () => {
    const { connection, net } = chain();
    const tx = await overdraft(connection);
    const balance = await connection.getBalance(alice.publicKey);
    const { json } = await rpc(net.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "sendTransaction",
      params: [tx.serialize().toString("base64"), { encoding: "base64" }],
    });
    const { error } = json as RpcErrorBody;
    assert.equal(error.code, -32002);
    assert.equal(error.message, "Transaction simulation failed: Error processing Instruction 1: custom program error: 0x1");
    assert.deepEqual(error.data!.err, { InstructionError: [1, { Custom: 1 }] });
    assert.ok(error.data!.logs.includes("Program log: Error: insufficient funds"), error.data!.logs.join("\n"));
    assert.ok(error.data!.unitsConsumed > 0);
    assert.equal(await connection.getBalance(alice.publicKey), balance);
    assert.equal(await connection.getTransaction(bs58.encode(tx.signature!), { maxSupportedTransactionVersion: 0 }), null);

    // web3.js surfaces the same failure as a SendTransactionError carrying the logs.
    await assert.rejects(connection.sendRawTransaction(tx.serialize()), (err: unknown) => {
      assert.ok(err instanceof SendTransactionError);
      assert.match(err.message, /custom program error: 0x1/);
      assert.ok(err.logs?.some((l) => l.endsWith("failed: custom program error: 0x1")));
      return true;
    });
  });

  it("given skipPreflight, when a transaction fails, then it lands: fee charged, error in meta, status and history", async () => {
    const { connection } = chain();
    const tx = await overdraft(connection);
    const balance = await connection.getBalance(alice.publicKey);
    const signature = await connection.sendRawTransaction(tx.serialize(), { skipPreflight: true });
    const latest = await connection.getLatestBlockhash();
    const confirmed = await connection.confirmTransaction({ signature, ...latest });
    assert.deepEqual(confirmed.value.err, { InstructionError: [1, { Custom: 1 }] });
    assert.equal(await connection.getBalance(alice.publicKey), balance - 5000); // the fee only: the SOL transfer rolled back
    const got = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0 });
    assert.deepEqual(got?.meta?.err, { InstructionError: [1, { Custom: 1 }] });
    assert.equal(got?.meta?.fee, 5000);
    assert.ok(got?.meta?.logMessages?.includes("Program log: Error: insufficient funds"));
    assert.deepEqual(
      got?.meta?.preTokenBalances?.map((b) => b.uiTokenAmount.amount),
      got?.meta?.postTokenBalances?.map((b) => b.uiTokenAmount.amount),
    );
    const [latestSig] = await connection.getSignaturesForAddress(from, { limit: 1 });
    assert.deepEqual([latestSig?.signature, latestSig?.err], [signature, { InstructionError: [1, { Custom: 1 }] }]);
    const status = await connection.getSignatureStatus(signature);
    assert.deepEqual(status.value?.err, { InstructionError: [1, { Custom: 1 }] });

    // sendAndConfirmTransaction reports the landed failure the way it does on a cluster.
    const again = await overdraft(connection);
    again.instructions[0] = SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: payer.publicKey, lamports: 2 });
    await assert.rejects(sendAndConfirmTransaction(connection, again, [alice], { skipPreflight: true }), /InstructionError/);
  });

  it("given a transaction already processed, a stale blockhash or a bad signature, when sent, then the validator's errors come back", async () => {
    const { connection, net } = chain();
    const ok = new Transaction().add(SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: payer.publicKey, lamports: 3 }));
    await sendAndConfirmTransaction(connection, ok, [alice]);
    const send = async (t: Transaction) =>
      (
        (
          await rpc(net.url, {
            jsonrpc: "2.0",
            id: 1,
            method: "sendTransaction",
            params: [t.serialize({ verifySignatures: false }).toString("base64"), { encoding: "base64" }],
          })
        ).json as RpcErrorBody
      ).error;
    const dup = await send(ok);
    assert.deepEqual(
      [dup.code, dup.message, dup.data?.err],
      [-32002, "Transaction simulation failed: This transaction has already been processed", "AlreadyProcessed"],
    );

    const stale = new Transaction().add(SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: payer.publicKey, lamports: 4 }));
    stale.recentBlockhash = Keypair.generate().publicKey.toBase58();
    stale.feePayer = alice.publicKey;
    stale.sign(alice);
    const expired = await send(stale);
    assert.deepEqual(
      [expired.code, expired.message, expired.data?.err],
      [-32002, "Transaction simulation failed: Blockhash not found", "BlockhashNotFound"],
    );

    const forged = new Transaction().add(SystemProgram.transfer({ fromPubkey: alice.publicKey, toPubkey: payer.publicKey, lamports: 5 }));
    forged.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    forged.feePayer = alice.publicKey;
    forged.sign(alice);
    forged.signatures[0]!.signature![0]! ^= 1;
    const bad = await send(forged);
    assert.deepEqual([bad.code, bad.message], [-32003, "Transaction signature verification failure"]);
  });

  it("given a transaction larger than a packet, when sent, then it is refused as a validator refuses it (-32602, 1232-byte limit)", async () => {
    const oversized = Buffer.alloc(1300, 1).toString("base64");
    const { json } = await rpc(chain().net.url, {
      jsonrpc: "2.0",
      id: 1,
      method: "sendTransaction",
      params: [oversized, { encoding: "base64" }],
    });
    const { error } = json as RpcErrorBody;
    assert.equal(error.code, -32602);
    assert.match(error.message, /too large: 1736 bytes \(max: encoded\/raw 1644\/1232\)/);
  });

  it("given a failing transaction, when simulated, then the result carries err, logs and requested post-state accounts", async () => {
    const { connection } = chain();
    const failing = await overdraft(connection);
    const sim = await connection.simulateTransaction(failing);
    assert.deepEqual(sim.value.err, { InstructionError: [1, { Custom: 1 }] });
    assert.ok(sim.value.logs?.some((l) => l.endsWith("failed: custom program error: 0x1")));

    const fine = new Transaction().add(spl.createTransferInstruction(from, to, alice.publicKey, 4n));
    fine.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
    fine.feePayer = alice.publicKey;
    fine.sign(alice);
    const ok = await connection.simulateTransaction(fine.compileMessage(), [alice], [to]);
    assert.equal(ok.value.err, null);
    const after = spl.unpackAccount(to, {
      ...ok.value.accounts![0]!,
      data: Buffer.from(ok.value.accounts![0]!.data[0]!, "base64"),
      owner: spl.TOKEN_PROGRAM_ID,
    } as never);
    assert.equal(after.amount, (await spl.getAccount(connection, to)).amount + 4n);
  });
});
