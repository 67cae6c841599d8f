import assert from "node:assert/strict";
import { tokenMatches } from "./auth.js";

describe("admin token comparison", () => {
  it("given the token, a prefix, an extension, or another token of the same length, then only the token itself matches", () => {
    const token = "a-long-admin-token-of-some-length";
    assert.equal(tokenMatches(token, token), true);
    assert.equal(tokenMatches(token.slice(0, -1), token), false);
    assert.equal(tokenMatches(`${token}x`, token), false);
    assert.equal(tokenMatches(token.replace(/a/, "b"), token), false);
    assert.equal(tokenMatches("", token), false);
  });
});
