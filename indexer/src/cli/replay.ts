import { Command } from "commander";
import { env } from "../env.js";
import { CallerError } from "../errors.js";
import { connect } from "../db.js";
import { log, rulesFromEnv } from "./context.js";

/** `replay`: re-parse stored raw transactions with the current parser and watch rules. */
export function replayCommand(): Command {
  return new Command("replay").description("re-parse stored raw transactions and insert missing settlements (source 'replay'); no RPC needed").action(async () => {
    const { replayRawTransactions } = await import("../ingest/replay.js");
    const e = env();
    if (!e.DATABASE_URL) throw new CallerError("no_database", "DATABASE_URL is required for this command");
    const sql = connect(e.DATABASE_URL, { max: 2, name: "merit-replay" });
    try {
      const stats = await replayRawTransactions(sql, rulesFromEnv(e));
      log(`replay done: ${stats.transactionsFetched} raw transactions, ${stats.settlementsInserted} settlements inserted, ${stats.rejected} rejected`);
    } finally {
      await sql.end();
    }
  });
}
