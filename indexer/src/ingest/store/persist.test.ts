import assert from "node:assert/strict";
import { isDatabaseUnavailable } from "./persist.js";

/** The webhook answers 503 (Helius retries) for these, 500 (a bug) for anything else. */
describe("isDatabaseUnavailable", () => {
  it("given errors that waiting can cure (connection lost or refused, server restarting, out of connections, a statement timeout, a lock not granted, a conflict), then true", () => {
    for (const code of [
      "ECONNREFUSED",
      "ECONNRESET",
      "CONNECTION_CLOSED",
      "CONNECT_TIMEOUT",
      "08006",
      "53300",
      "57P01",
      "57P03",
      "57014",
      "55P03",
      "40001",
      "40P01",
    ]) {
      assert.equal(isDatabaseUnavailable({ code }), true, code);
    }
  });

  it("given errors that the same statement would meet again (a value out of range, a constraint, bad syntax, no code), then false", () => {
    for (const err of [{ code: "22003" }, { code: "23505" }, { code: "42601" }, new TypeError("x"), null, { code: 5 }]) {
      assert.equal(isDatabaseUnavailable(err), false, JSON.stringify(err));
    }
  });
});
