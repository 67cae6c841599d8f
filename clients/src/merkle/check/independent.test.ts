import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { MerkleError, type MerkleTree, buildTree, buildTreeSync, decodeKey58, stopHashWorker } from "../index.js";
import { checksInWorker, ensureTreeChecked, setCheckHashForTests, verifyTreeIndependently } from "./independent.js";
import { verifyTreeInWorker } from "./thread.js";

const distributor = createHash("sha256").update("independent.test distributor").digest();
const key = (label: string) => createHash("sha256").update(label).digest();
const entries = (n: number) => Array.from({ length: n }, (_, i) => ({ claimant: key(`w/${n}/${i}`), amount: BigInt(i) * 1_000_003n }));

const vectors = JSON.parse(readFileSync(new URL("../../../../tests/vectors/merkle.json", import.meta.url), "utf8")) as {
  cases: Array<{ distributor: string; input: Array<{ claimant: string; amount: string }>; root: string }>;
};

const refused = (e: unknown) => e instanceof MerkleError && e.code === "TREE_CHECK_FAILED" && e.kind === "invariant";

describe("independent re-check of a built tree (node:crypto, no code shared with the builder)", () => {
  after(stopHashWorker);
  afterEach(() => setCheckHashForTests());

  it("recomputes the shared vectors' roots", () => {
    for (const c of vectors.cases) {
      const tree = buildTreeSync(
        decodeKey58(c.distributor)!,
        c.input.map((e) => ({ claimant: e.claimant, amount: BigInt(e.amount) })),
      );
      assert.equal(verifyTreeIndependently(tree).toString("hex"), c.root);
    }
  });

  it("agrees with the builder at every size around a power of two, on both hash paths and threads", async () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 255, 256, 257, 1023, 2049, 4097]) {
      for (const hash of ["wasm-simd", "node-crypto"] as const) {
        const tree =
          n > 2000 ? await buildTree(distributor, entries(n), { hash, parallelFrom: 0 }) : buildTreeSync(distributor, entries(n), { hash });
        assert.deepEqual(verifyTreeIndependently(tree), tree.root, `n=${n} ${hash}`);
      }
    }
  });

  describe("on a thread of its own (a tree in shared memory)", () => {
    it("recomputes the root of an honest tree, and refuses one with a flipped bit in an inner level, naming the node", async () => {
      const tree = await buildTree(distributor, entries(3000), { parallelFrom: 256 });
      assert.equal(checksInWorker(tree), true);
      assert.deepEqual(await verifyTreeInWorker(tree), tree.root);
      const at = tree.offsets[2]! + 5 * 32 + 3;
      tree.nodes[at]! ^= 0x01;
      await assert.rejects(verifyTreeInWorker(tree), (e) => refused(e) && (e as Error).message.includes("level 2 node 5"));
      tree.nodes[at]! ^= 0x01;
    });

    it("checks a tree out of shared memory, or with a replaced hash, on the caller's thread", async () => {
      const small = buildTreeSync(distributor, entries(300));
      assert.equal(checksInWorker(small), false);
      assert.deepEqual(await verifyTreeInWorker(small), small.root);
      const shared = await buildTree(distributor, entries(3000), { parallelFrom: 256 });
      setCheckHashForTests((data) => createHash("sha256").update(data).update("fault").digest());
      assert.equal(checksInWorker(shared), false);
      await assert.rejects(verifyTreeInWorker(shared), refused);
    });
  });

  describe("refuses, as an invariant error, a tree whose bytes are not what its entries give", () => {
    let tree: MerkleTree;
    beforeEach(() => {
      tree = buildTreeSync(distributor, entries(1000));
    });

    it("a flipped bit in a leaf, in any inner level or in the top node", () => {
      const { offsets, counts } = tree;
      for (let k = 0; k < counts.length; k++) {
        const at = offsets[k]! + (counts[k]! - 1) * 32 + 17;
        tree.nodes[at]! ^= 0x10;
        assert.throws(
          () => verifyTreeIndependently(tree),
          (e) => refused(e) && (e as Error).message.includes(`level ${k} node ${counts[k]! - 1}`),
        );
        tree.nodes[at]! ^= 0x10;
      }
      verifyTreeIndependently(tree);
    });

    it("a root that is not the top node, an amount or a claimant changed, entries out of canonical order", () => {
      tree.root[0]! ^= 1;
      assert.throws(() => verifyTreeIndependently(tree), refused);
      tree.root[0]! ^= 1;
      tree.entries.amounts[500]! += 1n;
      assert.throws(() => verifyTreeIndependently(tree), refused);
      tree.entries.amounts[500]! -= 1n;
      const keys = Buffer.from(tree.entries.claimants.buffer, tree.entries.claimants.byteOffset, tree.entries.claimants.length);
      keys[300 * 32 + 31]! ^= 1;
      assert.throws(() => verifyTreeIndependently(tree), refused);
      keys[300 * 32 + 31]! ^= 1;
      // Swap two entries with their leaves: every hash is consistent, only the order is wrong.
      const swap = (buf: Buffer, i: number, j: number) => {
        const t = Buffer.from(buf.subarray(i * 32, i * 32 + 32));
        buf.copy(buf, i * 32, j * 32, j * 32 + 32);
        t.copy(buf, j * 32);
      };
      swap(keys, 0, 1);
      swap(tree.nodes, 0, 1);
      [tree.entries.amounts[0], tree.entries.amounts[1]] = [tree.entries.amounts[1]!, tree.entries.amounts[0]!];
      assert.throws(
        () => verifyTreeIndependently(tree),
        (e) => refused(e) && /claimant 1 does not sort after claimant 0/.test((e as Error).message),
      );
    });

    it("a tree the builder got right, when the check's own hash is faulty (the test seam)", () => {
      setCheckHashForTests((data) => {
        const h = createHash("sha256").update(data).digest();
        h[0]! ^= 1;
        return h;
      });
      assert.throws(() => verifyTreeIndependently(tree), refused);
      setCheckHashForTests();
      verifyTreeIndependently(tree);
    });

    it("a tree that passed once and changed since (a node, an amount, the root), when a second writer asks for the check", () => {
      verifyTreeIndependently(tree);
      ensureTreeChecked(tree); // unchanged: passes
      tree.nodes[5 * 32]! ^= 1;
      assert.throws(() => ensureTreeChecked(tree), refused);
      tree.nodes[5 * 32]! ^= 1;
      ensureTreeChecked(tree);
      tree.entries.amounts[7]! += 1n;
      assert.throws(() => ensureTreeChecked(tree), refused);
      tree.entries.amounts[7]! -= 1n;
      tree.root[0]! ^= 1;
      assert.throws(() => ensureTreeChecked(tree), refused);
      tree.root[0]! ^= 1;
      ensureTreeChecked(tree);
    });

    it("a tree that passed before the check's hash turned faulty is checked again", () => {
      verifyTreeIndependently(tree);
      setCheckHashForTests((data) => {
        const h = createHash("sha256").update(data).digest();
        h[0]! ^= 1;
        return h;
      });
      assert.throws(() => ensureTreeChecked(tree), refused);
    });
  });
});
