import { Command, InvalidArgumentError } from "commander";
import type { ExclusionRow, ExclusionStatus } from "../fraud/review.js";
import { formatPoints } from "../scoring/points/math.js";
import { json, out, withDb } from "./admin.js";

/**
 * `merit admin review list | approve | reject`: the fraud review queue (fraud/review.ts), the same
 * functions as /v1/admin/review.
 */
const settlementId = (v: string) => {
  if (!/^[1-9]\d{0,18}$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a settlement id`);
  return BigInt(v);
};
const STATUSES = ["excluded", "pending", "approved", "rejected", "all"] as const;
const status = (v: string) => {
  if (!(STATUSES as readonly string[]).includes(v)) throw new InvalidArgumentError(`"${v}" is not one of ${STATUSES.join(", ")}`);
  return v as (typeof STATUSES)[number];
};
const line = (e: ExclusionRow) =>
  `${String(e.settlementId).padStart(8)}  ${e.status.padEnd(8)}  ${e.reason.padEnd(16)}  ${formatPoints(e.heldPoints).padStart(12)}  ${e.wallet}  ${e.detail}`;

export function reviewCommand(): Command {
  const review = new Command("review").description("settlements fraud controls hold for review: list, approve, reject");
  review
    .command("list")
    .description("the queue, oldest first (settlement, status, reason, held points, wallet, why)")
    .option("--status <status>", `${STATUSES.join(" | ")}`, status, "pending")
    .option("--limit <n>", "rows", (v) => Number(v), 50)
    .option("--json", "one JSON array")
    .action(async (o: { status: (typeof STATUSES)[number]; limit: number; json?: boolean }) => {
      const { listExclusions } = await import("../fraud/review.js");
      const rows = await withDb("merit-review", (sql) =>
        listExclusions(sql, { status: o.status === "all" ? undefined : (o.status as ExclusionStatus), limit: o.limit }),
      );
      if (o.json) return out(json(rows));
      if (rows.length === 0) return out(o.status === "pending" ? "the review queue is empty" : `no ${o.status} exclusions`);
      for (const r of rows) out(line(r));
    });
  for (const decision of ["approve", "reject"] as const)
    review
      .command(`${decision} <settlement>`)
      .description(
        decision === "approve" ? "credit a held settlement's points (a ledger row naming it)" : "leave a held settlement excluded for good",
      )
      .requiredOption("--by <who>", "who decides (kept with the decision)")
      .option("--note <text>", "why")
      .option("--json", "print the decided exclusion as JSON")
      .action(async (text: string, o: { by: string; note?: string; json?: boolean }) => {
        const id = settlementId(text);
        const { decideReview } = await import("../fraud/review.js");
        const r = await withDb("merit-review", (sql) => decideReview(sql, { settlementId: id, decision, by: o.by, note: o.note }));
        if (o.json) return out(json(r.after));
        out(
          decision === "approve"
            ? `settlement ${id} approved: ${formatPoints(r.after.heldPoints)} points credited to ${r.after.account}${r.after.ledgerId ? ` (ledger row ${r.after.ledgerId})` : ""}`
            : `settlement ${id} rejected: it stays excluded (${r.after.reason})`,
        );
      });
  return review;
}
