import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildTree, encodeKey58, readClaimProof, stopHashWorker, writeProofShards } from "@merit/clients/merkle";
import { epochDir, SHARDS_DIR } from "../../epochs/close.js";
import { ShardCache } from "./shards.js";

describe("api: the proof shards kept compact in memory", () => {
  let dataDir: string;
  const distributor = encodeKey58(randomBytes(32));
  const claimants = Array.from({ length: 2000 }, () => randomBytes(32));
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "merit-shard-cache-"));
    const tree = await buildTree(
      distributor,
      claimants.map((claimant, i) => ({ claimant, amount: BigInt(i + 1) * 1_000_000_007n })),
    );
    await writeProofShards(tree, join(epochDir(dataDir, distributor, 4n), SHARDS_DIR), { epoch: 4n, maxAverageEntries: 16 });
  });
  after(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await stopHashWorker();
  });

  it("given an epoch's shards, then every claimant's leaf is the one readClaimProof verifies, and an absent wallet has none, with a cache smaller than the shards", async () => {
    const cache = new ShardCache(dataDir, 8);
    const base = join(epochDir(dataDir, distributor, 4n), SHARDS_DIR);
    for (const c of claimants.slice(0, 300)) {
      const expected = await readClaimProof(base, c);
      const got = await cache.leaf(distributor, 4n, c);
      assert.deepEqual(got, { amount: expected!.amount.toString(), proof: expected!.proof.map((b) => b.toString("hex")) });
    }
    assert.equal(await cache.leaf(distributor, 4n, randomBytes(32)), undefined);
    assert.equal(await cache.leaf(distributor, 5n, claimants[0]!), undefined, "an epoch without files");
  });
});
