// The admin group of `merit`, run as the real bin in a child process against the test database:
// help grouping, campaigns (each change a rule-set version), --json output parsed, exit codes 0, 2, 3.
import assert from "node:assert/strict";
import { join } from "node:path";
import { latestRuleSet, loadRuleHistory } from "../indexer/src/rules/rule-sets.js";
import { isOneLineError, merit, meritIn, useJsonDir } from "./helpers/indexer-cli.js";
import { useFreshDb } from "./setup/db.js";

describe("merit, admin commands (the bin as a subprocess)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  const { dir, file } = useJsonDir("merit-cli-admin-");

  it("given --help, then the admins' commands are listed under their own heading", async () => {
    const r = await merit("--help");
    const admins = r.stdout.slice(r.stdout.indexOf("Admins:"), r.stdout.indexOf("Auditors:"));
    for (const c of ["epoch", "rules", "campaign", "points"]) assert.match(admins, new RegExp(`^  ${c}\\b`, "m"));
    const campaign = await merit("campaign", "--help");
    for (const c of ["create", "list", "end"]) assert.match(campaign.stdout, new RegExp(`^  ${c}\\b`, "m"));
  });

  it("given a rule set, when a campaign is created, listed and ended, then each change is a new rule-set version derived from the newest", async () => {
    const rules = file("rules.json", { earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }] });
    const published = await merit("rules", "publish", rules, "--by", "ops", "--json");
    assert.equal(published.code, 0, published.stderr);
    assert.equal(JSON.parse(published.stdout).version, "1");

    const now = Date.now();
    const active = {
      id: "spring",
      type: "flat",
      points: 2000,
      budget: 1_000_000,
      startsAt: new Date(now - 86_400_000).toISOString(),
      endsAt: new Date(now + 86_400_000).toISOString(),
    };
    const later = {
      ...active,
      id: "autumn",
      startsAt: new Date(now + 10 * 86_400_000).toISOString(),
      endsAt: new Date(now + 20 * 86_400_000).toISOString(),
    };
    const created = await merit("campaign", "create", file("spring.json", active), "--by", "ops", "--note", "spring promo", "--json");
    assert.equal(created.code, 0, created.stderr);
    const c = JSON.parse(created.stdout);
    assert.equal(c.version, "2");
    assert.equal(c.campaign.id, "spring");
    assert.equal(c.campaign.budget, "1000000");
    const text = await merit("campaign", "create", file("autumn.json", later), "--by", "ops");
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^campaign autumn \(flat\) created in rule set version 3: /);

    const list = JSON.parse((await merit("campaign", "list", "--json")).stdout) as { id: string; status: string }[];
    assert.deepEqual(
      list.map((x) => [x.id, x.status]),
      [
        ["spring", "active"],
        ["autumn", "scheduled"],
      ],
    );
    const newest = await latestRuleSet(db());
    assert.deepEqual(newest!.body.earn.length, 1, "the earn config of version 1 carries over");

    const ended = JSON.parse((await merit("campaign", "end", "spring", "--by", "ops", "--json")).stdout);
    assert.equal(ended.outcome, "ended");
    const cancelled = await merit("campaign", "end", "autumn", "--by", "ops");
    assert.match(cancelled.stdout, /campaign autumn had not started: removed in rule set version 5/);
    const after = JSON.parse((await merit("campaign", "list", "--json")).stdout) as { id: string; status: string }[];
    assert.deepEqual(
      after.map((x) => [x.id, x.status]),
      [["spring", "ended"]],
    );
    assert.equal((await loadRuleHistory(db())).length, 5);
  });

  it("given bad input (a duplicate campaign, an unknown one, a bad time, a bad flag), then one line says what to do and the exit code is 2", async () => {
    for (const args of [
      ["campaign", "end", "winter", "--by", "ops"],
      ["campaign", "end", "spring", "--by", "ops"],
      ["campaign", "list", "--at", "yesterday"],
      ["campaign", "create", join(dir, "spring.json"), "--by", "ops"],
      ["points", "adjust", "ALICE", "1.2345", "--note", "n", "--by", "ops"],
    ]) {
      const r = await merit(...args);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.ok(isOneLineError(r.stderr), r.stderr);
    }
    assert.match(
      (await merit("campaign", "create", join(dir, "spring.json"), "--by", "ops")).stderr,
      /campaign spring already exists: choose another id/,
    );
    const flag = await merit("points", "leaderboard", "--limit", "zero");
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /not a positive integer/);
  });

  it("given the database down, when a command runs, then it says the database is unavailable and what to do, exit 3", async () => {
    const r = await meritIn({ ...process.env, DATABASE_URL: "postgres://postgres@127.0.0.1:9/postgres" }, "campaign", "list");
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^error: the database is unavailable \(ECONNREFUSED\): start it .*check DATABASE_URL/);
    assert.ok(isOneLineError(r.stderr), r.stderr);
  });

  it("given points commands with --json, then each prints one JSON document with amounts as decimal strings", async () => {
    const adjust = await merit(
      "points",
      "adjust",
      "11111111111111111111111111111111",
      "2.5",
      "--note",
      "goodwill",
      "--by",
      "ops",
      "--new",
      "--json",
    );
    assert.equal(adjust.code, 0, adjust.stderr);
    assert.deepEqual(JSON.parse(adjust.stdout).balance, "2.500");
    const balance = JSON.parse((await merit("points", "balance", "11111111111111111111111111111111", "--json")).stdout);
    assert.equal(balance.balance, "2.500");
    const board = JSON.parse((await merit("points", "leaderboard", "--json")).stdout) as { account: string }[];
    assert.equal(board[0]!.account, "11111111111111111111111111111111");
  });
});
