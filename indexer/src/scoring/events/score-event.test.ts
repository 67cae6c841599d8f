import assert from "node:assert/strict";
import { compile, type CompiledRuleSet } from "../compiled.js";
import { scoreSettlement } from "../score.js";
import { ScoringState } from "../state.js";
import { parseRuleSetBody, ruleSetBody, type RuleSetInput } from "../../rules/schema.js";
import type { LedgerRow } from "../types.js";
import { eventTimeOf, scoreEvent, type OffchainEvent } from "./score-event.js";

// In memory only: the zod schema parses the rule sets, a fresh ScoringState holds the accounts.
const ruleSet = (input: RuleSetInput): CompiledRuleSet =>
  compile({ version: 1n, effectiveFrom: new Date(0), afterSeq: 0n, body: ruleSetBody.parse(input) });
const T = new Date("2026-06-10T12:00:00Z");
let nextId = 0n;
const event = (o: Partial<OffchainEvent> = {}): OffchainEvent => {
  const id = ++nextId;
  return { id, eventSeq: id, wallet: "W", type: "api_call", properties: {}, value: 0n, occurredAt: T, acceptedAt: T, ...o };
};
const line = (r: LedgerRow) => `${r.account} ${r.reason}${(r.campaignId ?? r.ruleId) ? ` ${r.campaignId ?? r.ruleId}` : ""} ${r.delta}`;

/** Points per service tier, the issue's example: 1, 3, 7 or 15 points by class. */
const TIERS: RuleSetInput = {
  rules: [
    {
      id: "api-by-tier",
      trigger: "event",
      priority: 1,
      when: { event: { types: ["api_call"] } },
      award: { kind: "byProperty", property: "tier", points: { basic: 1000, standard: 3000, pro: 7000, enterprise: 15000 } },
    },
    { id: "signup", trigger: "event", priority: 2, when: { event: { types: ["signup"] } }, award: { kind: "flat", points: 5000 } },
  ],
};

describe("scoring: off-chain events", () => {
  it("given points per service tier, when api_call events of each tier are scored, then they earn 1, 3, 7 and 15 points, and an unknown tier nothing", () => {
    const state = new ScoringState();
    const rs = ruleSet(TIERS);
    const got = ["basic", "standard", "pro", "enterprise", "free"].map(
      (tier, i) => scoreEvent(state, rs, event({ properties: { tier } }), BigInt(i + 1), T).score.points,
    );
    assert.deepEqual(got, [1000n, 3000n, 7000n, 15000n, 0n]);
  });

  it("given event rules, when a settlement is scored, then no event rule pays it (and settlement rules never pay events)", () => {
    const rs = ruleSet({
      ...TIERS,
      earn: [{ scope: { kind: "global" }, pointsPerUnit: 1000 }],
      rules: [...TIERS.rules!, { id: "any-settlement", priority: 0, award: { kind: "flat", points: 1 } }],
    });
    const state = new ScoringState();
    const s = {
      id: 1n,
      slot: 1n,
      txIndex: 0,
      outerIndex: 0,
      innerIndex: 0,
      blockTime: T,
      mint: "M",
      amount: 1_000_000n,
      decimals: 6,
      payer: "W",
      payee: "P",
      memo: null,
    };
    assert.deepEqual(scoreSettlement(state, rs, s, 1n, T).rows.map(line), ["W earn 1000", "W rule any-settlement 1"]);
    assert.deepEqual(scoreEvent(state, rs, event({ type: "signup" }), 2n, T).rows.map(line), ["W event signup 5000"]);
  });

  it("given property conditions with a list, when events carry matching and other values, then only matching ones earn", () => {
    const rs = ruleSet({
      rules: [
        {
          id: "paid-plans",
          trigger: "event",
          priority: 1,
          when: { event: { types: ["purchase"], properties: { plan: ["pro", "team"], gift: false } } },
          award: { kind: "perVolume", pointsPerUnit: 2000 },
        },
      ],
    });
    const state = new ScoringState();
    const pts = (properties: OffchainEvent["properties"]) =>
      scoreEvent(state, rs, event({ type: "purchase", properties, value: 2_500_000n }), 1n, T).score.points;
    assert.deepEqual(
      [pts({ plan: "pro", gift: false }), pts({ plan: "team", gift: false }), pts({ plan: "free", gift: false }), pts({ plan: "pro" })],
      [5000n, 5000n, 0n, 0n],
    );
  });

  it("given a campaign scoped to signup events, when a signup and a settlement-only campaign meet an event, then only the event campaign pays", () => {
    const rs = ruleSet({
      ...TIERS,
      campaigns: [
        {
          id: "welcome",
          type: "flat",
          points: 2000,
          budget: 3000,
          startsAt: "2026-06-01T00:00:00Z",
          endsAt: "2026-07-01T00:00:00Z",
          scope: { eventTypes: ["signup"] },
        },
        {
          id: "shop-only",
          type: "flat",
          points: 9000,
          budget: 90000,
          startsAt: "2026-06-01T00:00:00Z",
          endsAt: "2026-07-01T00:00:00Z",
          scope: { merchants: ["SHOP"] },
        },
      ],
    });
    const state = new ScoringState();
    const a = scoreEvent(state, rs, event({ type: "signup", wallet: "A" }), 1n, T).rows.map(line);
    const b = scoreEvent(state, rs, event({ type: "signup", wallet: "B" }), 2n, T).rows.map(line);
    assert.deepEqual(a, ["A event signup 5000", "A campaign welcome 2000"]);
    // the budget of 3 points leaves 1 for the second signup
    assert.deepEqual(b, ["B event signup 5000", "B campaign welcome 1000"]);
    assert.equal(state.campaigns.get("welcome")!.spent, 3000n);
  });

  it("given a referral model, when an event earns, then the referrer gets its share of the event's points", () => {
    const rs = ruleSet({ ...TIERS, referral: { model: "fixed", levels: [1000] } });
    const state = new ScoringState();
    state.referralLinks.set("W", { to: "R", afterSeq: 0n });
    const rows = scoreEvent(state, rs, event({ type: "signup" }), 1n, T).rows;
    assert.deepEqual(rows.map(line), ["W event signup 5000", "R referral 500"]);
    assert.ok(rows.every((r) => r.eventId !== undefined && r.settlementId === null));
  });

  it("given a source clock ahead of acceptance or behind the stream, when the time is taken, then it is clamped to acceptance and never goes back", () => {
    const accepted = new Date("2026-06-10T12:00:00Z");
    const ahead = event({ occurredAt: new Date("2027-01-01T00:00:00Z"), acceptedAt: accepted });
    assert.equal(eventTimeOf(ahead, null).toISOString(), accepted.toISOString());
    const early = event({ occurredAt: new Date("2026-06-01T00:00:00Z"), acceptedAt: accepted });
    assert.equal(eventTimeOf(early, new Date("2026-06-05T00:00:00Z")).toISOString(), "2026-06-05T00:00:00.000Z");
  });

  it("given an event condition or a byProperty award on a settlement rule, when the rule set is parsed, then it is refused naming the rule", () => {
    assert.throws(
      () =>
        parseRuleSetBody({ rules: [{ id: "x", priority: 1, when: { event: { types: ["signup"] } }, award: { kind: "flat", points: 1 } }] }),
      /rules\.0\.when\.event: rule x: event conditions need trigger "event"/,
    );
    assert.throws(
      () => parseRuleSetBody({ rules: [{ id: "y", priority: 1, award: { kind: "byProperty", property: "tier", points: {} } }] }),
      /rules\.0\.award\.kind: rule y: byProperty awards need trigger "event"/,
    );
  });
});
