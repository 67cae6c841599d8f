// Fuzz: 10,000 random and mutated instructions against one distributor. The program must only
// ever fail cleanly (its own error codes, or a callee's clean error), never panic or overrun, and
// token balances must always equal what legitimate claims and clawbacks could have moved.
import assert from "node:assert/strict";
import { Keypair, PublicKey, TransactionInstruction } from "@solana/web3.js";
import * as spl from "@solana/spl-token";
import { Chain, DEFAULT_PARAMS, DistributorFixture, type Entry, PROGRAM_ID } from "./distributor-fixture.js";
import { claimStatusPda } from "@merit/clients/idl";
import type { MerkleTree } from "@merit/clients/merkle";

const RUNS = Number(process.env.MERIT_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.MERIT_FUZZ_SEED ?? 0x5eed);
const FUNDING = 1_000_000n;
/** Offsets in the Distributor account (8-byte discriminator, 8 keys, then u64 fields). */
const CURRENT_TOTAL_AT = 8 + 8 * 32 + 7 * 8;
const TOTAL_CLAIMED_AT = 8 + 8 * 32 + 10 * 8;
const CLAWED_BACK_AT = 8 + 8 * 32 + 11 * 8;

/** mulberry32: small, seedable, good enough to drive mutations reproducibly. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(xs: readonly T[]): T => xs[int(xs.length)]! };
}

/** Errors that are clean refusals: ours, a callee's custom error, or the runtime's account checks. */
function isCleanFailure(error: string, logs: string[]): boolean {
  const text = logs.join("\n");
  if (/panicked|Access violation|exceeded CUs|failed to complete|abort/i.test(text)) return false;
  return /Custom|MissingRequiredSignature|InvalidAccountData|AccountNotFound|PrivilegeEscalation|InvalidArgument|IncorrectProgramId|NotEnoughAccountKeys|ReadonlyDataModified|ExternalAccountDataModified|AccountBorrowFailed|InsufficientFunds|InvalidAccountOwner|UninitializedAccount|AccountAlreadyInitialized|InvalidInstructionData|UnsupportedProgramId|ProgramAccountNotFound|InvalidProgramForExecution|AccountInUse|AccountLoadedTwice/.test(
    error,
  );
}

