import type { Queryable } from "../../db/connection.js";
import type { RejectRecord } from "../types.js";

/** Bodies are kept for inspection, not archival: a hostile 50 MB POST must not become a 50 MB row. */
const MAX_BODY = 256 * 1024;

/**
 * PostgreSQL's text cannot hold NUL. A reject's signature and detail quote the input they refuse,
 * which may hold one: it is shown as U+FFFD rather than failing the batch that records it.
 */
function storable(s: string): string;
function storable(s: string | null): string | null;
function storable(s: string | null): string | null {
  return s?.includes("\u0000") ? s.replaceAll("\u0000", "\ufffd") : s;
}

export async function recordRejects(q: Queryable, input: readonly RejectRecord[]): Promise<void> {
  const rejects = input.map((r) => ({ ...r, signature: storable(r.signature), detail: storable(r.detail), body: storable(r.body) }));
  // One shared order, like the settlements' (lockOrder): racing writers then wait, never deadlock.
  const sorted = rejects.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  for (const r of sorted) {
    const body = r.body === null ? null : r.body.length > MAX_BODY ? r.body.slice(0, MAX_BODY) : r.body;
    if (r.signature === null) {
      await q`insert into ingest_rejects (signature, source, reason, detail, body) values (null, ${r.source}, ${r.reason}, ${r.detail}, ${body})`;
    } else {
      await q`
        insert into ingest_rejects (signature, source, reason, detail, body)
        values (${r.signature}, ${r.source}, ${r.reason}, ${r.detail}, ${body})
        on conflict (signature, source, reason) where signature is not null
        do update set seen_count = ingest_rejects.seen_count + 1, last_seen_at = now(), detail = excluded.detail`;
    }
  }
}

const key = (r: RejectRecord) => `${r.signature ?? ""}\u0000${r.source}\u0000${r.reason}`;

export interface StoredReject {
  signature: string | null;
  source: string;
  reason: string;
  detail: string | null;
  seen_count: number;
}

export async function listRejects(q: Queryable): Promise<StoredReject[]> {
  return [...(await q<StoredReject[]>`select signature, source, reason, detail, seen_count from ingest_rejects order by id`)];
}

export interface RecentReject extends StoredReject {
  body: string | null;
  last_seen_at: Date;
}

/** Newest first, for an operator's look (`npx merit ingest rejects`). */
export async function listRecentRejects(q: Queryable, opts: { reason?: string; limit?: number } = {}): Promise<RecentReject[]> {
  return [
    ...(await q<RecentReject[]>`
    select signature, source, reason, detail, seen_count, body, last_seen_at from ingest_rejects
    where ${opts.reason ?? null}::text is null or reason = ${opts.reason ?? null}
    order by last_seen_at desc, id desc limit ${opts.limit ?? 50}`),
  ];
}

/** Rejects per reason (rows and deliveries), most first. */
export async function countRejectsByReason(q: Queryable): Promise<{ reason: string; rows: number; seen: number }[]> {
  return [
    ...(await q<{ reason: string; rows: number; seen: number }[]>`
    select reason, count(*)::int as rows, sum(seen_count)::int as seen from ingest_rejects group by reason order by count(*) desc, reason`),
  ];
}
