import assert from "node:assert/strict";
import { epochInfo, epochOf } from "./blocks.js";

// Mainnet's schedule as litesvm sets it: warmup epochs of 32, 64, 128 ... slots, then 432,000.
const schedule = { slotsPerEpoch: 432_000n, warmup: true, firstNormalSlot: 524_256n, firstNormalEpoch: 14n };

describe("localnet epochs", () => {
  it("given warmup and normal slots, when the epoch is computed, then it follows the doubling warmup then fixed epochs", () => {
    const cases: [bigint, bigint][] = [
      [0n, 0n],
      [31n, 0n],
      [32n, 1n],
      [95n, 1n],
      [96n, 2n],
      [524_255n, 13n],
      [524_256n, 14n],
      [524_256n + 432_000n, 15n],
    ];
    for (const [slot, epoch] of cases) assert.equal(epochOf(slot, schedule), epoch, `slot ${slot}`);
  });

  it("given litesvm's genesis slot, when epoch info is computed, then slot index and epoch length are consistent", () => {
    const info = epochInfo(447_552_000, schedule);
    assert.equal(info.slotsInEpoch, 432_000);
    assert.equal(524_256 + (info.epoch - 14) * 432_000 + info.slotIndex, 447_552_000);
    assert.deepEqual(epochInfo(40, schedule), { epoch: 1, slotIndex: 8, slotsInEpoch: 64 });
  });
});
