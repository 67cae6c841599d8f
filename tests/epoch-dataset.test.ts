// Flow: the epochs stage writes an epoch's dataset; the CLI, the publisher and auditors load it back.
// Loading proves the file whole, and any corrupted byte is refused with a typed error.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { DatasetError, type WalletTotals, loadDataset, writeDataset } from "@merit/clients/dataset";
import { MerkleError, keyBase58, leafHash, stopHashWorker, verifyProof } from "@merit/clients/merkle";
// The check's test-only seam: not part of the package's exports.
import { setCheckHashForTests } from "../clients/src/merkle/check/independent.js";

const key = (label: string) => createHash("sha256").update(`epoch-dataset.test/${label}`).digest();
const meta = {
  distributor: key("distributor"),
  mint: key("mint"),
  epoch: 7n,
  slots: { first: 1_000n, last: 2_000n },
  inputsHash: key("manifest"),
};

function wallets(n: number): WalletTotals[] {
  return Array.from({ length: n }, (_, i) => ({
    claimant: i % 2 ? key(`w${i}`) : keyBase58(key(`w${i}`)),
    cumulativeAmount: BigInt(i * 1_000 + 5),
    epochAmount: BigInt(i * 10),
    basePoints: BigInt(i * 3),
    campaignBonus: (i % 3 ? { "summer-2026": BigInt(i), launch: 0n } : { launch: 2n }) as Record<string, bigint>,
    referralPoints: BigInt(i % 5),
    // corrections both ways, and none
    adjustmentPoints: BigInt((i % 3) - 1) * 7n,
    settlementCount: i + 1,
  }));
}

const fromBytes = (b: Buffer) => Readable.from([b]);

async function loadError(bytes: Buffer): Promise<DatasetError> {
  try {
    await loadDataset(fromBytes(bytes));
  } catch (err) {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    return err;
  }
  assert.fail("the corrupted dataset loaded");
}

