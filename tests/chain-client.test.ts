// The chain client against the committed program in litesvm: a builder for every instruction of
// the IDL drives a distributor through its life, the decoders read each account after it, and the
// event decoder reads what each instruction emitted.
import assert from "node:assert/strict";
import { Keypair, type PublicKey } from "@solana/web3.js";
import {
  acceptAdminInstruction,
  activateRootInstruction,
  claimInstruction,
  claimStatusPda,
  clawbackInstruction,
  codingProgram,
  decodeClaimStatus,
  decodeDistributor,
  decodeEpochRoot,
  decodeEvents,
  type DistributorParams,
  epochRootPda,
  initializeDistributorInstruction,
  type MeritEvent,
  proposeRootInstruction,
  setAuthoritiesInstruction,
  setParamsInstruction,
  setPausedInstruction,
  vetoRootInstruction,
} from "@merit/clients/chain";
import { meritDistributorIdl } from "@merit/clients/idl";
import { buildTreeSync } from "@merit/clients/merkle";
import { createMint, expectOk, mintTo, TestSvm, tokenAccount, tokenBalance, tokenProgramId } from "./helpers/svm.js";

const PARAMS: DistributorParams = { activationDelay: 100n, gracePeriod: 50n, maxTotalIncrease: 1_000_000n, claimExpiry: 0n };

