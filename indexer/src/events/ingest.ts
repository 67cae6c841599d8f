import type { Sql } from "../db/connection.js";
import { arr } from "../engine/write.js";

/** What a source sends per event (validated by the route's schema, api/events/routes.ts). */
export interface EventInput {
  wallet: string;
  type: string;
  /** the source's id for this occurrence: (source, wallet, type, key) is accepted once */
  key: string;
  properties?: Record<string, string | number | boolean>;
  /** micro-units (6 decimals) as a decimal string */
  value?: string;
  occurredAt?: string;
}

export const MAX_EVENTS_PER_BATCH = 1000;

export interface AcceptResult {
  accepted: number;
  duplicates: number;
  /** per input event, in the order sent */
  results: { index: number; status: "accepted" | "duplicate"; id: string | null; seq: string | null }[];
  anchorSlot: string;
}

const dedupOf = (e: Pick<EventInput, "wallet" | "type" | "key">) => `${e.wallet}\u0000${e.type}\u0000${e.key}`;

/**
 * Stores a batch of a source's events in one transaction. Numbering happens under the lock of
 * event_sequence's single row, held until commit: events become visible in sequence order, so the
 * engine never scores past a number a slower transaction has yet to commit. Each event is anchored
 * at ingest's watermark (or the engine's slot, when that is further): it is scored after every
 * settlement up to that slot (docs/rewards-engine.md, "Off-chain events"). A (source, wallet,
 * type, key) already stored, or repeated inside the batch, is a duplicate: answered, not stored.
 */
export async function acceptEvents(sql: Sql, sourceId: bigint, events: readonly EventInput[]): Promise<AcceptResult> {
  return sql.begin(async (tx) => {
    await tx`insert into event_sequence (id, last) values (1, 0) on conflict on constraint event_sequence_pkey do nothing`;
    const [counter] = await tx<{ last: bigint; anchor: bigint }[]>`
      select last, greatest(coalesce((select slot from ingest_watermark where id = 1), -1),
                            coalesce((select slot from engine_cursor where id = 1), -1)) as anchor
      from event_sequence where id = 1 for update`;
    const { last, anchor } = counter!;
    const now = new Date();
    const inserted = await tx<{ id: bigint; seq: bigint; wallet: string; type: string; dedup_key: string }[]>`
      insert into events (seq, source_id, wallet, type, dedup_key, properties, value, occurred_at, accepted_at, anchor_slot)
      select ${last} + x.n, ${sourceId}, x.wallet, x.type, x.key, x.properties::jsonb, x.value, least(coalesce(x.occurred_at, ${now}), ${now}), ${now}, ${anchor}
      from unnest(${arr(events.map((e) => e.wallet))}::text[], ${arr(events.map((e) => e.type))}::text[], ${arr(events.map((e) => e.key))}::text[],
        ${arr(events.map((e) => JSON.stringify(e.properties ?? {})))}::text[], ${arr(events.map((e) => e.value ?? "0"))}::bigint[],
        ${arr(events.map((e) => e.occurredAt ?? null))}::timestamptz[]) with ordinality as x(wallet, type, key, properties, value, occurred_at, n)
      order by x.n
      on conflict on constraint events_dedup_key do nothing
      returning id, seq, wallet, type, dedup_key`;
    if (inserted.length > 0) await tx`update event_sequence set last = ${last + BigInt(events.length)} where id = 1`;
    const byKey = new Map(inserted.map((r) => [dedupOf({ wallet: r.wallet, type: r.type, key: r.dedup_key }), r]));
    const results = events.map((e, index) => {
      const r = byKey.get(dedupOf(e));
      // a key repeated inside the batch: the first occurrence was stored, later ones are duplicates
      if (r && r.seq === last + BigInt(index + 1)) return { index, status: "accepted" as const, id: String(r.id), seq: String(r.seq) };
      return { index, status: "duplicate" as const, id: null, seq: null };
    });
    return { accepted: inserted.length, duplicates: events.length - inserted.length, results, anchorSlot: String(anchor) };
  }) as Promise<AcceptResult>;
}
