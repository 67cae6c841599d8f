import assert from "node:assert/strict";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");

describe("auditor flow: ledger verify names what differs", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  let first: bigint;
  beforeEach(async () => {
    await truncateAll(db());
    await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] } });
    [first] = (await insertSettlements(db(), [
      { slot: 1, payer: "ALICE", payee: "SHOP", amount: 3_000_000n, time: new Date(T0) },
      { slot: 2, payer: "BOB", payee: "SHOP", amount: 5_000_000n, time: new Date(T0 + 1000) },
    ])) as [bigint];
    await scoreBatch(db());
  });

  it("given a forged row, when verified, then it names the seq, the settlement, the account and what was stored that the recomputation does not produce (exit 1)", async () => {
    await db()`insert into point_ledger (seq, settlement_id, account, delta, reason, occurred_at) values (1, ${first}, 'MALLORY', 1000000, 'earn', ${new Date(T0)})`;
    const r = await merit("ledger", "verify");
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /ledger DIFFERS in 1 block\(s\) of settlements; first seqs: 1 /);
    assert.match(
      r.stdout,
      new RegExp(`seq 1 \\(settlement ${first}\\) MALLORY earn: stored but not recomputed \\(got delta 1000\\.000\\)`),
    );
    assert.doesNotMatch(r.stdout, /ALICE/, "the rows that agree are not listed");
  });

  it("given rows changed and deleted behind the append-only trigger, when verified, then it names each field, expected against got, and the missing row", async () => {
    await db().begin(async (tx) => {
      await tx`set local session_replication_role = replica`;
      await tx`update point_ledger set delta = 3500, rule_set_version = 9 where account = 'ALICE' and reason = 'earn'`;
      await tx`delete from point_ledger where account = 'BOB'`;
    });
    const r = await merit("ledger", "verify");
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`seq 1 \\(settlement ${first}\\) ALICE earn: delta expected 3\\.000, got 3\\.500; rule_set_version expected 1, got 9`),
    );
    assert.match(r.stdout, /seq 2 \(settlement \d+\) BOB earn: recomputed but not stored \(expected delta 5\.000\)/);
  });

  it("given --until-seq beyond the engine's position, then it says so in one line (exit 2)", async () => {
    const r = await merit("ledger", "verify", "--until-seq", "99");
    assert.equal(r.code, 2, r.stdout);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, /--until-seq 99 is beyond the engine's position \(seq 2\)/);
    const ok = await merit("ledger", "verify", "--until-seq", "2");
    assert.equal(ok.code, 0, ok.stderr);
  });
});
