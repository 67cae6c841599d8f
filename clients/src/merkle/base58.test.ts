import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { encodeKey58 } from "./base58.js";

describe("encodeKey58", () => {
  it("matches bs58 on random keys and on keys with leading, trailing and only zero bytes", () => {
    const keys = Array.from({ length: 5000 }, () => randomBytes(32));
    for (let z = 0; z <= 32; z++) {
      const k = randomBytes(32);
      k.fill(0, 0, z);
      keys.push(k, Buffer.alloc(32, 0xff).fill(0, 0, z), Buffer.alloc(32).fill(1, z));
    }
    for (const k of keys) assert.equal(encodeKey58(k), bs58.encode(k), k.toString("hex"));
  });

  it("reads the key at an offset of a larger buffer", () => {
    const buf = randomBytes(96);
    assert.equal(encodeKey58(buf, 32), bs58.encode(buf.subarray(32, 64)));
  });
});
