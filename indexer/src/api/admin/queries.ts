import type { Queryable } from "../../db/connection.js";
import { toJsonValue } from "../../json.js";

/**
 * admin_audit (migration 00023): one row per admin request. An authenticated request's row is
 * written before its handler runs (outcome `started`) and completed once it is answered, so a write
 * whose process dies in between still leaves its attempt on record.
 */
export interface AuditEntry {
  actor: string;
  action: string;
  outcome: string;
  status: number | null;
  before?: unknown;
  after?: unknown;
  requestId?: string;
  remoteAddress?: string;
}

export interface AuditRow extends AuditEntry {
  id: bigint;
  at: Date;
  answeredAt: Date | null;
}

export async function insertAudit(q: Queryable, e: AuditEntry): Promise<bigint> {
  const json = (v: unknown) => (v === undefined ? null : q.json(toJsonValue(v) as never));
  const [row] = await q<{ id: bigint }[]>`
    insert into admin_audit (actor, action, outcome, status, answered_at, before, after, request_id, remote_address)
    values (${e.actor}, ${e.action}, ${e.outcome}, ${e.status}, ${e.outcome === "started" ? null : new Date()},
            ${json(e.before)}, ${json(e.after)}, ${e.requestId ?? null}, ${e.remoteAddress ?? null})
    returning id`;
  return row!.id;
}

/** Completes a `started` row with how the request ended and what it changed. */
export async function finishAudit(q: Queryable, id: bigint, e: Pick<AuditEntry, "outcome" | "status" | "before" | "after">): Promise<void> {
  const json = (v: unknown) => (v === undefined ? null : q.json(toJsonValue(v) as never));
  await q`
    update admin_audit set outcome = ${e.outcome}, status = ${e.status}, before = ${json(e.before)}, after = ${json(e.after)}, answered_at = now()
    where id = ${id} and outcome = 'started'`;
}

/** Newest first. */
export async function listAudit(q: Queryable, opts: { limit?: number; beforeId?: bigint } = {}): Promise<AuditRow[]> {
  return q<AuditRow[]>`
    select id, at, answered_at as "answeredAt", actor, action, outcome, status, before, after, request_id as "requestId", remote_address as "remoteAddress"
    from admin_audit where (${opts.beforeId ?? null}::bigint is null or id < ${opts.beforeId ?? null}::bigint)
    order by id desc limit ${opts.limit ?? 50}`;
}
