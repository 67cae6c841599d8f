import type { Queryable, Sql } from "../db/connection.js";
import { withEngineLock } from "../engine/lock.js";
import { CallerError } from "../errors.js";
import type { Exclusion } from "../scoring/types.js";

/**
 * The review queue and every exclusion (settlement_exclusions, migration 00060). Fraud screening
 * (scoring/fraud/) writes the rows as it scores; an admin decides the pending ones here. A decision
 * is an input, like an adjustment: approval credits the held points as a ledger row of its own
 * (reason `adjustment`, note naming the settlement), never a re-scoring, so the engine's chain-order
 * state and replay of settlements stay as they were.
 */
export type ExclusionStatus = "excluded" | "pending" | "approved" | "rejected";

/** What scoring recorded (scoring/types.ts Exclusion), with the admin's decision once there is one. */
export interface ExclusionRow extends Omit<Exclusion, "status"> {
  status: ExclusionStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  decisionNote: string | null;
  ledgerId: bigint | null;
}

const COLUMNS = `settlement_id as "settlementId", seq, wallet, counterparty, account, reason, detail, status, held_points as "heldPoints",
  rule_set_version as "ruleSetVersion", occurred_at as "occurredAt", decided_by as "decidedBy", decided_at as "decidedAt",
  decision_note as "decisionNote", ledger_id as "ledgerId"`;

/** Oldest first (the queue's order), keyset-paginated by seq. */
export async function listExclusions(
  q: Queryable,
  opts: { status?: ExclusionStatus; afterSeq?: bigint; limit?: number } = {},
): Promise<ExclusionRow[]> {
  return q.unsafe(
    `select ${COLUMNS} from settlement_exclusions
     where ($1::text is null or status = $1) and seq > $2 order by seq limit $3`,
    [opts.status ?? null, String(opts.afterSeq ?? 0n), opts.limit ?? 50],
  ) as unknown as Promise<ExclusionRow[]>;
}

/** A wallet's exclusions, newest first: as the payer, or as the account its payments score to. */
export async function walletExclusions(q: Queryable, wallet: string, limit = 100): Promise<ExclusionRow[]> {
  return q.unsafe(
    `select ${COLUMNS} from settlement_exclusions where wallet = $1
     union select ${COLUMNS} from settlement_exclusions where account = $1
     order by seq desc limit $2`,
    [wallet, limit],
  ) as unknown as Promise<ExclusionRow[]>;
}

export async function getExclusion(q: Queryable, settlementId: bigint): Promise<ExclusionRow | undefined> {
  const [r] = (await q.unsafe(`select ${COLUMNS} from settlement_exclusions where settlement_id = $1`, [
    String(settlementId),
  ])) as unknown as ExclusionRow[];
  return r;
}

export interface Decision {
  settlementId: bigint;
  decision: "approve" | "reject";
  by: string;
  note?: string;
}

/**
 * Decides a pending exclusion under the engine lock (so an approval's ledger row lands between two
 * batches, stamped with the cursor like an adjustment). Only `pending` rows: a second decision is
 * refused (review_decided), an exclusion that never waited for review too.
 */
export async function decideReview(sql: Sql, d: Decision): Promise<{ before: ExclusionRow; after: ExclusionRow }> {
  return withEngineLock(sql, async (tx, cursor) => {
    const [before] = (await tx.unsafe(`select ${COLUMNS} from settlement_exclusions where settlement_id = $1 for update`, [
      String(d.settlementId),
    ])) as unknown as ExclusionRow[];
    if (!before) throw new CallerError("unknown_exclusion", `settlement ${d.settlementId} is not in the review queue or the exclusions`);
    if (before.status !== "pending")
      throw new CallerError(
        "review_decided",
        before.status === "excluded"
          ? `settlement ${d.settlementId} was excluded (${before.reason}), not queued for review: there is nothing to decide`
          : `settlement ${d.settlementId} was already ${before.status} by ${before.decidedBy} at ${before.decidedAt?.toISOString()}`,
      );
    const note = d.note?.trim() || null;
    let ledgerId: bigint | null = null;
    if (d.decision === "approve" && before.heldPoints > 0n) {
      const text = `review approved: settlement ${d.settlementId} (${before.reason}: ${before.detail})${note ? `: ${note}` : ""} (by ${d.by})`;
      const [row] = await tx<{ id: bigint }[]>`
        insert into point_ledger (seq, account, delta, reason, note, occurred_at)
        values (${cursor.seq}, ${before.account}, ${before.heldPoints}, 'adjustment', ${text}, now())
        returning id`;
      ledgerId = row!.id;
      // as adjustments do: the balance cache moves at once (the leaderboard's tail skips adjustments)
      await tx`
        insert into account_stats (account, balance, first_seq, first_activity_at) values (${before.account}, ${before.heldPoints}, ${cursor.seq}, now())
        on conflict (account) do update set balance = account_stats.balance + excluded.balance`;
    }
    const [after] = (await tx.unsafe(
      `update settlement_exclusions set status = $2, decided_by = $3, decided_at = now(), decision_note = $4, ledger_id = $5
       where settlement_id = $1 returning ${COLUMNS}`,
      [String(d.settlementId), d.decision === "approve" ? "approved" : "rejected", d.by, note, ledgerId === null ? null : String(ledgerId)],
    )) as unknown as ExclusionRow[];
    return { before, after: after! };
  });
}
