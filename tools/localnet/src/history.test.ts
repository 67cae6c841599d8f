import assert from "node:assert/strict";
import fc from "fast-check";
import { History, type TxRecord } from "./history.js";

const record = (seq: number, keys: string[]): TxRecord => ({
  seq,
  signature: `sig${seq}`,
  slot: 100 + seq,
  blockTime: 0,
  index: 0,
  wire: new Uint8Array(),
  accountKeys: keys,
  memo: null,
  meta: {} as TxRecord["meta"],
});

describe("localnet history", () => {
  it("given transactions touching an address, when paged with limit, before and until, then pages are newest first, exclusive and gap-free", () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 7 }), (touches, limit) => {
        const h = new History();
        touches.forEach((t, seq) => h.add(record(seq, t ? ["A", "B"] : ["B"])));
        const expected = touches
          .map((t, seq) => (t ? `sig${seq}` : undefined))
          .filter((s) => s !== undefined)
          .reverse();
        // Walk the pages the way an indexer does: each page's last signature is the next `before`.
        const walked: string[] = [];
        let before: string | undefined;
        for (;;) {
          const page = h.forAddress("A", { before, limit }).map((r) => r.signature);
          assert.ok(page.length <= limit);
          walked.push(...page);
          if (page.length < limit) break;
          before = page.at(-1);
        }
        assert.deepEqual(walked, expected);
        if (expected.length >= 2) {
          const until = expected.at(-1)!;
          assert.deepEqual(
            h.forAddress("A", { until, limit: 1000 }).map((r) => r.signature),
            expected.slice(0, -1),
          );
        }
      }),
    );
  });

  it("given a before signature that was never seen, when paged, then nothing is returned", () => {
    const h = new History();
    h.add(record(0, ["A"]));
    assert.deepEqual(h.forAddress("A", { before: "nope", limit: 10 }), []);
    assert.deepEqual(h.forAddress("Z", { limit: 10 }), []);
  });
});
