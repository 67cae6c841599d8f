// Every attack on the distributor fails with its exact error code and changes nothing.
import assert from "node:assert/strict";
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { Chain, DEFAULT_PARAMS, DistributorFixture, type Entry, PROGRAM_ID } from "./distributor-fixture.js";
import { claimStatusPda } from "@merit/clients/idl";
import { createMint, mintTo } from "./helpers/svm.js";
import type { MerkleTree } from "@merit/clients/merkle";

const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** The next epoch's cumulative amounts: everyone earned 50 more. */
const raised = (entries: Entry[]): Entry[] => entries.map((e) => ({ claimant: e.claimant, amount: e.amount + 50n }));

describe("distributor attacks", () => {
  let chain: Chain;
  let f: DistributorFixture;
  let alice: Keypair, bob: Keypair;
  let entries: Entry[];
  let tree: MerkleTree;

  beforeEach(() => {
    chain = new Chain();
    f = new DistributorFixture(chain);
    [alice, bob] = [chain.funded(), chain.funded()];
    entries = [
      { claimant: alice, amount: 100n },
      { claimant: bob, amount: 200n },
      { claimant: chain.funded(), amount: 300n },
    ];
    tree = f.tree(entries);
    f.fund(10_000n);
    f.publish(1n, tree);
  });

  const withKeys = (ix: TransactionInstruction, edit: (keys: TransactionInstruction["keys"]) => void) => {
    const keys = ix.keys.map((k) => ({ ...k }));
    edit(keys);
    return new TransactionInstruction({ programId: ix.programId, keys, data: ix.data });
  };
  const withData = (ix: TransactionInstruction, data: Buffer) =>
    new TransactionInstruction({ programId: ix.programId, keys: ix.keys, data });

  describe("claims", () => {
    it("a wrong proof", () => {
      const { amount, proof } = tree.proof(alice.publicKey.toBytes());
      const sibling = proof[0]!;
      sibling[5] = sibling[5]! ^ 1;
      chain.expectError([f.claimIx(alice.publicKey, 1n, amount, proof)], [alice], "InvalidProof");
    });

    it("a higher amount than the leaf", () => {
      const { amount, proof } = tree.proof(alice.publicKey.toBytes());
      chain.expectError([f.claimIx(alice.publicKey, 1n, amount + 1n, proof)], [alice], "InvalidProof");
    });

    it("another claimant's leaf", () => {
      const { amount, proof } = tree.proof(alice.publicKey.toBytes());
      chain.expectError([f.claimIx(bob.publicKey, 1n, amount, proof)], [bob], "InvalidProof");
    });

    it("replaying a claim", () => {
      assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]).ok);
      chain.expectError([f.claimFromTree(tree, 1n, alice)], [alice], "NothingToClaim");
    });

    it("claiming before activation", () => {
      const t2 = f.tree(raised(entries));
      f.propose(2n, t2);
      chain.advance(DEFAULT_PARAMS.activationDelay - 1n);
      chain.expectError([f.claimFromTree(t2, 2n, alice)], [alice], "RootNotActive");
      chain.expectError([f.activateIx(2n)], [], "RootNotActive");
    });

    it("a vetoed root", () => {
      const t2 = f.tree(raised(entries));
      f.propose(2n, t2);
      assert.ok(chain.sendIxs([f.vetoIx(2n, f.guardian.publicKey)], [f.guardian]).ok);
      chain.advance(DEFAULT_PARAMS.activationDelay);
      chain.expectError([f.claimFromTree(t2, 2n, alice)], [alice], "RootVetoed");
    });

    it("a missing claimant signature", () => {
      const ix = withKeys(f.claimFromTree(tree, 1n, alice), (k) => {
        k[0]!.isSigner = false;
      });
      chain.expectError([ix], [], "MissingSigner");
    });

    it("while paused", () => {
      assert.ok(chain.sendIxs([f.pauseIx(f.guardian.publicKey, true)], [f.guardian]).ok);
      chain.expectError([f.claimFromTree(tree, 1n, alice)], [alice], "Paused");
    });

    it("a leaf of u64::MAX under a root whose total is smaller", () => {
      const greedy = chain.funded();
      const lying = f.tree([{ claimant: greedy, amount: U64_MAX }]);
      // The publisher commits a total of 1,000 but a leaf of u64::MAX: the total caps the payout.
      assert.ok(chain.sendIxs([f.proposeIx(2n, lying.root, 1_000n)], [f.publisher]).ok);
      chain.advance(DEFAULT_PARAMS.activationDelay);
      chain.expectError([f.claimFromTree(lying, 2n, greedy)], [greedy], "ExceedsRootTotal");
      // Forged amounts next to a real leaf still fail the proof.
      chain.expectError([f.claimIx(alice.publicKey, 1n, U64_MAX, tree.proof(alice.publicKey.toBytes()).proof)], [alice], "InvalidProof");
    });

    it("paying to a token account the claimant does not own", () => {
      const ix = f.claimFromTree(tree, 1n, alice, { claimantToken: f.claimantToken(bob.publicKey) });
      chain.expectError([ix], [alice], "ClaimantMismatch");
    });

    it("a substituted vault", () => {
      const fake = f.claimantToken(chain.funded().publicKey);
      mintTo(chain, f.mintInfo, fake, 1_000n);
      chain.expectError([f.claimFromTree(tree, 1n, alice, { vault: fake })], [alice], "VaultMismatch");
    });

    it("a substituted mint", () => {
      const other = createMint(chain, "spl");
      chain.expectError([f.claimFromTree(tree, 1n, alice, { mint: other.mint })], [alice], "MintMismatch");
    });

    it("a substituted token program", () => {
      chain.expectError([f.claimFromTree(tree, 1n, alice, { tokenProgram: spl.TOKEN_2022_PROGRAM_ID })], [alice], "InvalidProgramId");
      chain.expectError([f.claimFromTree(tree, 1n, alice, { systemProgram: spl.TOKEN_PROGRAM_ID })], [alice], "InvalidProgramId");
    });

    it("a forged distributor owned by another program", () => {
      const forged = Keypair.generate().publicKey;
      chain.setAccount(forged, spl.TOKEN_PROGRAM_ID, chain.account(f.distributor)!.data);
      chain.expectError([f.claimFromTree(tree, 1n, alice, { distributor: forged })], [alice], "InvalidAccountOwner");
    });

    it("another account type in the distributor slot (discriminator check)", () => {
      chain.expectError([f.claimFromTree(tree, 1n, alice, { distributor: f.epochRoot(1n) })], [alice], "InvalidDiscriminator");
    });

    it("a program-owned distributor of the wrong length", () => {
      const forged = Keypair.generate().publicKey;
      chain.setAccount(forged, PROGRAM_ID, Buffer.concat([chain.account(f.distributor)!.data, Buffer.alloc(1)]));
      chain.expectError([f.claimFromTree(tree, 1n, alice, { distributor: forged })], [alice], "InvalidAccountData");
    });

    it("another distributor's root, vault and claim status", () => {
      const g = new DistributorFixture(chain, "spl", 2n, DEFAULT_PARAMS, f.mintInfo);
      g.fund(10_000n);
      const t = g.tree(entries);
      g.publish(1n, t);
      // Proof valid for distributor 2, sent with distributor 1's accounts and distributor 2's root.
      chain.expectError([f.claimFromTree(t, 1n, alice, { epochRoot: g.epochRoot(1n) })], [alice], "DistributorMismatch");
      // Distributor 2 with distributor 1's vault.
      chain.expectError([g.claimFromTree(t, 1n, alice, { vault: f.vault })], [alice], "VaultMismatch");
      // Distributor 1's ClaimStatus for alice offered to distributor 2: it stores no distributor,
      // its address (re-derived from its stored bump) is not alice's under distributor 2.
      assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]).ok);
      chain.expectError(
        [g.claimFromTree(t, 1n, alice, { claimStatus: claimStatusPda(f.distributor, alice.publicKey)[0] })],
        [alice],
        "InvalidPda",
      );
    });

    it("another claimant's ClaimStatus", () => {
      assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, bob)], [bob]).ok);
      // The ClaimStatus stores no claimant: its address, re-derived for alice, is not bob's.
      chain.expectError(
        [f.claimFromTree(tree, 1n, alice, { claimStatus: claimStatusPda(f.distributor, bob.publicKey)[0] })],
        [alice],
        "InvalidPda",
      );
    });

    it("a fresh ClaimStatus at a non-canonical address", () => {
      chain.expectError([f.claimFromTree(tree, 1n, alice, { claimStatus: Keypair.generate().publicKey })], [alice], "InvalidPda");
    });

    it("a second ClaimStatus at a valid but non-canonical bump of the claimant's own seeds", () => {
      const seeds = [Buffer.from("claim"), f.distributor.toBuffer(), alice.publicKey.toBuffer()];
      const [, canonical] = claimStatusPda(f.distributor, alice.publicKey);
      let other: PublicKey | undefined;
      for (let bump = canonical - 1; bump >= 0 && !other; bump--) {
        try {
          other = PublicKey.createProgramAddressSync([...seeds, Buffer.from([bump])], PROGRAM_ID);
        } catch {
          /* on the curve */
        }
      }
      chain.expectError([f.claimFromTree(tree, 1n, alice, { claimStatus: other! })], [alice], "InvalidPda");
      // After a real first claim, the other address still cannot hold a second one.
      assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]).ok);
      chain.expectError([f.claimFromTree(tree, 1n, alice, { claimStatus: other! })], [alice], "InvalidPda");
    });

    it("a forged ClaimStatus owned by another program", () => {
      const forged = Keypair.generate().publicKey;
      const data = Buffer.alloc(17);
      chain.setAccount(forged, spl.TOKEN_PROGRAM_ID, data);
      chain.expectError([f.claimFromTree(tree, 1n, alice, { claimStatus: forged })], [alice], "InvalidAccountOwner");
    });

    it("a read-only distributor", () => {
      const ix = withKeys(f.claimFromTree(tree, 1n, alice), (k) => {
        k[1]!.isWritable = false;
      });
      chain.expectError([ix], [alice], "NotWritable");
    });

    it("missing accounts", () => {
      const ix = f.claimFromTree(tree, 1n, alice);
      chain.expectError(
        [new TransactionInstruction({ programId: PROGRAM_ID, keys: ix.keys.slice(0, 8), data: ix.data })],
        [alice],
        "NotEnoughAccounts",
      );
    });
  });

  describe("instruction data", () => {
    it("truncated or oversized claim data", () => {
      const ix = f.claimFromTree(tree, 1n, alice);
      chain.expectError([withData(ix, ix.data.subarray(0, ix.data.length - 1))], [alice], "InvalidInstructionData");
      chain.expectError([withData(ix, Buffer.concat([ix.data, Buffer.alloc(1)]))], [alice], "InvalidInstructionData");
      chain.expectError([withData(ix, ix.data.subarray(0, 12))], [alice], "InvalidInstructionData");
      const huge = Buffer.from(ix.data);
      huge.writeUInt32LE(0xffff_ffff, 16);
      chain.expectError([withData(ix, huge)], [alice], "ProofTooLong");
    });

    it("truncated or oversized data of every other instruction", () => {
      const cases: [TransactionInstruction, Keypair[]][] = [
        [f.proposeIx(2n, tree.root, 600n), [f.publisher]],
        [f.vetoIx(1n, f.guardian.publicKey), [f.guardian]],
        [f.activateIx(1n), []],
        [f.pauseIx(f.guardian.publicKey, true), [f.guardian]],
        [f.pauseIx(f.guardian.publicKey, false), [f.guardian]],
        [f.clawbackIx(1n, f.claimantToken(f.admin.publicKey)), [f.admin]],
        [f.setAuthoritiesIx(f.publisher.publicKey, f.guardian.publicKey, PublicKey.default), [f.admin]],
        [f.acceptAdminIx(f.admin.publicKey), [f.admin]],
        [f.setParamsIx(DEFAULT_PARAMS), [f.admin]],
      ];
      for (const [ix, signers] of cases) {
        chain.expectError([withData(ix, Buffer.concat([ix.data, Buffer.alloc(1)]))], signers, "InvalidInstructionData");
        if (ix.data.length > 8)
          chain.expectError([withData(ix, ix.data.subarray(0, ix.data.length - 1))], signers, "InvalidInstructionData");
      }
    });

    it("unknown or missing discriminators", () => {
      const ix = f.activateIx(1n);
      chain.expectError([withData(ix, Buffer.alloc(8, 7))], [], "UnknownInstruction");
      chain.expectError([withData(ix, Buffer.alloc(0))], [], "UnknownInstruction");
      chain.expectError([withData(ix, Buffer.from(ix.data.subarray(0, 7)))], [], "UnknownInstruction");
    });
  });

  describe("roots", () => {
    it("a root from a non-publisher", () => {
      const mallory = chain.funded();
      chain.expectError([f.proposeIx(2n, tree.root, 600n, 3n, { publisher: mallory.publicKey })], [mallory], "Unauthorized");
      chain.expectError([f.proposeIx(2n, tree.root, 600n, 3n, { publisher: f.admin.publicKey })], [f.admin], "Unauthorized");
    });

    it("a missing publisher or admin signature", () => {
      chain.expectError(
        [
          withKeys(f.proposeIx(2n, tree.root, 600n), (k) => {
            k[0]!.isSigner = false;
          }),
        ],
        [],
        "MissingSigner",
      );
      const dest = f.claimantToken(f.admin.publicKey);
      chain.expectError(
        [
          withKeys(f.clawbackIx(1n, dest), (k) => {
            k[0]!.isSigner = false;
          }),
        ],
        [],
        "MissingSigner",
      );
      chain.expectError(
        [
          withKeys(f.vetoIx(1n, f.guardian.publicKey), (k) => {
            k[0]!.isSigner = false;
          }),
        ],
        [],
        "MissingSigner",
      );
      chain.expectError(
        [
          withKeys(f.setParamsIx(DEFAULT_PARAMS), (k) => {
            k[0]!.isSigner = false;
          }),
        ],
        [],
        "MissingSigner",
      );
    });

    it("a non-increasing epoch", () => {
      chain.expectError([f.proposeIx(1n, tree.root, 600n)], [f.publisher], "AlreadyInitialized");
      assert.ok(chain.sendIxs([f.proposeIx(5n, tree.root, 600n)], [f.publisher]).ok);
      chain.expectError([f.proposeIx(4n, tree.root, 600n)], [f.publisher], "EpochNotIncreasing");
    });

    it("a decreasing or over-cap cumulative total", () => {
      chain.expectError([f.proposeIx(2n, tree.root, 599n)], [f.publisher], "CumulativeTotalDecreased");
      chain.expectError([f.proposeIx(2n, tree.root, 600n + DEFAULT_PARAMS.maxTotalIncrease + 1n)], [f.publisher], "CapExceeded");
      chain.expectError([f.proposeIx(2n, tree.root, U64_MAX)], [f.publisher], "CapExceeded");
      assert.ok(chain.sendIxs([f.proposeIx(2n, tree.root, 600n + DEFAULT_PARAMS.maxTotalIncrease)], [f.publisher]).ok);
    });

    it("a full pending queue", () => {
      for (const e of [2n, 3n, 4n, 5n]) assert.ok(chain.sendIxs([f.proposeIx(e, tree.root, 600n)], [f.publisher]).ok);
      chain.expectError([f.proposeIx(6n, tree.root, 600n)], [f.publisher], "PendingQueueFull");
    });

    it("proposing while paused, a veto by a stranger, a veto of an active root", () => {
      const mallory = chain.funded();
      assert.ok(chain.sendIxs([f.proposeIx(2n, tree.root, 600n)], [f.publisher]).ok);
      chain.expectError([f.vetoIx(2n, mallory.publicKey)], [mallory], "Unauthorized");
      chain.expectError([f.vetoIx(2n, f.publisher.publicKey)], [f.publisher], "Unauthorized");
      chain.expectError([f.vetoIx(1n, f.guardian.publicKey)], [f.guardian], "RootNotPending");
      assert.ok(chain.sendIxs([f.pauseIx(f.guardian.publicKey, true)], [f.guardian]).ok);
      chain.expectError([f.proposeIx(3n, tree.root, 600n)], [f.publisher], "Paused");
    });

    it("a proposal at a non-canonical EpochRoot address", () => {
      chain.expectError([f.proposeIx(2n, tree.root, 600n, 3n, { epochRoot: f.epochRoot(3n) })], [f.publisher], "InvalidPda");
    });
  });

  describe("authorities", () => {
    it("admin-only instructions signed by others", () => {
      const mallory = chain.funded();
      chain.expectError([f.setParamsIx(DEFAULT_PARAMS, mallory.publicKey)], [mallory], "Unauthorized");
      chain.expectError([f.setParamsIx(DEFAULT_PARAMS, f.guardian.publicKey)], [f.guardian], "Unauthorized");
      chain.expectError(
        [f.setAuthoritiesIx(mallory.publicKey, mallory.publicKey, mallory.publicKey, mallory.publicKey)],
        [mallory],
        "Unauthorized",
      );
      chain.expectError([f.pauseIx(mallory.publicKey, true)], [mallory], "Unauthorized");
      chain.expectError([f.pauseIx(f.publisher.publicKey, true)], [f.publisher], "Unauthorized");
      const dest = f.claimantToken(mallory.publicKey);
      chain.expectError([f.clawbackIx(1n, dest, { admin: mallory.publicKey })], [mallory], "Unauthorized");
      chain.expectError([f.clawbackIx(1n, dest, { admin: f.guardian.publicKey })], [f.guardian], "Unauthorized");
    });

    it("a clawback of owed tokens, of zero, or through a substituted vault", () => {
      const dest = f.claimantToken(f.admin.publicKey);
      chain.expectError([f.clawbackIx(9_401n, dest)], [f.admin], "ClawbackExceedsSurplus");
      chain.expectError([f.clawbackIx(U64_MAX, dest)], [f.admin], "ClawbackExceedsSurplus");
      chain.expectError([f.clawbackIx(0n, dest)], [f.admin], "InvalidParams");
      chain.expectError([f.clawbackIx(1n, dest, { vault: dest })], [f.admin], "VaultMismatch");
    });

    it("a clawback into the vault itself", () => {
      // Surplus exists (10,000 funded, 600 owed), so only the destination can refuse it.
      chain.expectError([f.clawbackIx(1n, f.vault)], [f.admin], "ClawbackToVault");
    });

    it("front-running initialize_distributor at the address the admin planned", () => {
      const c = new Chain();
      const g = new DistributorFixture(c, "spl", 9n, DEFAULT_PARAMS, undefined, false);
      const mallory = c.funded();
      // Mallory signs initialize_distributor for the admin's planned (mint, id) address.
      c.expectError([g.initializeIx(DEFAULT_PARAMS, { admin: mallory.publicKey })], [mallory], "InvalidPda");
      assert.ok(c.sendIxs([g.initializeIx(DEFAULT_PARAMS)], [g.admin]).ok);
      assert.ok(g.state().admin.equals(g.admin.publicKey));
    });

    it("re-initializing an existing distributor", () => {
      chain.expectError([f.initializeIx(DEFAULT_PARAMS)], [f.admin], "AlreadyInitialized");
    });

    it("initializing with a non-token program or mismatched mint owner", () => {
      const c = new Chain();
      const g = new DistributorFixture(c, "spl", 9n, DEFAULT_PARAMS, undefined, false);
      const admin = g.admin;
      c.expectError([g.initializeIx(DEFAULT_PARAMS, { tokenProgram: spl.TOKEN_2022_PROGRAM_ID })], [admin], "InvalidAccountOwner");
      c.expectError([g.initializeIx(DEFAULT_PARAMS, { tokenProgram: PROGRAM_ID })], [admin], "InvalidProgramId");
      c.expectError([g.initializeIx(DEFAULT_PARAMS, { distributor: Keypair.generate().publicKey })], [admin], "InvalidPda");
      c.expectError([g.initializeIx({ ...DEFAULT_PARAMS, gracePeriod: U64_MAX })], [admin], "InvalidParams");
      assert.ok(c.sendIxs([g.initializeIx(DEFAULT_PARAMS)], [admin]).ok);
    });
  });
});
