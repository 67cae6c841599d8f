import assert from "node:assert/strict";
import { CopySegment } from "../db/copy-pipe.js";
import { writeLedgerRow, writeScoreRow } from "./copy-rows.js";
import type { LedgerRow, ScoreRow } from "../scoring/types.js";

/**
 * Issue #14, section 3, item 8: a settlement of ~18.4 trillion whole tokens (volume 2^64 - 10^6
 * micro-units) went through COPY's binary int8 as -1,000,000, and a negative earn row landed in
 * the ledger. The unnest path refuses such a value ("out of range for type bigint"); COPY must
 * refuse it too, never wrap. (Ingest rejects such settlements first: volume_out_of_range.)
 */
describe("COPY binary int8: values outside bigint are refused, never wrapped", () => {
  const at = new Date("2026-06-01T10:00:00Z");
  const score: ScoreRow = {
    settlementId: 1n,
    seq: 1n,
    account: "a",
    volume: 0n,
    tier: null,
    ruleSetVersion: null,
    points: 0n,
    eventTime: at,
    counted: true,
  };
  const ledger: LedgerRow = {
    seq: 1n,
    settlementId: 1n,
    account: "a",
    delta: 1n,
    reason: "earn",
    campaignId: null,
    ruleId: null,
    referralPath: null,
    ruleSetVersion: null,
    occurredAt: at,
  };

  it("given a score row whose volume is 2^64 - 10^6, then the encoder throws instead of writing -1,000,000", () => {
    assert.throws(() => writeScoreRow(new CopySegment("t"), { ...score, volume: 2n ** 64n - 1_000_000n }), /out of range for bigint/);
  });

  it("given a ledger delta of 2^63 or a points value below -2^63, then it throws; the extremes themselves are written", () => {
    assert.throws(() => writeLedgerRow(new CopySegment("t"), { ...ledger, delta: 2n ** 63n }), /out of range for bigint/);
    assert.throws(() => writeScoreRow(new CopySegment("t"), { ...score, points: -(2n ** 63n) - 1n }), /out of range for bigint/);
    writeLedgerRow(new CopySegment("t"), { ...ledger, delta: 2n ** 63n - 1n });
    writeScoreRow(new CopySegment("t"), { ...score, points: -(2n ** 63n) });
  });
});
