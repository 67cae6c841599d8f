import { I64_MAX, I64_MIN, KeyTexts, U64_MAX } from "@merit/clients/merkle";
import type { Queryable } from "../db/connection.js";
import { type CopyRow, copyOutEach } from "../db/copy-out.js";
import { BugError } from "../errors.js";

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

/**
 * Every account an epoch concerns, one row each, as columns (a million accounts are typed arrays,
 * not a million objects): the sums of its ledger rows in the range, and the wallet's figures after
 * the previous epoch (its cumulative amount and carried balance), so the server merges the two.
 */
export class AccountColumns {
  size = 0;
  /** The accounts' text (base58), as bytes in shared memory: the shard thread reads them too. */
  texts: KeyTexts;
  /**
   * The account's 32 key bytes (every account here is a Solana address: the rest are `unpayable`),
   * in shared memory: sorted in place, they become the epoch tree's own, read by its helper threads.
   */
  keys: Buffer;
  base: BigInt64Array;
  referral: BigInt64Array;
  adjustment: BigInt64Array;
  settlementCount: Uint32Array;
  /** Points per campaign id, for the accounts that have any. */
  campaigns: (Record<string, bigint> | undefined)[] = [];
  prevCumulative: BigUint64Array;
  prevPending: BigInt64Array;
  /** 1 when the account has ledger rows or settlements in the range. */
  active: Uint8Array;
  /** Accounts with points that are not Solana addresses (nothing can pay them), sorted. */
  unpayable: string[] = [];

  constructor(private capacity = 1024) {
    this.keys = sharedBytes(capacity * 32);
    this.texts = new KeyTexts(capacity);
    this.base = new BigInt64Array(capacity);
    this.referral = new BigInt64Array(capacity);
    this.adjustment = new BigInt64Array(capacity);
    this.settlementCount = new Uint32Array(capacity);
    this.prevCumulative = new BigUint64Array(capacity);
    this.prevPending = new BigInt64Array(capacity);
    this.active = new Uint8Array(capacity);
  }

  /** Every array cut to `size` (views: nothing is copied). */
  trim(): this {
    const n = this.size;
    this.keys = this.keys.subarray(0, n * 32);
    this.base = this.base.subarray(0, n);
    this.referral = this.referral.subarray(0, n);
    this.adjustment = this.adjustment.subarray(0, n);
    this.settlementCount = this.settlementCount.subarray(0, n);
    this.prevCumulative = this.prevCumulative.subarray(0, n);
    this.prevPending = this.prevPending.subarray(0, n);
    this.active = this.active.subarray(0, n);
    this.capacity = n;
    return this;
  }

  /** Once every account is in: the unpayable sorted, every array cut to `size`. */
  finish(): this {
    this.unpayable.sort();
    return this.trim();
  }

  /** Room for one more account: the arrays double when full. */
  grow(): void {
    if (this.size < this.capacity) return;
    this.capacity = Math.max(1024, this.capacity * 2);
    const c = this.capacity;
    const more = <T extends { length: number; set(a: T): void }>(a: T, make: (n: number) => T): T => {
      const b = make(c);
      b.set(a);
      return b;
    };
    this.keys = more(this.keys, (n) => sharedBytes(n * 32));
    this.texts = new KeyTexts(c, this.texts);
    this.base = more(this.base, (n) => new BigInt64Array(n));
    this.referral = more(this.referral, (n) => new BigInt64Array(n));
    this.adjustment = more(this.adjustment, (n) => new BigInt64Array(n));
    this.settlementCount = more(this.settlementCount, (n) => new Uint32Array(n));
    this.prevCumulative = more(this.prevCumulative, (n) => new BigUint64Array(n));
    this.prevPending = more(this.prevPending, (n) => new BigInt64Array(n));
    this.active = more(this.active, (n) => new Uint8Array(n));
  }
}

const sharedBytes = (n: number) => Buffer.from(new SharedArrayBuffer(n));

function sum(account: string, what: string, x: bigint | null, min = I64_MIN, max = I64_MAX): bigint {
  if (x === null) return 0n;
  if (x < min || x > max) throw new BugError("epoch_sum_out_of_range", `${account}: its ${what} (${x}) does not fit in 64 bits`);
  return x;
}

/** A row of accountsQuery, its fields in the query's order: read in place from COPY (CopyRow) or from a cursor's strings. */
type AccountRow = Pick<CopyRow, "text" | "bigint" | "firstByte">;

