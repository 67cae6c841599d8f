import assert from "node:assert/strict";
import { Cached } from "./context.js";

describe("api: the short caches in front of the database", () => {
  it("given a fresh value, then no load; given a stale one, then it is served while one refresh runs; a failed refresh keeps the stale value", async () => {
    let loads = 0;
    let fail = false;
    const c = new Cached(20, async (k: string) => {
      loads++;
      if (fail) throw new Error("db down");
      return `${k}${loads}`;
    });
    assert.equal(await c.get("a"), "a1", "the first caller waits for the load");
    assert.equal(c.get("a"), "a1");
    await new Promise((r) => setTimeout(r, 30));
    fail = true;
    assert.equal(c.get("a"), "a1", "stale, while the refresh runs");
    assert.equal(c.get("a"), "a1", "one refresh at a time");
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(loads, 2);
    assert.equal(c.get("a"), "a1", "the refresh failed: still the last good value");
    await assert.rejects(Promise.resolve(c.get("b")), /db down/, "with nothing cached, the caller sees the failure");
  });

  it("given a value older than the stale bound, then the caller waits for the refresh and sees its failure (no outdated answer served indefinitely)", async () => {
    let loads = 0;
    let fail = false;
    const c = new Cached(
      10,
      async (k: string) => {
        loads++;
        if (fail) throw new Error("db down");
        return `${k}${loads}`;
      },
      30,
    );
    assert.equal(await c.get("a"), "a1");
    await new Promise((r) => setTimeout(r, 40));
    const next = c.get("a");
    assert.ok(next instanceof Promise, "past the stale bound the cached value is not served");
    assert.equal(await next, "a2");
    await new Promise((r) => setTimeout(r, 40));
    fail = true;
    await assert.rejects(Promise.resolve(c.get("a")), /db down/, "an outage past the bound is reported, not hidden behind an old value");
  });

  it("given no caching (0 ms), then every call loads", async () => {
    let loads = 0;
    const c = new Cached(0, async () => ++loads);
    assert.equal(await c.get("a"), 1);
    assert.equal(await c.get("a"), 2);
  });
});
