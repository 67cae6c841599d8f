import { Command } from "commander";
import { ingestSettings } from "../env.js";
import { ingestContext } from "./context.js";

/** `run`: the ingest poller alone, until SIGINT/SIGTERM (the lead's daemon embeds the same). */
export function runCommand(): Command {
  return new Command("run").description("poll the watched addresses and ingest settlements until stopped").action(async () => {
    const { startIngest } = await import("../ingest/index.js");
    const ctx = await ingestContext();
    const handle = await startIngest({
      sql: ctx.sql,
      rpcUrl: ctx.rpcUrl,
      rules: ctx.rules,
      ...ingestSettings(ctx.env),
      log: ctx.log,
    });
    let last = 0;
    const report = setInterval(() => {
      const s = handle.stats();
      if (s.cycles !== last)
        ctx.log(
          `ingest: ${s.cycles} passes, ${s.transactionsFetched} transactions, ${s.settlementsInserted} settlements, ${s.rejected} rejected, ${s.rpcErrors} rpc errors`,
        );
      last = s.cycles;
    }, 10_000);
    await new Promise<void>((resolve) => {
      for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => resolve());
    });
    clearInterval(report);
    await handle.stop();
    await ctx.close();
  });
}
