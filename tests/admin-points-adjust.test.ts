import assert from "node:assert/strict";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { balanceOf, publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");

describe("admin flow: points adjust (typed amounts, --new addresses, --allow-negative)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  const adjust = (...args: string[]) => merit("points", "adjust", ...args, "--note", "support ticket 7", "--by", "ops");
  const ledgerRows = async () => ((await db()`select count(*)::int as n from point_ledger`) as unknown as [{ n: number }])[0].n;
  before(async () => {
    await truncateAll(db());
    await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] } });
    await insertSettlements(db(), [
      { slot: 1, payer: "ALICE", payee: "SHOP", amount: 3_000_000n, time: new Date(T0) },
      { slot: 2, payer: "BOB", payee: "SHOP", amount: 1_000_000n, time: new Date(T0 + 1000) },
    ]);
    await scoreBatch(db());
  });

  for (const bad of ["1.2345", "abc", "1e3", "12,5"]) {
    it(`given the amount ${bad}, then one error line names it and the accepted form, exit 2, no stack trace`, async () => {
      const r = await adjust("ALICE", bad);
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLineError(r.stderr), r.stderr);
      assert.ok(r.stderr.includes(`"${bad}" is not a number of points`), r.stderr);
      assert.match(r.stderr, /at most 3 decimals \(e\.g\. 250, -12\.5, 0\.001\)/);
    });
  }

  it("given --new with something that is not a Solana address, then it is refused (exit 2) and nothing is written", async () => {
    const before = await ledgerRows();
    for (const bad of ["notanaddress", "0x52908400098527886E0F7030069857D2E4169EE7", "1111"]) {
      const r = await adjust(bad, "5", "--new");
      assert.equal(r.code, 2, r.stderr);
      assert.ok(isOneLineError(r.stderr), r.stderr);
      assert.ok(r.stderr.includes(`${bad} is not a Solana address (32 bytes in base58)`), r.stderr);
    }
    assert.equal(await ledgerRows(), before);
    const fresh = testWallet().address;
    const ok = await adjust(fresh, "5", "--new");
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await balanceOf(db(), fresh), 5000n);
  });

  it("given an adjustment that would leave the balance negative, then it is refused unless --allow-negative, and the negative balance shows on the leaderboard and in balance", async () => {
    const refused = await adjust("ALICE", "-5");
    assert.equal(refused.code, 2, refused.stderr);
    assert.ok(isOneLineError(refused.stderr), refused.stderr);
    assert.match(refused.stderr, /would leave ALICE at -2\.000 points \(balance 3\.000\); pass --allow-negative/);
    assert.equal(await balanceOf(db(), "ALICE"), 3000n);
    assert.equal((await adjust("ALICE", "-3")).code, 0, "down to exactly zero is fine");
    const ok = await adjust("ALICE", "-2", "--allow-negative");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ALICE: -2\.000 points \(ledger row \d+\), balance -2\.000/);
    const board = (await merit("points", "leaderboard")).stdout
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/));
    assert.deepEqual(board.at(-1), [String(board.length), "-2.000", "ALICE"], "a negative account is listed, last");
    const balance = await merit("points", "balance", "ALICE");
    assert.equal(balance.code, 0, balance.stderr);
    assert.match(balance.stdout, /ALICE: -2\.000 points \(negative\)/);
  });

  it("given an account whose only activity was scored after the last checkpoint, when adjusted without --new, then it is known", async () => {
    const carol = testWallet().address;
    await insertSettlements(db(), [
      { slot: 3, payer: carol, payee: "SHOP", amount: 2_000_000n, time: new Date(T0 + 2000) },
      { slot: 4, payer: "BOB", payee: "SHOP", amount: 1_000_000n, time: new Date(T0 + 3000) },
    ]);
    await scoreBatch(db(), { batchSize: 1 }); // a full batch: no checkpoint, carol is not in account_stats yet
    const [{ n }] = (await db()`select count(*)::int as n from account_stats where account = ${carol}`) as unknown as [{ n: number }];
    assert.equal(n, 0);
    const r = await adjust(carol, "1");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await balanceOf(db(), carol), 3000n);
  });
});
