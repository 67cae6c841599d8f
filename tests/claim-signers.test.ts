// claim() signed by a Wallet Standard wallet (the `solana:signTransaction` feature over an ed25519
// key, as a browser extension exposes it), for a v0-capable wallet and a legacy-only one.
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { Keypair } from "@solana/web3.js";
import { ClaimSigner, claim } from "@merit/clients/claim";
import { stopHashWorker } from "@merit/clients/merkle";
import { activate, type ClaimDistributor, createClaimDistributor, pastDelay, proposeEpoch, tokenBalance } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";
import { testWallet } from "./helpers/wallet-standard.js";

describe("claim: Wallet Standard signers", function () {
  this.timeout(120_000);
  const chain = useLocalnet();
  let d: ClaimDistributor;
  let holders: Keypair[];
  before(async () => {
    const { connection, net } = chain();
    d = await createClaimDistributor(connection);
    holders = [await fundedKeypair(connection), await fundedKeypair(connection)];
    await proposeEpoch(connection, d, 1n, [
      [holders[0]!.publicKey, 1_234n],
      [holders[1]!.publicKey, 4_321n],
      [Keypair.generate().publicKey, 1n],
    ]);
    pastDelay(net);
    await activate(connection, d, 1n, holders[0]!);
  });
  after(async () => {
    rmSync(d.dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  for (const [i, versions] of [
    [0, ["legacy", 0]],
    [1, ["legacy"]],
  ] as const) {
    it(`Given a wallet extension supporting ${versions.join(" and ")} transactions, When its account claims, Then the wallet signs once and the tokens arrive`, async () => {
      const { connection } = chain();
      const holder = holders[i]!;
      const wallet = testWallet(holder, { versions: [...versions] });
      const signer = ClaimSigner.fromWalletStandard(wallet);
      assert.equal(signer.supportsV0, versions.includes(0 as never));
      const r = await claim({
        wallet: holder.publicKey.toBase58(),
        signer,
        connection,
        shardsUrl: d.shardsUrl,
        distributor: d.address.toBase58(),
      });
      assert.equal(wallet.signed, 1);
      assert.equal(r.amount, i === 0 ? 1_234n : 4_321n);
      assert.equal(await tokenBalance(connection, d, holder.publicKey), r.amount);
      const tx = await connection.getTransaction(r.signature, { commitment: "confirmed", maxSupportedTransactionVersion: 0 });
      assert.equal(tx!.version, i === 0 ? 0 : "legacy");
    });
  }

  it("Given a wallet without solana:signTransaction, When adapted, Then it is refused by name", () => {
    const wallet = testWallet(holders[0]!);
    assert.throws(() => ClaimSigner.fromWalletStandard({ ...wallet, features: {} }), /does not support solana:signTransaction/);
  });
});
