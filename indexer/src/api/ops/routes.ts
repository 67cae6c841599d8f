import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { type Connection, PublicKey } from "@solana/web3.js";
import type { Sql } from "../../db/connection.js";
import { readCursor } from "../../engine/cursor.js";
import { countPendingRoots, listDistributors } from "../../epochs/queries.js";
import { RpcClient } from "../../ingest/rpc/client.js";
import { countSettlementsAfter } from "../../ingest/store/settlements.js";
import { componentLog } from "../../log.js";
import {
  chainHeadSlot,
  engineBacklog,
  ingestLagSeconds,
  ingestLastSlot,
  registry,
  rootPending,
  setBuildInfo,
  vaultCoverageRatio,
} from "../../metrics/index.js";
import { offlineProgram, readChain } from "../../publish/chain.js";
import { jsonResponse as json } from "../route-helpers.js";
import { type ApiEnv, newRouter } from "../router.js";

export interface OpsDeps {
  sql: Sql;
  rpcUrl: string;
  /** READY_MAX_INGEST_LAG_SECONDS: /readyz fails its ingest check above this. */
  maxIngestLagSeconds: number;
  /** Commitment of the head slot (default confirmed, what ingest reads at). */
  commitment?: "processed" | "confirmed" | "finalized";
  /** Each check's time limit (default 2 s): a hung dependency is a failed check, not a hung probe. */
  timeoutMs?: number;
  /** Where merit_vault_coverage_ratio reads distributors and vaults; unset: the gauge is not set. */
  chain?: { connection: Connection; programId?: string };
  /** merit_build_info's version label (package.json's version). */
  version?: string;
}

const Check = z.object({ ok: z.boolean(), ms: z.number(), error: z.string().optional() }).passthrough();
const Readiness = z
  .object({
    status: z.enum(["ready", "not_ready"]),
    failed: z.array(z.string()),
    checks: z.object({ database: Check, rpc: Check, ingest: Check }),
    error: z.string().optional(),
    message: z.string().optional(),
  })
  .openapi("Readiness");

type CheckResult = { ok: boolean; ms: number; error?: string } & Record<string, unknown>;

function withTimeout<T>(ms: number, what: string, f: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([f(), limit]).finally(() => clearTimeout(timer));
}

