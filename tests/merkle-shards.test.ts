// Flow: the publisher writes every proof of an epoch as static shards; a claim page or the CLI reads
// one claimant's proof from a directory or a plain HTTP host and verifies it against the root.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  MerkleError,
  type MerkleTree,
  buildTree,
  keyBase58,
  readClaimProof,
  KeyTexts,
  stopHashWorker,
  writeProofShards,
  writeProofShardsInWorker,
} from "@merit/clients/merkle";

const key = (label: string) => createHash("sha256").update(`merkle-shards.test/${label}`).digest();
const distributor = key("distributor");

/** A static file server over `dir`: the kind of host the shards are meant for. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(dir, decodeURIComponent(new URL(req.url!, "http://x").pathname))));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    }),
  );
}

describe("Merkle proof shards", () => {
  let dir: string;
  let tree: MerkleTree;
  const claimants = Array.from({ length: 3000 }, (_, i) => key(`w${i}`));
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "merit-shards-"));
    tree = await buildTree(
      distributor,
      claimants.map((claimant, i) => ({ claimant, amount: BigInt(i) ** 3n })),
    );
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  describe("Given the shards of a 3,000-wallet epoch", () => {
    let out: string;
    before(async () => {
      out = join(dir, "epoch-3");
      const manifest = await writeProofShards(tree, out, { epoch: 3n, maxAverageEntries: 4 });
      assert.equal(manifest.prefixHexChars, 3, "3000 / 16^2 > 4 per shard, 3000 / 16^3 < 4");
      assert.equal(readdirSync(out).length, manifest.shardCount + 1);
    });

    it("then every claimant's proof reads from the directory and verifies against the chain's root", async () => {
      for (let i = 0; i < claimants.length; i += 7) {
        const p = await readClaimProof(out, claimants[i]!, { expectedRoot: tree.root });
        assert.ok(p);
        assert.equal(p.amount, BigInt(i) ** 3n);
        assert.equal(p.claimant, keyBase58(claimants[i]!));
        assert.deepEqual(p.proof, tree.proof(claimants[i]!).proof);
        assert.equal(p.epoch, 3n);
      }
    });

    it("then each shard is compact JSON, its key order fixed, and the claimants' text from the caller gives the same bytes", async () => {
      const again = join(dir, "epoch-3-text");
      await writeProofShards(tree, again, { epoch: 3n, maxAverageEntries: 4, claimantText: (leaf) => tree.claimantBase58At(leaf) });
      for (const name of readdirSync(out).filter((n) => n !== "manifest.json")) {
        const text = readFileSync(join(out, name), "latin1");
        const parsed = JSON.parse(text) as Record<string, unknown>;
        assert.deepEqual(Object.keys(parsed), ["format", "version", "distributor", "epoch", "root", "prefix", "nodes", "entries"]);
        assert.equal(text, `${JSON.stringify(parsed)}\n`, name);
        assert.equal(readFileSync(join(again, name), "latin1"), text, name);
      }
    });

    it("then a plain HTTP host serves the same proofs, and an absent wallet gets none", async () => {
      const { server, url } = await serve(out);
      try {
        const p = await readClaimProof(url, keyBase58(claimants[42]!), { expectedRoot: tree.root.toString("hex") });
        assert.equal(p?.amount, 42n ** 3n);
        assert.equal(await readClaimProof(url, key("not a claimant")), undefined);
      } finally {
        server.close();
      }
    });

    it("when the chain's root differs from the shards', then the proof is refused", async () => {
      await assert.rejects(
        readClaimProof(out, claimants[0]!, { expectedRoot: key("other root") }),
        (e: MerkleError) => e.code === "PROOF_INVALID",
      );
    });
  });

  it("when the built tree's bytes were corrupted (a node, the root), then the writer refuses with an invariant error and writes nothing", async () => {
    const small = await buildTree(
      distributor,
      claimants.slice(0, 300).map((claimant, i) => ({ claimant, amount: BigInt(i) })),
    );
    const { offsets } = small;
    for (const corrupt of [() => (small.nodes[offsets[3]! + 5]! ^= 0x80), () => (small.root[31]! ^= 0x01)]) {
      corrupt();
      const out = join(dir, "corrupted");
      await assert.rejects(
        writeProofShards(small, out, { epoch: 1n }),
        (e: MerkleError) => e.code === "TREE_CHECK_FAILED" && e.kind === "invariant",
      );
      assert.equal(existsSync(out), false, "no directory, no shard, no manifest");
      corrupt();
    }
    assert.equal((await writeProofShards(small, join(dir, "restored"), { epoch: 1n })).root, small.root.toString("hex"));
  });

  describe("Given a tree in shared memory (built with the helper thread)", () => {
    let shared: MerkleTree;
    const files = (d: string) => Object.fromEntries(readdirSync(d).map((f) => [f, readFileSync(join(d, f))]));
    before(async () => {
      shared = await buildTree(
        distributor,
        claimants.map((claimant, i) => ({ claimant, amount: BigInt(i) ** 3n })),
        { parallelFrom: 256 },
      );
      assert.equal(shared.entries.claimants.buffer instanceof SharedArrayBuffer, true);
    });

    it("when the shard thread writes its shards, then every file is writeProofShards' byte for byte, the text encoded there or given as KeyTexts", async () => {
      const options = { epoch: 3n, maxAverageEntries: 4 };
      const expected = files((await writeProofShards(shared, join(dir, "here"), options), join(dir, "here")));
      const encoded = await writeProofShardsInWorker(shared, join(dir, "thread"), options);
      assert.deepEqual(files(join(dir, "thread")), expected);
      // the texts in another order than the leaves': slot n - 1 - k holds leaf k's
      const n = shared.size;
      const texts = new KeyTexts(n);
      const of = new Uint32Array(new SharedArrayBuffer(n * 4));
      for (let k = 0; k < n; k++) {
        of[k] = n - 1 - k;
        texts.set(n - 1 - k, keyBase58(shared.claimantAt(k)));
      }
      const given = await writeProofShardsInWorker(shared, join(dir, "given"), { ...options, claimantText: { texts, of } });
      assert.deepEqual(files(join(dir, "given")), expected);
      assert.deepEqual(given, encoded);
      assert.equal(encoded.shardCount, Object.keys(expected).length - 1);
    });

    it("when the tree's check fails while the thread writes, then it rejects with the check's error and writes no manifest", async () => {
      const out = join(dir, "unchecked");
      const failure = new MerkleError("TREE_CHECK_FAILED", "the check disagreed");
      const checked = Promise.reject(failure);
      checked.catch(() => {}); // the writer awaits it once the thread is under way
      await assert.rejects(writeProofShardsInWorker(shared, out, { epoch: 3n, checked }), (e) => e === failure);
      assert.equal(existsSync(join(out, "manifest.json")), false);
    });
  });

  it("when any byte of a shard is flipped, then no claimant gets a wrong answer and the claimant hit is refused", async () => {
    const small = await buildTree(
      distributor,
      claimants.slice(0, 40).map((claimant, i) => ({ claimant, amount: BigInt(i) })),
    );
    const out = join(dir, "small");
    const manifest = await writeProofShards(small, out, { epoch: 1n, maxAverageEntries: 4 });
    const file = readdirSync(out).find((f) => f !== "manifest.json")!;
    const original = readFileSync(join(out, file));
    const inShard = Object.keys(JSON.parse(original.toString()).entries);
    assert.ok(inShard.length >= 1 && manifest.shardCount > 1);
    for (let at = 0; at < original.length; at++) {
      const bad = Buffer.from(original);
      bad[at]! ^= at % 2 ? 0x01 : 0x04;
      writeFileSync(join(out, file), bad);
      let refused = 0;
      for (const c of inShard) {
        const expected = small.proof(c);
        try {
          const got = await readClaimProof(out, c, { expectedRoot: small.root });
          if (!got) refused++;
          else assert.deepEqual([got.amount, got.proof], [expected.amount, expected.proof], `flip at ${at} changed ${c}'s answer`);
        } catch (err) {
          assert.ok(err instanceof MerkleError, String(err));
          refused++;
        }
      }
      assert.ok(refused > 0, `flip at byte ${at} (${String.fromCharCode(original[at]!)}) went unnoticed`);
    }
    writeFileSync(join(out, file), original);
  });
});
