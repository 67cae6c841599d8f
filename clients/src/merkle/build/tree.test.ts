import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  type MerkleError,
  U64_MAX,
  allocEntries,
  buildTree,
  buildTreeSync,
  canonicalOrder,
  leafHash,
  sortPacked,
  stopHashWorker,
  verifyProof,
} from "../index.js";
import { packEntries } from "./packed.js";

const distributor = createHash("sha256").update("tree.test distributor").digest();
const key = (label: string) => createHash("sha256").update(label).digest();

function entries(n: number, label = "w") {
  return Array.from({ length: n }, (_, i) => ({ claimant: key(`${label}/${i}`), amount: BigInt(i) * 7n }));
}

describe("merkle builder", () => {
  after(stopHashWorker);

  it("sorts by claimant bytes, including keys that tie on their first ten bytes", () => {
    const base = key("prefix");
    const claimants = Array.from({ length: 600 }, (_, i) => {
      const k = Buffer.from(base);
      // Groups that share 1, 2, 10 and 31 leading bytes exercise every stage of the sort.
      const shared = [1, 2, 10, 31][i % 4]!;
      k.set(key(`tail/${i}`).subarray(shared), shared);
      if (shared === 31) k[31] = i >> 2;
      return k;
    });
    const sorted = sortPacked(packEntries(claimants.map((claimant, i) => ({ claimant, amount: BigInt(i) }))));
    const expected = [...claimants].map((c, i) => ({ c, i })).sort((a, b) => Buffer.compare(a.c, b.c));
    expected.forEach(({ c, i }, at) => {
      assert.deepEqual(Buffer.from(sorted.claimants.subarray(at * 32, at * 32 + 32)), c);
      assert.equal(sorted.amounts[at], BigInt(i), "the amount travels with its claimant");
    });
  });

  it("gives the canonical order of packed claimants, and with inPlace leaves them sorted in their own buffer", () => {
    const claimants = Array.from({ length: 3000 }, (_, i) => key(`order/${i}`));
    const expected = claimants.map((c, i) => ({ c, i })).sort((a, b) => Buffer.compare(a.c, b.c));
    const packed = Buffer.concat(claimants);
    const before = Buffer.from(packed);
    assert.deepEqual(
      [...canonicalOrder(packed, claimants.length)],
      expected.map((e) => e.i),
    );
    assert.deepEqual(packed, before, "without inPlace the claimants stay as they were");
    const roomy = Buffer.concat([packed, Buffer.alloc(64, 0xee)]);
    assert.deepEqual(
      [...canonicalOrder(roomy, claimants.length, { inPlace: true })],
      expected.map((e) => e.i),
    );
    assert.deepEqual(roomy.subarray(0, packed.length), Buffer.concat(expected.map((e) => e.c)));
    assert.deepEqual(roomy.subarray(packed.length), Buffer.alloc(64, 0xee), "bytes past the n claimants are not touched");
  });

  it("refuses a claimant that appears twice, whatever the amounts", () => {
    const list = entries(50);
    list.push({ claimant: Buffer.from(list[17]!.claimant), amount: 999n });
    assert.throws(
      () => buildTreeSync(distributor, list),
      (e: MerkleError) => e.code === "DUPLICATE_CLAIMANT",
    );
  });

  it("refuses amounts outside u64 and keys that are not 32 bytes", () => {
    assert.throws(
      () => leafHash(distributor, key("a"), U64_MAX + 1n),
      (e: MerkleError) => e.code === "AMOUNT_OUT_OF_RANGE",
    );
    assert.throws(
      () => leafHash(distributor, key("a"), -1n),
      (e: MerkleError) => e.code === "AMOUNT_OUT_OF_RANGE",
    );
    assert.throws(
      () => leafHash(distributor, new Uint8Array(31), 1n),
      (e: MerkleError) => e.code === "INVALID_KEY",
    );
    assert.throws(
      () => leafHash("not-base58-0OIl", key("a"), 1n),
      (e: MerkleError) => e.code === "INVALID_KEY",
    );
  });

  it("gives the same root for any input order, on one or two threads, with either hash path", async () => {
    for (const n of [2049, 3000, 4096, 5121]) {
      const list = entries(n, `orders/${n}`);
      const one = buildTreeSync(distributor, list);
      for (const hash of ["wasm-simd", "node-crypto"] as const) {
        const two = await buildTree(distributor, [...list].reverse(), { parallelFrom: 0, hash });
        assert.equal(two.hashPath, hash);
        assert.equal(two.root.toString("hex"), one.root.toString("hex"), `n=${n} ${hash}`);
        for (const i of [0, n - 1, n >> 1]) assert.deepEqual(two.proofAt(i), one.proofAt(i));
      }
    }
  });

  it("with reuseInput, sorts the caller's packed arrays in place and keeps them, on one or two threads", async () => {
    const list = entries(5000, "reuse");
    const expected = buildTreeSync(distributor, list).root;
    const own = packEntries(list);
    const one = buildTreeSync(distributor, own, { reuseInput: true });
    assert.equal(one.entries.claimants, own.claimants, "no copy was made");
    assert.deepEqual(one.root, expected);
    const shared = allocEntries(list.length);
    list.forEach((e, i) => {
      shared.claimants.set(e.claimant, i * 32);
      shared.amounts[i] = e.amount;
    });
    const two = await buildTree(distributor, shared, { reuseInput: true, parallelFrom: 0 });
    assert.equal(two.entries.amounts, shared.amounts);
    assert.deepEqual(two.root, expected);
    const copied = await buildTree(distributor, packEntries(list), { reuseInput: true, parallelFrom: 0 });
    assert.deepEqual(copied.root, expected, "unshared input is copied for the helper thread");
  });

  it("an empty tree has the zero root and a single leaf is its own root", () => {
    assert.deepEqual(buildTreeSync(distributor, []).root, Buffer.alloc(32));
    const [only] = entries(1);
    const tree = buildTreeSync(distributor, [only!]);
    assert.deepEqual(tree.root, leafHash(distributor, only!.claimant, only!.amount));
    assert.deepEqual(tree.proof(only!.claimant).proof, []);
  });

  it("finds every claimant by binary search and rejects one that is absent", () => {
    const list = entries(1000);
    const tree = buildTreeSync(distributor, list);
    for (const e of list) {
      const p = tree.proof(e.claimant);
      assert.equal(p.amount, e.amount);
      assert.ok(verifyProof(tree.root, leafHash(distributor, e.claimant, e.amount), p.proof));
    }
    assert.equal(tree.indexOf(key("absent")), -1);
    assert.throws(
      () => tree.proof(key("absent")),
      (e: MerkleError) => e.code === "UNKNOWN_CLAIMANT",
    );
  });

  it("detects a flipped bit in any byte of any proof element, and a changed amount or distributor", () => {
    const list = entries(37);
    const tree = buildTreeSync(distributor, list);
    for (let i = 0; i < tree.size; i++) {
      const leaf = tree.leafAt(i);
      const proof = tree.proofAt(i);
      for (let s = 0; s < proof.length; s++) {
        for (let b = 0; b < 32; b++) {
          const bad = proof.map((p) => Buffer.from(p));
          bad[s]![b]! ^= 1 << (b % 8);
          assert.equal(verifyProof(tree.root, leaf, bad), false);
        }
      }
      assert.equal(verifyProof(tree.root, leafHash(distributor, tree.claimantAt(i), tree.amountAt(i) + 1n), proof), false);
      assert.equal(verifyProof(tree.root, leafHash(key("other"), tree.claimantAt(i), tree.amountAt(i)), proof), false);
      assert.equal(verifyProof(tree.root, leaf, proof.slice(1)), false, "a shortened proof fails");
    }
  });
});
