// `merit admin events source …` and `merit campaign analytics`, run as the real bin in a child
// process against the test database: the secret printed once, the audit rows, exit codes 0 and 2.
import assert from "node:assert/strict";
import { isOneLineError, merit } from "./helpers/indexer-cli.js";
import { truncateAll, useFreshDb } from "./setup/db.js";

describe("merit admin events source, merit campaign analytics (the bin as a subprocess)", function () {
  this.timeout(120_000);
  const db = useFreshDb();
  beforeEach(() => truncateAll(db()));

  it("given a new source, when added, listed, rotated and disabled, then the secret shows only at add and rotate, and each write is audited", async () => {
    const added = await merit("admin", "events", "source", "add", "shop", "--by", "alice", "--json");
    assert.equal(added.code, 0, added.stderr);
    const first = JSON.parse(added.stdout);
    assert.equal(first.name, "shop");
    assert.match(first.secret, /^msec_/);
    const list = await merit("admin", "events", "source", "list", "--json");
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      JSON.parse(list.stdout).map((s: { name: string; secret?: string }) => [s.name, s.secret]),
      [["shop", undefined]],
    );
    const rotated = await merit("admin", "events", "source", "rotate", "shop", "--by", "alice");
    assert.equal(rotated.code, 0, rotated.stderr);
    const secret = rotated.stdout.trim().split("\n").at(-1)!;
    assert.match(secret, /^msec_/);
    assert.notEqual(secret, first.secret);
    const [row] = await db()<{ secret: string }[]>`select secret from event_sources where name = 'shop'`;
    assert.equal(row!.secret, secret);
    assert.equal((await merit("admin", "events", "source", "disable", "shop", "--by", "alice")).code, 0);
    const audit = await db()<{ actor: string; action: string; after: unknown }[]>`select actor, action, after from admin_audit order by id`;
    assert.deepEqual(
      audit.map((a) => [a.actor, a.action]),
      [
        ["alice", "CLI merit admin events source add"],
        ["alice", "CLI merit admin events source rotate"],
        ["alice", "CLI merit admin events source disable"],
      ],
    );
    assert.ok(!JSON.stringify(audit).includes("msec_"), "no audit row holds a secret");
  });

  it("given bad input, then exit 2 with one error line naming what to change", async () => {
    assert.equal((await merit("admin", "events", "source", "add", "a")).code, 0);
    const dup = await merit("admin", "events", "source", "add", "a");
    assert.equal(dup.code, 2);
    assert.ok(isOneLineError(dup.stderr), dup.stderr);
    const kind = await merit("admin", "events", "source", "add", "b", "--kind", "paypal");
    assert.equal(kind.code, 2);
    assert.match(kind.stderr, /--kind/);
    const missing = await merit("admin", "events", "source", "rotate", "nope");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no event source named nope/);
    const analytics = await merit("campaign", "analytics", "nope");
    assert.equal(analytics.code, 2);
    assert.match(analytics.stderr, /no campaign nope/);
  });
});
