import assert from "node:assert/strict";
import { truncateAll, useFreshDb } from "./setup/db.js";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { balanceOf, publishRuleSet, replayLedger, scoreBatch, WorkerCache } from "../indexer/src/engine/index.js";
import { completeLink, requestLink } from "../indexer/src/accounts/accounts.js";
import { decideReview, listExclusions, walletExclusions } from "../indexer/src/fraud/review.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";
import type { MeritError } from "../indexer/src/errors.js";
import { settlementsExcluded } from "../indexer/src/metrics/index.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
const UNIT = 1_000_000n;
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const excludedCount = async (reason: string) =>
  (await settlementsExcluded.get()).values.find((v) => v.labels.reason === reason && v.labels.status === "excluded")?.value ?? 0;
const EARN = [{ scope: { kind: "global" as const }, pointsPerUnit: 1000 }];

describe("engine: fraud controls exclude or hold settlements, with their reason, and replay reproduces them", () => {
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));

  const rules = (fraud: RuleSetInput["fraud"]) => publishRuleSet(db(), { createdBy: "t", body: { earn: EARN, fraud } });
  /** Scores everything in batches of two settlements, each by a cold worker that checkpoints: state goes through the tables. */
  const scoreCold = async () => {
    while ((await scoreBatch(db(), { batchSize: 2, cache: new WorkerCache(), checkpointEvery: 1 })) > 0);
  };
  const reasons = async () => (await listExclusions(db())).map((e) => [e.wallet, e.reason, e.status]);
  const replayClean = async () => {
    const r = await replayLedger(db());
    assert.equal(r.mismatchCount, 0, "the ledger replays");
    assert.deepEqual(r.exclusionMismatches, [], "replay catches the same settlements for the same reasons");
  };

  it("given linked addresses excluded, when a wallet pays itself or an address linked into its account, then neither earns and each shows with its reason", async () => {
    const [main, second, shop] = [testWallet(), testWallet(), testWallet()];
    await rules({ linkedAddresses: { action: "exclude" } });
    const ch = await requestLink(db(), { account: main.address, address: second.address, chain: "solana" });
    await completeLink(db(), { nonce: ch.nonce, signature: second.sign(ch.message) });
    await insertSettlements(db(), [
      { slot: 1, payer: main.address, payee: main.address, amount: 5n * UNIT, time: at(0) },
      { slot: 2, payer: second.address, payee: main.address, amount: 5n * UNIT, time: at(1) },
      { slot: 3, payer: main.address, payee: shop.address, amount: 2n * UNIT, time: at(2) },
    ]);
    await scoreCold();
    assert.equal(await balanceOf(db(), main.address), 2000n, "only the payment to the shop earns");
    assert.deepEqual(await reasons(), [
      [main.address, "linked_addresses", "excluded"],
      [second.address, "linked_addresses", "excluded"],
    ]);
    const mine = await walletExclusions(db(), main.address);
    assert.equal(mine.length, 2, "the account sees its linked wallet's exclusion too");
    assert.match(mine.find((e) => e.wallet === second.address)!.detail, /are linked addresses of one account/);
    await replayClean();
  });

  it("given a one-hour round-trip window, when B pays A back within it, then the return leg is excluded; after the window it earns", async () => {
    const [a, b] = [testWallet(), testWallet()];
    await rules({ roundTrip: { windowSeconds: 3600, action: "exclude" } });
    await insertSettlements(db(), [
      { slot: 1, payer: a.address, payee: b.address, amount: 3n * UNIT, time: at(0) },
      { slot: 2, payer: b.address, payee: a.address, amount: 3n * UNIT, time: at(60) },
      { slot: 3, payer: b.address, payee: a.address, amount: 1n * UNIT, time: at(3 * 3600) },
    ]);
    const before = await excludedCount("round_trip");
    await scoreCold();
    assert.equal(await excludedCount("round_trip"), before + 1, "merit_engine_settlements_excluded_total counts it");
    assert.equal(await balanceOf(db(), a.address), 3000n);
    assert.equal(await balanceOf(db(), b.address), 1000n, "the return within 60 s is excluded, the one 3 h later earns");
    const [e] = await listExclusions(db());
    assert.deepEqual([e!.wallet, e!.reason], [b.address, "round_trip"]);
    assert.match(e!.detail, /paid .* 60 s before this payment back \(round-trip window 3600 s\)/);
    await replayClean();
  });

  it("given a minimum settlement and a daily cap of two settlements and 10 units, then smaller and surplus settlements are excluded, and the next UTC day starts afresh", async () => {
    const [w, shop] = [testWallet(), testWallet()];
    await rules({ minVolume: { volume: 1_000_000, action: "exclude" }, dailyCap: { maxSettlements: 2, maxVolume: 10_000_000 } });
    await insertSettlements(db(), [
      { slot: 1, payer: w.address, payee: shop.address, amount: UNIT / 2n, time: at(0) },
      { slot: 2, payer: w.address, payee: shop.address, amount: 6n * UNIT, time: at(10) },
      { slot: 3, payer: w.address, payee: shop.address, amount: 5n * UNIT, time: at(20) },
      { slot: 4, payer: w.address, payee: shop.address, amount: 4n * UNIT, time: at(30) },
      { slot: 5, payer: w.address, payee: shop.address, amount: 1n * UNIT, time: at(40) },
      { slot: 6, payer: w.address, payee: shop.address, amount: 1n * UNIT, time: at(86_400) },
    ]);
    await scoreCold();
    // 6 (day 1) + 4 (volume cap would be 11 with 5; 10 with 4) + 1 (day 2)
    assert.equal(await balanceOf(db(), w.address), 6000n + 4000n + 1000n);
    const rows = await listExclusions(db());
    assert.deepEqual(
      rows.map((r) => r.reason),
      ["below_minimum", "daily_cap", "daily_cap"],
    );
    assert.match(rows[1]!.detail, /would reach 11000000, over the daily cap of 10000000/);
    assert.match(rows[2]!.detail, /already has 2 settlements today \(UTC\), the daily cap is 2/);
    await replayClean();
  });

  it("given a review threshold, then large settlements wait with their held points; approve credits them, reject leaves them out, a second decision is refused, and replay reproduces the queue", async () => {
    const [w, v, shop] = [testWallet(), testWallet(), testWallet()];
    await rules({ review: { minVolume: 100_000_000 }, roundTrip: { windowSeconds: 60, action: "review" } });
    const ids = await insertSettlements(db(), [
      { slot: 1, payer: w.address, payee: shop.address, amount: 150n * UNIT, time: at(0) },
      { slot: 2, payer: v.address, payee: shop.address, amount: 200n * UNIT, time: at(1) },
      { slot: 3, payer: w.address, payee: shop.address, amount: 2n * UNIT, time: at(2) },
      { slot: 4, payer: shop.address, payee: w.address, amount: 1n * UNIT, time: at(3) },
    ]);
    await scoreCold();
    const pending = await listExclusions(db(), { status: "pending" });
    assert.deepEqual(
      pending.map((e) => [e.settlementId, e.reason, e.heldPoints]),
      [
        [ids[0], "review_threshold", 150_000n],
        [ids[1], "review_threshold", 200_000n],
        [ids[3], "round_trip", 1_000n],
      ],
    );
    assert.equal(await balanceOf(db(), w.address), 2000n, "nothing of a held settlement is credited");

    // When: the admin approves W's and rejects V's
    const ok = await decideReview(db(), { settlementId: ids[0]!, decision: "approve", by: "alice", note: "known customer" });
    assert.equal(ok.after.status, "approved");
    assert.ok(ok.after.ledgerId);
    const no = await decideReview(db(), { settlementId: ids[1]!, decision: "reject", by: "alice" });
    assert.deepEqual([no.after.status, no.after.ledgerId, no.after.decidedBy], ["rejected", null, "alice"]);

    // Then: W has the held points as a ledger row naming the settlement; V has nothing
    assert.equal(await balanceOf(db(), w.address), 152_000n);
    assert.equal(await balanceOf(db(), v.address), 0n);
    const [row] = await db()<{ reason: string; note: string }[]>`select reason, note from point_ledger where id = ${ok.after.ledgerId!}`;
    assert.equal(row!.reason, "adjustment");
    assert.match(row!.note, new RegExp(`review approved: settlement ${ids[0]} \\(review_threshold: .*\\): known customer \\(by alice\\)`));
    await assert.rejects(
      decideReview(db(), { settlementId: ids[0]!, decision: "reject", by: "bob" }),
      (e: MeritError) => e.code === "review_decided" && /already approved by alice/.test(e.message),
    );
    await assert.rejects(
      decideReview(db(), { settlementId: 999_999n, decision: "approve", by: "bob" }),
      (e: MeritError) => e.code === "unknown_exclusion",
    );

    // And: later settlements keep scoring; replay catches the same ones with the same held points
    await insertSettlements(db(), [{ slot: 5, payer: w.address, payee: shop.address, amount: 1n * UNIT, time: at(100) }]);
    await scoreCold();
    assert.equal(await balanceOf(db(), w.address), 153_000n);
    await replayClean();
  });

  it("given stored exclusions that disagree with the rules, then replay names the settlement", async () => {
    const [w, shop] = [testWallet(), testWallet()];
    await rules({ minVolume: { volume: 1_000_000, action: "exclude" } });
    const [id] = await insertSettlements(db(), [{ slot: 1, payer: w.address, payee: shop.address, amount: 1n, time: at(0) }]);
    await scoreCold();
    await db()`update settlement_exclusions set reason = 'daily_cap'`;
    assert.deepEqual((await replayLedger(db())).exclusionMismatches, [id]);
  });
});
