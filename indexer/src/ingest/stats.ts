/** Counters the daemon reports (`stats()`, JSON-safe), also the "skipped with a counter" of bad transactions. */
export interface IngestStats {
  cycles: number;
  transactionsFetched: number;
  transactionsFailed: number;
  settlementsInserted: number;
  rejected: number;
  rpcErrors: number;
  lastError: string | null;
  lastCycleAt: Date | null;
  /** Slot up to which ingestion is complete, as last stored (see migration 00005). A number, not a
   * bigint, so stats() serialises as JSON (slots stay far below 2^53). */
  watermark: number | null;
}

export function newIngestStats(): IngestStats {
  return {
    cycles: 0,
    transactionsFetched: 0,
    transactionsFailed: 0,
    settlementsInserted: 0,
    rejected: 0,
    rpcErrors: 0,
    lastError: null,
    lastCycleAt: null,
    watermark: null,
  };
}
