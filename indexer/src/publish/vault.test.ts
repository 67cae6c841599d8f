import assert from "node:assert/strict";
import { Keypair } from "@solana/web3.js";
import type { EpochRow, EpochStatus } from "../epochs/queries.js";
import type { ChainView } from "./chain.js";
import { coverageMessage, vaultCoverage } from "./vault.js";

const key = () => Keypair.generate().publicKey;
const chain = (latestTotal: bigint, totalClaimed: bigint, vaultBalance: bigint) =>
  ({ distributor: { address: key(), latestTotal, totalClaimed }, vaultBalance, epochRoot: undefined }) as unknown as ChainView;
const epoch = (n: bigint, status: EpochStatus, cumulativeTotal: bigint) => ({ epoch: n, status, cumulativeTotal }) as EpochRow;

describe("vault coverage", () => {
  it("given no epoch at all, then nothing is owed or expected", () => {
    const c = vaultCoverage(chain(0n, 0n, 0n), []);
    assert.deepEqual([c.required, c.shortfall, c.nextSource], [0n, 0n, "none"]);
  });

  it("given claims paid, then the outstanding obligation is the newest total minus claimed", () => {
    const c = vaultCoverage(chain(1_000n, 400n, 700n), [epoch(1n, "active", 1_000n)]);
    assert.equal(c.outstanding, 600n);
    // the last growth (1000 from nothing) is expected again: 1600 needed, 700 held
    assert.deepEqual([c.nextExpected, c.shortfall], [1_000n, 900n]);
  });

  it("given a closed epoch not on-chain, then it is the next expected amount rather than the last growth", () => {
    const c = vaultCoverage(chain(1_000n, 0n, 1_500n), [
      epoch(1n, "active", 400n),
      epoch(2n, "pending", 1_000n),
      epoch(3n, "closed", 1_300n),
    ]);
    assert.deepEqual([c.nextExpected, c.nextSource, c.required, c.shortfall], [300n, "closed_epoch", 1_300n, 0n]);
  });

  it("given the last growth, then it is measured between the two newest roots on-chain (a vetoed one is skipped)", () => {
    const c = vaultCoverage(chain(900n, 0n, 1_000n), [epoch(1n, "active", 500n), epoch(2n, "vetoed", 2_000n), epoch(3n, "pending", 900n)]);
    assert.deepEqual([c.nextExpected, c.nextSource, c.shortfall], [400n, "last_growth", 300n]);
    assert.match(
      coverageMessage(c),
      /short by 300: it holds 1000, claimants can still claim 900 and the next epoch is expected to add 400/,
    );
  });
});
