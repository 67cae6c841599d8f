import assert from "node:assert/strict";
import { globMatch } from "./glob.js";

describe("memo globs match whole characters (code points), not UTF-16 units", () => {
  const cases: [string, string, boolean][] = [
    ["tip:?", "tip:😀", true],
    ["tip:??", "tip:😀", false],
    ["tip:?", "tip:é", true],
    ["?-?", "🚀-𝒜", true],
    ["*😀*", "a😀b", true],
    ["a?c", "a\u{1F600}\u{1F600}c", false],
    ["gold.*", "gold.x", true],
    ["gold.*", "goldx", false],
    ["(a|b)?", "(a|b)!", true],
  ];
  for (const [pattern, memo, expected] of cases) {
    it(`given ${JSON.stringify(pattern)} and the memo ${JSON.stringify(memo)}, then it ${expected ? "matches" : "does not match"}`, () => {
      assert.equal(globMatch(pattern, memo), expected);
    });
  }
});
