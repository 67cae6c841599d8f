import assert from "node:assert/strict";
import { fraudControls } from "../../rules/schema.js";
import { FraudState, pairKey, screenSettlement, type ScreenInput } from "./screen.js";

const T0 = Date.parse("2026-06-01T10:00:00Z");
const pay = (payer: string, payee: string, volume: bigint, seconds: number, accounts?: [string, string]): ScreenInput => ({
  payer,
  payee,
  payerAccount: accounts?.[0] ?? payer,
  payeeAccount: accounts?.[1] ?? payee,
  volume,
  time: new Date(T0 + seconds * 1000),
});

describe("fraud screening", () => {
  it("given no control, then nothing is caught and no state is kept; with a window and a cap, the payment and the day are recorded", () => {
    const fs = new FraudState();
    assert.equal(screenSettlement(fraudControls.parse({}), fs, pay("A", "B", 1n, 0)), undefined);
    assert.deepEqual([fs.pairs.size, fs.days.size, fs.dirty.size], [0, 0, 0]);
    const f = fraudControls.parse({ roundTrip: { windowSeconds: 60 }, dailyCap: { maxSettlements: 5 } });
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 0)), undefined);
    assert.equal(fs.pairs.get(pairKey("A", "B")), T0);
    assert.equal(fs.days.get("A")?.count, 1);
  });

  it("given every control, then the first in the fixed order names the reason (linked before minimum before review)", () => {
    const f = fraudControls.parse({
      linkedAddresses: {},
      minVolume: { volume: 10 },
      dailyCap: { maxSettlements: 10 },
      review: { minVolume: 0 },
    });
    const fs = new FraudState();
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 0, ["X", "X"]))?.reason, "linked_addresses");
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 0))?.reason, "below_minimum");
    assert.deepEqual(screenSettlement(f, fs, pay("A", "B", 10n, 0)), {
      reason: "review_threshold",
      detail: "volume 10 is at or above the review threshold of 0 (micro-units)",
      action: "review",
    });
    assert.equal(fs.days.get("A"), undefined, "caught settlements do not count toward the daily tally");
  });

  it("given a round-trip window, then only a return inside it is caught, at exactly the window's edge included", () => {
    const f = fraudControls.parse({ roundTrip: { windowSeconds: 60, action: "review" } });
    const fs = new FraudState();
    screenSettlement(f, fs, pay("A", "B", 1n, 0));
    assert.equal(screenSettlement(f, fs, pay("B", "A", 1n, 60))?.action, "review");
    screenSettlement(f, fs, pay("C", "D", 1n, 0));
    assert.equal(screenSettlement(f, fs, pay("D", "C", 1n, 61)), undefined);
    screenSettlement(f, fs, pay("E", "F", 1n, 0));
    assert.equal(screenSettlement(f, fs, pay("E", "F", 1n, 1)), undefined, "the same direction again is no round trip");
  });

  it("given a daily cap, then the tally resets on the next UTC day", () => {
    const f = fraudControls.parse({ dailyCap: { maxSettlements: 1 } });
    const fs = new FraudState();
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 0)), undefined);
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 1))?.reason, "daily_cap");
    assert.equal(screenSettlement(f, fs, pay("A", "B", 1n, 86_400)), undefined);
  });

  it("given a tally and a pair, then they survive encode and decode (the checkpoint's text)", () => {
    const fs = new FraudState();
    screenSettlement(fraudControls.parse({ roundTrip: { windowSeconds: 60 }, dailyCap: { maxVolume: 100 } }), fs, pay("A", "B", 7n, 0));
    const back = new FraudState();
    for (const k of fs.dirty) back.decode(k, fs.encode(k)!);
    back.decode("d:A", fs.encode("d:A")!);
    assert.deepEqual(back.days.get("A"), fs.days.get("A"));
    assert.equal(back.pairs.get(pairKey("A", "B")), T0);
  });

  it("given a daily cap without a limit, then the rule set is refused naming it", () => {
    assert.throws(() => fraudControls.parse({ dailyCap: {} }), /give maxSettlements and\/or maxVolume/);
  });
});
