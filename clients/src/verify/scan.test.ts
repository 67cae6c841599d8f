import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError, loadDataset, writeDataset, type WalletTotals } from "../dataset/index.js";
import { stopHashWorker } from "../merkle/index.js";
import { claimantAt, scanDataset, scanDatasetBeside } from "./scan.js";

describe("verify: the byte-level dataset scan", () => {
  let dir: string;
  let path: string;
  const distributor = randomBytes(32);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "merit-scan-"));
    path = join(dir, "dataset.ndjson");
    const leaves: WalletTotals[] = Array.from({ length: 3000 }, (_, i) => ({
      claimant: randomBytes(32),
      cumulativeAmount: BigInt(i) * 1_000_003n + (i % 2 === 0 ? 1_000_000_000_000_000n : 1n),
      epochAmount: 1n,
      basePoints: 5n,
      campaignBonus: (i % 3 === 0 ? { spring: 7n } : {}) as Record<string, bigint>,
      referralPoints: 0n,
      adjustmentPoints: i % 5 === 0 ? -2n : 0n,
      settlementCount: 1,
    }));
    await writeDataset(
      path,
      { distributor, mint: randomBytes(32), epoch: 3n, slots: { first: 1n, last: 9n }, inputsHash: randomBytes(32) },
      leaves,
    );
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await stopHashWorker();
  });

  it("given a dataset written by the epochs stage, when scanned, then it reads what loadDataset reads: header, claimants, amounts, total, hash", async () => {
    const s = await scanDataset(path);
    const claimants: string[] = [];
    const amounts: bigint[] = [];
    const d = await loadDataset(path, { onRecord: (r) => (claimants.push(r.claimant), amounts.push(r.cumulativeAmount)) });
    assert.deepEqual(s.header, d.header);
    assert.equal(s.datasetHash, createHash("sha256").update(readFileSync(path)).digest("hex"));
    assert.deepEqual(
      Array.from({ length: s.header.leafCount }, (_, i) => claimantAt(s, i)),
      claimants,
    );
    assert.deepEqual([...s.amounts], amounts);
    assert.equal(s.total, d.header.totals.cumulativeAmount);
    const beside = await scanDatasetBeside(path);
    assert.ok(Buffer.isBuffer(beside.claimants));
    assert.deepEqual(beside, s, "the same from a worker thread");
  });

  const variant = (edit: (lines: string[]) => string[]) => {
    const p = join(dir, `v-${Math.random()}.ndjson`);
    writeFileSync(p, `${edit(readFileSync(path, "utf8").split("\n").slice(0, -1)).join("\n")}\n`);
    return p;
  };
  const refused = async (p: string, code: string, line?: number) => {
    for (const scan of [scanDataset, scanDatasetBeside]) {
      await assert.rejects(scan(p), (err: DatasetError) => {
        assert.ok(err instanceof DatasetError, String(err));
        assert.equal(err.code, code, err.message);
        if (line !== undefined) assert.equal(err.line, line);
        return true;
      });
    }
  };

  it("given records swapped, duplicated, cut, or with an amount not in canonical form, when scanned, then each is refused at its line", async () => {
    await refused(
      variant((l) => [l[0]!, l[2]!, l[1]!, ...l.slice(3)]),
      "OUT_OF_ORDER",
      3,
    );
    await refused(
      variant((l) => [l[0]!, l[1]!, l[1]!, ...l.slice(3)]),
      "DUPLICATE_CLAIMANT",
      3,
    );
    await refused(
      variant((l) => l.slice(0, -1)),
      "COUNT_MISMATCH",
    );
    await refused(
      variant((l) => [l[0]!, l[1]!.replace(/"cumulativeAmount":"(\d+)"/, '"cumulativeAmount":"0$1"'), ...l.slice(2)]),
      "MALFORMED_RECORD",
      2,
    );
    await refused(
      variant((l) => [l[0]!, l[1]!.replace(/"cumulativeAmount":"\d+"/, '"cumulativeAmount":"18446744073709551616"'), ...l.slice(2)]),
      "MALFORMED_RECORD",
      2,
    );
    await refused(
      variant((l) => [l[0]!, l[1]!.replace('{"claimant":', '{ "claimant":'), ...l.slice(2)]),
      "MALFORMED_RECORD",
      2,
    );
    await refused(
      variant((l) => [l[0]!.replace('"epoch":"3"', '"epoch":"03"'), ...l.slice(1)]),
      "MALFORMED_HEADER",
      1,
    );
    const noNewline = join(dir, "cut.ndjson");
    writeFileSync(noNewline, readFileSync(path).subarray(0, -1));
    await refused(noNewline, "MALFORMED_RECORD");
  });
});
