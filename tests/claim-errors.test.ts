// Failures a wallet holder meets, on the development chain: each ends as a ClaimError carrying the
// program's code and name (or the client's reason) and a sentence, and nothing is signed when the
// client can tell beforehand.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as spl from "@solana/spl-token";
import { Keypair, type PublicKey, Transaction } from "@solana/web3.js";
import { claimInstruction, codingProgram, setPausedInstruction } from "@merit/clients/chain";
import { ClaimError, ClaimSigner, claim, claimErrorFrom } from "@merit/clients/claim";
import { readClaimProof, stopHashWorker } from "@merit/clients/merkle";
import { activate, type ClaimDistributor, createClaimDistributor, pastDelay, proposeEpoch, send } from "./helpers/claim-chain.js";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

/** A signer that records whether it was asked. */
function recording(kp: Keypair): ClaimSigner & { asked: number } {
  const inner = ClaimSigner.fromKeypair(kp);
  const s = {
    publicKey: inner.publicKey,
    supportsV0: true,
    asked: 0,
    signTransaction: async (tx: never) => (s.asked++, inner.signTransaction(tx)),
  };
  return s;
}

const rejects = async (p: Promise<unknown>, name: string, sentence: RegExp, code?: number): Promise<ClaimError> => {
  let caught: unknown;
  await p.catch((e) => (caught = e));
  assert.ok(caught instanceof ClaimError, `expected a ClaimError, got ${String(caught)}`);
  assert.equal(caught.errorName, name, caught.message);
  assert.match(caught.sentence, sentence);
  assert.equal(caught.code, code);
  return caught;
};

