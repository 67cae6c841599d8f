import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import bs58 from "bs58";
import { decodeKey58, decodeKey58Into, encodeKey58 } from "./base58.js";

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

describe("decodeKey58", () => {
  it("inverts encodeKey58 and agrees with bs58 on random and zero-heavy keys", () => {
    for (let i = 0; i < 3000; i++) {
      const k = randomBytes(32);
      k.fill(0, 0, i % 33);
      const s = bs58.encode(k);
      assert.deepEqual(Buffer.from(decodeKey58(s)!), k, s);
    }
  });

  it("refuses text that is not exactly one canonical 32-byte key", () => {
    const s = bs58.encode(randomBytes(32));
    for (const bad of [
      s.slice(1),
      `${s}1`,
      `1${s}`,
      s.replace(/.$/, "0"),
      s.replace(/.$/, "l"),
      bs58.encode(randomBytes(31)),
      bs58.encode(randomBytes(33)),
      "",
      "é".repeat(40),
    ]) {
      const decoded = decodeKey58(bad);
      if (decoded) assert.equal(bs58.encode(decoded), bad, `${bad} decoded to a different key`);
      let viaBs58: Uint8Array | undefined;
      try {
        viaBs58 = bs58.decode(bad);
      } catch {
        viaBs58 = undefined;
      }
      assert.equal(decoded !== undefined, viaBs58?.length === 32, `${bad}: decodeKey58 and bs58 disagree on validity`);
    }
  });

  it("agrees with bs58 on random base58 text of every nearby length, mostly not keys at all", () => {
    const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    for (let i = 0; i < 20_000; i++) {
      const length = 30 + (i % 16);
      const ones = i % 7 === 0 ? i % 5 : 0;
      const text = "1".repeat(ones) + Array.from({ length: length - ones }, () => alphabet[Math.floor(Math.random() * 58)]).join("");
      const viaBs58 = bs58.decode(text);
      const decoded = decodeKey58(text);
      if (viaBs58.length === 32) assert.deepEqual(decoded && Buffer.from(decoded), Buffer.from(viaBs58), text);
      else assert.equal(decoded, undefined, text);
    }
  });

  it("writes into a larger buffer at an offset, leaving the bytes around it alone (decodeKey58Into)", () => {
    const keys = [randomBytes(32), Buffer.alloc(32), Buffer.concat([Buffer.alloc(5), randomBytes(27)])];
    const out = Buffer.alloc(32 * keys.length + 2, 0xee);
    keys.forEach((k, i) => assert.equal(decodeKey58Into(encodeKey58(k), out, 1 + 32 * i), true));
    assert.deepEqual(out.subarray(1, 1 + 32 * keys.length), Buffer.concat(keys));
    assert.equal(out[0], 0xee);
    assert.equal(out[out.length - 1], 0xee);
    assert.equal(decodeKey58Into("0OIl".repeat(11), out, 0), false);
  });
});
