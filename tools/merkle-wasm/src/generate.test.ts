import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { decodeKey58 } from "../../../clients/src/merkle/format/base58.js";
import { cryptoLeafRange, cryptoNodeRange, levelCounts } from "../../../clients/src/merkle/hash/levels.mjs";
import { generate, WASM_FILE } from "./generate.js";
import { wasmAvailable, wasmLeafRange, wasmNodeRange } from "../../../clients/src/merkle/hash/sha256-wasm.mjs";
import { type MerkleError, buildTree, buildTreeSync, resolveHashPath, stopHashWorker } from "../../../clients/src/merkle/index.js";

interface Vectors {
  nodes: Array<{ a: string; b: string; node: string }>;
  cases: Array<{ distributor: string; leaves: Array<{ claimant: string; amount: string; leaf: string }> }>;
}
const vectors = JSON.parse(readFileSync(new URL("../../../tests/vectors/merkle.json", import.meta.url), "utf8")) as Vectors;

function randomLeaves(n: number) {
  const amounts = new BigUint64Array(Uint8Array.from(randomBytes(n * 8)).buffer);
  // The edge amounts, where a byte-order slip would show.
  if (n > 2) [amounts[0], amounts[1]] = [0n, 2n ** 64n - 1n];
  return { distributor: randomBytes(32), claimants: randomBytes(n * 32), amounts };
}

/** Random nodes where neighbours often share a prefix (up to all 32 bytes), so every compare path runs. */
function randomLevel(n: number): Buffer {
  const level = randomBytes(n * 32);
  for (let i = 1; i < n; i += 2) {
    const shared = [0, 1, 4, 17, 31, 32][i % 6]!;
    level.copy(level, i * 32, (i - 1) * 32, (i - 1) * 32 + shared);
  }
  return level;
}

