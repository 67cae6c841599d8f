import type { Queryable } from "../../db/connection.js";
import { toJsonValue } from "../../json.js";

/** admin_audit (migration 00023): one row per admin request, written after it is answered. */
export interface AuditEntry {
  actor: string;
  action: string;
  outcome: string;
  status: number;
  before?: unknown;
  after?: unknown;
  requestId?: string;
  remoteAddress?: string;
}

export interface AuditRow extends AuditEntry {
  id: bigint;
  at: Date;
}

export async function insertAudit(q: Queryable, e: AuditEntry): Promise<bigint> {
  const json = (v: unknown) => (v === undefined ? null : q.json(toJsonValue(v) as never));
  const [row] = await q<{ id: bigint }[]>`
    insert into admin_audit (actor, action, outcome, status, before, after, request_id, remote_address)
    values (${e.actor}, ${e.action}, ${e.outcome}, ${e.status}, ${json(e.before)}, ${json(e.after)}, ${e.requestId ?? null}, ${e.remoteAddress ?? null})
    returning id`;
  return row!.id;
}

/** Newest first. */
export async function listAudit(q: Queryable, opts: { limit?: number; beforeId?: bigint } = {}): Promise<AuditRow[]> {
  return q<AuditRow[]>`
    select id, at, actor, action, outcome, status, before, after, request_id as "requestId", remote_address as "remoteAddress"
    from admin_audit where (${opts.beforeId ?? null}::bigint is null or id < ${opts.beforeId ?? null}::bigint)
    order by id desc limit ${opts.limit ?? 50}`;
}
