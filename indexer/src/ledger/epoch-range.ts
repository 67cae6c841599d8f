import type { Queryable } from "../db/connection.js";

/**
 * The ledger between two epoch cutoffs. Rows of a settlement count by their scoring sequence
 * (chain order): `afterSeq < seq <= throughSeq`. Rows of no settlement (manual adjustments) carry
 * the engine position they landed at, which an epoch may already have passed, so they count by
 * insertion: `afterOtherId < id <= throughOtherId`. Every row lands in exactly one epoch.
 */
export interface LedgerRange {
  afterSeq: bigint;
  throughSeq: bigint;
  afterOtherId: bigint;
  throughOtherId: bigint;
}

export interface AccountFigures {
  account: string;
  basePoints: bigint;
  campaignBonus: Record<string, bigint>;
  referralPoints: bigint;
  adjustmentPoints: bigint;
  settlementCount: number;
}

/** Per-account sums of the range, in account order. */
export async function accountFigures(q: Queryable, r: LedgerRange): Promise<AccountFigures[]> {
  const byAccount = new Map<string, AccountFigures>();
  const at = (account: string): AccountFigures => {
    let f = byAccount.get(account);
    if (!f)
      byAccount.set(
        account,
        (f = { account, basePoints: 0n, campaignBonus: {}, referralPoints: 0n, adjustmentPoints: 0n, settlementCount: 0 }),
      );
    return f;
  };
  const sums = await q<{ account: string; reason: string; campaign_id: string | null; own: boolean; delta: string }[]>`
    select account, reason, campaign_id, settlement_id is not null as own, sum(delta)::text as delta
    from point_ledger
    where (settlement_id is not null and seq > ${r.afterSeq} and seq <= ${r.throughSeq})
       or (settlement_id is null and id > ${r.afterOtherId} and id <= ${r.throughOtherId})
    group by account, reason, campaign_id, settlement_id is not null`;
  for (const s of sums) {
    const f = at(s.account);
    const d = BigInt(s.delta);
    if (!s.own) f.adjustmentPoints += d;
    else if (s.reason === "campaign") f.campaignBonus[s.campaign_id ?? ""] = (f.campaignBonus[s.campaign_id ?? ""] ?? 0n) + d;
    else if (s.reason === "referral") f.referralPoints += d;
    else f.basePoints += d;
  }
  const counts = await q<{ account: string; n: number }[]>`
    select account, count(*)::int as n from settlement_scores
    where seq > ${r.afterSeq} and seq <= ${r.throughSeq} and counted group by account`;
  for (const c of counts) at(c.account).settlementCount = c.n;
  return [...byAccount.values()].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
}

/** The newest ledger row of no settlement (an adjustment): where the next epoch's range ends. */
export async function lastOtherRowId(q: Queryable): Promise<bigint> {
  const [r] = await q<{ id: bigint | null }[]>`select max(id) as id from point_ledger where settlement_id is null`;
  return r?.id ?? 0n;
}

export interface CountedSettlement {
  signature: string;
  outerIndex: number;
  innerIndex: number;
  slot: bigint;
}

/** The settlements of a range in chain order, a page at a time (the manifest lists them). */
export async function* settlementsInRange(
  q: Queryable,
  r: Pick<LedgerRange, "afterSeq" | "throughSeq">,
  page = 20_000,
): AsyncGenerator<CountedSettlement[]> {
  // One query read through a cursor: the planner joins the range in one pass (a query per page
  // looked each settlement up by its key).
  const rows = q<{ signature: string; outer_index: number; inner_index: number; slot: bigint }[]>`
    select s.signature, s.outer_index, s.inner_index, s.slot
    from settlement_scores ss join settlements s on s.id = ss.settlement_id
    where ss.seq > ${r.afterSeq} and ss.seq <= ${r.throughSeq} order by ss.seq`.cursor(page);
  for await (const chunk of rows) {
    yield chunk.map((x) => ({ signature: x.signature, outerIndex: x.outer_index, innerIndex: x.inner_index, slot: x.slot }));
  }
}

/**
 * The manifest's settlement lines of a range in chain order (epochs/manifest.ts writes the same
 * line from a CountedSettlement), each ending in "\n", as the server writes them: COPY TO STDOUT
 * streams its bytes straight to the file and the hash, with no row objects in between. CSV with a
 * delimiter and a quote character that never occur in a line (to_json escapes every control
 * character, and its escapes are JSON.stringify's) leaves each line's bytes as they are.
 */
export async function* settlementLinesInRange(q: Queryable, r: Pick<LedgerRange, "afterSeq" | "throughSeq">): AsyncGenerator<Buffer> {
  const after = BigInt(r.afterSeq).toString();
  const through = BigInt(r.throughSeq).toString();
  const stream = await q
    .unsafe(
      `copy (select '{"inner":' || s.inner_index || ',"outer":' || s.outer_index || ',"signature":' || to_json(s.signature)::text
          || ',"slot":"' || s.slot || '","type":"settlement"}'
        from settlement_scores ss join settlements s on s.id = ss.settlement_id
        where ss.seq > ${after} and ss.seq <= ${through} order by ss.seq)
      to stdout with (format csv, delimiter E'\x01', quote E'\x02')`,
    )
    .readable();
  for await (const chunk of stream) yield chunk as Buffer;
}

export interface AdjustmentRow {
  id: bigint;
  seq: bigint;
  account: string;
  delta: bigint;
  reason: string;
  note: string | null;
  occurredAt: Date;
}

export async function adjustmentsInRange(q: Queryable, r: Pick<LedgerRange, "afterOtherId" | "throughOtherId">): Promise<AdjustmentRow[]> {
  const rows = await q<
    { id: bigint; seq: bigint; account: string; delta: bigint; reason: string; note: string | null; occurred_at: Date }[]
  >`
    select id, seq, account, delta, reason, note, occurred_at from point_ledger
    where settlement_id is null and id > ${r.afterOtherId} and id <= ${r.throughOtherId} order by id`;
  return rows.map((x) => ({
    id: x.id,
    seq: x.seq,
    account: x.account,
    delta: x.delta,
    reason: x.reason,
    note: x.note,
    occurredAt: x.occurred_at,
  }));
}
