import assert from "node:assert/strict";
import type { MeritError } from "../errors.js";
import { applyCampaignChange } from "./campaigns.js";
import { parseRuleSetBody } from "./schema.js";

const NOW = new Date("2026-06-10T00:00:00Z");
const base = parseRuleSetBody({
  earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
  campaigns: [
    { id: "live", type: "flat", points: 5, budget: 100, startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" },
    { id: "draft", type: "flat", points: 5, budget: 100, startsAt: "2026-06-20T00:00:00Z", endsAt: "2026-07-01T00:00:00Z" },
  ],
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return (err as MeritError).code;
  }
  return "no error";
};

describe("campaign changes derive a new rule-set body", () => {
  it("given a live campaign, when ended, then only its end moves to now and the rest of the rule set is kept", () => {
    const body = applyCampaignChange(base, { op: "end", id: "live" }, NOW);
    assert.deepEqual(body.campaigns[0]!.endsAt, NOW);
    assert.deepEqual(body.campaigns[0]!.startsAt, base.campaigns[0]!.startsAt);
    assert.deepEqual(body.earn, base.earn);
    assert.equal(
      code(() => applyCampaignChange(body, { op: "end", id: "live" }, NOW)),
      "campaign_ended",
    );
  });

  it("given a draft, when activated, then it starts now; when ended instead, then it is removed", () => {
    assert.deepEqual(applyCampaignChange(base, { op: "activate", id: "draft" }, NOW).campaigns[1]!.startsAt, NOW);
    assert.deepEqual(
      applyCampaignChange(base, { op: "end", id: "draft" }, NOW).campaigns.map((c) => c.id),
      ["live"],
    );
    assert.equal(
      code(() => applyCampaignChange(base, { op: "activate", id: "live" }, NOW)),
      "campaign_active",
    );
  });

  it("given an update, then the patched campaign is validated with the whole document, and its id cannot change", () => {
    assert.equal(applyCampaignChange(base, { op: "update", id: "live", patch: { budget: "500" } }, NOW).campaigns[0]!.budget, 500n);
    assert.equal(
      code(() => applyCampaignChange(base, { op: "update", id: "live", patch: { budgte: 1 } }, NOW)),
      "bad_rule_set",
    );
    assert.equal(
      code(() => applyCampaignChange(base, { op: "update", id: "live", patch: { id: "other" } }, NOW)),
      "bad_campaign",
    );
    assert.equal(
      code(() => applyCampaignChange(base, { op: "update", id: "nope", patch: {} }, NOW)),
      "unknown_campaign",
    );
  });

  it("given a create with an existing id, then campaign_exists; with a new one, then it is appended", () => {
    const c = { id: "live", type: "flat", points: 1, budget: 1, startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-06-02T00:00:00Z" };
    assert.equal(
      code(() => applyCampaignChange(base, { op: "create", campaign: c }, NOW)),
      "campaign_exists",
    );
    assert.equal(applyCampaignChange(base, { op: "create", campaign: { ...c, id: "new" } }, NOW).campaigns.length, 3);
  });
});