async function check(
  ms: number,
  what: string,
  f: () => Promise<Record<string, unknown> & { ok?: boolean; error?: string }>,
): Promise<CheckResult> {
  const t0 = performance.now();
  try {
    const r = await withTimeout(ms, what, f);
    return { ok: r.ok ?? true, ...r, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { ok: false, error: (err as Error).message, ms: Math.round(performance.now() - t0) };
  }
}

/** The ingest watermark and its age: how long ago ingest was last complete up to the head it saw. */
async function ingestPosition(sql: Sql): Promise<{ slot: bigint; lagSeconds: number } | undefined> {
  const [r] = await sql<{ slot: bigint; age: number }[]>`
    select slot, extract(epoch from now() - updated_at)::float8 as age from ingest_watermark where id = 1`;
  return r && { slot: r.slot, lagSeconds: Math.max(0, r.age) };
}

/**
 * Operational routes, mounted at the root: `/healthz` (the process answers; no I/O), `/readyz`
 * (database, RPC and ingest lag, each with its result; 503 naming what failed) and `/metrics`
 * (Prometheus text; gauges of database and chain state are read at scrape time).
 */
export function opsRoutes(deps: OpsDeps): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  setBuildInfo(deps.version ?? "unknown");
  const timeoutMs = deps.timeoutMs ?? 2000;
  // no retries: a probe reports the RPC as it is now
  const rpc = new RpcClient({ url: deps.rpcUrl, maxRetries: 0, timeoutMs, requestsPerSecond: 1000 });
  const headSlot = async () => BigInt(await rpc.call<number>("getSlot", [{ commitment: deps.commitment ?? "confirmed" }]));
  const log = componentLog("api");

  r.openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["ops"],
      summary: "The process is alive (no dependency is consulted)",
      responses: { 200: json(z.object({ status: z.literal("ok"), uptimeSeconds: z.number() }), "Alive") },
    }),
    (c) => c.json({ status: "ok" as const, uptimeSeconds: Math.round(process.uptime()) }, 200),
  );

  r.openapi(
    createRoute({
      method: "get",
      path: "/readyz",
      tags: ["ops"],
      summary: "Ready to serve: the database answers, the RPC answers getSlot, ingest lag is under READY_MAX_INGEST_LAG_SECONDS",
      responses: { 200: json(Readiness, "Ready; each check's result"), 503: json(Readiness, "Not ready; `failed` names the checks") },
    }),
    async (c) => {
      const [database, rpcCheck, ingest] = await Promise.all([
        check(timeoutMs, "the database", async () => {
          await deps.sql`select 1`;
          return {};
        }),
        check(timeoutMs, "the RPC", async () => ({ slot: Number(await headSlot()) })),
        check(timeoutMs, "the database", async () => {
          const pos = await ingestPosition(deps.sql);
          if (!pos) return { ok: false, error: "ingest has not completed a pass yet", maxLagSeconds: deps.maxIngestLagSeconds };
          const ok = pos.lagSeconds <= deps.maxIngestLagSeconds;
          return {
            ok,
            slot: Number(pos.slot),
            lagSeconds: Math.round(pos.lagSeconds),
            maxLagSeconds: deps.maxIngestLagSeconds,
            ...(ok ? {} : { error: `ingest was last complete ${Math.round(pos.lagSeconds)} s ago (limit ${deps.maxIngestLagSeconds} s)` }),
          };
        }),
      ]);
      const checks = { database, rpc: rpcCheck, ingest };
      const failed = Object.entries(checks)
        .filter(([, v]) => !v.ok)
        .map(([k]) => k);
      if (failed.length === 0) return c.json({ status: "ready" as const, failed, checks }, 200);
      const message = `not ready: ${failed.map((k) => `${k} (${checks[k as keyof typeof checks].error})`).join("; ")}`;
      return c.json({ status: "not_ready" as const, failed, checks, error: "not_ready", message }, 503);
    },
  );

  /** Sets the scrape-time gauges; a source that fails leaves its gauges unset rather than failing the scrape. */
  const refresh = async () => {
    const jobs: [string, () => Promise<void>][] = [
      ["head slot", async () => chainHeadSlot.set(Number(await headSlot()))],
      [
        "ingest position",
        async () => {
          const pos = await ingestPosition(deps.sql);
          if (!pos) return;
          ingestLastSlot.set(Number(pos.slot));
          ingestLagSeconds.set(pos.lagSeconds);
        },
      ],
      ["engine backlog", async () => engineBacklog.set(await countSettlementsAfter(deps.sql, await readCursor(deps.sql)))],
      ["pending roots", async () => rootPending.set(await countPendingRoots(deps.sql))],
      [
        "vault coverage",
        async () => {
          if (!deps.chain) return;
          const program = offlineProgram(deps.chain.connection, deps.chain.programId);
          for (const d of await listDistributors(deps.sql)) {
            const view = await readChain(deps.chain.connection, program, new PublicKey(d.address));
            const owed = view.distributor.latestTotal - view.distributor.totalClaimed;
            // nothing owed is fully covered
            vaultCoverageRatio.set({ distributor: d.address }, owed <= 0n ? 1 : Number(view.vaultBalance) / Number(owed));
          }
        },
      ],
    ];
    await Promise.all(
      jobs.map(([what, f]) =>
        withTimeout(timeoutMs, what, f).catch((err) => log.log.warn({ err: (err as Error).message }, `metrics: ${what} unavailable`)),
      ),
    );
  };

  r.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      tags: ["ops"],
      summary: "Prometheus metrics (text exposition format)",
      responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } } },
    }),
    async (c) => {
      await refresh();
      return c.text(await registry.metrics(), 200, { "content-type": registry.contentType });
    },
  );
  return r;
}
