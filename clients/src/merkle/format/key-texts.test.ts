import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { encodeKey58 } from "./base58.js";
import { AsciiChunks } from "./ascii.mjs";
import { KEY58_MAX, KeyTexts } from "./key-texts.mjs";

describe("KeyTexts", () => {
  // keys of every base58 length: leading zero bytes make "1"s, small values short texts
  const keys = Array.from({ length: 400 }, (_, i) => {
    const k = randomBytes(32);
    if (i % 7 === 0) k.fill(0, 0, 1 + (i % 3));
    return encodeKey58(k);
  });

  it("gives back each text as it was set, through a growth that copies them", () => {
    let t = new KeyTexts(10);
    keys.forEach((s, i) => {
      if (i >= t.lengths.length) t = new KeyTexts(t.lengths.length * 2, t);
      t.set(i, s);
    });
    keys.forEach((s, i) => assert.equal(t.at(i), s));
    assert.equal(t.bytes.buffer instanceof SharedArrayBuffer, true);
    assert.ok(keys.every((s) => s.length <= KEY58_MAX));
  });

  it("orders texts as strings compare (C collation), lengths included", () => {
    const t = new KeyTexts(keys.length);
    keys.forEach((s, i) => t.set(i, s));
    const byCompare = keys.map((_, i) => i).sort((i, j) => t.compare(i, j));
    const byString = keys.map((_, i) => i).sort((i, j) => (keys[i]! < keys[j]! ? -1 : keys[i]! > keys[j]! ? 1 : 0));
    assert.deepEqual(byCompare, byString);
    assert.equal(t.compare(3, 3), 0);
  });

  it("is written by AsciiChunks as the text, and key58 writes the same from the bytes", () => {
    const t = new KeyTexts(1);
    const key = randomBytes(32);
    t.set(0, encodeKey58(key));
    const w = new AsciiChunks(128);
    w.keyText(t, 0);
    w.key58(key, 0);
    assert.equal(w.written().toString("latin1"), encodeKey58(key).repeat(2));
  });
});
