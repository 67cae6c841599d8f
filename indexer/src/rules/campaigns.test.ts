import assert from "node:assert/strict";
import type { MeritError } from "../errors.js";
import { applyCampaignChange, campaignStatus, listCampaigns, withCampaign, withCampaignEnded } from "./campaigns.js";
import { parseRuleSetBody } from "./schema.js";

const summer = parseRuleSetBody({
  earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
  campaigns: [{ id: "summer", type: "flat", points: 5, budget: 100, startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-09-01T00:00:00Z" }],
});
const launch = {
  id: "launch",
  type: "multiplier",
  multiplierBps: 20000,
  budget: "1000000",
  startsAt: "2026-10-01T00:00:00Z",
  endsAt: "2026-11-01T00:00:00Z",
};
const july = new Date("2026-07-01T00:00:00Z");

describe("campaigns: rule-set versions derived from the newest", () => {
  it("given a new campaign, then it is appended, parsed (bigint budget, dates), and the rest of the body is the same", () => {
    const body = withCampaign(summer, launch);
    assert.deepEqual(
      body.campaigns.map((c) => c.id),
      ["summer", "launch"],
    );
    assert.equal(body.campaigns[1]!.budget, 1_000_000n);
    assert.deepEqual(body.campaigns[1]!.startsAt, new Date("2026-10-01T00:00:00Z"));
    assert.deepEqual(body.earn, summer.earn);
    assert.equal(summer.campaigns.length, 1, "the current version is not changed in place");
  });

  it("given an id the body holds, or an invalid campaign, then a caller error says what to change", () => {
    assert.throws(() => withCampaign(summer, { ...launch, id: "summer" }), /campaign summer already exists: choose another id/);
    assert.throws(() => withCampaign(summer, { ...launch, multiplierBps: undefined }), /invalid campaign: multiplierBps/);
    assert.throws(() => withCampaign(summer, { ...launch, budgett: 1 }), /invalid campaign: .*budgett/);
  });

  it("given an active campaign ended at a time, then its end moves there and nothing else changes", () => {
    const r = withCampaignEnded(summer, "summer", july);
    assert.equal(r.outcome, "ended");
    assert.deepEqual(r.body.campaigns[0]!.endsAt, july);
    assert.deepEqual(r.body.campaigns[0]!.startsAt, summer.campaigns[0]!.startsAt);
  });

  it("given a scheduled campaign ended, then it is removed (cancelled: it paid nothing)", () => {
    const r = withCampaignEnded(withCampaign(summer, launch), "launch", july);
    assert.equal(r.outcome, "cancelled");
    assert.deepEqual(
      r.body.campaigns.map((c) => c.id),
      ["summer"],
    );
  });

  it("given an ended or unknown campaign, then ending it is refused with the reason", () => {
    assert.throws(
      () => withCampaignEnded(summer, "summer", new Date("2026-10-01T00:00:00Z")),
      /campaign summer already ended at 2026-09-01/,
    );
    assert.throws(
      () => withCampaignEnded(summer, "winter", july),
      /no campaign winter in the newest rule set: `campaign list` shows the ids \(summer\)/,
    );
  });

  it("given times around a campaign's window, then its status is scheduled, active, then ended (the end is exclusive)", () => {
    const c = summer.campaigns[0]!;
    assert.equal(campaignStatus(c, new Date("2026-05-31T23:59:59Z")), "scheduled");
    assert.equal(campaignStatus(c, c.startsAt), "active");
    assert.equal(campaignStatus(c, c.endsAt), "ended");
    assert.deepEqual(
      listCampaigns({ version: 1n, effectiveFrom: new Date(0), afterSeq: 0n, body: summer }, july).map((x) => x.status),
      ["active"],
    );
    assert.deepEqual(listCampaigns(undefined, july), []);
  });
});

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
