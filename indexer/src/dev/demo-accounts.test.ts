import assert from "node:assert/strict";
import { demoGraph } from "./demo-accounts.js";

describe("the demo's referral and link graph", () => {
  it("given 300 payers, then a tenth own codes, 100 are referred two levels deep without cycles, and 30 pay from a linked second address", () => {
    const g = demoGraph(300);
    assert.equal(g.referrers, 30);
    assert.equal(g.referrals.length, 100);
    assert.equal(g.links.length, 30);
    const referrerOf = new Map(g.referrals);
    // every referrer is an earlier payer: adoption order never needs a code that does not exist yet
    for (const [referee, referrer] of g.referrals) assert.ok(referrer < referee, `${referee} → ${referrer}`);
    const depth = (i: number): number => (referrerOf.has(i) ? 1 + depth(referrerOf.get(i)!) : 0);
    assert.equal(Math.max(...g.referrals.map(([i]) => depth(i))), 2);
    // a linked address is neither referred nor an account, and an account is not itself linked
    const inReferrals = new Set(g.referrals.flat());
    const linkedAddresses = new Set(g.links.map(([a]) => a));
    for (const [address, account] of g.links) {
      assert.ok(!inReferrals.has(address) && !inReferrals.has(account), `${address} → ${account} overlaps the referrals`);
      assert.ok(!linkedAddresses.has(account));
      assert.ok(address < 300 && account < 300);
    }
  });

  it("given a handful of payers, then the graph stays within them", () => {
    for (const n of [1, 2, 8, 10]) {
      const g = demoGraph(n);
      for (const [a, b] of [...g.referrals, ...g.links]) assert.ok(a < n && b < n && a !== b, `n=${n}: ${a}, ${b}`);
    }
  });
});
