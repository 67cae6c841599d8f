import assert from "node:assert/strict";
import { resolveConfig } from "./config.js";
import { tokens } from "./format.js";

describe("claim page: configuration and amounts", () => {
  const page = "https://claim.example/rewards/claim/?x=1";

  it("given no config.json and no query, then the API is the page's origin and the shards are the API's", () => {
    const c = resolveConfig({}, new URLSearchParams(), page);
    assert.deepEqual(c, {
      api: "https://claim.example",
      rpc: undefined,
      shards: "https://claim.example/v1/epochs/{epoch}/shards",
      distributor: undefined,
      wallet: undefined,
    });
  });

  it("given config.json and a query, then the query wins, absolute URLs stay as written and relative ones resolve against the page with their placeholders", () => {
    const c = resolveConfig(
      { api: "https://api.example/", rpc: "https://rpc.example", shards: "../shards/{distributor}/{epoch}", distributor: "D1" },
      new URLSearchParams({ rpc: "http://127.0.0.1:8899", wallet: "W1" }),
      page,
    );
    assert.equal(c.api, "https://api.example");
    assert.equal(c.rpc, "http://127.0.0.1:8899");
    assert.equal(c.shards, "https://claim.example/rewards/shards/{distributor}/{epoch}");
    assert.equal(c.distributor, "D1");
    assert.equal(c.wallet, "W1");
  });

  it("given base units and the mint's decimals, then tokens are shown exactly, without float rounding", () => {
    assert.equal(tokens(2_500_000n, 6), "2.5");
    assert.equal(tokens(0n, 6), "0");
    assert.equal(tokens(1_234_567_890_123_456_789n, 9), "1,234,567,890.123456789");
    assert.equal(tokens(7n, 0), "7");
  });
});
