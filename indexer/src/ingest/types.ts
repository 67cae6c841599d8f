import type { RejectReason } from "../errors.js";
/**
 * Shapes the ingest stage reads (getTransaction "json" encoding, Helius webhook items) and the row it
 * writes. Input shapes are typed loosely on purpose: they come from outside and every field is
 * checked where it is used (parse-transaction.ts), so a surprise becomes a reject, not a crash.
 */
export interface RpcCompiledInstruction {
  programIdIndex: number;
  accounts: number[];
  data: string;
  stackHeight?: number | null;
}

export interface RpcTokenBalance {
  accountIndex: number;
  mint: string;
  owner?: string;
  programId?: string;
  uiTokenAmount: { amount: string; decimals: number };
}

/** getTransaction(sig, { encoding: "json", maxSupportedTransactionVersion: 0 }).result */
export interface RpcTransaction {
  slot: number;
  blockTime: number | null;
  version?: "legacy" | 0;
  meta: {
    err: unknown;
    fee: number;
    innerInstructions?: { index: number; instructions: RpcCompiledInstruction[] }[] | null;
    preTokenBalances?: RpcTokenBalance[] | null;
    postTokenBalances?: RpcTokenBalance[] | null;
    loadedAddresses?: { writable: string[]; readonly: string[] } | null;
  } | null;
  transaction: {
    signatures: string[];
    message: {
      accountKeys: string[];
      instructions: RpcCompiledInstruction[];
      addressTableLookups?: unknown[] | null;
    };
  };
  /** Helius raw webhooks add the transaction's position in its block. */
  indexWithinBlock?: number;
}

export type IngestSource = "rpc" | "helius" | "replay";
export type RawEncoding = "rpc-json" | "helius-raw" | "helius-enhanced";

/** One settlement as the parser found it; tx_index is attached when the batch is persisted. */
export interface ParsedSettlement {
  signature: string;
  outerIndex: number;
  innerIndex: number;
  slot: bigint;
  blockTime: Date | null;
  mint: string;
  tokenProgram: string;
  amount: bigint;
  decimals: number;
  payer: string;
  payee: string;
  sourceAccount: string;
  destinationAccount: string;
  feePayer: string;
  facilitator: string | null;
  memo: string | null;
}

export interface SettlementRow extends ParsedSettlement {
  txIndex: number;
  source: IngestSource;
  /** position of its transaction's body in the batch's raw segment (raw-segments-queries.ts) */
  rawIndex?: number;
}

/** One transfer of a transaction that could be a settlement but cannot be stored (its siblings are). */
export interface TransferReject {
  reason: RejectReason;
  detail: string;
}

/** A transaction's outcome once parsed: its settlements, or why it has none. */
export type ParseOutcome =
  | {
      kind: "settlements";
      signature: string;
      slot: bigint;
      txIndex: number | null;
      settlements: ParsedSettlement[];
      rejects?: TransferReject[];
    }
  | { kind: "failed"; signature: string; slot: bigint }
  | { kind: "none"; signature: string; slot: bigint };

export interface RejectRecord {
  signature: string | null;
  source: IngestSource;
  reason: RejectReason;
  detail: string;
  body: string | null;
}