/** A cursor's row as an AccountRow. */
class TextRow implements AccountRow {
  values: (string | null)[] = [];
  text(i: number): string | null {
    return this.values[i] ?? null;
  }
  bigint(i: number): bigint | null {
    const v = this.values[i];
    return v === null || v === undefined ? null : BigInt(v);
  }
  firstByte(i: number): number {
    const v = this.values[i];
    return v ? v.charCodeAt(0) : -1;
  }
}

const T = 0x74;

/** One row of accountsQuery into the columns (or `unpayable`). */
function addAccount(out: AccountColumns, row: AccountRow, isWallet: (account: string, into: Buffer, at: number) => boolean): void {
  out.grow();
  const i = out.size;
  const a = row.text(0)!;
  const campaigns = row.text(5);
  if (!isWallet(a, out.keys, i * 32)) {
    let points = 0n;
    for (const f of [2, 3, 4]) points += row.bigint(f) ?? 0n;
    if (campaigns !== null) for (const v of Object.values(campaignPoints(a, campaigns))) points += v;
    if (points !== 0n) out.unpayable.push(a);
    return;
  }
  out.texts.set(i, a);
  out.active[i] = row.firstByte(1) === T ? 1 : 0;
  out.base[i] = sum(a, "base points", row.bigint(2));
  out.referral[i] = sum(a, "referral points", row.bigint(3));
  out.adjustment[i] = sum(a, "adjustment points", row.bigint(4));
  // one entry per wallet (a packed array: an index, where a Map's lookups were a hash each)
  out.campaigns.push(campaigns === null ? undefined : campaignPoints(a, campaigns));
  const n = row.bigint(6);
  out.settlementCount[i] = n === null ? 0 : Number(n);
  out.prevCumulative[i] = sum(a, "cumulative amount", row.bigint(7), 0n, U64_MAX);
  out.prevPending[i] = sum(a, "pending amount", row.bigint(8));
  out.size++;
}

/** A text literal for SQL sent without parameters (a COPY statement takes none). */
const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
const int = (v: bigint) => BigInt(v).toString();

/**
 * One row per account of the range and of the previous epoch's wallets (see readAccounts). One
 * group-by over the four sources appended, not one per source joined on the account: the joins
 * hashed each account's text again per source. A row's kind `k`: 1 a settlement's ledger row,
 * 2 a row of no settlement, 3 a counted settlement, 4 the wallet after the previous epoch.
 * Campaign points come as `id=points` pairs joined by commas (campaign ids have neither), an id
 * once per ledger row: the reader sums them. Grouped in "C" collation, the rows come in byte order
 * of the text, which for base58 is nearly canonical order (docs/performance-history.md, epoch
 * close): the files and the rows that follow in canonical order then read the columns almost
 * front to back instead of at random, and a byte-wise sort costs the server less than the locale's.
 */
function accountsQuery(r: LedgerRange, previous: { distributor: string; epoch: bigint }, part: AccountsPart): string {
  const [afterSeq, throughSeq, afterId, throughId] = [r.afterSeq, r.throughSeq, r.afterOtherId, r.throughOtherId].map(int);
  // the accounts whose text hashes to this part (one account, one part: its sums stay whole)
  const mine = (column: string) => (part.of === 1 ? "" : `and (hashtext(${column}) & ${part.of - 1}) = ${part.index}`);
  return `
    select account, case when bool_or(k <> 4) then 't' else 'f' end as active,
      sum(delta) filter (where k = 1 and reason <> 'campaign' and reason <> 'referral')::text as base,
      sum(delta) filter (where k = 1 and reason = 'referral')::text as referral,
      sum(delta) filter (where k = 2)::text as adjustment,
      string_agg(campaign || '=' || delta, ',') filter (where k = 1 and reason = 'campaign') as campaigns,
      (count(*) filter (where k = 3))::text as n,
      max(cumulative)::text as cumulative, max(pending)::text as pending
    from (
      select account collate "C", delta, reason, coalesce(campaign_id, '') as campaign, 1 as k, null::numeric as cumulative, null::numeric as pending
        from point_ledger where settlement_id is not null and seq > ${afterSeq} and seq <= ${throughSeq} ${mine("account")}
      ${
        // a source with nothing in range is left out: the server would scan its table to find nothing
        r.throughOtherId <= r.afterOtherId
          ? ""
          : `union all
      select account, delta, reason, null, 2, null, null
        from point_ledger where settlement_id is null and id > ${afterId} and id <= ${throughId} ${mine("account")}`
      }
      union all
      select account, null, null, null, 3, null, null
        from settlement_scores where seq > ${afterSeq} and seq <= ${throughSeq} and counted ${mine("account")}
      ${
        previous.epoch < 1n
          ? ""
          : `union all
      (select distinct on (claimant) claimant, null, null, null, 4, cumulative, pending from epoch_wallets
        where distributor = ${literal(previous.distributor)} and epoch <= ${int(previous.epoch)} ${mine("claimant")}
        order by claimant, epoch desc)`
      }
    ) x
    group by account`;
}