describe("claim: failures as sentences", function () {
  this.timeout(120_000);
  const chain = useLocalnet();
  let d: ClaimDistributor;
  let holder: Keypair;
  let stranger: PublicKey;
  before(async () => {
    const { connection, net } = chain();
    d = await createClaimDistributor(connection);
    holder = await fundedKeypair(connection);
    stranger = Keypair.generate().publicKey;
    await proposeEpoch(connection, d, 1n, [
      [holder.publicKey, 2_500n],
      [stranger, 1n],
      [Keypair.generate().publicKey, 9n],
    ]);
    pastDelay(net);
    await activate(connection, d, 1n, holder);
  });
  after(async () => {
    rmSync(d.dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  it("Given a claim transaction with a tampered proof, When it is sent, Then the failure becomes InvalidProof with its code and sentence", async () => {
    const { connection } = chain();
    const p = (await readClaimProof(join(d.dir, "1", "shards"), holder.publicKey.toBase58()))!;
    p.proof[0]![0]! ^= 1;
    const token = await spl.getOrCreateAssociatedTokenAccount(connection, holder, d.mint, holder.publicKey);
    const ix = claimInstruction(
      codingProgram(),
      {
        distributor: d.address,
        mint: d.mint,
        vault: d.vault,
        tokenProgram: d.tokenProgram,
        claimant: holder.publicKey,
        claimantToken: token.address,
      },
      1n,
      p.amount,
      p.proof,
    );
    let failure: unknown;
    await connection.sendTransaction(new Transaction().add(ix), [holder]).catch((e) => (failure = e));
    assert.ok(failure, "the tampered claim fails");
    const e = claimErrorFrom(failure);
    assert.equal(e.errorName, "InvalidProof");
    assert.equal(e.code, 6026);
    assert.equal(e.sentence, "this proof is not for the active root; fetch a new one");
    assert.ok(e.logs?.some((l) => l.includes("AnchorError")));
  });

  it("Given shards whose entry for the wallet was altered, When it claims, Then ProofMismatch is thrown before anything is signed", async () => {
    const { connection } = chain();
    const dir = join(d.dir, "1", "shards");
    const files = readdirSync(dir).filter((f) => f !== "manifest.json");
    const saved = new Map(files.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
    try {
      for (const [f, text] of saved) writeFileSync(join(dir, f), text.replace('"2500"', '"25000"'));
      const signer = recording(holder);
      await rejects(
        claim({ wallet: holder.publicKey, signer, connection, shardsUrl: d.shardsUrl, distributor: d.address }),
        "ProofMismatch",
        /nothing was signed/,
      );
      assert.equal(signer.asked, 0);
    } finally {
      for (const [f, text] of saved) writeFileSync(join(dir, f), text);
    }
  });

  it("Given a wallet in no root, When it claims, Then NotEligible, nothing signed", async () => {
    const { connection } = chain();
    const outsider = await fundedKeypair(connection);
    const signer = recording(outsider);
    await rejects(
      claim({ wallet: outsider.publicKey, signer, connection, shardsUrl: d.shardsUrl, distributor: d.address }),
      "NotEligible",
      /no allocation/,
    );
    assert.equal(signer.asked, 0);
  });

  it("Given the API is stopped and shards are given, When the holder claims, Then it falls back to the shards and is paid; a second claim is AlreadyClaimed", async () => {
    const { connection } = chain();
    const server: Server = createServer((_req, res) => res.end());
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await new Promise((r) => server.close(r));
    const steps: string[] = [];
    const r = await claim({
      wallet: holder.publicKey,
      signer: ClaimSigner.fromKeypair(holder),
      connection,
      api,
      shardsUrl: d.shardsUrl,
      distributor: d.address,
      onStep: (s, detail) => steps.push(`${s}: ${detail}`),
    });
    assert.equal(r.amount, 2_500n);
    assert.equal(r.proofSource, "shards");
    assert.ok(
      steps.some((s) => /the API is unavailable/.test(s)),
      steps.join("\n"),
    );
    const signer = recording(holder);
    await rejects(
      claim({ wallet: holder.publicKey, signer, connection, shardsUrl: d.shardsUrl, distributor: d.address }),
      "AlreadyClaimed",
      /nothing new to claim/,
    );
    assert.equal(signer.asked, 0);
  });

  it("Given only a stopped API, When a wallet claims, Then ProofSourceUnavailable (not NotEligible)", async () => {
    const { connection } = chain();
    await rejects(
      claim({ wallet: holder.publicKey, signer: ClaimSigner.fromKeypair(holder), connection, api: "http://127.0.0.1:1" }),
      "ProofSourceUnavailable",
      /unreachable/,
    );
  });

  it("Given the guardian paused the distributor, When a wallet claims, Then the Paused sentence", async () => {
    const { connection } = chain();
    await send(connection, [setPausedInstruction({ authority: d.admin.publicKey, distributor: d.address, paused: true })], [d.admin]);
    try {
      const signer = recording(holder);
      await rejects(
        claim({ wallet: holder.publicKey, signer, connection, shardsUrl: d.shardsUrl, distributor: d.address }),
        "Paused",
        /paused/,
        6015,
      );
      assert.equal(signer.asked, 0);
    } finally {
      await send(connection, [setPausedInstruction({ authority: d.admin.publicKey, distributor: d.address, paused: false })], [d.admin]);
    }
  });

  it("Given a signer that is not the wallet, When it claims the wallet's leaf, Then BadInput naming both", async () => {
    const { connection } = chain();
    const e = await rejects(
      claim({
        wallet: stranger,
        signer: ClaimSigner.fromKeypair(Keypair.generate()),
        connection,
        shardsUrl: d.shardsUrl,
        distributor: d.address,
      }),
      "BadInput",
      /malformed/,
    );
    assert.match(e.message, new RegExp(`not the wallet ${stranger.toBase58()}`));
  });

  it("Given an address that is not a distributor, When a wallet claims, Then DistributorNotFound", async () => {
    const { connection } = chain();
    await rejects(
      claim({
        wallet: holder.publicKey,
        signer: ClaimSigner.fromKeypair(holder),
        connection,
        shardsUrl: d.shardsUrl,
        distributor: Keypair.generate().publicKey,
      }),
      "DistributorNotFound",
      /no merit distributor/,
    );
  });
});
