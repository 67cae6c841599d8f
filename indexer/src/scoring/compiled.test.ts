import assert from "node:assert/strict";
import fc from "fast-check";
import { compile, pickRuleSet } from "./compiled.js";
import { ruleSetBody, type RuleSet, type RuleSetInput } from "../rules/schema.js";

const window = { startsAt: "2026-06-01T00:00:00Z", endsAt: "2026-07-01T00:00:00Z", budget: 1000 };
const ruleSet = (body: RuleSetInput, version = 1n, afterSeq = 0n, effectiveFrom = new Date(0)): RuleSet => ({
  version,
  effectiveFrom,
  afterSeq,
  body: ruleSetBody.parse(body),
});

describe("compiled rule sets", () => {
  const rs = ruleSet(
    {
      rules: [
        { id: "c", priority: 20, award: { kind: "flat", points: 1 } },
        { id: "b", priority: 10, award: { kind: "flat", points: 1 } },
        { id: "a", priority: 20, award: { kind: "flat", points: 1 } },
        { id: "z", priority: -5, award: { kind: "flat", points: 1 } },
      ],
      campaigns: [
        { id: "s", type: "streak", days: 2, points: 1, ...window },
        { id: "m", type: "milestone", on: "settlements", n: 1, points: 1, ...window },
        { id: "v", type: "volumeThreshold", threshold: 1, points: 1, ...window },
        { id: "f2", type: "flat", points: 1, ...window },
        { id: "f1", type: "flat", points: 1, ...window },
        { id: "x", type: "multiplier", multiplierBps: 15000, ...window },
      ],
      referral: { model: "diminishing", userShareBps: 5000, levelShareBps: 8000, levels: 3 },
    },
    7n,
    42n,
    new Date("2026-06-01T00:00:00Z"),
  );

  it("given rules out of order, when compiled, then they run by priority ascending with id breaking ties", () => {
    assert.deepEqual(
      compile(rs).sortedRules.map((r) => r.id),
      ["z", "b", "a", "c"],
    );
  });

  it("given campaigns of every type, when compiled, then they stack multiplier, flat, threshold, milestone, streak (ties by id)", () => {
    assert.deepEqual(
      compile(rs).stacked.map((c) => c.id),
      ["x", "f1", "f2", "v", "m", "s"],
    );
  });

  it("given a rule set, when compiled, then version, effectiveFrom, afterSeq and body are kept and the document's own order is untouched", () => {
    const c = compile(rs);
    assert.equal(c.version, 7n);
    assert.equal(c.afterSeq, 42n);
    assert.equal(c.effectiveFrom.toISOString(), "2026-06-01T00:00:00.000Z");
    assert.equal(c.body, rs.body);
    assert.deepEqual(
      rs.body.rules.map((r) => r.id),
      ["c", "b", "a", "z"],
    );
    assert.deepEqual(
      rs.body.campaigns.map((r) => r.id),
      ["s", "m", "v", "f2", "f1", "x"],
    );
  });

  it("given each referral model, when compiled, then the chain depth is 0 for none, the number of rates for fixed, and levels for diminishing", () => {
    assert.equal(compile(rs).depth, 3);
    assert.equal(compile(ruleSet({ referral: { model: "fixed", levels: [2000, 1000] } })).depth, 2);
    assert.equal(compile(ruleSet({ referral: { model: "none" } })).depth, 0);
    assert.equal(compile(ruleSet({})).depth, 0);
  });
});

describe("which rule-set version scores a settlement", () => {
  const june = new Date("2026-06-01T00:00:00Z");
  const july = new Date("2026-07-01T00:00:00Z");
  const history = [ruleSet({}, 1n, 0n), ruleSet({}, 2n, 10n), ruleSet({}, 3n, 20n, july)];
  const pick = (seq: bigint, time: Date) => pickRuleSet(history, seq, time)?.version;

  it("given no version published, when a settlement comes, then none applies", () => {
    assert.equal(pickRuleSet([], 1n, june), undefined);
  });

  it("given version 1 published at seq 0, when the first settlement (seq 1) comes, then version 1 applies", () => {
    assert.equal(pick(1n, june), 1n);
  });

  it("given version 2 published after seq 10, when settlement seq 10 comes, then it is still version 1 and seq 11 gets version 2", () => {
    assert.equal(pick(10n, june), 1n);
    assert.equal(pick(11n, june), 2n);
  });

  it("given version 3 published after seq 20 but effective from July, when a June settlement comes after it, then version 2 still applies", () => {
    assert.equal(pick(21n, june), 2n);
    assert.equal(pick(21n, new Date(july.getTime() - 1)), 2n);
  });

  it("given version 3 effective from July 1st 00:00, when a settlement comes at exactly that time, then version 3 applies", () => {
    assert.equal(pick(21n, july), 3n);
  });

  it("given a version published later in chain order, when an earlier settlement is (re)scored, then the later version is never used", () => {
    assert.equal(pick(15n, july), 2n);
  });

  it("given the first version published after seq 5, when settlement seq 5 is scored, then no version applies", () => {
    assert.equal(pickRuleSet([ruleSet({}, 1n, 5n)], 5n, june), undefined);
  });

  it("for any history, the pick is the newest version published before the seq whose effective time has come", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.bigInt({ min: 0n, max: 50n }), fc.integer({ min: 0, max: 100 })), { maxLength: 8 }),
        fc.bigInt({ min: 1n, max: 60n }),
        fc.integer({ min: 0, max: 100 }),
        (versions, seq, t) => {
          const h = versions.map(([afterSeq, eff], i) => ruleSet({}, BigInt(i + 1), afterSeq, new Date(eff * 1000)));
          const eligible = h.filter((v) => v.afterSeq < seq && v.effectiveFrom.getTime() <= t * 1000);
          assert.equal(pickRuleSet(h, seq, new Date(t * 1000))?.version, eligible.at(-1)?.version);
        },
      ),
    );
  });
});
