// Flow: an auditor checks an epoch's tree with merkletreejs, a library they already know, configured
// as docs/merkle.md says; it must agree with the builder on the root and on every proof.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import { MerkleTree as MerkleTreeJs } from "merkletreejs";
import { buildTree, stopHashWorker, verifyProof } from "@merit/clients/merkle";

const nodeHashFn = (data: Buffer) =>
  createHash("sha256")
    .update(Buffer.from([0x01]))
    .update(data)
    .digest();

const entriesArb = (maxLength: number) =>
  fc.uniqueArray(
    fc.record({
      claimant: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      amount: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
    }),
    { maxLength, selector: (e) => Buffer.from(e.claimant).toString("hex") },
  );

/** `size` wallets derived from `seed` (fast-check shrinks the seed and size, not 10k keys). */
function seededEntries(size: number, seed: number) {
  const amounts = [0n, 1n, (1n << 64n) - 1n];
  return Array.from({ length: size }, (_, i) => {
    const claimant = createHash("sha256").update(`${seed}/${i}`).digest();
    return { claimant, amount: amounts[i % 4] ?? claimant.readBigUInt64LE(0) };
  });
}

describe("Merkle cross-check against merkletreejs", () => {
  after(stopHashWorker);

  function crossCheck(distributor: Uint8Array, entries: Array<{ claimant: Uint8Array; amount: bigint }>, proofsToCheck: number) {
    return buildTree(distributor, entries, { parallelFrom: 2048 }).then((tree) => {
      const leaves = Array.from({ length: tree.size }, (_, i) => tree.leafAt(i));
      const reference = new MerkleTreeJs(leaves, nodeHashFn, { sortPairs: true });
      if (entries.length === 0) {
        assert.equal(tree.root.toString("hex"), "00".repeat(32));
        return;
      }
      assert.equal(tree.root.toString("hex"), reference.getRoot().toString("hex"));
      const step = Math.max(1, Math.floor(tree.size / proofsToCheck));
      for (let i = 0; i < tree.size; i += step) {
        const ours = tree.proofAt(i).map((p) => p.toString("hex"));
        assert.deepEqual(
          ours,
          reference.getHexProof(leaves[i]!, i).map((h) => h.slice(2)),
        );
        assert.ok(reference.verify(reference.getProof(leaves[i]!, i), leaves[i]!, tree.root));
        assert.ok(verifyProof(tree.root, leaves[i]!, tree.proofAt(i)));
      }
    });
  }

  it("given random sets of up to 300 wallets in random order, then roots and every proof agree", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 32 }), entriesArb(300), (d, e) => crossCheck(d, e, 300)),
      { numRuns: 60 },
    );
  });

  it("given random sets of up to 10,000 wallets (built on two threads), then roots and sampled proofs agree", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 2000, max: 10_000 }),
        fc.integer(),
        async (d, size, seed) => {
          const entries = seededEntries(size, seed);
          assert.equal(entries.length, size);
          await crossCheck(d, entries, 200);
        },
      ),
      { numRuns: 6 },
    );
  });
});
