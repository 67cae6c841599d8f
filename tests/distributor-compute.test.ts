// Compute units are deterministic: the ceilings are asserted exactly here, the full
// table is in BENCHMARKS.md (npm run bench:program).
import assert from "node:assert/strict";
import { claimTxSizes, LEGACY_TX_LIMIT, measure, type Measurements, P9999_BUMP } from "./distributor-scenario.js";

/** Goal: first claim at depth 20 for the p99.99 wallet (ClaimStatus bump >= 242), token CPI included. */
const FIRST_CLAIM_P9999_CEILING = 13_000n;
/**
 * Exact figures of the committed program (CU are deterministic): any rise fails here. Update
 * them, README.md and BENCHMARKS.md (npm run bench:program) together when the program changes.
 */
const EXACT = { repeat20: 6_957n, first20Bump255: 8_361n, first20Bump254: 8_698n, first20P9999: 12_742n, perBump: 337n };

describe("distributor compute units and transaction sizes", () => {
  let m: Measurements;
  before(function () {
    this.timeout(600_000);
    m = measure([20, 24], [255, 254, P9999_BUMP]);
  });
  const at = (depth: number) => m.claims.find((c) => c.depth === depth)!;
  const bump = (b: number) => m.byBump.find((c) => c.bump === b)!;

  it("Given a depth-20 proof, Then a repeat claim costs at most 9,000 CU, token CPI included", () => {
    assert.ok(at(20).repeatClaimCu <= 9_000n, `repeat claim ${at(20).repeatClaimCu} CU`);
  });

  it("Given a depth-20 proof, Then a first claim (ClaimStatus created) costs at most 14,000 CU", () => {
    assert.ok(at(20).firstClaimCu <= 14_000n, `first claim ${at(20).firstClaimCu} CU`);
  });

  it(`Given the p99.99 claimant (ClaimStatus bump ${P9999_BUMP}), Then its first depth-20 claim costs at most ${FIRST_CLAIM_P9999_CEILING} CU`, () => {
    assert.ok(bump(P9999_BUMP).firstClaimCu <= FIRST_CLAIM_P9999_CEILING, `bump ${P9999_BUMP}: ${bump(P9999_BUMP).firstClaimCu} CU`);
  });

  it("Given depth-20 claims, Then first claims at bumps 255, 254 and 242 and the repeat claim cost at most their exact measured CU", () => {
    const measured = {
      repeat20: at(20).repeatClaimCu,
      first20Bump255: bump(255).firstClaimCu,
      first20Bump254: bump(254).firstClaimCu,
      first20P9999: bump(P9999_BUMP).firstClaimCu,
      perBump: (bump(P9999_BUMP).firstClaimCu - bump(255).firstClaimCu) / BigInt(255 - P9999_BUMP),
    };
    for (const [what, ceiling] of Object.entries(EXACT)) {
      assert.ok(measured[what as keyof typeof EXACT] <= ceiling, `${what}: ${measured[what as keyof typeof EXACT]} CU > ${ceiling}`);
    }
  });

  it("Given a depth-20 proof, Then the claim fits a legacy transaction", () => {
    assert.ok(at(20).legacyBytes <= LEGACY_TX_LIMIT, `${at(20).legacyBytes} bytes`);
  });

  it("Given a depth-24 proof, Then the claim fits a v0 transaction with a lookup table", () => {
    assert.ok(at(24).v0LookupBytes <= LEGACY_TX_LIMIT, `${at(24).v0LookupBytes} bytes`);
  });

  it("Given proofs of 28 and 29 siblings, Then 28 is the deepest claim that fits a v0 transaction with a lookup table", () => {
    const d28 = claimTxSizes(28);
    const d29 = claimTxSizes(29);
    assert.ok(d28.v0LookupBytes <= LEGACY_TX_LIMIT, `depth 28: ${d28.v0LookupBytes} bytes`);
    assert.ok(d29.v0LookupBytes > LEGACY_TX_LIMIT, `depth 29: ${d29.v0LookupBytes} bytes`);
  });

  // Regression ceilings (measured 3,625 and 820 CU): the EpochRoot's canonical-address check
  // and account creation dominate propose_root.
  it("Given propose_root and activate_root, Then they stay under 6,000 and 2,000 CU", () => {
    assert.ok(m.proposeRootCu <= 6_000n, `propose_root ${m.proposeRootCu} CU`);
    assert.ok(m.activateRootCu <= 2_000n, `activate_root ${m.activateRootCu} CU`);
  });
});
