import type { Queryable, Tx } from "../db/connection.js";
import type { EventScoreRow, OffchainEvent, PropertyValue } from "../scoring/events/score-event.js";
import type { EngineCursor, LedgerRow, Settlement } from "../scoring/types.js";
import { arr } from "./write.js";

/**
 * Off-chain events in the engine's one stream (docs/rewards-engine.md, "Off-chain events").
 * Settlements and events are ordered by (slot, tx_index, outer_index, inner_index, event seq),
 * a settlement counting as event seq 0. An event's place is its anchor: after every settlement of
 * its anchor slot. An event whose anchor the engine has passed already (it was accepted while a
 * batch beyond its anchor was being scored) takes the engine's position instead. Either way the
 * position is stored in event_scores, and replay follows it.
 */
export type Position = Pick<EngineCursor, "slot" | "txIndex" | "outerIndex" | "innerIndex">;

const INT4_MAX = 2_147_483_647;
const INT2_MAX = 32_767;

export const anchorPosition = (anchorSlot: bigint): Position => ({
  slot: anchorSlot,
  txIndex: INT4_MAX,
  outerIndex: INT2_MAX,
  innerIndex: INT2_MAX,
});

/** <0, 0, >0 as a is before, at, after b in chain order. */
export function comparePositions(a: Position, b: Position): number {
  if (a.slot !== b.slot) return a.slot < b.slot ? -1 : 1;
  return a.txIndex - b.txIndex || a.outerIndex - b.outerIndex || a.innerIndex - b.innerIndex;
}

/** Where an event is scored, the engine being at `at`: its anchor, or `at` when that is later. */
export function eventPosition(anchorSlot: bigint, at: Position): Position {
  const anchor = anchorPosition(anchorSlot);
  return comparePositions(anchor, at) >= 0
    ? anchor
    : { slot: at.slot, txIndex: at.txIndex, outerIndex: at.outerIndex, innerIndex: at.innerIndex };
}

export interface StoredEvent extends OffchainEvent {
  anchorSlot: bigint;
}

type EventRow = {
  id: bigint;
  seq: bigint;
  wallet: string;
  type: string;
  properties: Record<string, PropertyValue>;
  value: bigint;
  occurred_ms: number;
  accepted_ms: number;
  anchor_slot: bigint;
};
const EVENT_COLUMNS = `e.id, e.seq, e.wallet, e.type, e.properties, e.value, floor(extract(epoch from e.occurred_at) * 1000)::float8 as occurred_ms,
  floor(extract(epoch from e.accepted_at) * 1000)::float8 as accepted_ms, e.anchor_slot`;
const toEvent = (r: EventRow): StoredEvent => ({
  id: r.id,
  eventSeq: r.seq,
  wallet: r.wallet,
  type: r.type,
  properties: r.properties,
  value: r.value,
  occurredAt: new Date(r.occurred_ms),
  acceptedAt: new Date(r.accepted_ms),
  anchorSlot: r.anchor_slot,
});

/** Events after the engine's last one, in sequence order. */
export async function pendingEvents(q: Queryable, afterEventSeq: bigint, limit: number): Promise<StoredEvent[]> {
  const rows = await q<EventRow[]>`
    select ${q.unsafe(EVENT_COLUMNS)} from events e where e.seq > ${afterEventSeq} order by e.seq limit ${limit}`;
  return rows.map(toEvent);
}

export interface ScoredEvent {
  e: StoredEvent;
  seq: bigint;
  time: Date;
  position: Position;
}

/** Events scored in the scoring-sequence range (from, to], with their seq, time and position. */
export async function scoredEventsSince(q: Queryable, from: bigint, to: bigint | null): Promise<ScoredEvent[]> {
  const rows = await q<
    (EventRow & { score_seq: bigint; event_ms: number; slot: bigint; tx_index: number; outer_index: number; inner_index: number })[]
  >`
    select ${q.unsafe(EVENT_COLUMNS)}, sc.seq as score_seq, floor(extract(epoch from sc.event_time) * 1000)::float8 as event_ms,
      sc.slot, sc.tx_index, sc.outer_index, sc.inner_index
    from event_scores sc join events e on e.id = sc.event_id
    where sc.seq > ${from} and (${to}::bigint is null or sc.seq <= ${to}::bigint) order by sc.seq`;
  return rows.map((r) => ({
    e: toEvent(r),
    seq: r.score_seq,
    time: new Date(r.event_ms),
    position: { slot: r.slot, txIndex: r.tx_index, outerIndex: r.outer_index, innerIndex: r.inner_index },
  }));
}

/** loadBatchState reads the payer of each item: an event's wallet plays that part. */
export const asPayers = (events: readonly OffchainEvent[]) => events.map((e) => ({ payer: e.wallet }) as Settlement);

const s = (v: bigint | null | undefined) => (v === null || v === undefined ? null : v.toString());

/** Event rows are few beside settlement rows: one multi-row insert, not the COPY path. */
export async function insertEventLedgerRows(tx: Tx, rows: readonly LedgerRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into point_ledger (seq, event_id, account, delta, reason, campaign_id, rule_id, referral_path, rule_set_version, occurred_at)
    select seq, event_id, account, delta, reason, campaign_id, rule_id,
      case when path is null then null else string_to_array(path, ',') end, rule_set_version, occurred_at
    from unnest(
      ${arr(rows.map((r) => s(r.seq)))}::bigint[], ${arr(rows.map((r) => s(r.eventId)))}::bigint[], ${arr(rows.map((r) => r.account))}::text[],
      ${arr(rows.map((r) => s(r.delta)))}::bigint[], ${arr(rows.map((r) => r.reason))}::text[], ${arr(rows.map((r) => r.campaignId))}::text[],
      ${arr(rows.map((r) => r.ruleId))}::text[], ${arr(rows.map((r) => r.referralPath?.join(",") ?? null))}::text[],
      ${arr(rows.map((r) => s(r.ruleSetVersion)))}::bigint[], ${arr(rows.map((r) => r.occurredAt.toISOString()))}::timestamptz[]
    ) as x(seq, event_id, account, delta, reason, campaign_id, rule_id, path, rule_set_version, occurred_at)`;
}

export async function insertEventScores(tx: Tx, rows: readonly (EventScoreRow & { position: Position })[]): Promise<void> {
  if (rows.length === 0) return;
  await tx`
    insert into event_scores (event_id, seq, account, slot, tx_index, outer_index, inner_index, rule_set_version, points, event_time)
    select * from unnest(
      ${arr(rows.map((r) => s(r.eventId)))}::bigint[], ${arr(rows.map((r) => s(r.seq)))}::bigint[], ${arr(rows.map((r) => r.account))}::text[],
      ${arr(rows.map((r) => s(r.position.slot)))}::bigint[], ${arr(rows.map((r) => String(r.position.txIndex)))}::int[],
      ${arr(rows.map((r) => String(r.position.outerIndex)))}::smallint[], ${arr(rows.map((r) => String(r.position.innerIndex)))}::smallint[],
      ${arr(rows.map((r) => s(r.ruleSetVersion)))}::bigint[], ${arr(rows.map((r) => s(r.points)))}::bigint[],
      ${arr(rows.map((r) => r.eventTime.toISOString()))}::timestamptz[])`;
}
