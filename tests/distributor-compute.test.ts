// Compute units are deterministic: the ceilings are asserted exactly here, the full
// table is in BENCHMARKS.md (npm run bench:program).
import assert from "node:assert/strict";
import { LEGACY_TX_LIMIT, measure, type Measurements } from "./distributor-scenario.js";

describe("distributor compute units and transaction sizes", () => {
  let m: Measurements;
  before(() => {
    m = measure([20, 24]);
  });
  const at = (depth: number) => m.claims.find((c) => c.depth === depth)!;

  it("Given a depth-20 proof, Then a repeat claim costs at most 9,000 CU, token CPI included", () => {
    assert.ok(at(20).repeatClaimCu <= 9_000n, `repeat claim ${at(20).repeatClaimCu} CU`);
  });

  it("Given a depth-20 proof, Then a first claim (ClaimStatus created) costs at most 14,000 CU", () => {
    assert.ok(at(20).firstClaimCu <= 14_000n, `first claim ${at(20).firstClaimCu} CU`);
  });

  it("Given a depth-20 proof, Then the claim fits a legacy transaction", () => {
    assert.ok(at(20).legacyBytes <= LEGACY_TX_LIMIT, `${at(20).legacyBytes} bytes`);
  });

  it("Given a depth-24 proof, Then the claim fits a v0 transaction with a lookup table", () => {
    assert.ok(at(24).v0LookupBytes <= LEGACY_TX_LIMIT, `${at(24).v0LookupBytes} bytes`);
  });

  // Regression ceilings (measured 3,625 and 820 CU): the EpochRoot's canonical-address check
  // and account creation dominate propose_root.
  it("Given propose_root and activate_root, Then they stay under 6,000 and 2,000 CU", () => {
    assert.ok(m.proposeRootCu <= 6_000n, `propose_root ${m.proposeRootCu} CU`);
    assert.ok(m.activateRootCu <= 2_000n, `activate_root ${m.activateRootCu} CU`);
  });
});
