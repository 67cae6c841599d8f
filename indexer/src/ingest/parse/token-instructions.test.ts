import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeTokenTransfer } from "./token-instructions.js";

const data = (tag: number, amount: bigint, decimals?: number) => {
  const b = Buffer.alloc(decimals === undefined ? 9 : 10);
  b[0] = tag;
  b.writeBigUInt64LE(amount, 1);
  if (decimals !== undefined) b[9] = decimals;
  return b;
};

describe("decodeTokenTransfer amounts", () => {
  it("given any u64, including both sides of 2^53 and 2^64 - 1, then the amount is exact", () => {
    const edges = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const v of edges) assert.equal(decodeTokenTransfer(data(3, v), [0, 1, 2])!.amount, v);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.integer({ min: 0, max: 255 }), (v, d) => {
        const t = decodeTokenTransfer(data(12, v, d), [0, 1, 2, 3]);
        return t?.kind === "transferChecked" && t.amount === v && t.decimals === d;
      }),
    );
  });
});
