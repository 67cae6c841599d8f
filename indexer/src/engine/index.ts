/** The rewards engine's public surface for the daemon, epochs and the API. */
export { scoreBatch, scoreBatchDetailed, WorkerCache, type ScoreBatchOptions, type BatchResult } from "./worker.js";
export { startEngine, type EngineStats, type EngineOptions } from "./daemon.js";
export { replayLedger, type ReplayResult } from "./replay.js";
export { readCursor } from "./cursor.js";
export {
  balancesAsOf,
  balanceOf,
  ledgerHistory,
  leaderboard,
  snapshotLeaderboard,
  leaderboardSnapshot,
  adjustPoints,
  type Balance,
  type HistoryRow,
  type LeaderboardRow,
} from "../ledger/queries.js";
export { publishRuleSet, loadRuleHistory, getRuleSet } from "../rules/rule-sets.js";
export type { LedgerRow, Settlement, EngineCursor } from "../scoring/types.js";
