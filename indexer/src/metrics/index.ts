import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { Counter, Gauge, Histogram, Registry } from "prom-client";

/**
 * The process's one Prometheus registry and every metric merit exports (docs: issue 16). Base units
 * (seconds, slots, settlements), `_total` counters, and never a wallet label: a label per wallet
 * would make one time series per user. A leaf module: every layer may import it, it imports none.
 * Counters are bumped where the work is counted; gauges of state held elsewhere (the database,
 * the chain) are set by the scrape handler just before it renders (api/ops).
 */
export const registry = new Registry();

export const chainHeadSlot = new Gauge({
  name: "merit_chain_head_slot",
  help: "The chain's newest slot at the ingest commitment, read at scrape time",
  registers: [registry],
});
export const ingestLastSlot = new Gauge({
  name: "merit_ingest_last_slot",
  help: "The slot up to which every watched address is ingested (the ingest watermark)",
  registers: [registry],
});
export const ingestLagSeconds = new Gauge({
  name: "merit_ingest_lag_seconds",
  help: "Seconds between the chain head's block time and the ingest watermark's",
  registers: [registry],
});
export const settlementsIngested = new Counter({
  name: "merit_settlements_ingested_total",
  help: "Settlements stored by ingest (poller, webhook, replay) since the process started",
  registers: [registry],
});
export const settlementsScored = new Counter({
  name: "merit_engine_settlements_scored_total",
  help: "Settlements the rewards engine scored since the process started",
  registers: [registry],
});
export const engineBacklog = new Gauge({
  name: "merit_engine_backlog_settlements",
  help: "Settlements stored but not yet scored",
  registers: [registry],
});
export const rpcRequestDuration = new Histogram({
  name: "merit_rpc_request_duration_seconds",
  help: "Wall time of one JSON-RPC HTTP request (a batch counts once, under its first method)",
  labelNames: ["method"] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});
export const rpcErrors = new Counter({
  name: "merit_rpc_errors_total",
  help: "JSON-RPC requests that failed (each attempt, retried or not)",
  labelNames: ["method"] as const,
  registers: [registry],
});
export const epochCloseDuration = new Histogram({
  name: "merit_epoch_close_duration_seconds",
  help: "Wall time of closing one epoch (ledger to files and root)",
  buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600],
  registers: [registry],
});
export const rootPending = new Gauge({
  name: "merit_root_pending",
  help: "Epoch roots proposed on-chain and not yet active (status proposed or pending)",
  registers: [registry],
});
export const vaultCoverageRatio = new Gauge({
  name: "merit_vault_coverage_ratio",
  help: "Vault balance over what the newest published root still owes (1 = exactly covered); per distributor",
  labelNames: ["distributor"] as const,
  registers: [registry],
});
export const httpRequestDuration = new Histogram({
  name: "http_request_duration_seconds",
  help: "Wall time of an HTTP request, by route template (never the raw path)",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [registry],
});
export const buildInfo = new Gauge({
  name: "merit_build_info",
  help: "Always 1; the labels say which build is running",
  labelNames: ["version", "node"] as const,
  registers: [registry],
});

/** Sets merit_build_info once at start-up. */
export function setBuildInfo(version: string): void {
  buildInfo.reset();
  buildInfo.set({ version, node: process.versions.node }, 1);
}

/**
 * The route template a request matched (`/v1/wallets/:address`), or `unmatched`: a label from
 * the raw path would make one series per address.
 */
export function routeTemplate(c: Parameters<MiddlewareHandler>[0]): string {
  const routes = matchedRoutes(c).filter((r) => r.method !== "ALL");
  return routes.at(-1)?.path ?? "unmatched";
}

/** The middleware the app installs first, so the time covers every other middleware too. */
export function httpMetrics(): MiddlewareHandler {
  return async (c, next) => {
    const end = httpRequestDuration.startTimer();
    try {
      await next();
    } finally {
      end({ method: c.req.method, route: routeTemplate(c), status: String(c.res.status) });
    }
  };
}

export const roleLeader = new Gauge({
  name: "merit_role_leader",
  help: "1 while this process leads the role (holds its advisory lock and runs it), 0 while it stands by",
  labelNames: ["role"] as const,
  registers: [registry],
});
export const vaultShortfall = new Gauge({
  name: "merit_vault_shortfall",
  help: "Base units the vault lacks to cover the outstanding obligation plus the next epoch's expected amount (0 = covered); per distributor",
  labelNames: ["distributor"] as const,
  registers: [registry],
});
export const vaultAlerts = new Counter({
  name: "merit_vault_alerts_total",
  help: "Vault checks that found the vault short (each check counts once); per distributor",
  labelNames: ["distributor"] as const,
  registers: [registry],
});
export const settlementsExcluded = new Counter({
  name: "merit_engine_settlements_excluded_total",
  help: "Settlements fraud controls caught since the process started, by reason and status (excluded, or pending review)",
  labelNames: ["reason", "status"] as const,
  registers: [registry],
});
