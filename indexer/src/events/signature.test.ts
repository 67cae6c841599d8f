import assert from "node:assert/strict";
import { signaturesMatch, signEvents, timestampProblem } from "./signature.js";

describe("event signatures and the replay window", () => {
  const now = Date.parse("2026-06-01T00:00:00Z");
  const ts = String(now / 1000);

  it("given the timestamp is signed with the body, when either changes, then the signature no longer matches", () => {
    const sig = signEvents("secret", ts, '{"events":[]}');
    assert.match(sig, /^sha256=[0-9a-f]{64}$/);
    assert.ok(signaturesMatch(sig, signEvents("secret", ts, '{"events":[]}')));
    assert.ok(!signaturesMatch(sig, signEvents("secret", String(now / 1000 + 1), '{"events":[]}')));
    assert.ok(!signaturesMatch(sig, signEvents("secret", ts, '{"events":[ ]}')));
    assert.ok(!signaturesMatch(sig, signEvents("other", ts, '{"events":[]}')));
    assert.ok(!signaturesMatch(sig, sig.slice(0, -1)));
  });

  it("given timestamps around the window's edges, then exactly those within it pass", () => {
    const at = (offset: number) => timestampProblem(String(now / 1000 + offset), now, 300);
    assert.deepEqual([at(-300), at(300), at(0)], [undefined, undefined, undefined]);
    assert.match(at(-301)!, /outside the replay window/);
    assert.match(at(301)!, /outside the replay window/);
    assert.match(timestampProblem(undefined, now, 300)!, /missing/);
    assert.match(timestampProblem("1.5", now, 300)!, /unix seconds/);
    assert.match(timestampProblem("2026-06-01T00:00:00Z", now, 300)!, /unix seconds/);
  });
});
