// With a history file, a restarted localnet is the same chain: state rebuilt by replaying the
// recorded transactions, history served as before, time kept warped, new work appended.
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Connection, SystemProgram, Transaction, sendAndConfirmTransaction, type Keypair, type PublicKey } from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { startLocalnet, type Localnet } from "@merit/localnet";
import { decodeEpochRoot } from "@merit/clients/chain";
import { epochRootPda, proposeRootInstruction } from "@merit/clients/idl";
import { closeConnection, fundedKeypair } from "./helpers/localnet.js";
import { createDistributor } from "./helpers/publish-chain.js";

describe("localnet: history persistence across restarts", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "merit-localnet-"));
  const historyFile = join(dir, "history.jsonl");
  let net: Localnet | undefined;
  let connection: Connection | undefined;
  let logs: string[] = [];

  async function start(): Promise<Connection> {
    logs = [];
    net = await startLocalnet({ port: 0, historyFile, log: (line) => logs.push(line) });
    connection = new Connection(net.url, "confirmed");
    return connection;
  }
  async function stop(): Promise<void> {
    if (connection) closeConnection(connection);
    await net?.stop();
    net = connection = undefined;
  }
  after(async () => {
    await stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let payer: Keypair, mint: PublicKey, account: PublicKey;
  let transferSig: string, failedSig: string, lastSlot: number, warpedTime: number;
  let before: { tx: unknown; failed: unknown; sigs: unknown; balance: string };

  it("given a chain with transfers, a failed transaction and a warp, when it is stopped and restarted, then transactions, signatures and balances are unchanged", async () => {
    let c = await start();
    payer = await fundedKeypair(c);
    mint = await spl.createMint(c, payer, payer.publicKey, null, 3);
    account = await spl.createAssociatedTokenAccount(c, payer, mint, payer.publicKey);
    await spl.mintTo(c, payer, mint, account, payer, 5_000n);
    transferSig = await spl.transfer(c, payer, account, account, payer, 1n);
    const failing = new Transaction().add(spl.createTransferInstruction(account, account, payer.publicKey, 999_999n));
    failedSig = await c.sendTransaction(failing, [payer], { skipPreflight: true });
    await c.confirmTransaction({ signature: failedSig, ...(await c.getLatestBlockhash()) });
    net!.warp({ seconds: 3600 });
    warpedTime = (await c.getBlockTime(await c.getSlot()))!;
    lastSlot = await c.getSlot();
    const read = async (conn: Connection) => ({
      tx: await conn.getTransaction(transferSig, { maxSupportedTransactionVersion: 0 }),
      failed: await conn.getParsedTransaction(failedSig, { maxSupportedTransactionVersion: 0 }),
      sigs: await conn.getSignaturesForAddress(account),
      balance: (await conn.getTokenAccountBalance(account)).value.amount,
    });
    before = await read(c);
    await stop();

    c = await start();
    assert.deepEqual(await read(c), before);
    assert.equal(before.balance, "5000");
    // A clean stop saved the state: nothing had to be executed again.
    assert.ok(
      logs.some((l) => /state from snapshot .*, 0 replayed/.test(l)),
      logs.join("\n"),
    );
  });

  it("given the restarted chain, when new transactions run, then state continues after the replayed slots and the warped time", async () => {
    const c = connection!;
    assert.ok((await c.getSlot()) > lastSlot);
    const sig = await spl.transfer(c, payer, account, account, payer, 2n);
    const tx = await c.getTransaction(sig, { maxSupportedTransactionVersion: 0 });
    assert.ok(tx!.blockTime! >= warpedTime);
    const sigs = await c.getSignaturesForAddress(account, { limit: 2 });
    assert.deepEqual(
      sigs.map((s) => s.signature),
      [sig, failedSig],
    );
    // The faucet resumed from its replayed balance rather than being refilled.
    await fundedKeypair(c, 1);
  });

  it("given a localnet using the history file, when another one opens it, then it is refused instead of interleaving writes", async () => {
    await assert.rejects(startLocalnet({ port: 0, historyFile }), /is in use by process \d+/);
  });

  it("given a start that fails (port taken), when started again, then the history file was not left locked", async () => {
    const other = join(dir, "other.jsonl");
    const taken = createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as AddressInfo).port;
    await assert.rejects(startLocalnet({ port, historyFile: other }), /EADDRINUSE/);
    taken.close();
    const ok = await startLocalnet({ port: 0, historyFile: other });
    await ok.stop();
  });

  it("given the snapshots are gone, when restarted, then every transaction is replayed into the same state", async () => {
    const sigs = await connection!.getSignaturesForAddress(account);
    await stop();
    for (const f of readdirSync(dir)) if (f.includes(".snapshot-")) rmSync(join(dir, f));
    const c = await start();
    assert.ok(
      logs.some((l) => /transactions, 8 replayed/.test(l)),
      logs.join("\n"),
    );
    assert.equal((await c.getTokenAccountBalance(account)).value.amount, "5000");
    assert.deepEqual(await c.getSignaturesForAddress(account), sigs);
    assert.equal((await c.getTransaction(failedSig, { maxSupportedTransactionVersion: 0 }))?.meta?.fee, 5000);
  });

  it("given a history file whose last line was torn by a crash, when restarted, then the torn line is dropped and the rest replays", async () => {
    await stop();
    const whole = readFileSync(historyFile, "utf8");
    appendFileSync(historyFile, '{"t":"tx","record":{"signature":"tor');
    const c = await start();
    assert.equal(readFileSync(historyFile, "utf8"), whole);
    assert.equal((await c.getTokenAccountBalance(account)).value.amount, "5000");
    const last = await sendAndConfirmTransaction(
      c,
      new Transaction().add(SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: payer.publicKey, lamports: 0 })),
      [payer],
    );
    assert.ok(readFileSync(historyFile, "utf8").includes(last));
  });
});

