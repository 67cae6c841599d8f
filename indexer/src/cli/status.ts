import { Command } from "commander";
import type { Queryable } from "../db/connection.js";
import { listCursors, getIngestWatermark } from "../ingest/store/cursors.js";
import { countRejectsByReason } from "../ingest/store/rejects.js";
import { countSettlements, countSettlementsAfter, latestSettlement } from "../ingest/store/settlements.js";
import { readCursor } from "../engine/cursor.js";
import { latestRuleSetVersion } from "../rules/rule-sets.js";
import { json, out, withDb } from "./admin.js";

export interface Status {
  settlements: { total: number; latestSlot: bigint | null; latestBlockTime: Date | null; watermarkSlot: bigint | null };
  cursors: { address: string; stream: string; lastSlot: bigint; updatedAt: Date }[];
  engine: { scored: bigint; waiting: number; slot: bigint; eventTime: Date | null; checkpointSeq: bigint; ruleSetVersion: bigint };
  rejects: { reason: string; rows: number; seen: number }[];
}

/** Where each stage stands, from the database alone (the daemon need not be running). */
export async function readStatus(q: Queryable): Promise<Status> {
  const cursor = await readCursor(q);
  const [total, latest, watermark, cursors, waiting, version, rejects] = await Promise.all([
    countSettlements(q),
    latestSettlement(q),
    getIngestWatermark(q),
    listCursors(q),
    countSettlementsAfter(q, cursor),
    latestRuleSetVersion(q),
    countRejectsByReason(q),
  ]);
  return {
    settlements: { total, latestSlot: latest?.slot ?? null, latestBlockTime: latest?.blockTime ?? null, watermarkSlot: watermark ?? null },
    cursors: cursors.map((c) => ({ address: c.address, stream: c.stream, lastSlot: c.lastSlot, updatedAt: c.updatedAt })),
    engine: {
      scored: cursor.seq,
      waiting,
      slot: cursor.slot,
      eventTime: cursor.eventTime,
      checkpointSeq: cursor.stateSeq,
      ruleSetVersion: version,
    },
    rejects,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? "-";

export function statusCommand(): Command {
  return new Command("status")
    .description("where ingest and the rewards engine stand: settlements, cursors, scoring backlog, rejects (from the database)")
    .option("--json", "one JSON object")
    .action(async (o: { json?: boolean }) => {
      const s = await withDb("merit-status", readStatus);
      if (o.json) return out(json(s));
      out(
        `settlements  ${s.settlements.total} stored, newest at slot ${s.settlements.latestSlot ?? "-"} (${iso(s.settlements.latestBlockTime)}); complete up to slot ${s.settlements.watermarkSlot ?? "- (no full poller pass yet)"}`,
      );
      for (const c of s.cursors) out(`  cursor     ${c.stream.padEnd(10)} ${c.address}  slot ${c.lastSlot}  (${iso(c.updatedAt)})`);
      const e = s.engine;
      out(
        `engine       ${e.scored} scored, ${e.waiting} waiting; at slot ${e.slot} (${iso(e.eventTime)}); checkpoint at seq ${e.checkpointSeq}; rule set v${e.ruleSetVersion}${e.ruleSetVersion === 0n ? " (none published: nothing is scored until one is)" : ""}`,
      );
      const seen = s.rejects.reduce((a, r) => a + r.seen, 0);
      out(
        `rejects      ${s.rejects.reduce((a, r) => a + r.rows, 0)} stored (${seen} deliveries)${s.rejects.length ? ": " + s.rejects.map((r) => `${r.reason} ${r.rows}`).join(", ") : ""}`,
      );
    });
}
