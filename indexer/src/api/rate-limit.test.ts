import assert from "node:assert/strict";
import { FixedWindowLimiter } from "./rate-limit.js";

describe("api: fixed-window rate limit per IP", () => {
  it("given a limit of 3 a minute, when an IP makes a 4th request, then it is refused until the window ends and other IPs are not", () => {
    let now = 120_000 + 15_000;
    const l = new FixedWindowLimiter(3, 60_000, () => now);
    assert.deepEqual([l.hit("a"), l.hit("a"), l.hit("a")], [0, 0, 0]);
    assert.equal(l.hit("a"), 45, "45 s left in the window");
    assert.equal(l.hit("b"), 0, "another IP has its own count");
    now += 44_500;
    assert.equal(l.hit("a"), 1, "never less than 1 s");
    now += 1_000;
    assert.equal(l.hit("a"), 0, "a new window");
  });

  it("given many IPs, when windows pass, then the counters of past windows are dropped", () => {
    let now = 0;
    const l = new FixedWindowLimiter(1, 1000, () => now);
    for (let i = 0; i < 100; i++) l.hit(`ip${i}`);
    now = 5_000;
    l.hit("x");
    assert.equal(l.size, 1);
  });
});
