// The auditor group of `merit`, run as the real bin in a child process: help grouping, `ledger verify`
// with --json (exit 0 when equal, 1 when the stored ledger differs), and `verify`'s input errors
// (exit 2). verify against a published epoch on the chain: tests/verify-localnet.test.ts.
import assert from "node:assert/strict";
import { publishRuleSet, scoreBatch } from "../indexer/src/engine/index.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { useFreshDb } from "./setup/db.js";

describe("merit, auditor commands (the bin as a subprocess)", function () {
  this.timeout(120_000);
  const db = useFreshDb();

  it("given --help, then verify and ledger are listed under Auditors", async () => {
    const r = await merit("--help");
    const auditors = r.stdout.slice(r.stdout.indexOf("Auditors:"), r.stdout.indexOf("Commands:"));
    for (const c of ["verify", "ledger"]) assert.match(auditors, new RegExp(`^  ${c}\\b`, "m"));
  });

  it("given a scored ledger, when `ledger verify --json` runs, then it reports equality (exit 0); after a forged row, the difference (exit 1)", async () => {
    await publishRuleSet(db(), { createdBy: "t", body: { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] } });
    const [first] = (await insertSettlements(db(), [
      { slot: 1, payer: "ALICE", payee: "SHOP", amount: 3_000_000n, time: new Date("2026-06-01T10:00:00Z") },
    ])) as [bigint];
    await scoreBatch(db());
    const ok = await merit("ledger", "verify", "--json");
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(JSON.parse(ok.stdout), {
      ok: true,
      settlements: 1,
      rows: 1,
      mismatchCount: 0,
      mismatches: [],
      exclusionMismatches: [],
    });
    assert.equal(ok.stderr, "", "no progress on a pipe");

    await db()`insert into point_ledger (seq, settlement_id, account, delta, reason, occurred_at) values (1, ${first}, 'MALLORY', 1000000, 'earn', now())`;
    const bad = await merit("ledger", "verify", "--json");
    assert.equal(bad.code, 1, bad.stderr);
    const report = JSON.parse(bad.stdout);
    assert.equal(report.ok, false);
    assert.deepEqual(report.mismatches, ["1"]);
    assert.match(report.differences[0], /MALLORY earn: stored but not recomputed/);
  });

  it("given bad verify input, then one line says what to fix and the exit code is 2", async () => {
    for (const args of [
      ["verify", "--epoch", "zero", "--rpc", "http://127.0.0.1:9", "--dataset", "d.ndjson"],
      ["verify", "--epoch", "1", "--rpc", "ftp://x", "--dataset", "d.ndjson"],
      ["verify", "--epoch", "1", "--rpc", "http://127.0.0.1:9", "--dataset", "d.ndjson", "--replay"],
    ]) {
      const r = await merit(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(isOneLineError(r.stderr), r.stderr);
    }
    const missing = await merit("verify", "--epoch", "1");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--rpc <url>' not specified/);
  });
});
