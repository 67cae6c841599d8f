// Anchor's Program drives the distributor end to end through the shared litesvm provider:
// methods…rpc() with IDL-resolved PDAs, account.fetch / all, events from the logs, and program
// errors surfacing as AnchorError with the IDL's names.
import assert from "node:assert/strict";
import anchor, { AnchorError, Program } from "@coral-xyz/anchor";
import { Keypair, PublicKey } from "@solana/web3.js";
import { claimStatusPda, distributorPda, epochRootPda, meritDistributorIdl, type MeritDistributor, vaultPda } from "@merit/clients/idl";
import { buildTreeSync } from "@merit/clients/merkle";
import { LiteSvmProvider, parseEvents } from "./helpers/anchor-provider.js";
import { createMint, mintTo, TestSvm, tokenAccount, tokenBalance, tokenProgramId } from "./helpers/svm.js";

const { BN } = anchor;

describe("distributor through Anchor's Program", () => {
  it("Given the committed IDL and .so, When an admin, a publisher and a claimant use program.methods, Then the claim pays and every account decodes", async () => {
    const chain = new TestSvm({ unixTimestamp: 1_800_000_000n });
    const provider = new LiteSvmProvider(chain);
    const program = new Program<MeritDistributor>(meritDistributorIdl as unknown as MeritDistributor, provider);
    const admin = provider.wallet.payer!;
    const publisher = chain.funded();
    const guardian = chain.funded();
    const claimant = chain.funded();
    const mint = createMint(chain, "2022");
    const tokenProgram = tokenProgramId("2022");
    const [distributor] = distributorPda(mint.mint, admin.publicKey, 7n);

    // initialize_distributor: distributor and vault PDAs resolved from the IDL's seeds.
    const params = { activationDelay: new BN(60), gracePeriod: new BN(30), maxTotalIncrease: new BN(1_000_000), claimExpiry: new BN(0) };
    await program.methods
      .initializeDistributor(new BN(7), publisher.publicKey, guardian.publicKey, params)
      .accounts({ admin: admin.publicKey, mint: mint.mint, tokenProgram })
      .rpc();
    const state = await program.account.distributor.fetch(distributor);
    assert.ok(state.vault.equals(vaultPda(distributor)[0]));
    assert.equal(state.activationDelay.toNumber(), 60);
    mintTo(chain, mint, state.vault, 10_000n);

    // propose_root: the EpochRoot PDA comes from the epoch argument.
    const tree = buildTreeSync(distributor.toBytes(), [
      { claimant: claimant.publicKey.toBytes(), amount: 4_000n },
      { claimant: Keypair.generate().publicKey.toBytes(), amount: 1n },
    ]);
    await program.methods
      .proposeRoot(new BN(1), [...tree.root], new BN(4_001), new BN(2), Array(32).fill(1), Array(32).fill(2))
      .accounts({ publisher: publisher.publicKey, distributor })
      .signers([publisher])
      .rpc();
    const proposed = parseEvents(program, provider.lastResult!.logs);
    assert.equal(proposed[0]!.name, "rootProposed");
    const root = await program.account.epochRoot.fetch(epochRootPda(distributor, 1n)[0]);
    assert.deepEqual(root.status, { pending: {} });
    assert.equal((await program.account.epochRoot.all()).length, 1);

    // A claim before activation fails with the IDL's error.
    const { amount, proof } = tree.proof(claimant.publicKey.toBytes());
    const claimantToken = tokenAccount(chain, mint, claimant.publicKey);
    const claim = () =>
      program.methods
        .claim(
          new BN(amount.toString()),
          proof.map((p) => [...p]),
        )
        .accounts({
          claimant: claimant.publicKey,
          distributor,
          epochRoot: epochRootPda(distributor, 1n)[0],
          mint: mint.mint,
          vault: state.vault,
          claimantToken,
          tokenProgram,
        })
        .signers([claimant])
        .rpc();
    await assert.rejects(
      claim(),
      (e: unknown) => e instanceof AnchorError && e.error.errorCode.code === "RootNotActive" && e.error.errorCode.number === 6023,
    );

    chain.advance(60n);
    await claim();
    assert.deepEqual(
      parseEvents(program, provider.lastResult!.logs).map((e) => e.name),
      ["rootActivated", "claimed"],
    );
    assert.equal(tokenBalance(chain, claimantToken), 4_000n);
    const [statusAddress, statusBump] = claimStatusPda(distributor, claimant.publicKey);
    const status = await program.account.claimStatus.fetch(statusAddress);
    assert.equal(status.claimed.toNumber(), 4_000);
    assert.equal(status.bump, statusBump);
    await assert.rejects(claim(), (e: unknown) => e instanceof AnchorError && e.error.errorCode.code === "NothingToClaim");
    assert.ok(PublicKey.isOnCurve(claimant.publicKey));
  });
});
