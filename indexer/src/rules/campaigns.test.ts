import assert from "node:assert/strict";
import { campaignStatus, listCampaigns, withCampaign, withCampaignEnded } from "./campaigns.js";
import { parseRuleSetBody } from "./schema.js";

const base = parseRuleSetBody({
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
    const body = withCampaign(base, launch);
    assert.deepEqual(
      body.campaigns.map((c) => c.id),
      ["summer", "launch"],
    );
    assert.equal(body.campaigns[1]!.budget, 1_000_000n);
    assert.deepEqual(body.campaigns[1]!.startsAt, new Date("2026-10-01T00:00:00Z"));
    assert.deepEqual(body.earn, base.earn);
    assert.equal(base.campaigns.length, 1, "the current version is not changed in place");
  });

  it("given an id the body holds, or an invalid campaign, then a caller error says what to change", () => {
    assert.throws(() => withCampaign(base, { ...launch, id: "summer" }), /campaign summer already exists: choose another id/);
    assert.throws(() => withCampaign(base, { ...launch, multiplierBps: undefined }), /invalid campaign: multiplierBps/);
    assert.throws(() => withCampaign(base, { ...launch, budgett: 1 }), /invalid campaign: .*budgett/);
  });

  it("given an active campaign ended at a time, then its end moves there and nothing else changes", () => {
    const r = withCampaignEnded(base, "summer", july);
    assert.equal(r.outcome, "ended");
    assert.deepEqual(r.body.campaigns[0]!.endsAt, july);
    assert.deepEqual(r.body.campaigns[0]!.startsAt, base.campaigns[0]!.startsAt);
  });

  it("given a scheduled campaign ended, then it is removed (cancelled: it paid nothing)", () => {
    const r = withCampaignEnded(withCampaign(base, launch), "launch", july);
    assert.equal(r.outcome, "cancelled");
    assert.deepEqual(
      r.body.campaigns.map((c) => c.id),
      ["summer"],
    );
  });

  it("given an ended or unknown campaign, then ending it is refused with the reason", () => {
    assert.throws(() => withCampaignEnded(base, "summer", new Date("2026-10-01T00:00:00Z")), /campaign summer already ended at 2026-09-01/);
    assert.throws(
      () => withCampaignEnded(base, "winter", july),
      /no campaign winter in the newest rule set: `campaign list` shows the ids \(summer\)/,
    );
  });

  it("given times around a campaign's window, then its status is scheduled, active, then ended (the end is exclusive)", () => {
    const c = base.campaigns[0]!;
    assert.equal(campaignStatus(c, new Date("2026-05-31T23:59:59Z")), "scheduled");
    assert.equal(campaignStatus(c, c.startsAt), "active");
    assert.equal(campaignStatus(c, c.endsAt), "ended");
    assert.deepEqual(
      listCampaigns({ version: 1n, effectiveFrom: new Date(0), afterSeq: 0n, body: base }, july).map((x) => x.status),
      ["active"],
    );
    assert.deepEqual(listCampaigns(undefined, july), []);
  });
});
