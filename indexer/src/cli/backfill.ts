import { ingestSettings } from "../env.js";
import { Command, InvalidArgumentError } from "commander";
import { json, out } from "./admin.js";
import { ingestContext } from "./context.js";

const slotArg = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError("a slot is a non-negative integer");
  return BigInt(v);
};

/** `backfill`: history from a slot or signature to now, with a progress bar and its rate. */
export function backfillCommand(): Command {
  return new Command("backfill")
    .description("ingest settlements from a given slot or signature up to now (resumable: re-run with the same start)")
    .option("--from-slot <slot>", "oldest slot to ingest", slotArg)
    .option("--from-signature <signature>", "ingest everything after this signature")
    .option("--address <address...>", "limit to these addresses (default: every watched address)")
    .option("--json", "print the counts as JSON")
    .action(async (o: { fromSlot?: bigint; fromSignature?: string; address?: string[]; json?: boolean }) => {
      const [{ backfill, backfillStream }, { watchedAddresses }, { discoverMerchantAccounts }, { default: cliProgress }] =
        await Promise.all([
          import("../ingest/sources/backfill.js"),
          import("../ingest/parse/watch-rules.js"),
          import("../ingest/sources/discover.js"),
          import("cli-progress"),
        ]);
      backfillStream(o); // validates the start before any network call
      const ctx = await ingestContext();
      const addresses = o.address ?? watchedAddresses(ctx.rules, await discoverMerchantAccounts(ctx.rpc, ctx.rules, ctx.log));
      const bar = new cliProgress.SingleBar(
        {
          format: "backfill [{bar}] {value}/{total} tx | {rate} tx/s | {settlements} settlements | eta {eta_formatted}",
          hideCursor: true,
          // progress is for a terminal: piped or redirected, stderr keeps to errors
          noTTYOutput: false,
        },
        cliProgress.Presets.shades_classic,
      );
      const t0 = performance.now();
      let total = 0;
      let done = 0;
      let settlements = 0;
      const rate = () => (done / Math.max(0.001, (performance.now() - t0) / 1000)).toFixed(1);
      bar.start(0, 0, { rate: "0.0", settlements: 0 });
      try {
        const stats = await backfill({
          sql: ctx.sql,
          rpc: ctx.rpc,
          rules: ctx.rules,
          addresses,
          fromSlot: o.fromSlot,
          fromSignature: o.fromSignature,
          commitment: ingestSettings(ctx.env).commitment,
          batchSize: ingestSettings(ctx.env).batchSize,
          onListed: (_a, n) => {
            total += n;
            bar.setTotal(total);
          },
          onBatch: (_a, n, s) => {
            done += n;
            settlements += s;
            bar.update(done, { rate: rate(), settlements });
          },
        });
        bar.stop();
        if (o.json) out(json({ transactions: done, addresses: addresses.length, ...stats, transactionsPerSecond: Number(rate()) }));
        else
          out(
            `backfill done: ${done} transactions over ${addresses.length} addresses, ${stats.settlementsInserted} new settlements, ${stats.rejected} rejected, ${rate()} tx/s`,
          );
      } finally {
        bar.stop();
        await ctx.close();
      }
    });
}
