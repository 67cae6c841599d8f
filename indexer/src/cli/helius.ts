import { Command } from "commander";
import { env } from "../env.js";
import { CallerError } from "../errors.js";
import { out } from "./admin.js";
import { log, rulesFromEnv } from "./context.js";

/** `webhook register`: create or update the Helius webhook for the watched addresses. */
export function webhookCommand(): Command {
  const helius = new Command("webhook").description("the Helius webhook that posts the watched addresses' transactions to this daemon");
  helius
    .command("register")
    .description("create or update the webhook that posts the watched addresses' transactions to this daemon")
    .option("--url <url>", "public https URL of POST /webhooks/helius (default HELIUS_WEBHOOK_URL)")
    .option("--type <type>", "raw | enhanced | rawDevnet | enhancedDevnet (default HELIUS_WEBHOOK_TYPE)")
    .option("--json", "print the result as JSON")
    .action(async (o: { url?: string; type?: string; json?: boolean }) => {
      const [{ registerHeliusWebhook }, { watchedAddresses }, { RpcClient }, { discoverMerchantAccounts }] = await Promise.all([
        import("../ingest/sources/helius-register.js"),
        import("../ingest/parse/watch-rules.js"),
        import("../ingest/rpc/client.js"),
        import("../ingest/sources/discover.js"),
      ]);
      const e = env();
      const webhookUrl = o.url ?? e.HELIUS_WEBHOOK_URL;
      if (!e.HELIUS_API_KEY) throw new CallerError("no_helius_key", "HELIUS_API_KEY is required");
      if (!e.HELIUS_WEBHOOK_AUTH)
        throw new CallerError("no_helius_auth", "HELIUS_WEBHOOK_AUTH is required: Helius echoes it in the Authorization header we check");
      if (!webhookUrl) throw new CallerError("no_webhook_url", "give --url or HELIUS_WEBHOOK_URL");
      const type = (o.type ?? e.HELIUS_WEBHOOK_TYPE) as "raw" | "enhanced" | "rawDevnet" | "enhancedDevnet";
      if (!["raw", "enhanced", "rawDevnet", "enhancedDevnet"].includes(type))
        throw new CallerError("bad_webhook_type", `unknown webhook type ${type}`);
      const rules = rulesFromEnv(e);
      const extra = e.RPC_URL ? await discoverMerchantAccounts(new RpcClient({ url: e.RPC_URL, log }), rules, log) : [];
      const addresses = watchedAddresses(rules, extra);
      const result = await registerHeliusWebhook({
        apiKey: e.HELIUS_API_KEY,
        apiUrl: e.HELIUS_API_URL,
        webhookUrl,
        addresses,
        authHeader: e.HELIUS_WEBHOOK_AUTH,
        webhookType: type,
      });
      if (o.json) return out(JSON.stringify({ ...result, addresses: addresses.length, webhookType: type }));
      out(`webhook ${result.webhookID} ${result.action}: ${webhookUrl} receives ${type} transactions of ${addresses.length} addresses`);
    });
  return helius;
}
