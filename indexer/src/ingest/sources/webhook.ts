import { createHash, timingSafeEqual } from "node:crypto";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { Sql } from "../../db/connection.js";
import { type RejectReason, UpstreamError } from "../../errors.js";
import { BlockIndex } from "../rpc/block-index.js";
import { buildBatch, signatureOf, type Received } from "../parse/build-batch.js";
import { getTransactions } from "../rpc/fetch-transactions.js";
import { isEnhancedItem } from "../parse/enhanced.js";
import { isDatabaseUnavailable, persistBatch } from "../store/persist.js";
import { recordRejects } from "../store/rejects.js";
import { RpcClient } from "../rpc/client.js";
import { newIngestStats, type IngestStats } from "../stats.js";
import type { WatchRules } from "../parse/watch-rules.js";
import type { RejectRecord } from "../types.js";

/**
 * POST /webhooks/helius. Answers 2xx only after the rows are committed, so a crash mid-request
 * means Helius retries, and the unique key makes its redelivery a no-op. 401 for a wrong
 * Authorization header, 400 for a body that is not a Helius payload (stored in ingest_rejects),
 * 503 when the RPC or the database fails (Helius retries later), 500 for anything else (a bug:
 * the same payload would fail again). Error bodies never carry internal text; the log does.
 */
export interface WebhookOptions {
  sql: Sql;
  rules: WatchRules;
  /** The exact Authorization header value configured on the Helius webhook. */
  authHeader: string;
  /** Resolves tx_index of enhanced items and of raw items without indexWithinBlock. */
  rpcUrl?: string;
  rpc?: RpcClient;
  stats?: IngestStats;
  log?: (line: string) => void;
  maxBodyBytes?: number;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}

/** Constant time whatever the lengths: compare fixed-size digests, never the strings. */
export function authMatches(given: string | undefined, expected: string): boolean {
  return timingSafeEqual(digest(given ?? ""), digest(expected)) && given !== undefined;
}

function errorDetail(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}

function isRawItem(item: unknown): boolean {
  const t = item as { transaction?: { message?: unknown }; meta?: unknown } | null;
  return typeof t === "object" && t !== null && typeof t.transaction?.message === "object" && "meta" in t;
}

export function webhookRoutes(opts: WebhookOptions): Hono {
  const app = new Hono();
  const stats = opts.stats ?? newIngestStats();
  const log = opts.log ?? (() => {});
  // Helius delivers "confirmed" transactions; asking the RPC at "finalized" could miss them.
  const rpc = opts.rpc ?? (opts.rpcUrl ? new RpcClient({ url: opts.rpcUrl, log }) : undefined);
  const blockIndex = rpc ? new BlockIndex(rpc, "confirmed") : undefined;
  const fetchRaw = rpc ? async (sig: string) => (await getTransactions(rpc, [sig], { commitment: "confirmed" })).get(sig) : undefined;

  const malformed = async (error: RejectReason, message: string, text: string) => {
    stats.rejected++;
    await recordRejects(opts.sql, [{ signature: null, source: "helius", reason: error, detail: message, body: text }]);
    return { error, message };
  };

  app.post(
    "/webhooks/helius",
    bodyLimit({
      maxSize: opts.maxBodyBytes ?? 8 * 1024 * 1024,
      onError: (c) => c.json({ error: "body_too_large", message: "webhook body exceeds the size limit" }, 413),
    }),
    async (c) => {
      if (!authMatches(c.req.header("authorization"), opts.authHeader)) {
        return c.json({ error: "unauthorized", message: "Authorization header does not match the configured webhook secret" }, 401);
      }
      try {
        const text = await c.req.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          return c.json(await malformed("malformed_json", "body is not JSON", text), 400);
        }
        if (!Array.isArray(body)) return c.json(await malformed("expected_array", "Helius posts a JSON array of transactions", text), 400);
        const items: Received[] = [];
        const unknown: RejectRecord[] = [];
        for (const [i, item] of body.entries()) {
          if (isRawItem(item)) items.push({ body: item, encoding: "helius-raw" });
          else if (isEnhancedItem(item)) items.push({ body: item, encoding: "helius-enhanced" });
          else
            unknown.push({
              signature: signatureOf(item),
              source: "helius",
              reason: "unknown_item_shape",
              detail: `item ${i} is neither a raw (transaction+meta) nor an enhanced (signature+tokenTransfers/accountData) transaction`,
              body: JSON.stringify(item) ?? null,
            });
        }
        // Nothing recognisable: not a Helius payload. Otherwise one odd item is a reject of its own.
        if (items.length === 0 && unknown.length > 0) return c.json(await malformed("unknown_item_shape", unknown[0]!.detail, text), 400);
        const batch = await buildBatch(items, { rules: opts.rules, source: "helius", stats, blockIndex, fetchRaw });
        stats.rejected += unknown.length;
        batch.rejects.push(...unknown);
        const { inserted } = await persistBatch(opts.sql, batch);
        stats.settlementsInserted += inserted;
        return c.json({ received: items.length, settlements: batch.settlements.length, inserted, rejected: batch.rejects.length });
      } catch (err) {
        // The caller gets a fixed sentence: error text can name hosts, paths, SQL or an RPC URL with its key.
        if (err instanceof UpstreamError || isDatabaseUnavailable(err)) {
          log(`webhook: a dependency failed, answering 503 so Helius retries: ${errorDetail(err)}`);
          return c.json({ error: "unavailable", message: "a dependency of the webhook is unavailable; retry later" }, 503);
        }
        log(`webhook: unexpected failure (a bug), answering 500: ${errorDetail(err)}`);
        return c.json({ error: "internal_error", message: "internal error; the failure is logged on the server" }, 500);
      }
    },
  );
  return app;
}
