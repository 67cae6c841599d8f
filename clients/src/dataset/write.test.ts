import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { canonicalOrder, checksInWorker, decodeKey58, encodeKey58, KeyTexts, stopHashWorker } from "../merkle/index.js";
import { DatasetError } from "./errors.js";
import { headerLine, recordLine } from "./format.js";
import { type WalletTotals, writeDataset, writeDatasetColumns } from "./write.js";

const U64_MAX = 2n ** 64n - 1n;
const meta = {
  distributor: encodeKey58(randomBytes(32)),
  mint: encodeKey58(randomBytes(32)),
  epoch: 7n,
  slots: { first: 1n, last: 9n },
  inputsHash: "ab".repeat(32),
};

function sink(): { stream: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk, _enc, done) {
        parts.push(chunk as Buffer);
        done();
      },
    }),
    bytes: () => Buffer.concat(parts),
  };
}

/** Figures at the edges of the decimal writer: 0, 9, 10, 2^53 ± 1, u64 max, negative adjustments. */
const edge = [0n, 9n, 10n, 99n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 10n ** 18n, U64_MAX];
/** Each edge figure a few times (the header's totals must stay u64), small figures otherwise. */
const pick = (i: number) => (i < edge.length * 3 ? edge[i % edge.length]! : BigInt(i));

function wallets(n: number): WalletTotals[] {
  return Array.from({ length: n }, (_, i) => {
    const cumulativeAmount = i % 5 === 0 ? U64_MAX / BigInt(n * 2) : BigInt(i) * 1_000_003n;
    return {
      claimant: encodeKey58(randomBytes(32)),
      cumulativeAmount,
      epochAmount: cumulativeAmount / 3n,
      basePoints: pick(i) / 4n,
      referralPoints: pick(i + 3) / 4n,
      adjustmentPoints: i % 3 === 0 ? -pick(i + 1) / 8n : pick(i + 2) / 8n,
      campaignBonus: (i % 4 === 0 ? { launch: BigInt(i), "zz-top": 0n, alpha: 5n } : {}) as Record<string, bigint>,
      settlementCount: i * 7919,
    };
  });
}

