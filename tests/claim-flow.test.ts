// claim() on the development chain over JSON-RPC, proofs from static shards (no API running):
// a fresh wallet's first claim creates its token account; after a new root, a repeat claim pays
// exactly the difference; a due root is activated by the claim itself.
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { TOKEN_2022_PROGRAM_ID } from "@solana/spl-token";
import { Keypair, type PublicKey } from "@solana/web3.js";
import { claim, ClaimSigner, type ClaimStep } from "@merit/clients/claim";
import { stopHashWorker } from "@merit/clients/merkle";
import { activate, type ClaimDistributor, createClaimDistributor, pastDelay, proposeEpoch, tokenBalance } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

describe("claim: a wallet claims its tokens from static proof shards", function () {
  this.timeout(120_000);
  const chain = useLocalnet();
  const made: ClaimDistributor[] = [];
  const distributor = async (opts: { token2022?: boolean; gracePeriod?: bigint } = {}) => {
    const d = await createClaimDistributor(chain().connection, opts);
    made.push(d);
    return d;
  };
  /** A distributor whose epoch 1 gives a funded wallet `amount` (and a stranger 1), past its activation delay. */
  const walletWithEpoch1 = async (amount: bigint, opts: { token2022?: boolean; gracePeriod?: bigint } = {}) => {
    const { connection, net } = chain();
    const d = await distributor(opts);
    const wallet = await fundedKeypair(connection);
    await proposeEpoch(connection, d, 1n, [
      [wallet.publicKey, amount],
      [Keypair.generate().publicKey, 1n],
    ]);
    pastDelay(net);
    return { d, wallet };
  };
  after(async () => {
    for (const d of made) rmSync(d.dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  it("Given epoch 1 active with 5,005 for a fresh wallet, When it claims with a Keypair and only shardsUrl, Then its token account is created and holds 5,005", async () => {
    const { connection } = chain();
    const { d, wallet } = await walletWithEpoch1(5_005n);
    await activate(connection, d, 1n, wallet);
    assert.equal(await tokenBalance(connection, d, wallet.publicKey), undefined, "no token account before");

    const steps: ClaimStep[] = [];
    const r = await claim({
      wallet: wallet.publicKey,
      signer: ClaimSigner.fromKeypair(wallet),
      connection,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
      onStep: (s) => steps.push(s),
    });
    assert.equal(r.amount, 5_005n);
    assert.equal(r.epoch, 1n);
    assert.equal(r.cumulativeClaimed, 5_005n);
    assert.equal(r.proofSource, "shards");
    assert.equal(r.attempts, 1);
    assert.ok(r.recipient.equals(wallet.publicKey));
    assert.equal(await tokenBalance(connection, d, wallet.publicKey), 5_005n);
    assert.deepEqual(
      steps.filter((s, i) => steps.indexOf(s) === i),
      ["read-chain", "fetch-proof", "verify-proof", "sign", "send", "confirm", "done"],
    );
    const tx = await connection.getTransaction(r.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    const cu = tx!.meta!.computeUnitsConsumed!;
    assert.ok(cu <= r.computeUnitLimit, `${cu} CU used, limit ${r.computeUnitLimit}`);
    console.log(`      first claim with token account creation: ${cu} CU used, limit ${r.computeUnitLimit}`);
  });

  it("Given epochs 3 and 4 due after a claim of 5,005 under epoch 2, When the wallet claims again, Then epoch 3 is activated first and exactly 9,000 - 5,005 is paid under epoch 4", async () => {
    const { connection, net } = chain();
    const d = await distributor();
    const wallet = await fundedKeypair(connection);
    const others: [PublicKey, bigint][] = [[Keypair.generate().publicKey, 7n]];
    await proposeEpoch(connection, d, 2n, [[wallet.publicKey, 5_005n], ...others]);
    pastDelay(net);
    const first = await claim({
      wallet: wallet.publicKey,
      signer: ClaimSigner.fromKeypair(wallet),
      connection,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
    });
    assert.equal(first.amount, 5_005n);
    assert.equal(first.epoch, 2n, "the due root 2 is claimed under (the claim activates it)");
    assert.deepEqual(first.activated, []);

    await proposeEpoch(connection, d, 3n, [[wallet.publicKey, 8_000n], ...others]);
    await proposeEpoch(connection, d, 4n, [[wallet.publicKey, 9_000n], ...others]);
    pastDelay(net);
    const second = await claim({
      wallet: wallet.publicKey,
      signer: ClaimSigner.fromKeypair(wallet),
      connection,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
    });
    assert.equal(second.epoch, 4n, "the newest due root");
    assert.deepEqual(second.activated, [3n], "epoch 3 activated first, in order");
    assert.equal(second.amount, 9_000n - 5_005n);
    assert.equal(second.cumulativeClaimed, 9_000n);
    assert.equal(await tokenBalance(connection, d, wallet.publicKey), 9_000n);
    const tx = await connection.getTransaction(second.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    console.log(`      repeat claim with an activation: ${tx!.meta!.computeUnitsConsumed} CU used, limit ${second.computeUnitLimit}`);
    assert.ok(tx!.meta!.computeUnitsConsumed! <= second.computeUnitLimit);
  });

  it("Given a Token-2022 mint, When a fresh wallet claims, Then its Token-2022 account is created and paid", async () => {
    const { connection } = chain();
    const { d, wallet } = await walletWithEpoch1(777n, { token2022: true });
    const r = await claim({
      wallet: wallet.publicKey,
      signer: ClaimSigner.fromKeypair(wallet),
      connection,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
    });
    assert.equal(r.amount, 777n);
    const account = await connection.getAccountInfo(r.recipientTokenAccount, "confirmed");
    assert.ok(account?.owner.equals(TOKEN_2022_PROGRAM_ID), "a Token-2022 account");
    assert.equal(await tokenBalance(connection, d, wallet.publicKey), 777n);
    const tx = await connection.getTransaction(r.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
    console.log(
      `      Token-2022 first claim with token account creation: ${tx!.meta!.computeUnitsConsumed} CU used, limit ${r.computeUnitLimit}`,
    );
    assert.ok(tx!.meta!.computeUnitsConsumed! <= r.computeUnitLimit);
  });

  for (const token2022 of [false, true]) {
    it(`Given a wallet moving away from its key (${token2022 ? "Token-2022" : "SPL Token"}), When it claims to another recipient, Then the recipient receives the whole claim in the same transaction`, async () => {
      const { connection, net } = chain();
      const d = await distributor({ token2022 });
      const wallet = await fundedKeypair(connection);
      const recipient = Keypair.generate().publicKey;
      await proposeEpoch(connection, d, 1n, [
        [wallet.publicKey, 3_000n],
        [Keypair.generate().publicKey, 1n],
      ]);
      pastDelay(net);
      const r = await claim({
        wallet: wallet.publicKey,
        signer: ClaimSigner.fromKeypair(wallet),
        connection,
        shardsUrl: d.shardsUrl,
        distributor: d.address,
        recipient,
      });
      assert.equal(r.amount, 3_000n);
      assert.ok(r.recipient.equals(recipient));
      assert.equal(await tokenBalance(connection, d, recipient), 3_000n);
      assert.equal(await tokenBalance(connection, d, wallet.publicKey), 0n, "nothing stays with the old key");
      const tx = await connection.getTransaction(r.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
      console.log(`      claim to a recipient: ${tx!.meta!.computeUnitsConsumed} CU used, limit ${r.computeUnitLimit}`);
      assert.ok(tx!.meta!.computeUnitsConsumed! <= r.computeUnitLimit);
    });
  }

  it("Given grace 0 and the wallet's claim under epoch 1 signed while epoch 2 activates, When it lands, Then it fails RootSuperseded and claim() retries with epoch 2's proof", async () => {
    const { connection, net } = chain();
    const d = await distributor({ gracePeriod: 0n });
    const wallet = await fundedKeypair(connection);
    const other = Keypair.generate().publicKey;
    await proposeEpoch(connection, d, 1n, [
      [wallet.publicKey, 1_000n],
      [other, 1n],
    ]);
    pastDelay(net);
    await activate(connection, d, 1n, wallet);
    await proposeEpoch(connection, d, 2n, [
      [wallet.publicKey, 1_500n],
      [other, 1n],
    ]);
    // The root changes between the proof's fetch and the transaction's landing.
    const keypair = ClaimSigner.fromKeypair(wallet);
    let signatures = 0;
    const signer: ClaimSigner = {
      publicKey: keypair.publicKey,
      supportsV0: true,
      async signTransaction(tx) {
        if (signatures++ === 0) {
          pastDelay(net);
          await activate(connection, d, 2n, wallet);
        }
        return keypair.signTransaction(tx);
      },
    };
    const steps: string[] = [];
    const r = await claim({
      wallet: wallet.publicKey,
      signer,
      connection,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
      onStep: (s, detail) => steps.push(`${s}: ${detail}`),
    });
    assert.equal(signatures, 2);
    assert.equal(r.attempts, 2);
    assert.equal(r.epoch, 2n);
    assert.equal(r.amount, 1_500n);
    assert.ok(
      steps.some((s) => s.startsWith("retry: RootSuperseded")),
      steps.join("\n"),
    );
    assert.ok(
      steps.some((s) => s === "sign: claim 1000 under epoch 1"),
      steps.join("\n"),
    );
    assert.equal(await tokenBalance(connection, d, wallet.publicKey), 1_500n);
  });

  it("Given the shards on a static HTTP host and no API, When a wallet claims with an http shardsUrl, Then it is paid", async () => {
    const { connection } = chain();
    const { d, wallet } = await walletWithEpoch1(321n);
    const served: string[] = [];
    const server = createServer((req, res) => {
      served.push(req.url!);
      try {
        res.end(readFileSync(join(d.dir, decodeURIComponent(new URL(req.url!, "http://x").pathname))));
      } catch {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    try {
      const shardsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/{epoch}/shards`;
      const r = await claim({
        wallet: wallet.publicKey,
        signer: ClaimSigner.fromKeypair(wallet),
        connection,
        shardsUrl,
        distributor: d.address,
      });
      assert.equal(r.amount, 321n);
      assert.equal(r.proofSource, "shards");
      assert.ok(served.includes("/1/shards/manifest.json"), served.join(" "));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
