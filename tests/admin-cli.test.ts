import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePoints, formatPoints } from "../indexer/src/cli/admin.js";
import { setCursor } from "../indexer/src/ingest/store/cursors.js";
import { recordRejects } from "../indexer/src/ingest/store/rejects.js";
import { insertSettlements, testWallet } from "./helpers/ledger-fixtures.js";
import { balanceOf, scoreBatch } from "../indexer/src/engine/index.js";
import { merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
const pay = (slot: number, payer: string, units: number) => ({
  slot,
  payer,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});

describe("admin and operator commands (merit rules / points / ledger / ingest rejects / ingest status)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  const dir = mkdtempSync(join(tmpdir(), "merit-admin-"));
  before(() => truncateAll(db()));

  it("given points typed by a person, then they become exact millipoints and print back the same", () => {
    assert.equal(parsePoints("250"), 250_000n);
    assert.equal(parsePoints("-12.5"), -12_500n);
    assert.equal(parsePoints("0.001"), 1n);
    assert.equal(formatPoints(-12_500n), "-12.500");
    assert.equal(formatPoints(123_456_789_012_345_678n), "123456789012345.678", "beyond 2^53 without loss");
    for (const bad of ["1.2345", "1e3", "abc", "", "--1"]) assert.throws(() => parsePoints(bad), /not a number of points/);
  });

  it("given an invalid rule set file, when it is published, then a clear error names the field and nothing is published (exit 2)", async () => {
    const file = join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ earn: [{ scope: { kind: "global" }, pointsPerUnit: -5 }] }));
    const r = await merit("rules", "publish", file, "--by", "ops");
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid rule set: earn\.0\.pointsPerUnit/);
    const [{ n }] = (await db()`select count(*)::int as n from rule_sets`) as unknown as [{ n: number }];
    assert.equal(n, 0);
    assert.equal((await merit("rules", "show")).code, 2);
  });

  it("given a rule set file, when published and settlements scored, then show prints it and the leaderboard ranks the payers", async () => {
    const file = join(dir, "rules.json");
    writeFileSync(file, JSON.stringify({ earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] }));
    const r = await merit("rules", "publish", file, "--by", "ops", "--note", "launch");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /published rule set version 1 /);
    const shown = JSON.parse((await merit("rules", "show", "1")).stdout);
    assert.equal(shown.version, "1");
    assert.equal(String(shown.body.earn[0].pointsPerUnit), "1000");
    await insertSettlements(db(), [pay(1, "ALICE", 3), pay(2, "BOB", 5)]);
    await scoreBatch(db());
    const board = await merit("points", "leaderboard", "--limit", "5");
    assert.deepEqual(
      board.stdout
        .trim()
        .split("\n")
        .map((l) => l.trim().split(/\s+/)),
      [
        ["1", "5.000", "BOB"],
        ["2", "3.000", "ALICE"],
      ],
    );
    assert.equal((await merit("points", "leaderboard", "--epoch", "7")).code, 2, "no snapshot yet");
    assert.match((await merit("points", "snapshot", "7")).stdout, /epoch 7: leaderboard of 2 accounts frozen as of seq 2/);
    assert.notEqual((await merit("points", "snapshot", "7")).code, 0, "once per epoch");
    assert.equal((await merit("points", "leaderboard", "--epoch", "7")).stdout, board.stdout, "the snapshot reads like the board it froze");
  });

  it("given an adjustment without a note or with a bad amount, then it is refused; with both, then it is a ledger row and the balance moves", async () => {
    assert.notEqual((await merit("points", "adjust", "ALICE", "2", "--by", "ops")).code, 0, "--note is required");
    const bad = await merit("points", "adjust", "ALICE", "2.0005", "--note", "x", "--by", "ops");
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /at most 3 decimals/);
    const typo = await merit("points", "adjust", "ALICEE", "5", "--note", "bonus", "--by", "ops");
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /account ALICEE has no activity: check the address, or pass --new/);
    const erin = testWallet().address;
    assert.match(
      (await merit("points", "adjust", erin, "5", "--note", "welcome", "--by", "ops", "--new")).stdout,
      new RegExp(`${erin}: \\+5\\.000 points`),
    );
    const ok = await merit("points", "adjust", "ALICE", "-1.25", "--note", "chargeback", "--by", "ops");
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ALICE: -1\.250 points \(ledger row \d+\), balance 1\.750/);
    assert.equal(await balanceOf(db(), "ALICE"), 1750n);
  });

  it("given the stored ledger, when verified, then it matches; after a row is smuggled in, then verify names the block and exits 1", async () => {
    const good = await merit("ledger", "verify");
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /ledger verified: 2 settlements, 2 rows recomputed/);
    const [{ id }] = (await db()`select id from settlements order by id limit 1`) as unknown as [{ id: bigint }];
    await db()`insert into point_ledger (seq, settlement_id, account, delta, reason, occurred_at) values (1, ${id}, 'MALLORY', 1000000, 'earn', now())`;
    const bad = await merit("ledger", "verify");
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /ledger DIFFERS in 1 block\(s\) of settlements; first seqs: 1 /);
  });

  it("given stored rejects, then the operator lists them newest first, filters by reason and sees bodies on request", async () => {
    await recordRejects(db(), [
      { signature: null, source: "helius", reason: "malformed_json", detail: "body is not JSON", body: "{oops" },
      { signature: "5ig".padEnd(88, "x"), source: "rpc", reason: "bad_shape", detail: "transaction.signatures[0] is missing", body: "{}" },
    ]);
    const all = await merit("ingest", "rejects");
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, /malformed_json/);
    assert.match(all.stdout, /bad_shape\s+x1\s+5ig/);
    const one = await merit("ingest", "rejects", "--reason", "malformed_json", "--body");
    assert.doesNotMatch(one.stdout, /bad_shape/);
    assert.match(one.stdout, /body: \{oops/);
    assert.match((await merit("ingest", "rejects", "--reason", "nothing_like_it")).stdout, /no rejects with reason nothing_like_it/);
    assert.notEqual((await merit("ingest", "rejects", "--limit", "0")).code, 0, "a limit must be a positive integer");
  });

  it("given settlements ingested past the engine and a poller cursor, then status shows the backlog, the cursor and the rejects", async () => {
    await insertSettlements(db(), [pay(3, "CAROL", 1), pay(4, "CAROL", 1), pay(5, "DAVE", 2)]);
    await setCursor(db(), { address: "FAC1", stream: "live", lastSignature: "sig-9", lastSlot: 5n });
    const r = await merit("ingest", "status", "--json");
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.settlements.total, 5);
    assert.equal(s.settlements.latestSlot, "5");
    assert.deepEqual([s.engine.scored, s.engine.waiting, s.engine.ruleSetVersion], ["2", 3, "1"]);
    assert.deepEqual(
      s.cursors.map((c: { address: string; lastSlot: string }) => [c.address, c.lastSlot]),
      [["FAC1", "5"]],
    );
    assert.deepEqual(s.rejects.map((x: { reason: string; rows: number }) => [x.reason, x.rows]).sort(), [
      ["bad_shape", 1],
      ["malformed_json", 1],
    ]);
    const text = (await merit("ingest", "status")).stdout;
    assert.match(text, /engine\s+2 scored, 3 waiting/);
    assert.match(text, /rejects\s+2 stored/);
  });
});