describe("writeDatasetColumns", () => {
  after(stopHashWorker);

  it("writes exactly the lines the format's serializers define, in canonical order", async () => {
    const ws = wallets(400);
    const out = sink();
    const w = await writeDataset(out.stream, meta, ws);
    const lines = out.bytes().toString("latin1").split("\n");
    assert.equal(lines.pop(), "", "the file ends with a newline");
    assert.equal(lines[0], headerLine(w.header));
    const byClaimant = new Map(ws.map((x) => [x.claimant as string, x]));
    for (let k = 0; k < w.tree.size; k++) {
      const x = byClaimant.get(w.tree.claimantBase58At(k))!;
      const bonus = Object.fromEntries(Object.entries(x.campaignBonus!).filter(([, v]) => v > 0n));
      const points = x.basePoints + x.referralPoints + x.adjustmentPoints! + Object.values(bonus).reduce((s, v) => s + v, 0n);
      assert.equal(
        lines[k + 1],
        recordLine({
          ...x,
          claimant: x.claimant as string,
          points,
          adjustmentPoints: x.adjustmentPoints!,
          campaignBonus: bonus,
          leaf: w.tree.leafAt(k).toString("hex"),
        }),
      );
    }
    assert.equal(lines.length, ws.length + 1);
  });

  it("gives the same bytes from columns in any order, with or without the claimants' text", async () => {
    const ws = wallets(300);
    const a = sink();
    const fromObjects = await writeDataset(a.stream, meta, ws);
    const claimants = Buffer.concat(ws.map((x) => Buffer.from(fromObjects.tree.claimantAt(fromObjects.tree.indexOf(x.claimant)))));
    const columns = {
      size: ws.length,
      claimants,
      cumulativeAmount: BigUint64Array.from(ws.map((x) => x.cumulativeAmount)),
      epochAmount: BigUint64Array.from(ws.map((x) => x.epochAmount)),
      basePoints: BigUint64Array.from(ws.map((x) => x.basePoints)),
      referralPoints: BigUint64Array.from(ws.map((x) => x.referralPoints)),
      adjustmentPoints: BigInt64Array.from(ws.map((x) => x.adjustmentPoints!)),
      settlementCount: Uint32Array.from(ws.map((x) => x.settlementCount)),
      campaignBonus: new Map(ws.flatMap((x, i) => (Object.keys(x.campaignBonus!).length ? [[i, x.campaignBonus!] as const] : []))),
    };
    const b = sink();
    const noText = await writeDatasetColumns(b.stream, meta, columns);
    const c = sink();
    await writeDatasetColumns(
      c.stream,
      meta,
      { ...columns, claimantText: ws.map((x) => x.claimant as string) },
      { order: canonicalOrder(claimants, ws.length) },
    );
    const asArray = sink();
    await writeDatasetColumns(asArray.stream, meta, { ...columns, campaignBonus: ws.map((_, i) => columns.campaignBonus.get(i)) });
    assert.deepEqual(b.bytes(), a.bytes());
    assert.deepEqual(c.bytes(), a.bytes());
    assert.deepEqual(asArray.bytes(), a.bytes(), "campaign points as an array by wallet, not a Map");
    assert.deepEqual(noText.datasetHash, fromObjects.datasetHash);
    // the claimants sorted in place (shared memory, then not), the records a subset of the wallets
    for (const shared of [true, false]) {
      const keys = shared ? Buffer.from(new SharedArrayBuffer(claimants.length)) : Buffer.alloc(claimants.length);
      claimants.copy(keys);
      const order = canonicalOrder(keys, ws.length, { inPlace: true });
      const d = sink();
      const got = await writeDatasetColumns(d.stream, meta, { ...columns, claimants: keys }, { order, claimantsInOrder: true });
      assert.deepEqual(d.bytes(), a.bytes());
      assert.equal(got.tree.entries.claimants.buffer === keys.buffer, shared, "shared claimants become the tree's own");
      const some = order.filter((_, k) => k % 3 !== 0);
      const kept = Buffer.concat([...some].map((i) => claimants.subarray(i * 32, i * 32 + 32)));
      const e = sink();
      const f = sink();
      await writeDatasetColumns(e.stream, meta, { ...columns, claimants: kept }, { order: some, claimantsInOrder: true });
      await writeDatasetColumns(f.stream, meta, columns, { order: some });
      assert.deepEqual(e.bytes(), f.bytes());
    }
  });

  it("gives the same bytes to a path while a large tree is checked on another thread, and leaves no temporary file", async () => {
    const ws = wallets(1500);
    const dir = mkdtempSync(join(tmpdir(), "merit-dataset-"));
    try {
      const a = sink();
      await writeDataset(a.stream, meta, ws, { parallelFrom: 256 });
      const path = join(dir, "dataset.ndjson");
      const w = await writeDataset(path, meta, ws, { parallelFrom: 256 });
      assert.equal(checksInWorker(w.tree), true);
      assert.deepEqual(readFileSync(path), a.bytes());
      assert.deepEqual(readdirSync(dir), ["dataset.ndjson"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives the same bytes and hash to a path with the inputs hash still to come and the claimants' text as KeyTexts", async () => {
    const ws = wallets(3000);
    const dir = mkdtempSync(join(tmpdir(), "merit-dataset-"));
    try {
      const a = sink();
      const now = await writeDataset(a.stream, meta, ws);
      const texts = new KeyTexts(ws.length);
      ws.forEach((x, i) => texts.set(i, x.claimant as string));
      const columns = {
        size: ws.length,
        claimants: Buffer.concat(ws.map((x) => decodeKey58(x.claimant as string)!)),
        claimantText: texts,
        cumulativeAmount: ws.map((x) => x.cumulativeAmount),
        epochAmount: ws.map((x) => x.epochAmount),
        basePoints: ws.map((x) => x.basePoints),
        referralPoints: ws.map((x) => x.referralPoints),
        adjustmentPoints: ws.map((x) => x.adjustmentPoints!),
        settlementCount: ws.map((x) => x.settlementCount),
        campaignBonus: ws.map((x) => (Object.keys(x.campaignBonus!).length ? x.campaignBonus : undefined)),
      };
      // the manifest's hash, as a caller writing the manifest meanwhile gives it
      const inputsHash = new Promise<string>((resolve) => setTimeout(() => resolve(meta.inputsHash), 50));
      const path = join(dir, "dataset.ndjson");
      const got = await writeDatasetColumns(path, { ...meta, inputsHash }, columns);
      assert.deepEqual(readFileSync(path), a.bytes());
      assert.deepEqual(got.datasetHash, now.datasetHash);
      assert.equal(got.header.inputsHash, meta.inputsHash);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an order that is not canonical, naming the wallet", async () => {
    const ws = wallets(50);
    const claimants = Buffer.concat(ws.map((x) => Buffer.from(decodeKey58(x.claimant as string)!)));
    const order = canonicalOrder(claimants, ws.length).reverse();
    const columns = {
      size: ws.length,
      claimants,
      cumulativeAmount: ws.map((x) => x.cumulativeAmount),
      epochAmount: ws.map((x) => x.epochAmount),
      basePoints: ws.map((x) => x.basePoints),
      referralPoints: ws.map((x) => x.referralPoints),
      settlementCount: ws.map((x) => x.settlementCount),
    };
    await assert.rejects(writeDatasetColumns(sink().stream, meta, columns, { order }), (e: unknown) => {
      assert.ok(e instanceof DatasetError, String(e));
      assert.match(e.message, /wallet #\d+: the order given puts it at 1/);
      return true;
    });
  });
});