describe("Epoch dataset", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "merit-dataset-"));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  describe("Given 12 wallets in arbitrary order written to a file", () => {
    let path: string;
    let written: Awaited<ReturnType<typeof writeDataset>>;
    before(async () => {
      path = join(dir, "epoch-7.ndjson");
      written = await writeDataset(path, meta, wallets(12).reverse());
    });

    it("then the dataset hash is the sha256 of the file's bytes and the header carries the totals", () => {
      const bytes = readFileSync(path);
      assert.equal(written.bytes, bytes.length);
      assert.equal(written.datasetHash.toString("hex"), createHash("sha256").update(bytes).digest("hex"));
      const lines = bytes.toString("utf8").split("\n");
      assert.equal(lines.length, 14, "header + 12 records + the final newline");
      const header = JSON.parse(lines[0]!);
      assert.equal(header.format, "merit-epoch-dataset");
      assert.equal(header.version, 2);
      // adjustments of -7, 0 and +7 in turn over 12 wallets: they cancel out, and each record adds up
      assert.equal(header.totals.adjustmentPoints, "0");
      assert.equal(header.leafCount, 12);
      assert.equal(header.totals.epochAmount, String(10 * 66));
      assert.deepEqual(header.totals.campaignBonus, { launch: "8", "summer-2026": String(66 - 18) });
      assert.equal(header.root, written.tree.root.toString("hex"));
    });

    it("when loaded, then root, hash and every proof check out and records arrive in canonical order", async () => {
      const seen: string[] = [];
      const loaded = await loadDataset(path, {
        expectedDatasetHash: written.datasetHash,
        onRecord: (r) => seen.push(r.claimant),
      });
      assert.deepEqual(loaded.tree.root, written.tree.root);
      assert.deepEqual(loaded.datasetHash, written.datasetHash);
      assert.deepEqual(
        seen,
        Array.from({ length: 12 }, (_, i) => written.tree.claimantBase58At(i)),
      );
      for (const w of wallets(12)) {
        const p = loaded.tree.proof(w.claimant);
        assert.ok(verifyProof(loaded.header.root, leafHash(meta.distributor, w.claimant, w.cumulativeAmount), p.proof));
      }
    });

    it("when the chain holds another dataset hash, then the load is refused", async () => {
      await assert.rejects(loadDataset(path, { expectedDatasetHash: key("other") }), (e: DatasetError) => e.code === "HASH_MISMATCH");
    });

    it("when any byte of any record is flipped, then the load fails, naming that line when one record is at fault", async () => {
      const bytes = readFileSync(path);
      const firstRecord = bytes.indexOf(0x0a) + 1;
      const codes = new Map<string, number>();
      for (let at = firstRecord; at < bytes.length; at++) {
        const line = bytes.subarray(0, at).toString("latin1").split("\n").length;
        for (const mask of [0x01, 0x20]) {
          const bad = Buffer.from(bytes);
          bad[at]! ^= mask;
          const err = await loadError(bad);
          codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
          if (err.line !== undefined && bytes[at] !== 0x0a) {
            assert.equal(err.line, line, `byte ${at} (${String.fromCharCode(bytes[at]!)}) reported ${err.code} at line ${err.line}`);
          }
        }
      }
      for (const code of ["MALFORMED_RECORD", "LEAF_MISMATCH", "POINTS_MISMATCH", "TOTALS_MISMATCH", "UNKNOWN_CAMPAIGN"]) {
        assert.ok(codes.has(code), `some flip is caught as ${code} (${[...codes.keys()].join(", ")})`);
      }
    });
  });

  it("refuses records out of order or duplicated, at the record's line", async () => {
    const five = await writeDataset(join(dir, "five.ndjson"), meta, wallets(5));
    const lines = readFileSync(join(dir, "five.ndjson"), "utf8").split("\n");
    const swapped = [lines[0], lines[1], lines[3], lines[2], lines[4], lines[5], ""].join("\n");
    const swapErr = await loadError(Buffer.from(swapped));
    assert.equal(swapErr.code, "OUT_OF_ORDER");
    assert.equal(swapErr.line, 4);
    assert.equal(swapErr.claimant, five.tree.claimantBase58At(1));
    const dup = [lines[0], lines[1], lines[2], lines[2], lines[4], lines[5], ""].join("\n");
    const dupErr = await loadError(Buffer.from(dup));
    assert.equal(dupErr.code, "DUPLICATE_CLAIMANT");
    assert.equal(dupErr.line, 4);
  });

  it("refuses an unknown version, a missing final newline and a short file", async () => {
    await writeDataset(join(dir, "three.ndjson"), meta, wallets(3));
    const text = readFileSync(join(dir, "three.ndjson"), "utf8");
    assert.equal((await loadError(Buffer.from(text.replace('"version":2', '"version":3')))).code, "UNSUPPORTED_VERSION");
    assert.equal((await loadError(Buffer.from(text.slice(0, -1)))).code, "MALFORMED_RECORD");
    const short = text.split("\n").slice(0, 3).join("\n") + "\n";
    assert.equal((await loadError(Buffer.from(short))).code, "COUNT_MISMATCH");
  });

  it("writes and loads an epoch with no wallets (zero root)", async () => {
    const w = await writeDataset(join(dir, "empty.ndjson"), meta, []);
    const loaded = await loadDataset(join(dir, "empty.ndjson"));
    assert.equal(loaded.header.root, "00".repeat(32));
    assert.deepEqual(loaded.datasetHash, w.datasetHash);
  });

  it("when the tree fails its independent re-check, then the writer refuses with an invariant error before writing a byte", async () => {
    // A faulty hash in the check stands for any disagreement between the builder and the check.
    setCheckHashForTests((data) => createHash("sha256").update(data).update("fault").digest());
    try {
      const path = join(dir, "refused.ndjson");
      const invariant = (e: MerkleError) => e instanceof MerkleError && e.code === "TREE_CHECK_FAILED" && e.kind === "invariant";
      await assert.rejects(writeDataset(path, meta, wallets(40)), invariant);
      assert.equal(existsSync(path), false, "the file was never opened");
      let chunks = 0;
      const sink = new Writable({ write: (_chunk, _enc, done) => (chunks++, done()) });
      await assert.rejects(writeDataset(sink, meta, wallets(40)), invariant);
      assert.equal(chunks, 0);
    } finally {
      setCheckHashForTests();
    }
  });

  it("refuses input that cannot be a dataset: epoch amount above the cumulative one, a bad campaign id", async () => {
    const [w] = wallets(1);
    await assert.rejects(
      writeDataset(join(dir, "x"), meta, [{ ...w!, epochAmount: w!.cumulativeAmount + 1n }]),
      (e: DatasetError) => e.code === "INVALID_INPUT" && e.kind === "caller",
    );
    await assert.rejects(
      writeDataset(join(dir, "x"), meta, [{ ...w!, campaignBonus: { "no spaces": 1n } }]),
      (e: DatasetError) => e.code === "INVALID_INPUT",
    );
  });
});
