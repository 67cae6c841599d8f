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

/**
 * Per-account sums of the range, in no particular order (the dataset sorts by claimant bytes). The
 * server sums each account into one row (a hash aggregate, given the memory for it), so this
 * process reads a row per account rather than merging a row per account and reason.
 */
export async function accountFigures(q: Queryable, r: LedgerRange): Promise<AccountFigures[]> {
  await q`select set_config('work_mem', ${AGGREGATE_WORK_MEM}, true)`;
  const inRange = q`(settlement_id is not null and seq > ${r.afterSeq} and seq <= ${r.throughSeq})
       or (settlement_id is null and id > ${r.afterOtherId} and id <= ${r.throughOtherId})`;
  const rows = await q<
    {
      account: string;
      base: string | null;
      referral: string | null;
      adjustment: string | null;
      campaigns: string | null;
      n: number | null;
    }[]
  >`
    with l as (
      select account,
        sum(delta) filter (where settlement_id is not null and reason <> 'campaign' and reason <> 'referral') as base,
        sum(delta) filter (where settlement_id is not null and reason = 'referral') as referral,
        sum(delta) filter (where settlement_id is null) as adjustment
      from point_ledger where ${inRange} group by account),
    c as (
      select account, json_object_agg(campaign, delta::text) as campaigns
      from (select account, coalesce(campaign_id, '') as campaign, sum(delta) as delta from point_ledger
            where settlement_id is not null and reason = 'campaign' and seq > ${r.afterSeq} and seq <= ${r.throughSeq}
            group by account, coalesce(campaign_id, '')) x
      group by account),
    n as (
      select account, count(*)::int as n from settlement_scores
      where seq > ${r.afterSeq} and seq <= ${r.throughSeq} and counted group by account)
    select account, l.base::text, l.referral::text, l.adjustment::text, c.campaigns::text, n.n
    from l full join n using (account) left join c using (account)`;
  const out = new Array<AccountFigures>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const x = rows[i]!;
    let campaignBonus: Record<string, bigint> = {};
    if (x.campaigns !== null) {
      const parsed = JSON.parse(x.campaigns) as Record<string, string>;
      campaignBonus = {};
      for (const k in parsed) campaignBonus[k] = BigInt(parsed[k]!);
    }
    out[i] = {
      account: x.account,
      basePoints: x.base === null ? 0n : BigInt(x.base),
      campaignBonus,
      referralPoints: x.referral === null ? 0n : BigInt(x.referral),
      adjustmentPoints: x.adjustment === null ? 0n : BigInt(x.adjustment),
      settlementCount: x.n ?? 0,
    };
  }
  return out;
}

/** Enough for the server to sum a million accounts in memory instead of sorting them on disk. */
const AGGREGATE_WORK_MEM = "256MB";

/**
 * Held (shared) by a transaction writing ledger rows of no settlement without the engine lock
 * (redemptions): its row's id is taken before it commits, so a cutoff read meanwhile could pass an
 * id still invisible, and the row would fall between two epochs. lastOtherRowId takes it exclusively.
 */
const OTHER_ROWS_LOCK = "merit:ledger:other-rows";

export async function holdOtherRowsShared(q: Queryable): Promise<void> {
  await q`select pg_advisory_xact_lock_shared(hashtext(${OTHER_ROWS_LOCK}))`;
}

/**
 * The newest ledger row of no settlement (an adjustment, a redemption): where the next epoch's
 * range ends. Called inside the cutoff's transaction: it waits for in-flight redemptions to commit.
 */
export async function lastOtherRowId(q: Queryable): Promise<bigint> {
  await q`select pg_advisory_xact_lock(hashtext(${OTHER_ROWS_LOCK}))`;
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
