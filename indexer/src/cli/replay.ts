import { Command } from "commander";
import { env } from "../env.js";
import { json, out, withDb } from "./admin.js";
import { progress, rulesFromEnv } from "./context.js";

/** `ingest replay`: re-parse stored raw transactions with the current parser and watch rules. */
export function replayCommand(): Command {
  return new Command("replay")
    .description("re-parse stored raw transactions and insert missing settlements (source 'replay'); no RPC needed")
    .option("--json", "print the counts as JSON")
    .action(async (o: { json?: boolean }) => {
      const { replayRawTransactions } = await import("../ingest/sources/reparse.js");
      const e = env();
      let done = 0;
      const onBatch = (n: number) => {
        // a line now and then, not one per segment: a terminal sees it move without scrolling away
        if (Math.floor((done + n) / 1000) > Math.floor(done / 1000)) progress(`replay: ${done + n} raw transactions re-parsed`);
        done += n;
      };
      const stats = await withDb("merit-replay", (sql) => replayRawTransactions(sql, rulesFromEnv(e), { onBatch }));
      if (o.json) return out(json(stats));
      out(
        `replay done: ${stats.transactionsFetched} raw transactions, ${stats.settlementsInserted} settlements inserted, ${stats.rejected} rejected`,
      );
    });
}