describe("distributor fuzz", function () {
  this.timeout(600_000);

  it(`Given ${RUNS} random and mutated instructions, Then every failure is clean and no token moves illegitimately`, () => {
    const chain = new Chain();
    chain.svm.withSigverify(false);
    const r = rng(SEED);
    const f = new DistributorFixture(chain);
    f.fund(FUNDING);
    const claimants = Array.from({ length: 6 }, () => chain.funded());
    const entitled = new Map<string, bigint>();
    const trees: { epoch: bigint; tree: MerkleTree }[] = [];
    const addTree = (epoch: bigint, entries: Entry[]) => {
      const tree = f.tree(entries);
      f.propose(epoch, tree);
      for (const e of entries)
        entitled.set(
          e.claimant.publicKey.toBase58(),
          [e.amount, entitled.get(e.claimant.publicKey.toBase58()) ?? 0n].reduce((a, b) => (a > b ? a : b)),
        );
      trees.push({ epoch, tree });
    };
    addTree(
      1n,
      claimants.map((c, i) => ({ claimant: c, amount: BigInt(100 * (i + 1)) })),
    );
    chain.advance(DEFAULT_PARAMS.activationDelay);
    addTree(
      2n,
      claimants.map((c, i) => ({ claimant: c, amount: BigInt(150 * (i + 1)) })),
    );
    const dest = f.claimantToken(f.admin.publicKey);
    const tokens = claimants.map((c) => f.claimantToken(c.publicKey));
    const statuses = claimants.map((c) => claimStatusPda(f.distributor, c.publicKey)[0]);

    const pool: PublicKey[] = [
      f.distributor,
      f.vault,
      f.mint,
      f.epochRoot(1n),
      f.epochRoot(2n),
      f.epochRoot(3n),
      dest,
      ...tokens,
      ...claimants.map((c) => c.publicKey),
      ...claimants.map((c) => claimStatusPda(f.distributor, c.publicKey)[0]),
      f.admin.publicKey,
      f.guardian.publicKey,
      f.publisher.publicKey,
      spl.TOKEN_PROGRAM_ID,
      spl.TOKEN_2022_PROGRAM_ID,
      PublicKey.default,
      PROGRAM_ID,
      Keypair.generate().publicKey,
      chain.payer.publicKey,
    ];

    // Every valid instruction the fuzz starts from, built once (PDA derivation in JS is slow).
    const claims = trees.flatMap(({ epoch, tree }) =>
      claimants.filter((c) => tree.indexOf(c.publicKey.toBytes()) >= 0).map((c) => f.claimFromTree(tree, epoch, c)),
    );
    const others = [
      ...[1n, 2n, 3n].map((e) => f.activateIx(e)),
      ...[3n, 4n, 5n, 6n].flatMap((e) => [0n, 1n, 2n].map((k) => f.proposeIx(e, Buffer.alloc(32, Number(e + k)), 3_150n + k * 1_000n))),
      ...[1n, 500_001n, 1_000_001n].map((amount) => f.clawbackIx(amount, dest)),
      ...[1n, 2n, 3n, 4n].flatMap((e) => [f.guardian, f.admin].map((k) => f.vetoIx(e, k.publicKey))),
      f.pauseIx(f.guardian.publicKey, true),
      f.pauseIx(f.guardian.publicKey, false),
      f.pauseIx(f.admin.publicKey, false),
    ];
    const base = (): TransactionInstruction => (r.int(2) === 0 ? r.pick(claims) : r.pick(others));

    const mutate = (ix: TransactionInstruction): TransactionInstruction => {
      const keys = ix.keys.map((k) => ({ ...k }));
      let data = Buffer.from(ix.data);
      const rounds = r.int(3);
      for (let m = 0; m < rounds; m++) {
        switch (r.int(7)) {
          case 0:
            if (data.length) {
              const at = r.int(data.length);
              data[at] = data[at]! ^ (1 << r.int(8));
            }
            break;
          case 1:
            data = data.subarray(0, r.int(data.length + 1));
            break;
          case 2:
            data = Buffer.concat([data, Buffer.from(Array.from({ length: 1 + r.int(40) }, () => r.int(256)))]);
            break;
          case 3: {
            const k = keys[r.int(keys.length)]!;
            k.pubkey = r.pick(pool);
            k.isSigner = false;
            break;
          }
          case 4:
            keys[r.int(keys.length)]!.isWritable = r.int(2) === 0;
            break;
          case 5:
            keys[r.int(keys.length)]!.isSigner = false;
            break;
          default:
            if (r.int(2) === 0) keys.pop();
            else keys.push({ pubkey: r.pick(pool), isSigner: false, isWritable: r.int(2) === 0 });
        }
      }
      if (r.int(20) === 0 && data.length >= 4) data.writeUInt32LE(r.int(0xffffffff), Math.min(16, data.length - 4));
      return new TransactionInstruction({ programId: PROGRAM_ID, keys, data });
    };

    const started = Date.now();
    let failures = 0;
    let successes = 0;
    for (let run = 0; run < RUNS; run++) {
      if (r.int(50) === 0) chain.advance(BigInt(r.int(4_000)));
      const ix = r.int(5) === 0 ? base() : mutate(base());
      const vaultBefore = chain.tokenBalance(f.vault);
      const res = chain.sendUnsigned([ix]);
      if (res.ok) successes++;
      else {
        failures++;
        assert.ok(
          isCleanFailure(res.error ?? "", res.logs),
          `run ${run} (seed ${SEED}): unclean failure ${res.error}\n${res.logs.join("\n")}`,
        );
      }
      const vault = chain.tokenBalance(f.vault);
      if (!res.ok) {
        // A failed transaction moves nothing (the full check below runs after every success).
        assert.equal(vault, vaultBefore, `run ${run}: a failed instruction moved vault tokens`);
        continue;
      }
      // Conservation and entitlement after every successful instruction: every token is in the
      // vault or a known token account, every outflow is a counted claim or clawback, and no
      // ClaimStatus exceeds its wallet's highest leaf.
      const raw = chain.account(f.distributor)!.data;
      const [currentTotal, totalClaimed, clawedBack] = [CURRENT_TOTAL_AT, TOTAL_CLAIMED_AT, CLAWED_BACK_AT].map((at) =>
        raw.readBigUInt64LE(at),
      );
      const held = [dest, ...tokens].reduce((sum, t) => sum + chain.tokenBalance(t), 0n);
      assert.equal(vault + held, FUNDING, `run ${run}: tokens appeared or vanished`);
      assert.equal(FUNDING - vault, totalClaimed! + clawedBack!, `run ${run}: an outflow was not counted`);
      const claimed = statuses.map((st) => chain.account(st)?.data.readBigUInt64LE(8) ?? 0n);
      assert.equal(
        claimed.reduce((a, b) => a + b, 0n),
        totalClaimed,
        `run ${run}: total_claimed drifted`,
      );
      claimants.forEach((c, i) => {
        const max = entitled.get(c.publicKey.toBase58()) ?? 0n;
        assert.ok(claimed[i]! <= max, `run ${run}: ${c.publicKey.toBase58()} claimed ${claimed[i]} > entitled ${max}`);
      });
      assert.ok(vault >= currentTotal! - totalClaimed!, `run ${run}: vault ${vault} below current obligations`);
    }
    console.log(
      `      fuzz: ${RUNS} instructions in ${Date.now() - started} ms, ${successes} succeeded, ${failures} failed cleanly (seed ${SEED})`,
    );
    assert.ok(failures > RUNS / 2, `only ${failures} failures: mutations too weak`);
    assert.ok(successes > 20, `only ${successes} successes: base instructions broken`);
  });
});
