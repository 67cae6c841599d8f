// Happy paths of every distributor instruction, in litesvm against the committed .so.
import assert from "node:assert/strict";
import { type Keypair, PublicKey } from "@solana/web3.js";
import { Chain, DEFAULT_PARAMS, DistributorFixture, type Entry, errorCode } from "./distributor-fixture.js";
import { activationsBefore, claimStatusPda } from "@merit/clients/idl";

const big = (v: { toString(): string }) => BigInt(v.toString());
const THIRTY_DAYS = 30n * 24n * 3600n;

describe("distributor flow", () => {
  let chain: Chain;
  let f: DistributorFixture;
  let alice: Keypair, bob: Keypair, carol: Keypair;
  let epoch1: Entry[];

  beforeEach(() => {
    chain = new Chain();
    f = new DistributorFixture(chain);
    [alice, bob, carol] = [chain.funded(), chain.funded(), chain.funded()];
    epoch1 = [
      { claimant: alice, amount: 100n },
      { claimant: bob, amount: 200n },
      { claimant: carol, amount: 300n },
    ];
    f.fund(10_000n);
  });

  it("Given initialize_distributor, Then the distributor records its authorities and owns a vault token account", () => {
    const s = f.state();
    assert.ok(s.admin.equals(f.admin.publicKey) && s.publisher.equals(f.publisher.publicKey) && s.guardian.equals(f.guardian.publicKey));
    assert.ok(s.mint.equals(f.mint) && s.vault.equals(f.vault) && s.tokenProgram.equals(f.tokenProgramId));
    assert.equal(big(s.activationDelay), DEFAULT_PARAMS.activationDelay);
    assert.equal(big(s.id), 1n);
    const vault = chain.account(f.vault)!;
    assert.ok(vault.owner.equals(f.tokenProgramId));
    assert.ok(new PublicKey(vault.data.subarray(32, 64)).equals(f.distributor), "vault owner is the distributor PDA");
    assert.equal(chain.tokenBalance(f.vault), 10_000n);
  });

  it("Given a proposed root, When the delay passes and anyone activates it, Then claims pay each leaf once", () => {
    const tree = f.tree(epoch1);
    const proposed = f.propose(1n, tree);
    const [ev] = chain.events(proposed);
    assert.equal(ev!.name, "rootProposed");
    assert.equal(big(ev!.data.cumulativeTotal as object), 600n);
    const root = f.rootState(1n);
    assert.deepEqual(Object.keys(root.status), ["pending"]);
    assert.equal(big(root.activatesAt), big(root.proposedAt) + DEFAULT_PARAMS.activationDelay);

    chain.expectError([f.claimFromTree(tree, 1n, alice)], [alice], "RootNotActive");
    chain.advance(DEFAULT_PARAMS.activationDelay);
    const activated = chain.sendIxs([f.activateIx(1n)]);
    assert.ok(activated.ok, activated.error);
    assert.equal(chain.events(activated)[0]!.name, "rootActivated");
    assert.deepEqual(Object.keys(f.rootState(1n).status), ["active"]);
    assert.equal(big(f.state().currentEpoch), 1n);

    for (const e of epoch1) {
      const r = chain.sendIxs([f.claimFromTree(tree, 1n, e.claimant)], [e.claimant]);
      assert.ok(r.ok, r.error + r.logs.join("\n"));
      const claimed = chain.events(r).find((x) => x.name === "claimed")!;
      assert.equal(big(claimed.data.amount as object), e.amount);
      assert.equal(chain.tokenBalance(f.claimantToken(e.claimant.publicKey)), e.amount);
      assert.equal(big(f.claimState(e.claimant.publicKey)!.claimed), e.amount);
    }
    assert.equal(chain.tokenBalance(f.vault), 10_000n - 600n);
    assert.equal(big(f.state().totalClaimed), 600n);
    chain.expectError([f.claimFromTree(tree, 1n, alice)], [alice], "NothingToClaim");
  });

  it("Given a due pending root, When the first claim arrives, Then the claim activates it and pays", () => {
    const tree = f.tree(epoch1);
    f.propose(1n, tree);
    chain.advance(DEFAULT_PARAMS.activationDelay);
    const r = chain.sendIxs([f.claimFromTree(tree, 1n, bob)], [bob]);
    assert.ok(r.ok, r.error + r.logs.join("\n"));
    assert.deepEqual(
      chain.events(r).map((e) => e.name),
      ["rootActivated", "claimed"],
    );
    assert.deepEqual(Object.keys(f.rootState(1n).status), ["active"]);
    assert.equal(chain.tokenBalance(f.claimantToken(bob.publicKey)), 200n);
  });

  it("Given a later epoch with a higher cumulative amount, Then a second claim pays only the difference", () => {
    const t1 = f.tree(epoch1);
    f.publish(1n, t1);
    assert.ok(chain.sendIxs([f.claimFromTree(t1, 1n, alice)], [alice]).ok);
    // Totals are cumulative: carol stays in the tree with her unchanged amount.
    const t2 = f.tree([
      { claimant: alice, amount: 175n },
      { claimant: bob, amount: 250n },
      { claimant: carol, amount: 300n },
    ]);
    f.publish(2n, t2);
    const r = chain.sendIxs([f.claimFromTree(t2, 2n, alice)], [alice]);
    assert.ok(r.ok, r.error);
    assert.equal(big(chain.events(r).find((e) => e.name === "claimed")!.data.amount as object), 75n);
    assert.equal(chain.tokenBalance(f.claimantToken(alice.publicKey)), 175n);
    // Bob skipped epoch 1 and loses nothing.
    assert.ok(chain.sendIxs([f.claimFromTree(t2, 2n, bob)], [bob]).ok);
    assert.equal(chain.tokenBalance(f.claimantToken(bob.publicKey)), 250n);
    assert.equal(big(f.claimState(alice.publicKey)!.claimed), 175n);
  });

  it("Given a first claim, Then the ClaimStatus holds only discriminator, claimed and bump: 17 bytes, 1,009,200 lamports of rent", () => {
    const t1 = f.tree(epoch1);
    f.publish(1n, t1);
    assert.ok(chain.sendIxs([f.claimFromTree(t1, 1n, alice)], [alice]).ok);
    const [address, bump] = claimStatusPda(f.distributor, alice.publicKey);
    const account = chain.account(address)!;
    assert.equal(account.data.length, 17);
    // (128 + 17) bytes x 3,480 lamports per byte-year x 2 years: 1,009.2 SOL per million claimants.
    assert.equal(BigInt(account.lamports), (128n + 17n) * 3_480n * 2n);
    assert.equal(account.data[16], bump);
  });

  it("Given a new root just activated, Then the previous root pays during the grace period and not after", () => {
    const t1 = f.tree(epoch1);
    f.publish(1n, t1);
    const t2 = f.tree([
      { claimant: alice, amount: 150n },
      { claimant: bob, amount: 250n },
      { claimant: carol, amount: 350n },
    ]);
    f.publish(2n, t2);
    const inFlight = f.claimFromTree(t1, 1n, alice);
    const r = chain.sendIxs([inFlight], [alice]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.tokenBalance(f.claimantToken(alice.publicKey)), 100n);
    chain.advance(DEFAULT_PARAMS.gracePeriod);
    chain.expectError([f.claimFromTree(t1, 1n, bob)], [bob], "RootSuperseded");
    assert.ok(chain.sendIxs([f.claimFromTree(t2, 2n, bob)], [bob]).ok);
  });

  it("Given pending roots, Then they activate strictly in epoch order", () => {
    f.propose(1n, f.tree(epoch1));
    f.propose(
      3n,
      f.tree([
        { claimant: alice, amount: 500n },
        { claimant: bob, amount: 200n },
      ]),
    );
    chain.advance(DEFAULT_PARAMS.activationDelay);
    chain.expectError([f.activateIx(3n)], [], "OutOfOrderActivation");
    assert.ok(chain.sendIxs([f.activateIx(1n)]).ok);
    assert.ok(chain.sendIxs([f.activateIx(3n)]).ok);
    const s = f.state();
    assert.equal(big(s.currentEpoch), 3n);
    assert.equal(big(s.previousEpoch), 1n);
    assert.equal(s.pendingCount, 0);
  });

  it("Given two due pending roots, When a claim against the newer one prepends the activations the client computes, Then it pays", () => {
    f.propose(1n, f.tree(epoch1));
    const t2 = f.tree([
      { claimant: alice, amount: 150n },
      { claimant: bob, amount: 200n },
      { claimant: carol, amount: 300n },
    ]);
    f.propose(2n, t2);
    chain.advance(DEFAULT_PARAMS.activationDelay);
    chain.expectError([f.claimFromTree(t2, 2n, alice)], [alice], "OutOfOrderActivation");
    const due = activationsBefore(f.state(), 2n, chain.now());
    assert.deepEqual(due, [1n, 2n]);
    // The claim itself activates the last one.
    const r = chain.sendIxs([...due.slice(0, -1).map((e) => f.activateIx(e)), f.claimFromTree(t2, 2n, alice)], [alice]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.tokenBalance(f.claimantToken(alice.publicKey)), 150n);
    assert.deepEqual(activationsBefore(f.state(), 2n, chain.now()), []);
  });

  it("Given a pending root, When the guardian vetoes it, Then it can never pay and the next epoch continues from the previous total", () => {
    const t1 = f.tree(epoch1);
    f.propose(1n, t1);
    const r = chain.sendIxs([f.vetoIx(1n, f.guardian.publicKey)], [f.guardian]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.events(r)[0]!.name, "rootVetoed");
    assert.deepEqual(Object.keys(f.rootState(1n).status), ["vetoed"]);
    chain.advance(DEFAULT_PARAMS.activationDelay);
    chain.expectError([f.claimFromTree(t1, 1n, alice)], [alice], "RootVetoed");
    chain.expectError([f.activateIx(1n)], [], "RootNotPending");
    // The vetoed total no longer counts: epoch 2 may start again from 0.
    f.publish(2n, f.tree([{ claimant: alice, amount: 10n }]));
    assert.equal(big(f.state().currentTotal), 10n);
  });

  it("Given a due root, Then the veto window is closed, unless the guardian paused first", () => {
    f.propose(1n, f.tree(epoch1));
    f.propose(2n, f.tree(epoch1));
    chain.advance(DEFAULT_PARAMS.activationDelay);
    chain.expectError([f.vetoIx(1n, f.admin.publicKey)], [f.admin], "VetoWindowClosed");
    assert.ok(chain.sendIxs([f.pauseIx(f.guardian.publicKey, true)], [f.guardian]).ok);
    chain.expectError([f.activateIx(1n)], [], "Paused");
    assert.ok(chain.sendIxs([f.vetoIx(2n, f.guardian.publicKey)], [f.guardian]).ok);
    assert.ok(chain.sendIxs([f.pauseIx(f.admin.publicKey, false)], [f.admin]).ok);
    assert.ok(chain.sendIxs([f.activateIx(1n)]).ok);
  });

  it("Given pause by the guardian, Then claims fail until the admin unpauses", () => {
    const tree = f.tree(epoch1);
    f.publish(1n, tree);
    const paused = chain.sendIxs([f.pauseIx(f.guardian.publicKey, true)], [f.guardian]);
    assert.ok(paused.ok, paused.error);
    assert.equal(chain.events(paused)[0]!.data.paused, true);
    chain.expectError([f.claimFromTree(tree, 1n, alice)], [alice], "Paused");
    assert.ok(chain.sendIxs([f.pauseIx(f.admin.publicKey, false)], [f.admin]).ok);
    assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]).ok);
  });

  it("Given set_authorities with a pending admin, When it accepts, Then the admin changes in two steps", () => {
    const next = chain.funded();
    const newPublisher = chain.funded().publicKey;
    const r = chain.sendIxs([f.setAuthoritiesIx(newPublisher, f.guardian.publicKey, next.publicKey)], [f.admin]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.events(r)[0]!.name, "authoritiesUpdated");
    assert.ok(f.state().admin.equals(f.admin.publicKey), "admin unchanged until accepted");
    assert.ok(f.state().publisher.equals(newPublisher));
    // An all-zero pending admin cancels a proposed hand-over; proposing again restores it.
    assert.ok(chain.sendIxs([f.setAuthoritiesIx(newPublisher, f.guardian.publicKey, PublicKey.default)], [f.admin]).ok);
    chain.expectError([f.acceptAdminIx(next.publicKey)], [next], "NoPendingAdmin");
    assert.ok(chain.sendIxs([f.setAuthoritiesIx(newPublisher, f.guardian.publicKey, next.publicKey)], [f.admin]).ok);
    const unsigned = f.acceptAdminIx(next.publicKey);
    unsigned.keys[0]!.isSigner = false;
    chain.expectError([unsigned], [], "MissingSigner");
    const stranger = chain.funded();
    chain.expectError([f.acceptAdminIx(stranger.publicKey)], [stranger], "NoPendingAdmin");
    assert.ok(chain.sendIxs([f.acceptAdminIx(next.publicKey)], [next]).ok);
    const s = f.state();
    assert.ok(s.admin.equals(next.publicKey));
    assert.ok(s.pendingAdmin.equals(PublicKey.default));
    chain.expectError([f.setParamsIx(DEFAULT_PARAMS)], [f.admin], "Unauthorized");
    // The vault still signs after the hand-over: its signer seeds use the creator, not the admin.
    assert.ok(s.creator.equals(f.admin.publicKey), "creator is kept");
    f.fund(500n);
    const dest = f.claimantToken(next.publicKey);
    assert.ok(chain.sendIxs([f.clawbackIx(500n, dest, { admin: next.publicKey })], [next]).ok);
    assert.equal(chain.tokenBalance(dest), 500n);
  });

  it("Given set_params, Then the delay applies to later proposals and the expiry only moves later", () => {
    // Replacing "never" needs 30 days' notice.
    chain.expectError([f.setParamsIx({ ...DEFAULT_PARAMS, claimExpiry: chain.now() + THIRTY_DAYS - 1n })], [f.admin], "InvalidParams");
    const params = { ...DEFAULT_PARAMS, activationDelay: 60n, claimExpiry: chain.now() + THIRTY_DAYS };
    const r = chain.sendIxs([f.setParamsIx(params)], [f.admin]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.events(r)[0]!.name, "paramsUpdated");
    assert.equal(big(f.state().activationDelay), 60n);
    chain.expectError([f.setParamsIx({ ...params, claimExpiry: params.claimExpiry - 1n })], [f.admin], "InvalidParams");
    chain.expectError([f.setParamsIx({ ...params, claimExpiry: 0n })], [f.admin], "InvalidParams");
    f.propose(1n, f.tree(epoch1));
    assert.equal(big(f.rootState(1n).activatesAt) - big(f.rootState(1n).proposedAt), 60n);
  });

  it("Given outstanding obligations, Then clawback takes only the surplus, and everything after expiry", () => {
    const tree = f.tree(epoch1);
    f.publish(1n, tree);
    const dest = f.claimantToken(f.admin.publicKey);
    // Vault 10,000, owed 600: the surplus is 9,400.
    chain.expectError([f.clawbackIx(9_401n, dest)], [f.admin], "ClawbackExceedsSurplus");
    const r = chain.sendIxs([f.clawbackIx(9_400n, dest)], [f.admin]);
    assert.ok(r.ok, r.error);
    assert.equal(chain.events(r)[0]!.name, "clawedBack");
    assert.equal(chain.tokenBalance(dest), 9_400n);
    // A pending root's total counts as owed too.
    f.fund(1_000n);
    f.propose(2n, f.tree([...epoch1, { claimant: chain.funded(), amount: 400n }]));
    chain.expectError([f.clawbackIx(601n, dest)], [f.admin], "ClawbackExceedsSurplus");
    assert.ok(chain.sendIxs([f.clawbackIx(600n, dest)], [f.admin]).ok);
    assert.ok(chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]).ok);

    const expiry = chain.now() + THIRTY_DAYS;
    assert.ok(chain.sendIxs([f.setParamsIx({ ...DEFAULT_PARAMS, claimExpiry: expiry })], [f.admin]).ok);
    chain.setTime(expiry);
    chain.expectError([f.claimFromTree(tree, 1n, bob)], [bob], "ClaimWindowExpired");
    const rest = chain.tokenBalance(f.vault);
    assert.ok(chain.sendIxs([f.clawbackIx(rest, dest)], [f.admin]).ok);
    assert.equal(chain.tokenBalance(f.vault), 0n);
  });

  it("Given a Token-2022 mint, Then initialize, claim and clawback work through transfer_checked", () => {
    const c2 = new Chain();
    const f2 = new DistributorFixture(c2, "2022");
    f2.fund(1_000n);
    const dave = c2.funded();
    const tree = f2.tree([{ claimant: dave, amount: 250n }]);
    f2.publish(1n, tree);
    const r = c2.sendIxs([f2.claimFromTree(tree, 1n, dave)], [dave]);
    assert.ok(r.ok, r.error + r.logs.join("\n"));
    assert.equal(c2.tokenBalance(f2.claimantToken(dave.publicKey)), 250n);
    assert.ok(c2.account(f2.vault)!.owner.equals(f2.tokenProgramId));
    assert.ok(c2.sendIxs([f2.clawbackIx(750n, f2.claimantToken(f2.admin.publicKey))], [f2.admin]).ok);
  });

  it("Given a claimant whose ClaimStatus address was pre-funded by someone else, Then the first claim still succeeds", () => {
    const tree = f.tree(epoch1);
    f.publish(1n, tree);
    // Anyone can send lamports to the address to block a plain create_account.
    chain.airdrop(claimStatusPda(f.distributor, alice.publicKey)[0], 1_000_000n);
    const r = chain.sendIxs([f.claimFromTree(tree, 1n, alice)], [alice]);
    assert.ok(r.ok, r.error + r.logs.join("\n"));
    assert.equal(chain.tokenBalance(f.claimantToken(alice.publicKey)), 100n);
    assert.equal(errorCode("InvalidInstructionData"), 6000);
  });
});
