// claim() with its proof from merit's real HTTP API (createApp over the test Postgres, on a
// loopback port) and no shards, on the development chain running the real distributor program.
// The fallback to shards when the API is stopped: tests/claim-errors.test.ts.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as spl from "@solana/spl-token";
import type { Keypair } from "@solana/web3.js";
import { ClaimError, ClaimSigner, claim } from "@merit/clients/claim";
import { type ApiServer, flowApiDeps, startApi } from "./helpers/api.js";
import { tokenBalance } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";
import {
  type ChainDistributor,
  configure,
  createDistributor,
  DELAY,
  publishContext,
  publishNextEpoch,
  settle,
} from "./helpers/publish-chain.js";
import { useFreshDb } from "./setup/db.js";

describe("claim: a wallet claims with its proof from merit's API (development chain, Postgres)", function () {
  this.timeout(180_000);
  const chain = useLocalnet();
  const db = useFreshDb({ max: 6 });
  let dataDir: string;
  let d: ChainDistributor;
  let alice: Keypair;
  let api: ApiServer;
  const spl1 = () => ({ mint: d.mint, tokenProgram: spl.TOKEN_PROGRAM_ID });

  before(async () => {
    const { connection, net } = chain();
    dataDir = mkdtempSync(join(tmpdir(), "merit-claim-api-"));
    d = await createDistributor(connection, { fund: 1_000_000_000n });
    await configure(db(), d);
    alice = await fundedKeypair(connection);
    const bob = await fundedKeypair(connection);
    await settle(db(), [
      [alice, 3],
      [bob, 5],
    ]);
    await publishNextEpoch(publishContext(db(), connection, dataDir, d.publisher), d.address.toBase58(), net);
    api = await startApi(flowApiDeps(db(), connection, dataDir));
  });
  after(async () => {
    await api?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("Given epoch 1 active with 30 for a fresh wallet, When it claims with only the API's URL, Then its token account is created and holds 30, the proof from the API", async () => {
    const { connection } = chain();
    assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), undefined, "no token account yet");
    const steps: string[] = [];
    const r = await claim({
      wallet: alice.publicKey,
      signer: ClaimSigner.fromKeypair(alice),
      connection,
      api: api.url,
      onStep: (s, detail) => steps.push(`${s}: ${detail}`),
    });
    assert.deepEqual([r.amount, r.epoch, r.cumulativeClaimed, r.proofSource], [30n, 1n, 30n, "api"]);
    assert.ok(r.recipient.equals(alice.publicKey));
    assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), 30n);
    assert.ok(
      steps.some((s) => s === `fetch-proof: from ${api.url}`),
      steps.join("\n"),
    );
  });

  it("Given epoch 2 (+20) proposed and past its timelock but not activated, When the wallet claims through the API again, Then the claim activates epoch 2 and pays exactly 20", async () => {
    const { connection, net } = chain();
    await settle(db(), [[alice, 2]]);
    await publishNextEpoch(publishContext(db(), connection, dataDir, d.publisher), d.address.toBase58());
    net.warp({ seconds: DELAY + 1 });
    // the API that served epoch 1 answers (its caches are off here) with epoch 2 at once
    const r = await claim({ wallet: alice.publicKey, signer: ClaimSigner.fromKeypair(alice), connection, api: api.url });
    assert.deepEqual([r.amount, r.epoch, r.cumulativeClaimed, r.proofSource], [20n, 2n, 50n, "api"]);
    assert.equal(await tokenBalance(connection, spl1(), alice.publicKey), 50n);
  });

  it("Given an API still serving epoch 2's proofs while epoch 3 (+10) is already due on-chain, When the wallet claims, Then it is told the API has not caught up (retryable), not that nothing is left; with the shards as well, Then epoch 3 pays from them", async () => {
    const { connection, net } = chain();
    const lagging = await startApi({ ...flowApiDeps(db(), connection, dataDir), cacheMs: 600_000 });
    try {
      await lagging.get(`/v1/wallets/${alice.publicKey.toBase58()}/proof`);
      await settle(db(), [[alice, 1]]);
      await publishNextEpoch(publishContext(db(), connection, dataDir, d.publisher), d.address.toBase58());
      net.warp({ seconds: DELAY + 1 });
      const signer = ClaimSigner.fromKeypair(alice);
      const failure = await claim({ wallet: alice.publicKey, signer, connection, api: lagging.url, retryDelayMs: 10 }).catch(
        (e: unknown) => e,
      );
      assert.ok(failure instanceof ClaimError, String(failure));
      assert.equal(failure.errorName, "ProofSourceUnavailable", failure.message);
      assert.match(failure.message, /epoch 3/);
      const shardsUrl = join(dataDir, "epochs", d.address.toBase58(), "{epoch}", "shards");
      const r = await claim({ wallet: alice.publicKey, signer, connection, api: lagging.url, shardsUrl });
      assert.deepEqual([r.amount, r.epoch, r.cumulativeClaimed, r.proofSource], [10n, 3n, 60n, "shards"]);
    } finally {
      await lagging.stop();
    }
  });

  it("Given a wallet the API does not know, When it claims through the API, Then NotEligible and nothing is signed", async () => {
    const { connection } = chain();
    const stranger = await fundedKeypair(connection);
    let asked = 0;
    const inner = ClaimSigner.fromKeypair(stranger);
    const signer = { ...inner, signTransaction: (tx: Parameters<typeof inner.signTransaction>[0]) => (asked++, inner.signTransaction(tx)) };
    const failure = await claim({ wallet: stranger.publicKey, signer, connection, api: api.url }).catch((e: unknown) => e);
    assert.ok(failure instanceof ClaimError, String(failure));
    assert.equal(failure.errorName, "NotEligible");
    assert.equal(asked, 0);
  });
});
