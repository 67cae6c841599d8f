// Anchor's Program drives the merit distributor through the localnet's JSON-RPC, as the publisher
// and claimants will on a cluster: initialize, propose a root, the timelock (warped), a claim.
import assert from "node:assert/strict";
import anchor from "@coral-xyz/anchor";
import * as spl from "@solana/spl-token";
import type { Keypair, PublicKey } from "@solana/web3.js";
import {
  MeritErrorCode,
  claimStatusPda,
  distributorPda,
  epochRootPda,
  meritDistributorIdl,
  meritDistributorProgram,
  vaultPda,
  type MeritDistributorProgram,
} from "@merit/clients/idl";
import { buildTreeSync, type MerkleTree } from "@merit/clients/merkle";
import { distributorProgramId } from "@merit/localnet";
import { fundedKeypair, useLocalnet } from "./helpers/localnet.js";

const { AnchorProvider, BN, EventParser, Wallet } = anchor;
const DELAY = 3600;

describe("localnet: the distributor through Anchor over JSON-RPC", function () {
  this.timeout(60_000);
  const chain = useLocalnet();
  let admin: Keypair, publisher: Keypair, guardian: Keypair, alice: Keypair;
  let program: MeritDistributorProgram;
  let mint: PublicKey, distributor: PublicKey, vault: PublicKey, tree: MerkleTree;

  before(async () => {
    const { connection } = chain();
    const fund = () => fundedKeypair(connection);
    [admin, publisher, guardian, alice] = await Promise.all([fund(), fund(), fund(), fund()]);
    program = meritDistributorProgram(new AnchorProvider(connection, new Wallet(admin), { commitment: "confirmed" }));
    mint = await spl.createMint(connection, admin, admin.publicKey, null, 6);
    [distributor] = distributorPda(mint, admin.publicKey, 1n);
    [vault] = vaultPda(distributor);
    tree = buildTreeSync(distributor.toBytes(), [{ claimant: alice.publicKey.toBytes(), amount: 250_000n }]);
  });

  it("given the committed program, when the localnet starts, then it serves the distributor at the IDL's address", async () => {
    assert.equal(distributorProgramId(), meritDistributorIdl.address);
    const info = await chain().connection.getAccountInfo(program.programId);
    assert.equal(info?.executable, true);
  });

  it("given Anchor's Program, when initialize_distributor is sent, then the Distributor account reads back with its authorities", async () => {
    await program.methods
      .initializeDistributor(new BN(1), publisher.publicKey, guardian.publicKey, {
        activationDelay: new BN(DELAY),
        gracePeriod: new BN(600),
        maxTotalIncrease: new BN(1_000_000_000),
        claimExpiry: new BN(0),
      })
      .accountsPartial({ admin: admin.publicKey, mint, distributor, vault, tokenProgram: spl.TOKEN_PROGRAM_ID })
      .rpc();
    const state = await program.account.distributor.fetch(distributor);
    assert.deepEqual(
      [state.admin, state.publisher, state.guardian, state.mint].map(String),
      [admin.publicKey, publisher.publicKey, guardian.publicKey, mint].map(String),
    );
    await spl.mintTo(chain().connection, admin, mint, vault, admin, 1_000_000n);
  });

  it("given a proposed root, when it is activated before its delay and again after warping past it, then the timelock holds and then opens, and alice claims", async () => {
    const { connection, net } = chain();
    const epochRoot = epochRootPda(distributor, 1n)[0];
    const zeros = Array(32).fill(0);
    const proposeSig = await program.methods
      .proposeRoot(new BN(1), [...tree.root], new BN(250_000), new BN(1), zeros, zeros)
      .accountsPartial({ publisher: publisher.publicKey, distributor, epochRoot })
      .signers([publisher])
      .rpc();
    const proposed = await connection.getTransaction(proposeSig, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
    const events = [...new EventParser(program.programId, program.coder).parseLogs(proposed!.meta!.logMessages!)];
    assert.deepEqual(
      events.map((e) => e.name),
      ["rootProposed"],
    );

    const activate = () => program.methods.activateRoot().accountsPartial({ distributor, epochRoot }).rpc();
    await assert.rejects(activate(), (err: { logs?: string[] }) => {
      const code = MeritErrorCode.RootNotActive!;
      assert.ok(
        err.logs?.some((l) => l.endsWith(`custom program error: 0x${code.toString(16)}`)),
        JSON.stringify(err.logs),
      );
      return true;
    });

    net.warp({ seconds: DELAY + 1 });
    await activate();
    const root = await program.account.epochRoot.fetch(epochRoot);
    assert.deepEqual(root.status, { active: {} });
    // activated_at is the chain's Clock: proposal time plus at least the warped delay.
    assert.ok(root.activatedAt.toNumber() >= root.proposedAt.toNumber() + DELAY, `${root.proposedAt} -> ${root.activatedAt}`);

    const aliceToken = await spl.createAssociatedTokenAccount(connection, alice, mint, alice.publicKey);
    const { amount, proof } = tree.proof(alice.publicKey.toBytes());
    await program.methods
      .claim(
        new BN(amount.toString()),
        proof.map((p) => [...p]),
      )
      .accountsPartial({
        claimant: alice.publicKey,
        distributor,
        epochRoot,
        claimStatus: claimStatusPda(distributor, alice.publicKey)[0],
        mint,
        vault,
        claimantToken: aliceToken,
        tokenProgram: spl.TOKEN_PROGRAM_ID,
      })
      .signers([alice])
      .rpc();
    assert.equal((await spl.getAccount(connection, aliceToken)).amount, 250_000n);
    assert.equal((await spl.getAccount(connection, vault)).amount, 750_000n);
  });
});