/** `id=points,id=points…` (an id may repeat) as points per campaign id. */
function campaignPoints(account: string, pairs: string): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const pair of pairs.split(",")) {
    const eq = pair.lastIndexOf("=");
    const id = pair.slice(0, eq);
    out[id] = sum(account, `points of campaign ${id}`, (out[id] ?? 0n) + BigInt(pair.slice(eq + 1)));
  }
  return out;
}

/** Which of `of` parts (a power of two) of the accounts a read covers: by a hash of the account's text. */
export interface AccountsPart {
  index: number;
  of: number;
}

/**
 * One part of the accounts of the range into `out` (AccountColumns), streamed: through COPY where
 * the server takes it (`copy`: db/connection.ts supportsCopy), else through a cursor, so that no
 * more than a chunk of rows exists at a time. `previous`: the epoch before this one, whose wallets
 * (epoch_wallets, their newest row at or before it) join here with or without activity. Wallets
 * only: an account that is not a Solana address goes to `unpayable` when it has points. Two parts
 * read on two connections at once split the server's aggregate over two cores (its rows arrive
 * only once it is complete); the caller calls `out.finish()` once every part is in.
 */
export async function readAccounts(
  q: Queryable,
  r: LedgerRange,
  previous: { distributor: string; epoch: bigint },
  isWallet: (account: string, into: Buffer, at: number) => boolean,
  out: AccountColumns,
  opts: { copy: boolean; page?: number; part: AccountsPart },
): Promise<void> {
  const { part } = opts;
  if (part.of < 1 || (part.of & (part.of - 1)) !== 0 || part.index < 0 || part.index >= part.of)
    throw new BugError("bad_accounts_part", `part ${part.index} of ${part.of}: parts are a power of two`);
  const settings: Record<string, string> = {
    work_mem: AGGREGATE_WORK_MEM,
    // The planner's cost for this aggregate turns JIT compilation on (for the joins it replaced, it
    // guessed billions of rows): compiling cost more than the query's own work.
    jit: "off",
  };
  // parts read at once keep the cores busy already: workers of each would only compete
  if (part.of > 1) settings.max_parallel_workers_per_gather = "0";
  const restore = await withSettings(q, settings);
  const sql = accountsQuery(r, previous, part);
  const add = (row: AccountRow) => addAccount(out, row, isWallet);
  if (opts.copy) for await (const _ of copyOutEach(q, `copy (${sql}) to stdout`, add));
  else {
    const row = new TextRow();
    for await (const rows of q.unsafe<Record<string, string | null>[]>(sql).cursor(opts.page ?? 20_000))
      for (const x of rows) {
        row.values = [x.account!, x.active!, x.base!, x.referral!, x.adjustment!, x.campaigns!, x.n!, x.cumulative!, x.pending!];
        add(row);
      }
  }
  await restore();
}

/**
 * Sets planner settings until the transaction ends (the caller's other queries run in it too) and
 * returns what puts the previous values back.
 */
async function withSettings(q: Queryable, settings: Record<string, string>): Promise<() => Promise<void>> {
  const names = Object.keys(settings);
  const [old] = await q<{ values: string[] }[]>`
    select array(select current_setting(n) from unnest(${names}::text[]) with ordinality as u(n, i) order by i) as values`;
  await q`select set_config(n, v, true) from unnest(${names}::text[], ${Object.values(settings)}::text[]) as u(n, v)`;
  return async () => {
    await q`select set_config(n, v, true) from unnest(${names}::text[], ${old!.values}::text[]) as u(n, v)`;
  };
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
 * The settlements of a range in chain order as COPY text rows of four fields: inner index, outer
 * index, signature, slot (the manifest writes a line each, as from settlementsInRange's pages).
 */
export function settlementsInRangeCopy(r: Pick<LedgerRange, "afterSeq" | "throughSeq">): string {
  const after = BigInt(r.afterSeq).toString();
  const through = BigInt(r.throughSeq).toString();
  return `copy (select s.inner_index, s.outer_index, s.signature, s.slot
      from settlement_scores ss join settlements s on s.id = ss.settlement_id
      where ss.seq > ${after} and ss.seq <= ${through} order by ss.seq) to stdout`;
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
