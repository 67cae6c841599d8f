import { Command } from "commander";
import { env } from "../env.js";
import { withDb } from "./admin.js";
import { log, rulesFromEnv } from "./context.js";

/** `replay`: re-parse stored raw transactions with the current parser and watch rules. */
export function replayCommand(): Command {
  return new Command("replay")
    .description("re-parse stored raw transactions and insert missing settlements (source 'replay'); no RPC needed")
    .action(async () => {
      const { replayRawTransactions } = await import("../ingest/sources/reparse.js");
      const e = env();
      const stats = await withDb("merit-replay", (sql) => replayRawTransactions(sql, rulesFromEnv(e)));
      log(
        `replay done: ${stats.transactionsFetched} raw transactions, ${stats.settlementsInserted} settlements inserted, ${stats.rejected} rejected`,
      );
    });
}