describe("sha256 in WebAssembly SIMD", () => {
  after(stopHashWorker);

  it("is the module sha256-wasm-gen.ts generates, byte for byte", () => {
    assert.deepEqual(Buffer.from(generate()), readFileSync(WASM_FILE), "run: npx tsx tools/merkle-wasm/src/generate.ts");
  });

  it("is the path a default build uses on this runtime (Node 20 has WebAssembly SIMD)", () => {
    assert.equal(wasmAvailable, true);
    assert.equal(resolveHashPath(), "wasm-simd");
    assert.equal(buildTreeSync(new Uint8Array(32), [{ claimant: new Uint8Array(32), amount: 1n }]).hashPath, "wasm-simd");
  });

  it("hashes leaves as node:crypto does, across chunks and partial groups", () => {
    for (const n of [1, 3, 4, 7, 4097, 9001]) {
      const { distributor, claimants, amounts } = randomLeaves(n);
      const [want, got] = [Buffer.alloc(n * 32 + 64), Buffer.alloc(n * 32 + 64)];
      cryptoLeafRange(distributor, claimants, amounts, want, 64, 0, n);
      wasmLeafRange(distributor, claimants, amounts, got, 64, 0, n);
      assert.ok(got.equals(want), `n=${n}`);
      // A sub-range touches only its own slots.
      const part = Buffer.alloc(n * 32);
      wasmLeafRange(distributor, claimants, amounts, part, 0, n >> 1, n);
      assert.ok(part.subarray((n >> 1) * 32).equals(want.subarray(64 + (n >> 1) * 32)), `n=${n} from ${n >> 1}`);
      assert.ok(part.subarray(0, (n >> 1) * 32).equals(Buffer.alloc((n >> 1) * 32)));
    }
  });

  it("hashes nodes as node:crypto does: sorted pairs, an odd last node promoted, any sub-range", () => {
    for (const inCount of [2, 3, 8, 9, 8193, 10_001]) {
      const out = levelCounts(inCount)[1]!;
      const level = randomLevel(inCount);
      const [want, got] = [Buffer.concat([level, Buffer.alloc(out * 32)]), Buffer.concat([level, Buffer.alloc(out * 32)])];
      cryptoNodeRange(want, 0, inCount, inCount * 32, 0, out);
      wasmNodeRange(got, 0, inCount, inCount * 32, 0, out);
      assert.ok(got.equals(want), `inCount=${inCount}`);
      for (const [from, to] of [
        [1, out],
        [0, out - 1],
        [out - 1, out],
      ]) {
        const part = Buffer.concat([level, Buffer.alloc(out * 32)]);
        wasmNodeRange(part, 0, inCount, inCount * 32, from!, to!);
        const slot = (b: Buffer, i: number) => b.subarray((inCount + i) * 32, (inCount + i + 1) * 32);
        for (let i = 0; i < out; i++) {
          const inside = i >= from! && i < to!;
          assert.ok(slot(part, i).equals(inside ? slot(want, i) : Buffer.alloc(32)), `inCount=${inCount} [${from}, ${to}) node ${i}`);
        }
      }
    }
  });

  it("gives the shared vectors' leaves and nodes", () => {
    for (const c of vectors.cases) {
      const n = c.leaves.length;
      if (n === 0) continue;
      const claimants = Buffer.concat(c.leaves.map((l) => decodeKey58(l.claimant)!));
      const amounts = BigUint64Array.from(c.leaves.map((l) => BigInt(l.amount)));
      const out = Buffer.alloc(n * 32);
      wasmLeafRange(decodeKey58(c.distributor)!, claimants, amounts, out, 0, 0, n);
      c.leaves.forEach((l, i) => assert.equal(out.subarray(i * 32, i * 32 + 32).toString("hex"), l.leaf));
    }
    const level = Buffer.concat(vectors.nodes.flatMap((v) => [Buffer.from(v.a, "hex"), Buffer.from(v.b, "hex")]));
    const m = vectors.nodes.length;
    const buf = Buffer.concat([level, Buffer.alloc(m * 32)]);
    wasmNodeRange(buf, 0, 2 * m, 2 * m * 32, 0, m);
    vectors.nodes.forEach((v, i) => assert.equal(buf.subarray((2 * m + i) * 32, (2 * m + i + 1) * 32).toString("hex"), v.node));
  });

  it("builds with node:crypto when the build asks for it, with the same root, on one or two threads", async () => {
    const entries = Array.from({ length: 3001 }, (_, i) => ({
      claimant: new Uint8Array(32).fill(i % 251).map((b, j) => (b * (j + 1) + i) & 255),
      amount: BigInt(i),
    }));
    const distributor = new Uint8Array(32).fill(7);
    const built = [
      buildTreeSync(distributor, entries, { hash: "node-crypto" }),
      buildTreeSync(distributor, entries, { hash: "wasm-simd" }),
      await buildTree(distributor, entries, { hash: "node-crypto", parallelFrom: 0 }),
      await buildTree(distributor, entries, { hash: "wasm-simd", parallelFrom: 0 }),
    ];
    assert.deepEqual(
      built.map((t) => t.hashPath),
      ["node-crypto", "wasm-simd", "node-crypto", "wasm-simd"],
    );
    for (const t of built) assert.deepEqual(t.nodes, built[0]!.nodes);
  });

  it('where the runtime has no SIMD, "auto" falls back to node:crypto and "wasm-simd" is a caller error', () => {
    assert.equal(resolveHashPath("auto", false), "node-crypto");
    assert.equal(resolveHashPath("node-crypto", false), "node-crypto");
    assert.throws(
      () => resolveHashPath("wasm-simd", false),
      (e: MerkleError) => e.code === "HASH_PATH_UNAVAILABLE" && e.kind === "caller",
    );
    assert.throws(
      () => buildTreeSync(new Uint8Array(32), [], { hash: "sha1" as "auto" }),
      (e: MerkleError) => e.code === "INVALID_OPTION" && e.kind === "caller",
    );
  });
});
