import assert from "node:assert/strict";
import { AsciiChunks } from "./ascii.mjs";

describe("AsciiChunks", () => {
  const written = (f: (w: AsciiChunks) => void) => {
    const w = new AsciiChunks(64);
    f(w);
    return w.take().toString("latin1");
  };

  it("writes integers as String() does, at every digit count and around 2^53", () => {
    const values = [0, 1, 9, 10, 11, 99, 100, 999_999, 1_000_000, 1e15 - 1, 1e15, 2 ** 53 - 1];
    for (let p = 1; p < 2 ** 53; p *= 7) values.push(p, p - 1);
    for (const v of values)
      assert.equal(
        written((w) => w.uint(v)),
        String(v),
      );
    for (const v of [0n, 12n, -1n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n, -(2n ** 63n)])
      assert.equal(
        written((w) => w.big(v)),
        String(v),
      );
  });

  it("writes text, bytes and hex, and hands over a full chunk when a record would not fit", () => {
    const w = new AsciiChunks(16);
    w.str('{"a":');
    w.hex(Uint8Array.from([0, 15, 16, 255]), 1, 4);
    w.byte(0x7d);
    assert.equal(w.room(4), undefined);
    const full = w.room(20);
    assert.equal(full?.toString("latin1"), '{"a":0f10ff}');
    w.str("x".repeat(20));
    assert.equal(w.take().toString("latin1"), "x".repeat(20));
  });

  it("writes the next chunk into a recycled one, so a file takes two buffers in turn", () => {
    const w = new AsciiChunks(8);
    w.str("abcdefgh");
    const first = w.room(1)!;
    assert.equal(first.toString("latin1"), "abcdefgh");
    w.recycle(first);
    w.str("ijklmnop");
    const second = w.room(1)!;
    assert.equal(second.toString("latin1"), "ijklmnop");
    assert.notEqual(second.buffer, first.buffer);
    w.str("q");
    assert.equal(w.take().buffer, first.buffer, "the recycled buffer took the third chunk");
  });
});
