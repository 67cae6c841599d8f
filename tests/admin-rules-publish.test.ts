import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { insertSettlements } from "./helpers/ledger-fixtures.js";
import { scoreBatch } from "../indexer/src/engine/index.js";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
const pay = (slot: number, payer: string, units: number) => ({
  slot,
  payer,
  payee: "SHOP",
  amount: BigInt(units * 1_000_000),
  time: new Date(T0 + slot * 1000),
});
const earn = (pointsPerUnit: number) => ({ earn: [{ scope: { kind: "global" }, pointsPerUnit }] });

describe("admin flow: rules publish (strict schema, --allow-empty, --dry-run)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  const dir = mkdtempSync(join(tmpdir(), "merit-rules-"));
  const file = (name: string, body: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(body));
    return f;
  };
  const versions = async () => ((await db()`select count(*)::int as n from rule_sets`) as unknown as [{ n: number }])[0].n;
  beforeEach(() => truncateAll(db()));

  it("given a misspelled top-level key (campains), when published, then one error line names it and nothing is published", async () => {
    const r = await merit("rules", "publish", file("typo.json", { ...earn(1000), campains: [] }), "--by", "ops");
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, /campains: unknown key/);
    assert.equal(await versions(), 0);
  });

  it("given an unknown key deep inside a campaign, when published, then the error names its full path", async () => {
    const campaign = {
      id: "c",
      type: "flat",
      points: 1,
      budget: 10,
      startsAt: "2026-06-01T00:00:00Z",
      endsAt: "2026-07-01T00:00:00Z",
      perWallet: { maxCont: 1 },
    };
    const r = await merit("rules", "publish", file("deep.json", { ...earn(1000), campaigns: [campaign] }), "--by", "ops");
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /campaigns\.0\.perWallet\.maxCont: unknown key/);
    assert.equal(await versions(), 0);
  });

  it("given {} (no earn config), when published, then it is refused unless --allow-empty", async () => {
    const f = file("empty.json", {});
    const r = await merit("rules", "publish", f, "--by", "ops");
    assert.equal(r.code, 2, r.stderr);
    assert.ok(isOneLineError(r.stderr), r.stderr);
    assert.match(r.stderr, /no earn config.*--allow-empty/);
    assert.equal(await versions(), 0);
    const ok = await merit("rules", "publish", f, "--by", "ops", "--allow-empty");
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(await versions(), 1);
  });

  it("given a published version and scored settlements, when a candidate is published with --dry-run, then it prints the diff and the sample's points before and after, and writes nothing", async () => {
    assert.equal((await merit("rules", "publish", file("v1.json", earn(1000)), "--by", "ops")).code, 0);
    await insertSettlements(db(), [pay(1, "ALICE", 3), pay(2, "BOB", 5), pay(3, "ALICE", 1)]);
    await scoreBatch(db());
    const candidate = file("v2.json", {
      ...earn(2000),
      rules: [{ id: "big", priority: 1, when: { minVolume: 5_000_000 }, award: { kind: "flat", points: 500 } }],
    });
    // A read-only session: any write the dry run tried would fail the command. The embedded PGlite
    // ignores session parameters in the URL, so there the version count below is the proof alone.
    const embedded = process.env.MERIT_TEST_EMBEDDED_PG === "1";
    const readOnly = `${process.env.DATABASE_URL}${process.env.DATABASE_URL!.includes("?") ? "&" : "?"}default_transaction_read_only=on`;
    const saved = process.env.DATABASE_URL;
    if (!embedded) process.env.DATABASE_URL = readOnly;
    let r: Awaited<ReturnType<typeof merit>>;
    try {
      if (!embedded)
        assert.notEqual(
          (await merit("rules", "publish", candidate, "--by", "ops")).code,
          0,
          "the read-only session refuses a real publish",
        );
      r = await merit("rules", "publish", candidate, "--by", "ops", "--dry-run", "--sample", "2");
    } finally {
      process.env.DATABASE_URL = saved;
    }
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /dry run: nothing published/);
    assert.match(r.stdout, /changes against version 1:/);
    assert.match(r.stdout, /~ earn\[0\]\.pointsPerUnit: 1000 -> 2000/);
    assert.match(r.stdout, /\+ rules\[0\]: \{"id":"big"/);
    // the last 2 settlements: BOB 5 units, ALICE 1 unit
    assert.match(r.stdout, /sample: the last 2 scored settlements \(seq 2\.\.3\)/);
    assert.match(r.stdout, /points: 6\.000 -> 12\.500 \(\+6\.500\)/);
    assert.match(r.stdout, /settlements whose points change: 2 of 2/);
    const top = r.stdout.slice(r.stdout.indexOf("top changed accounts"));
    assert.match(top, /BOB\s+5\.000 -> 10\.500 \(\+5\.500\)[\s\S]*ALICE\s+1\.000 -> 2\.000 \(\+1\.000\)/);
    assert.equal(await versions(), 1, "nothing was published");
  });

  it("given no version yet, when a candidate is dry-run, then the diff is against nothing and the sample says so", async () => {
    const r = await merit("rules", "publish", file("first.json", earn(1000)), "--by", "ops", "--dry-run");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /changes against no published version:/);
    assert.match(r.stdout, /sample: no settlement has been scored yet/);
    assert.equal(await versions(), 0);
  });
});
