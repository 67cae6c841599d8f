import assert from "node:assert/strict";
import { type ClaimComputeShape, claimComputeUnits } from "./compute.js";

const repeat: ClaimComputeShape = {
  depth: 20,
  bump: 255,
  firstClaim: false,
  token2022: false,
  claimActivatesRoot: false,
  activations: 0,
  createdTokenAccountBumps: [],
  transfer: false,
};

describe("claimComputeUnits: the compute unit limit of a claim transaction", () => {
  // Exact figures: a change to an allowance or the margin shows here (tests/claim-compute.test.ts checks them against real claims).
  for (const [what, shape, limit] of [
    ["a depth-20 repeat claim, SPL Token", repeat, 7_975],
    [
      "a depth-20 first claim at bump 255 with its token account created (bump 255)",
      { ...repeat, firstClaim: true, createdTokenAccountBumps: [255] },
      24_420,
    ],
    ["the p99.99 wallet's first depth-20 claim (bump 242)", { ...repeat, firstClaim: true, bump: 242 }, 14_432],
    [
      "a depth-20 repeat claim activating two roots (one prepended, one by the claim), Token-2022",
      { ...repeat, token2022: true, activations: 1, claimActivatesRoot: true },
      11_660,
    ],
    [
      "a first claim to a recipient, both token accounts created (bumps 254, 253), Token-2022",
      { ...repeat, depth: 10, token2022: true, firstClaim: true, createdTokenAccountBumps: [254, 253], transfer: true },
      54_175,
    ],
  ] as const) {
    it(`Given ${what}, Then the limit is ${limit} CU`, () => {
      assert.equal(claimComputeUnits(shape), limit);
    });
  }

  it("Given a deeper proof or a lower bump, Then the limit grows by each part's allowance plus the margin", () => {
    assert.equal(claimComputeUnits({ ...repeat, depth: 21 }) - claimComputeUnits(repeat), 220);
    assert.equal(claimComputeUnits({ ...repeat, firstClaim: true, bump: 254 }) - claimComputeUnits({ ...repeat, firstClaim: true }), 374);
  });
});