describe("chain client: builders, decoders and events on the committed program", () => {
  it("Given the IDL, Then the chain client exports a builder for each of its instructions", async () => {
    const chain = (await import("@merit/clients/chain")) as Record<string, unknown>;
    const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    for (const ix of meritDistributorIdl.instructions) {
      const name = ix.name === "pause" || ix.name === "unpause" ? "setPausedInstruction" : `${camel(ix.name)}Instruction`;
      assert.equal(typeof chain[name], "function", `no builder ${name} for ${ix.name}`);
    }
  });

  for (const tp of ["spl", "2022"] as const) {
    it(`Given a ${tp === "spl" ? "SPL Token" : "Token-2022"} mint, When every instruction is built by the chain client and sent, Then each succeeds, the accounts decode to what it did, and its event decodes`, () => {
      const t = new TestSvm({ unixTimestamp: 1_000_000n });
      const program = codingProgram(t.programId);
      const m = createMint(t, tp);
      const tokenProgram = tokenProgramId(tp);
      const [admin, publisher, guardian, next, claimant] = [t.funded(), t.funded(), t.funded(), t.funded(), t.funded()];
      const events = (r: { logs: string[] }): MeritEvent[] => decodeEvents(r.logs, program);
      const read = (address: PublicKey) => t.account(address)!.data;

      const init = initializeDistributorInstruction(
        {
          admin: admin.publicKey,
          mint: m.mint,
          tokenProgram,
          id: 9n,
          publisher: publisher.publicKey,
          guardian: guardian.publicKey,
          params: PARAMS,
        },
        program,
      );
      const initEvents = events(expectOk(t.sendIxs([init.instruction], [admin]), "initialize"));
      assert.equal(initEvents[0]?.name, "DistributorInitialized");
      assert.ok((initEvents[0]!.data.vault as PublicKey).equals(init.vault));
      const d = init.distributor;
      let state = decodeDistributor(read(d));
      assert.ok(
        state.admin.equals(admin.publicKey) && state.creator.equals(admin.publicKey) && state.publisher.equals(publisher.publicKey),
      );
      assert.equal(state.id, 9n);
      assert.equal(state.activationDelay, 100n);
      assert.ok(state.tokenProgram.equals(tokenProgram));

      mintTo(t, m, init.vault, 1_000n);
      const params = { ...PARAMS, gracePeriod: 70n };
      assert.equal(
        events(
          expectOk(t.sendIxs([setParamsInstruction({ admin: admin.publicKey, distributor: d, params }, program)], [admin]), "set params"),
        )[0]?.name,
        "ParamsUpdated",
      );
      assert.equal(decodeDistributor(read(d)).gracePeriod, 70n);

      const auth = setAuthoritiesInstruction(
        {
          admin: admin.publicKey,
          distributor: d,
          publisher: publisher.publicKey,
          guardian: guardian.publicKey,
          pendingAdmin: next.publicKey,
        },
        program,
      );
      assert.equal(events(expectOk(t.sendIxs([auth], [admin]), "set authorities"))[0]?.name, "AuthoritiesUpdated");
      assert.ok(decodeDistributor(read(d)).pendingAdmin.equals(next.publicKey));
      expectOk(t.sendIxs([acceptAdminInstruction({ newAdmin: next.publicKey, distributor: d }, program)], [next]), "accept admin");
      state = decodeDistributor(read(d));
      assert.ok(state.admin.equals(next.publicKey) && state.creator.equals(admin.publicKey));

      const paused = events(
        expectOk(
          t.sendIxs([setPausedInstruction({ authority: guardian.publicKey, distributor: d, paused: true }, program)], [guardian]),
          "pause",
        ),
      );
      assert.deepEqual([paused[0]?.name, paused[0]?.data.paused], ["PauseChanged", true]);
      assert.equal(decodeDistributor(read(d)).paused, true);
      expectOk(
        t.sendIxs([setPausedInstruction({ authority: guardian.publicKey, distributor: d, paused: false }, program)], [guardian]),
        "unpause",
      );

      const tree = buildTreeSync(d, [
        { claimant: claimant.publicKey.toBytes(), amount: 600n },
        { claimant: Keypair.generate().publicKey.toBytes(), amount: 100n },
      ]);
      const proposal = (epoch: bigint) => ({
        epoch,
        root: tree.root,
        cumulativeTotal: 700n,
        leafCount: 2n,
        datasetHash: Buffer.alloc(32, 3),
        inputsHash: Buffer.alloc(32, 4),
      });
      const proposed = events(
        expectOk(t.sendIxs([proposeRootInstruction(program, publisher.publicKey, d, proposal(1n))], [publisher]), "propose 1"),
      );
      assert.deepEqual(
        [proposed[0]?.name, proposed[0]?.data.epoch, proposed[0]?.data.root],
        ["RootProposed", 1n, tree.root.toString("hex")],
      );
      let root = decodeEpochRoot(read(epochRootPda(d, 1n, t.programId)[0]));
      assert.deepEqual(
        [root.status, root.epoch, root.cumulativeTotal, root.root, root.datasetHash],
        ["pending", 1n, 700n, tree.root.toString("hex"), "03".repeat(32)],
      );
      assert.equal(root.activatesAt, 1_000_100n);
      assert.deepEqual(decodeDistributor(read(d)).pending, [{ epoch: 1n, cumulativeTotal: 700n, activatesAt: 1_000_100n }]);

      expectOk(t.sendIxs([proposeRootInstruction(program, publisher.publicKey, d, proposal(2n))], [publisher]), "propose 2");
      t.advance(101n);
      const activated = events(expectOk(t.sendIxs([activateRootInstruction(program, d, 1n)]), "activate 1"));
      assert.deepEqual([activated[0]?.name, activated[0]?.data.epoch], ["RootActivated", 1n]);
      root = decodeEpochRoot(read(epochRootPda(d, 1n, t.programId)[0]));
      assert.equal(root.status, "active");
      state = decodeDistributor(read(d));
      assert.deepEqual([state.currentEpoch, state.currentTotal, state.pending.length], [1n, 700n, 1]);

      // The guardian may veto a pending root at any time while paused.
      expectOk(
        t.sendIxs([setPausedInstruction({ authority: guardian.publicKey, distributor: d, paused: true }, program)], [guardian]),
        "pause again",
      );
      const vetoed = events(
        expectOk(
          t.sendIxs([vetoRootInstruction({ authority: guardian.publicKey, distributor: d, epoch: 2n }, program)], [guardian]),
          "veto 2",
        ),
      );
      assert.deepEqual([vetoed[0]?.name, vetoed[0]?.data.epoch], ["RootVetoed", 2n]);
      assert.equal(decodeEpochRoot(read(epochRootPda(d, 2n, t.programId)[0])).status, "vetoed");
      expectOk(
        t.sendIxs([setPausedInstruction({ authority: guardian.publicKey, distributor: d, paused: false }, program)], [guardian]),
        "unpause again",
      );

      const claimantToken = tokenAccount(t, m, claimant.publicKey);
      const ix = claimInstruction(
        program,
        { distributor: d, mint: m.mint, vault: init.vault, tokenProgram, claimant: claimant.publicKey, claimantToken },
        1n,
        600n,
        tree.proof(claimant.publicKey.toBytes()).proof,
      );
      const claimed = events(expectOk(t.sendIxs([ix], [claimant]), "claim"));
      const c = claimed.find((e) => e.name === "Claimed")!;
      assert.deepEqual([c.data.epoch, c.data.amount, c.data.cumulativeClaimed], [1n, 600n, 600n]);
      assert.ok((c.data.claimant as PublicKey).equals(claimant.publicKey));
      const status = decodeClaimStatus(read(claimStatusPda(d, claimant.publicKey, t.programId)[0]));
      assert.deepEqual(status, { claimed: 600n, bump: claimStatusPda(d, claimant.publicKey, t.programId)[1] });
      assert.equal(decodeDistributor(read(d)).totalClaimed, 600n);

      // Surplus: 1,000 in the vault, 700 committed, 600 of it paid: 300 may go back.
      const destination = tokenAccount(t, m, next.publicKey);
      const clawback = clawbackInstruction(
        { admin: next.publicKey, distributor: d, mint: m.mint, tokenProgram, destination, amount: 300n },
        program,
      );
      const clawed = events(expectOk(t.sendIxs([clawback], [next]), "clawback"));
      assert.deepEqual([clawed[0]?.name, clawed[0]?.data.amount], ["ClawedBack", 300n]);
      assert.equal(tokenBalance(t, destination), 300n);
      assert.equal(decodeDistributor(read(d)).totalClawedBack, 300n);
    });
  }

  it("Given an account of another kind, When decoded as a Distributor, Then it is refused", () => {
    assert.throws(() => decodeDistributor(Buffer.alloc(200)));
    assert.throws(() => decodeClaimStatus(Buffer.alloc(8)));
  });
});
