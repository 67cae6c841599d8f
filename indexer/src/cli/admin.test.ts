import assert from "node:assert/strict";
import { compactJson, formatChange, jsonDiff } from "./admin.js";

describe("rules publish --dry-run: the JSON diff", () => {
  it("given a changed leaf, an added and a removed one, then each is one change at its path", () => {
    const before = { earn: [{ pointsPerUnit: 1000n, rounding: "floor" }], tiers: { windowDays: 30 } };
    const after = { earn: [{ pointsPerUnit: 2000n, rounding: "floor" }, { pointsPerUnit: 5n }], referral: { model: "none" } };
    assert.deepEqual(jsonDiff(before, after).map(formatChange), [
      "~ earn[0].pointsPerUnit: 1000 -> 2000",
      '+ earn[1]: {"pointsPerUnit":5}',
      '+ referral: {"model":"none"}',
      '- tiers: {"windowDays":30}',
    ]);
  });

  it("given equal documents (dates compared by time), then there is no change", () => {
    const doc = () => ({ campaigns: [{ startsAt: new Date("2026-06-01T00:00:00Z"), budget: 5n }] });
    assert.deepEqual(jsonDiff(doc(), doc()), []);
  });

  it("given a value that changes type, then it is one replacement", () => {
    assert.deepEqual(jsonDiff({ a: [1] }, { a: { x: 1 } }).map(formatChange), ['~ a: [1] -> {"x":1}']);
  });

  it("prints bigints as numbers, even past 2^53, and leaves strings alone", () => {
    assert.equal(compactJson({ n: 123_456_789_012_345_678n, s: "12" }), '{"n":123456789012345678,"s":"12"}');
  });
});
