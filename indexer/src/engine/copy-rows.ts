import type { CopySegment } from "../db/copy-pipe.js";
import { int64, text, textArray, textBound, timestamptz } from "../db/binary-copy.js";
import type { LedgerRow, ScoreRow } from "../scoring/types.js";

/** The engine's two COPY row shapes in binary format (db/binary-copy.ts); field order follows the targets. */
export const LEDGER_COPY_TARGET =
  "point_ledger (seq, settlement_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at)";
export const SCORES_COPY_TARGET =
  "settlement_scores (settlement_id, seq, account, volume, tier, rule_set_version, points, event_time, counted)";

export function writeLedgerRow(seg: CopySegment, r: LedgerRow): void {
  let need = 2 + 5 * 12 + 28 + textBound(r.account) + textBound(r.reason) + textBound(r.campaignId) + textBound(r.ruleId);
  if (r.referralPath) for (const p of r.referralPath) need += textBound(p);
  seg.room(need);
  seg.view.setInt16(seg.off, 10);
  seg.off += 2;
  int64(seg, r.seq);
  int64(seg, r.settlementId);
  text(seg, r.account);
  int64(seg, r.delta);
  text(seg, r.reason);
  text(seg, r.campaignId);
  text(seg, r.ruleId);
  textArray(seg, r.referralPath);
  int64(seg, r.ruleSetVersion);
  timestamptz(seg, r.occurredAt);
}

export function writeScoreRow(seg: CopySegment, r: ScoreRow): void {
  seg.room(2 + 6 * 12 + 5 + textBound(r.account) + textBound(r.tier));
  seg.view.setInt16(seg.off, 9);
  seg.off += 2;
  int64(seg, r.settlementId);
  int64(seg, r.seq);
  text(seg, r.account);
  int64(seg, r.volume);
  text(seg, r.tier);
  int64(seg, r.ruleSetVersion);
  int64(seg, r.points);
  timestamptz(seg, r.eventTime);
  seg.view.setInt32(seg.off, 1);
  seg.view.setUint8(seg.off + 4, r.counted ? 1 : 0);
  seg.off += 5;
}
