/** A settlement as the engine reads it (columns of `settlements`, amount as bigint). */
export interface Settlement {
  id: bigint;
  slot: bigint;
  txIndex: number;
  outerIndex: number;
  innerIndex: number;
  blockTime: Date | null;
  mint: string;
  amount: bigint;
  decimals: number;
  payer: string;
  payee: string;
  memo: string | null;
}

/** "event": an off-chain event's rule award (scoring/events) */
export type EngineReason = "earn" | "rule" | "campaign" | "referral" | "event";

/** One point_ledger row produced by scoring (ids and created_at are the database's). */
export interface LedgerRow {
  seq: bigint;
  /** null on the rows of an off-chain event, which name `eventId` instead */
  settlementId: bigint | null;
  eventId?: bigint | null;
  account: string;
  delta: bigint;
  reason: EngineReason;
  campaignId: string | null;
  ruleId: string | null;
  referralPath: string[] | null;
  ruleSetVersion: bigint | null;
  occurredAt: Date;
}

/** One settlement_scores row. */
export interface ScoreRow {
  settlementId: bigint;
  seq: bigint;
  account: string;
  volume: bigint;
  tier: string | null;
  ruleSetVersion: bigint | null;
  points: bigint;
  eventTime: Date;
  /** false when the settlement was under its earn config's minimum: it counts for nothing */
  counted: boolean;
}

/** Position in chain order plus the scoring sequence reached there. */
export interface EngineCursor {
  seq: bigint;
  slot: bigint;
  txIndex: number;
  outerIndex: number;
  innerIndex: number;
  eventTime: Date | null;
  /** bumped by admin writes; see migration 00015 */
  generation: bigint;
  /** the sequence the state tables reflect (a checkpoint, <= seq); see migration 00016 */
  stateSeq: bigint;
  /** the last off-chain event scored (events.seq); see migration 00040 */
  eventSeq: bigint;
}

/**
 * A settlement fraud screening caught (settlement_exclusions): `excluded` counts for nothing,
 * `pending` waits for an admin, who may credit `heldPoints` (the payer's earn and rules as they
 * would have been) or not.
 */
export interface Exclusion {
  settlementId: bigint;
  seq: bigint;
  wallet: string;
  counterparty: string;
  account: string;
  reason: string;
  detail: string;
  status: "excluded" | "pending";
  heldPoints: bigint;
  ruleSetVersion: bigint | null;
  occurredAt: Date;
}
