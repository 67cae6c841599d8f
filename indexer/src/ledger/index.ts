/** The rewards engine's public surface for the daemon, epochs and the API. */
export { startEngine, scoreBatch, scoreBatchDetailed, type EngineStats, type EngineOptions, type ScoreBatchOptions } from "./worker.js";
export { replayLedger, type ReplayResult } from "./replay.js";
export { readCursor } from "./cursor.js";
export {
  balancesAsOf, balanceOf, ledgerHistory, leaderboard, snapshotLeaderboard, leaderboardSnapshot, adjustPoints,
  type Balance, type HistoryRow, type LeaderboardRow,
} from "./queries.js";
export { publishRuleSet, loadRuleHistory, getRuleSet } from "../rules/rule-sets.js";
export type { LedgerRow, Settlement, Cursor } from "./types.js";
