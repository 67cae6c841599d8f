import type { Queryable } from "../../db/connection.js";
import type { SettlementRow } from "../types.js";

/**
 * Settlement rows in one multi-row statement: each column travels as one parameter and `unnest`
 * turns the columns back into rows, so 1,000 settlements cost one round trip and one parse (a
 * VALUES list would need 18,000 parameters). Columns that are base58, numbers or fixed words are
 * joined with commas and split by `string_to_array` on the server: a `text[]` parameter makes the
 * client escape and the server unescape every element, which costs far more CPU than one split
 * (docs/performance-history.md, ingest). Only the memo, free text from the chain, goes as a real `text[]`. Works the same
 * on PGlite, where COPY does not. Redelivery is a no-op: the unique (signature, path) key absorbs it.
 * One summary row comes back, not a row per settlement.
 */
export interface InsertedSettlements {
  /** rows inserted (the others existed: redelivery) */
  count: number;
  /** the segment id drawn for this batch's raw bodies, when asked for one and anything was inserted */
  segmentId: bigint | null;
  /** transactions with at least one inserted settlement: their bodies go into the segment */
  signatures: Set<string>;
}

/**
 * `raw` says where each row's transaction body is (row.rawIndex is its position): "next" draws a
 * new segment id in the same statement (persistBatch stores the segment right after), a bigint
 * points at a stored segment (replay), undefined stores no pointer.
 */
export async function insertSettlements(q: Queryable, rows: readonly SettlementRow[], raw?: bigint | "next"): Promise<InsertedSettlements> {
  if (rows.length === 0) return { count: 0, segmentId: null, signatures: new Set() };
  const n = rows.length;
  const order = lockOrder(rows);
  const sig = new Array<string>(n),
    outer = new Array<number>(n),
    inner = new Array<number>(n),
    slot = new Array<string>(n);
  const txIndex = new Array<number>(n),
    time = new Array<string>(n),
    mint = new Array<string>(n),
    program = new Array<string>(n);
  const amount = new Array<string>(n),
    decimals = new Array<number>(n),
    payer = new Array<string>(n),
    payee = new Array<string>(n);
  const srcAcc = new Array<string>(n),
    dstAcc = new Array<string>(n),
    feePayer = new Array<string>(n),
    facilitator = new Array<string>(n);
  const memo = new Array<string | null>(n),
    source = new Array<string>(n),
    rawIndex = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const r = rows[order[i]!]!;
    sig[i] = r.signature;
    outer[i] = r.outerIndex;
    inner[i] = r.innerIndex;
    slot[i] = r.slot.toString();
    txIndex[i] = r.txIndex;
    time[i] = r.blockTime === null ? "" : String(r.blockTime.getTime() / 1000);
    mint[i] = r.mint;
    program[i] = r.tokenProgram;
    amount[i] = r.amount.toString();
    decimals[i] = r.decimals;
    payer[i] = r.payer;
    payee[i] = r.payee;
    srcAcc[i] = r.sourceAccount;
    dstAcc[i] = r.destinationAccount;
    feePayer[i] = r.feePayer;
    facilitator[i] = r.facilitator ?? "";
    memo[i] = r.memo;
    source[i] = r.source;
    rawIndex[i] = raw === undefined || r.rawIndex === undefined ? "" : String(r.rawIndex);
  }
  const j = (xs: readonly (string | number)[]) => xs.join(",");
  // A volatile call in an uncorrelated scalar subquery runs once per statement: one id per batch.
  const segment = raw === "next" ? q`(select nextval(pg_get_serial_sequence('raw_segments', 'id')))` : q`${raw ?? null}::int8`;
  const [result] = await q<{ count: number; segment_id: bigint | null; signatures: string | null }[]>`
    with ins as (
      insert into settlements (
        signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program, amount,
        decimals, payer, payee, source_account, destination_account, fee_payer, facilitator, memo, source,
        raw_segment_id, raw_index)
      select sig, outer_i, inner_i, slot, tx_index, to_timestamp(block_s), mint, program, amount,
             decimals, payer, payee, src, dst, fee_payer, facilitator, memo, source,
             case when raw_i is null then null else ${segment} end, raw_i
      from unnest(
        string_to_array(${j(sig)}, ','), string_to_array(${j(outer)}, ',')::int2[], string_to_array(${j(inner)}, ',')::int2[],
        string_to_array(${j(slot)}, ',')::int8[], string_to_array(${j(txIndex)}, ',')::int4[], string_to_array(${j(time)}, ',', '')::float8[],
        string_to_array(${j(mint)}, ','), string_to_array(${j(program)}, ','), string_to_array(${j(amount)}, ',')::numeric[],
        string_to_array(${j(decimals)}, ',')::int2[], string_to_array(${j(payer)}, ','), string_to_array(${j(payee)}, ','),
        string_to_array(${j(srcAcc)}, ','), string_to_array(${j(dstAcc)}, ','), string_to_array(${j(feePayer)}, ','),
        string_to_array(${j(facilitator)}, ',', ''), ${memo}::text[], string_to_array(${j(source)}, ','),
        string_to_array(${j(rawIndex)}, ',', '')::int4[])
        as u(sig, outer_i, inner_i, slot, tx_index, block_s, mint, program, amount, decimals, payer, payee, src, dst, fee_payer, facilitator, memo, source, raw_i)
      on conflict on constraint settlements_signature_path_key do nothing
      returning signature, raw_segment_id)
    select count(*)::int as count, max(raw_segment_id) as segment_id, string_agg(distinct signature, ',') as signatures from ins`;
  return {
    count: result!.count,
    segmentId: raw === "next" ? result!.segment_id : null,
    signatures: new Set(result!.signatures ? result!.signatures.split(",") : []),
  };
}