describe("localnet: a history replayed after a crash runs at its recorded times", function () {
  this.timeout(60_000);
  const dir = mkdtempSync(join(tmpdir(), "merit-localnet-clock-"));
  const historyFile = join(dir, "history.jsonl");
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("given a root proposed (its activation time read from the Clock), when the chain restarts with no snapshot, then the rebuilt EpochRoot is the one proposed", async () => {
    let net = await startLocalnet({ port: 0, historyFile });
    let connection = new Connection(net.url, "confirmed");
    const d = await createDistributor(connection);
    const epoch = 1n;
    const proposal = {
      epoch,
      root: new Uint8Array(32).fill(7),
      cumulativeTotal: 1000n,
      leafCount: 1n,
      datasetHash: new Uint8Array(32),
      inputsHash: new Uint8Array(32),
    };
    await sendAndConfirmTransaction(
      connection,
      new Transaction().add(proposeRootInstruction(d.program, d.publisher.publicKey, d.address, proposal)),
      [d.publisher],
    );
    const account = () => connection.getAccountInfo(epochRootPda(d.address, epoch)[0]).then((a) => decodeEpochRoot(a!.data));
    const proposed = await account();
    closeConnection(connection);
    await net.stop();
    // Like a kill -9: no snapshot, so every transaction runs again, seconds later by the wall clock.
    for (const f of readdirSync(dir)) if (f.includes(".snapshot-")) rmSync(join(dir, f));
    await new Promise((r) => setTimeout(r, 2100));
    net = await startLocalnet({ port: 0, historyFile });
    connection = new Connection(net.url, "confirmed");
    try {
      const rebuilt = await account();
      assert.equal(rebuilt.proposedAt, proposed.proposedAt);
      assert.equal(rebuilt.activatesAt, proposed.activatesAt);
    } finally {
      closeConnection(connection);
      await net.stop();
    }
  });
});
