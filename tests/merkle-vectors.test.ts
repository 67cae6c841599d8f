// Flow: the shared vectors (tests/vectors/merkle.json) are what the Rust program is checked against,
// so here they are re-derived twice: once by hand with node:crypto straight from docs/merkle.md,
// and once by the client library.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import bs58 from "bs58";
import { buildTreeSync, leafHash, nodeHash, verifyProof } from "@merit/clients/merkle";

interface VectorLeaf {
  claimant: string;
  amount: string;
  leaf: string;
  proof: string[];
}
interface VectorCase {
  name: string;
  distributor: string;
  input: Array<{ claimant: string; amount: string }>;
  root: string;
  depth: number;
  leaves: VectorLeaf[];
}
const vectors = JSON.parse(readFileSync(new URL("./vectors/merkle.json", import.meta.url), "utf8")) as {
  description: string;
  nodes: Array<{ a: string; b: string; node: string }>;
  cases: VectorCase[];
  wrong_distributor: { distributor: string; case: string; leaves: VectorLeaf[] };
};

// Independent of the library: the formulas of docs/merkle.md written out with createHash.
function handLeaf(distributor: string, claimant: string, amount: string): Buffer {
  const amountLe = Buffer.alloc(8);
  amountLe.writeBigUInt64LE(BigInt(amount));
  return createHash("sha256")
    .update(Buffer.from([0x00]))
    .update(bs58.decode(distributor))
    .update(bs58.decode(claimant))
    .update(amountLe)
    .digest();
}
function handNode(a: Buffer, b: Buffer): Buffer {
  const [lo, hi] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  return createHash("sha256")
    .update(Buffer.from([0x01]))
    .update(lo)
    .update(hi)
    .digest();
}
function handRoot(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return Buffer.alloc(32);
  let level = leaves;
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? handNode(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

describe("Merkle shared vectors (tests/vectors/merkle.json)", () => {
  it("covers the sizes and amounts the format's edge cases need", () => {
    const sizes = vectors.cases.map((c) => c.leaves.length);
    assert.deepEqual(sizes, [0, 1, 2, 3, 5, 8, 13]);
    const amounts = new Set(vectors.cases.flatMap((c) => c.leaves.map((l) => l.amount)));
    for (const a of ["0", "1", "18446744073709551615"]) assert.ok(amounts.has(a), `amount ${a} present`);
    assert.match(vectors.description, /base58/);
  });

  for (const c of vectors.cases) {
    describe(`Given the case "${c.name}"`, () => {
      it("then the canonical order is the input sorted by claimant bytes, and the input is not already sorted", () => {
        const sorted = [...c.input].sort((x, y) => Buffer.compare(bs58.decode(x.claimant), bs58.decode(y.claimant)));
        assert.deepEqual(
          c.leaves.map(({ claimant, amount }) => ({ claimant, amount })),
          sorted,
        );
        if (c.input.length >= 2) assert.notDeepEqual(c.input, sorted);
      });

      it("then every leaf and the root match a hand computation with node:crypto", () => {
        const leaves = c.leaves.map((l) => handLeaf(c.distributor, l.claimant, l.amount));
        assert.deepEqual(
          c.leaves.map((l) => l.leaf),
          leaves.map((l) => l.toString("hex")),
        );
        assert.equal(c.root, handRoot(leaves).toString("hex"));
      });

      it("then every proof folds from its leaf to the root by hand and through verifyProof", () => {
        for (const l of c.leaves) {
          const folded = l.proof.reduce<Buffer>((h, s) => handNode(h, Buffer.from(s, "hex")), Buffer.from(l.leaf, "hex"));
          assert.equal(folded.toString("hex"), c.root);
          assert.ok(verifyProof(c.root, l.leaf, l.proof));
          assert.ok(l.proof.length <= c.depth);
        }
      });

      it("when the library builds the tree from the unsorted input, then root, leaves and proofs are identical", () => {
        const tree = buildTreeSync(
          c.distributor,
          c.input.map((e) => ({ claimant: e.claimant, amount: BigInt(e.amount) })),
        );
        assert.equal(tree.root.toString("hex"), c.root);
        assert.equal(tree.depth, c.depth);
        c.leaves.forEach((l, i) => {
          assert.equal(leafHash(c.distributor, l.claimant, BigInt(l.amount)).toString("hex"), l.leaf);
          assert.deepEqual(
            tree.proof(l.claimant).proof.map((p) => p.toString("hex")),
            l.proof,
          );
          assert.equal(tree.proof(l.claimant).index, i);
        });
      });
    });
  }

  it("node(a, b) is symmetric and matches the hand computation", () => {
    for (const n of vectors.nodes) {
      assert.equal(handNode(Buffer.from(n.a, "hex"), Buffer.from(n.b, "hex")).toString("hex"), n.node);
      assert.equal(nodeHash(n.a, n.b).toString("hex"), n.node);
    }
    assert.equal(vectors.nodes[0]!.node, vectors.nodes[1]!.node);
  });

  it("a proof made for another distributor never verifies against this distributor's root", () => {
    const w = vectors.wrong_distributor;
    const target = vectors.cases.find((c) => c.name === w.case)!;
    for (const l of w.leaves) {
      assert.equal(handLeaf(w.distributor, l.claimant, l.amount).toString("hex"), l.leaf);
      assert.equal(verifyProof(target.root, l.leaf, l.proof), false);
    }
  });
});