/**
 * Row positions sorted by the unique key. Two writers racing over the same transactions (the
 * webhook and the poller) each take the key's locks in statement order; in one shared order the
 * second waits for the first and then sees a conflict, in different orders they deadlock (seen in CI).
 */
export function lockOrder(rows: readonly SettlementRow[]): number[] {
  const order = Array.from(rows.keys());
  return order.sort((a, b) => {
    const x = rows[a]!,
      y = rows[b]!;
    if (x.signature !== y.signature) return x.signature < y.signature ? -1 : 1;
    return x.outerIndex - y.outerIndex || x.innerIndex - y.innerIndex;
  });
}

export interface StoredSettlement {
  signature: string;
  outer_index: number;
  inner_index: number;
  slot: bigint;
  tx_index: number;
  block_time: Date | null;
  mint: string;
  token_program: string;
  amount: string;
  decimals: number;
  payer: string;
  payee: string;
  source_account: string;
  destination_account: string;
  fee_payer: string;
  facilitator: string | null;
  memo: string | null;
  source: string;
}

/** Every settlement in chain order (tests, replay checks). */
export async function listSettlements(q: Queryable): Promise<StoredSettlement[]> {
  const rows = await q<StoredSettlement[]>`
    select signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program,
           amount::text as amount, decimals, payer, payee, source_account, destination_account,
           fee_payer, facilitator, memo, source
    from settlements order by slot, tx_index, outer_index, inner_index`;
  return [...rows];
}

export async function countSettlements(q: Queryable): Promise<number> {
  const [row] = await q<{ n: number }[]>`select count(*)::int as n from settlements`;
  return row!.n;
}

/** Settlements after a chain position: what the rewards engine has still to score. */
export async function countSettlementsAfter(
  q: Queryable,
  c: { slot: bigint; txIndex: number; outerIndex: number; innerIndex: number },
): Promise<number> {
  const [row] = await q<{ n: number }[]>`
    select count(*)::int as n from settlements
    where (slot, tx_index, outer_index, inner_index) > (${c.slot}, ${c.txIndex}, ${c.outerIndex}, ${c.innerIndex})`;
  return row!.n;
}

/** The newest settlement's slot and block time (null before the first). */
export async function latestSettlement(q: Queryable): Promise<{ slot: bigint; blockTime: Date | null } | null> {
  const [row] = await q<{ slot: bigint; block_time: Date | null }[]>`
    select slot, block_time from settlements order by slot desc, tx_index desc limit 1`;
  return row ? { slot: row.slot, blockTime: row.block_time } : null;
}
