import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Keypair } from "@solana/web3.js";
import { loadDataset } from "@merit/clients/dataset";
import { decodeKey58, leafHash, readClaimProof, verifyProof } from "@merit/clients/merkle";
import { adjustPoints, publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { closeEpoch, DATASET_FILE, epochDir, MANIFEST_FILE, rebuildEpochFiles, SHARDS_DIR } from "../indexer/src/epochs/close.js";
import { writeManifest } from "../indexer/src/epochs/manifest.js";
import { addDistributor, epochWallets, getEpoch, listEpochs } from "../indexer/src/epochs/queries.js";
import { supportsCopy } from "../indexer/src/db/connection.js";
import { advanceIngestWatermark } from "../indexer/src/ingest/store/cursors.js";
import { AccountColumns, readAccounts } from "../indexer/src/ledger/epoch-range.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const wallet = () => Keypair.generate().publicKey.toBase58();
const T0 = Date.parse("2026-06-01T10:00:00Z");
// 1 point per whole unit paid (ledger deltas are milli-points)
const rules = { earn: [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }] };
const pay = (slot: number, payer: string, units: number, txIndex = 0) => ({
  slot,
  txIndex,
  payer,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});
const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe("epochs: closing an epoch from the ledger", () => {
  const db = useFreshDb({ max: 4 });
  let dataDir: string;
  const distributor = wallet();
  const mint = wallet();
  const [alice, bob, carol] = [wallet(), wallet(), wallet()];

  beforeEach(async () => {
    await truncateAll(db());
    dataDir = mkdtempSync(join(tmpdir(), "merit-epochs-"));
    await publishRuleSet(db(), { createdBy: "t", body: rules });
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const close = () => closeEpoch(db(), { distributor, dataDir });
  const ingest = async (specs: ReturnType<typeof pay>[], watermark: number) => {
    await insertSettlements(db(), specs);
    await advanceIngestWatermark(db(), BigInt(watermark));
    while ((await scoreBatch(db(), { maxSlot: BigInt(watermark) })) > 0);
  };

  it("given settlements in two epochs (fixed mode), then each wallet's cumulative grows by exactly its new amount, and an absent wallet keeps its leaf", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "10", rounding: "floor" } });
    await ingest([pay(10, alice, 3), pay(11, bob, 5), pay(12, alice, 2)], 12);
    const e1 = await close();
    assert.ok(e1);
    assert.equal(e1.epoch, 1n);
    const d1 = await loadDataset(join(e1.dir, DATASET_FILE), { expectedDatasetHash: Buffer.from(e1.datasetHash, "hex") });
    assert.equal(d1.tree.root.toString("hex"), e1.root);
    assert.equal(d1.tree.proof(alice).amount, 50n, "5 points x 10 units");
    assert.equal(d1.tree.proof(bob).amount, 50n);
    assert.equal(d1.header.inputsHash, e1.inputsHash);
    assert.equal(sha(join(e1.dir, MANIFEST_FILE)), e1.inputsHash, "the inputs hash is the manifest's sha256");

    // Then: epoch 2 with only Alice active
    await ingest([pay(20, alice, 1), pay(21, carol, 4)], 21);
    const e2 = await close();
    assert.equal(e2?.epoch, 2n);
    const d2 = await loadDataset(join(e2!.dir, DATASET_FILE));
    assert.equal(d2.tree.proof(alice).amount, 60n, "50 + 1 point x 10");
    assert.equal(d2.tree.proof(bob).amount, 50n, "no new activity: the same cumulative amount, still claimable under the new root");
    assert.equal(d2.tree.proof(carol).amount, 40n);
    assert.equal(e2!.cumulativeTotal, 150n);
    assert.equal(e2!.released, 50n);
    // the proof from the shards verifies against the root
    const p = await readClaimProof(join(e2!.dir, SHARDS_DIR), alice);
    assert.ok(p);
    assert.equal(p.amount, 60n);
    assert.ok(verifyProof(e2!.root, leafHash(distributor, alice, p.amount), p.proof));
    assert.equal(await close(), undefined, "nothing new: no epoch");
    assert.deepEqual(
      (await listEpochs(db(), distributor)).map((e) => [e.epoch, e.status, e.cutoffSlot]),
      [
        [1n, "closed", 12n],
        [2n, "closed", 21n],
      ],
    );
  });

  it("given the engine stopped inside a slot, then the cutoff is the slot before it (never half a slot) and the rest goes to the next epoch", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" } });
    await insertSettlements(db(), [pay(5, alice, 1), pay(6, alice, 2, 0), pay(6, bob, 3, 1)]);
    await advanceIngestWatermark(db(), 6n);
    await scoreBatch(db(), { batchSize: 2, maxSlot: 6n }); // scores slot 5 and half of slot 6
    const e1 = await close();
    assert.equal(e1?.epoch, 1n);
    const row1 = await getEpoch(db(), distributor, 1n);
    assert.equal(row1?.cutoffSlot, 5n);
    assert.equal((await epochWallets(db(), distributor, 1n)).map((w) => w.claimant).join(), alice);
    while ((await scoreBatch(db(), { maxSlot: 6n })) > 0);
    const e2 = await close();
    const d2 = await loadDataset(join(e2!.dir, DATASET_FILE));
    assert.equal(d2.tree.proof(alice).amount, 3n);
    assert.equal(d2.tree.proof(bob).amount, 3n);
    assert.equal(d2.header.slots.first, 6n);
  });

  it("given budget mode with a minimum, then each epoch allocates exactly the budget and dust is carried until it is claimable", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "budget", budgetPerEpoch: "1000", minClaimable: "200" } });
    await ingest([pay(1, alice, 9), pay(2, bob, 1)], 2);
    const e1 = await close();
    const w1 = new Map((await epochWallets(db(), distributor, 1n)).map((w) => [w.claimant, w]));
    assert.equal(w1.get(alice)!.allocated + w1.get(bob)!.allocated, 1000n);
    assert.deepEqual(
      [w1.get(alice)!.released, w1.get(bob)!.released, w1.get(bob)!.pending],
      [900n, 0n, 100n],
      "Bob's 100 is under the minimum: carried",
    );
    assert.equal(e1!.leafCount, 1);
    await ingest([pay(3, bob, 1), pay(4, alice, 1)], 4);
    await close();
    const w2 = new Map((await epochWallets(db(), distributor, 2n)).map((w) => [w.claimant, w]));
    assert.deepEqual([w2.get(bob)!.allocated, w2.get(bob)!.released, w2.get(bob)!.pending], [500n, 600n, 0n], "100 carried + 500 now");
    const manifest = readFileSync(join(epochDir(dataDir, distributor, 2n), MANIFEST_FILE), "utf8");
    assert.match(manifest, new RegExp(`"claimant":"${bob}","pending":"100","type":"carry"`));
  });

  it("given an admin adjustment, then it lands in the epoch open when it was made, with its note in the manifest", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" } });
    await ingest([pay(1, alice, 2)], 1);
    await close();
    await adjustPoints(db(), { account: alice, delta: 3000n, note: "support ticket 42", by: "admin", allowNegative: false } as never);
    await advanceIngestWatermark(db(), 2n);
    const e2 = await close();
    assert.ok(e2, "an adjustment alone is new activity");
    const d2 = await loadDataset(join(e2.dir, DATASET_FILE));
    assert.equal(d2.tree.proof(alice).amount, 5n);
    assert.match(readFileSync(join(e2.dir, MANIFEST_FILE), "utf8"), /"note":"support ticket 42 \(by admin\)"/);
  });

  it("given settlements whose signatures a JSON string must escape, then the manifest written through COPY is the cursor's, byte for byte", async function () {
    if (!supportsCopy(db())) this.skip(); // the embedded PGlite reads through the cursor alone
    await ingest([pay(1, alice, 2), pay(2, bob, 4), pay(3, alice, 1), pay(4, carol, 3), pay(5, bob, 1)], 5);
    const odd = ['quo"te', "back\\slash", "tab\there", "caf\u00e9", "bell\u0007"];
    const ids = await db()<{ id: string }[]>`select id::text from settlements order by id limit ${odd.length}`;
    for (const [k, { id }] of ids.entries()) await db()`update settlements set signature = ${odd[k]!} where id = ${id}`;
    const header = {
      distributor,
      mint,
      epoch: 1n,
      previousInputsHash: "0".repeat(64),
      slots: { first: 0n, last: 5n },
      range: { afterSeq: 0n, throughSeq: 1_000n, afterOtherId: 0n, throughOtherId: 0n },
      conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" },
    };
    const [viaCopy, viaCursor] = [join(dataDir, "copy.ndjson"), join(dataDir, "cursor.ndjson")];
    const a = await db().begin((tx) => writeManifest(tx, viaCopy, header, true));
    const b = await db().begin((tx) => writeManifest(tx, viaCursor, header, false));
    assert.deepEqual(a, b);
    assert.equal(a.settlements, 5);
    assert.deepEqual(readFileSync(viaCopy), readFileSync(viaCursor));
    const signatures = readFileSync(viaCopy, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { type: string; signature?: string })
      .filter((l) => l.type === "settlement")
      .map((l) => l.signature);
    assert.deepEqual(signatures.slice(0, odd.length), odd);
  });

  it("given wallets, an account that is no address, adjustments and a previous epoch, then the COPY and the cursor, whole or in parts, read the same accounts", async function () {
    if (!supportsCopy(db())) this.skip(); // the embedded PGlite reads through the cursor alone
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" } });
    await ingest([pay(1, alice, 2), pay(2, bob, 4)], 2);
    await close();
    await ingest([pay(3, alice, 1), pay(4, "0xNotASolanaAddress", 9)], 4);
    await adjustPoints(db(), { account: carol, delta: 7000n, note: "goodwill", by: "admin", allowNegative: false } as never);
    const range = { afterSeq: 2n, throughSeq: 1_000n, afterOtherId: 0n, throughOtherId: 1_000_000n };
    const isWallet = (s: string, into: Buffer, at: number) => {
      const k = decodeKey58(s);
      if (k) into.set(k, at);
      return k !== undefined;
    };
    const read = (copy: boolean, page?: number, parts = 1) =>
      db().begin(async (tx) => {
        // the parts one after another on one connection: what the close spreads over two
        const a = new AccountColumns();
        for (let index = 0; index < parts; index++)
          await readAccounts(tx, range, { distributor, epoch: 1n }, isWallet, a, { copy, page, part: { index, of: parts } });
        a.finish();
        const rows = Array.from({ length: a.size }, (_, i) => ({
          account: a.texts.at(i),
          key: a.keys.subarray(i * 32, i * 32 + 32).toString("hex"),
          figures: [a.base[i], a.referral[i], a.adjustment[i], a.settlementCount[i], a.prevCumulative[i], a.prevPending[i], a.active[i]],
          campaigns: a.campaigns[i],
        }));
        return { rows: rows.sort((x, y) => (x.account < y.account ? -1 : 1)), unpayable: a.unpayable };
      });
    const viaCopy = await read(true);
    assert.deepEqual(await read(false, 1), viaCopy);
    for (const parts of [2, 4]) {
      assert.deepEqual(await read(true, undefined, parts), viaCopy, `${parts} parts`);
      assert.deepEqual(await read(false, 1, parts), viaCopy, `${parts} parts through the cursor`);
    }
    await assert.rejects(read(true, undefined, 3), /power of two/);
    assert.deepEqual(viaCopy.unpayable, ["0xNotASolanaAddress"]);
    const byAccount = new Map(viaCopy.rows.map((r) => [r.account, r.figures]));
    assert.deepEqual(byAccount.get(alice), [1000n, 0n, 0n, 1, 2n, 0n, 1], "this epoch's point, the cumulative amount of epoch 1");
    assert.deepEqual(byAccount.get(bob), [0n, 0n, 0n, 0, 4n, 0n, 0], "no activity: there for its leaf");
    assert.deepEqual(byAccount.get(carol), [0n, 0n, 7000n, 0, 0n, 0n, 1]);
  });

  it("given a closed epoch, when its files are lost (a crash after the commit) or rebuilt, then they come back byte-identical", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "7", rounding: "half_up" } });
    await ingest([pay(1, alice, 3), pay(2, bob, 1), pay(3, carol, 2)], 3);
    const e1 = await close();
    const before = [DATASET_FILE, MANIFEST_FILE].map((f) => readFileSync(join(e1!.dir, f)));
    await rebuildEpochFiles(db(), { distributor, epoch: 1n, dataDir });
    assert.deepEqual(
      [DATASET_FILE, MANIFEST_FILE].map((f) => readFileSync(join(e1!.dir, f))),
      before,
    );
    // a crash between the commit and the rename: the row is there, the files are not
    rmSync(e1!.dir, { recursive: true });
    await db()`update epochs set files_at = null`;
    await ingest([pay(4, alice, 1)], 4);
    const e2 = await close();
    assert.equal(e2?.epoch, 2n);
    assert.deepEqual(
      [DATASET_FILE, MANIFEST_FILE].map((f) => readFileSync(join(e1!.dir, f))),
      before,
      "epoch 1 rebuilt first",
    );
    assert.ok(existsSync(join(e1!.dir, SHARDS_DIR)));
  });

  it("given two closers at once, then exactly one epoch is closed", async () => {
    await addDistributor(db(), { address: distributor, mint, conversion: { mode: "fixed", unitsPerPoint: "1", rounding: "floor" } });
    await ingest([pay(1, alice, 1)], 1);
    const results = await Promise.all([close(), close()]);
    assert.equal(results.filter(Boolean).length, 1);
    assert.equal((await listEpochs(db(), distributor)).length, 1);
  });
});
