import assert from "node:assert/strict";
import { ClaimError } from "./errors.js";
import { classifyProofResponse, parseProofResponse, shardsLocation } from "./proof.js";

const W = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
const D = "5y2NyTdPLmNXuGWcwv6WFwA9cLakpE8qeVaWa3vYy2Ku";
const M = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v";
const h = (c: string) => c.repeat(64);
const body = `{"wallet":"${W}","distributor":"${D}","mint":"${M}","active":{"epoch":"7","root":"${h("a")}","amount":"5005","proof":["${h("1")}","${h("2")}"]},"pending":{"epoch":"8","root":"${h("b")}","amount":"18446744073709551615","proof":[],"activatesAt":"2026-12-06T10:00:00.000Z"}}`;

describe("the API's proof response (GET /v1/wallets/:address/proof)", () => {
  it("Given the documented shape with an active and a pending root, Then both parse with bigint amounts and byte proofs", () => {
    const r = parseProofResponse(body);
    assert.equal(r.wallet, W);
    assert.equal(r.distributor, D);
    assert.equal(r.active?.epoch, 7n);
    assert.equal(r.active?.amount, 5005n);
    assert.deepEqual(
      r.active?.proof.map((p) => p.toString("hex")),
      [h("1"), h("2")],
    );
    assert.equal(r.pending?.epoch, 8n);
    assert.equal(r.pending?.amount, 18446744073709551615n);
    assert.equal(r.pending?.activatesAt, "2026-12-06T10:00:00.000Z");
    assert.equal(r.pending?.source, "api");
  });

  it("Given null active and pending roots, Then both are null", () => {
    const r = parseProofResponse(`{"wallet":"${W}","distributor":"${D}","mint":"${M}","active":null,"pending":null}`);
    assert.equal(r.active, null);
    assert.equal(r.pending, null);
  });

  for (const [what, text, field] of [
    ["an amount as a JSON number", body.replace('"amount":"5005"', '"amount":5005'), "active.amount"],
    ["an amount above u64", body.replace('"5005"', '"18446744073709551616"'), "active.amount"],
    ["a root of 31 bytes", body.replace(h("a"), h("a").slice(2)), "active.root"],
    ["a wallet that is not base58", body.replace(W, "0OIl"), "wallet"],
    ["a pending root without activatesAt", body.replace(',"activatesAt":"2026-12-06T10:00:00.000Z"', ""), "pending.activatesAt"],
  ] as const) {
    it(`Given ${what}, Then it is refused naming ${field}`, () => {
      assert.throws(
        () => parseProofResponse(text),
        (e: unknown) => e instanceof ClaimError && e.errorName === "ProofSourceUnavailable" && e.message.includes(field),
      );
    });
  }

  it("Given the HTTP status, Then 404 is not eligible, 200 is parsed and anything else is the service being unavailable", () => {
    assert.equal(classifyProofResponse(404, '{"error":"not_found","message":"no allocation"}').kind, "not-eligible");
    assert.equal(classifyProofResponse(200, body).kind, "found");
    const down = classifyProofResponse(503, '{"error":"unavailable"}');
    assert.deepEqual(down, { kind: "unavailable", reason: "HTTP 503" });
    assert.equal(classifyProofResponse(200, "<html>").kind, "unavailable");
  });

  it("Given a shards URL template, Then {epoch} and {distributor} are filled in", () => {
    assert.equal(shardsLocation("http://h/v1/epochs/{epoch}/shards", D, 8n), "http://h/v1/epochs/8/shards");
    assert.equal(shardsLocation("/data/epochs/{distributor}/{epoch}/shards", D, 12n), `/data/epochs/${D}/12/shards`);
  });
});
