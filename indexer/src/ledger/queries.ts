import type { Queryable, Sql, Tx } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { withEngineLock } from "../engine/lock.js";
import { holdOtherRowsShared } from "./epoch-range.js";
import { formatPoints } from "../scoring/points/math.js";

/** Read side of the ledger for epochs and the API: small named queries, one concern each. */

export interface Balance {
  account: string;
  balance: bigint;
}

/**
 * Balances summed from the ledger itself (not the account_stats cache), up to a point in chain
 * order (`seq`, inclusive) or an event time. Epochs convert these per claim wallet into tokens.
 */
export async function balancesAsOf(q: Queryable, opts: { untilSeq?: bigint; untilTime?: Date } = {}): Promise<Balance[]> {
  return q<Balance[]>`
    select account, sum(delta)::bigint as balance from point_ledger
    where (${opts.untilSeq ?? null}::bigint is null or seq <= ${opts.untilSeq ?? null}::bigint)
      and (${opts.untilTime ?? null}::timestamptz is null or occurred_at <= ${opts.untilTime ?? null}::timestamptz)
    group by account having sum(delta) <> 0 order by account`;
}

/**
 * Lookups by account go through point_ledger_account_idx on (hashtext(account), id), migration 00020:
 * the planner only uses an expression index for a query naming the same expression, and the
 * account itself is rechecked because two accounts can share a 32-bit hash. Exported for the test
 * that checks their plans.
 */
export const ACCOUNT_SQL = {
  balance: "select sum(delta)::bigint as b from point_ledger where hashtext(account) = hashtext($1) and account = $1",
  // Two statements rather than "$2 is null or id < $2": a prepared statement's generic plan cannot
  // use that as an index bound, and a deep page would scan every newer row of the account.
  history: (before: boolean) => `
    select id, seq, settlement_id as "settlementId", event_id as "eventId", delta, reason, campaign_id as "campaignId", rule_id as "ruleId",
      referral_path as "referralPath", rule_set_version as "ruleSetVersion", note, occurred_at as "occurredAt"
    from point_ledger where hashtext(account) = hashtext($1) and account = $1 ${before ? "and id < $3" : ""}
    order by hashtext(account) desc, id desc limit $2`,
};

/**
 * Whether anything ever happened to the account: its state row (a checkpoint), a ledger row, or a
 * settlement scored after the checkpoint (settlement_scores' tail, as referral adoption reads it).
 */
export async function hasActivity(q: Queryable, account: string): Promise<boolean> {
  const [r] = await q<{ known: boolean }[]>`
    select exists (select 1 from account_stats where account = ${account})
      or exists (select 1 from point_ledger where hashtext(account) = hashtext(${account}) and account = ${account})
      or exists (select 1 from settlement_scores sc join engine_cursor c on c.id = 1 where sc.seq > c.state_seq and sc.account = ${account}) as known`;
  return r?.known ?? false;
}

export async function balanceOf(q: Queryable, account: string): Promise<bigint> {
  const [r] = (await q.unsafe(ACCOUNT_SQL.balance, [account])) as unknown as { b: bigint | null }[];
  return r?.b ?? 0n;
}

export interface HistoryRow {
  id: bigint;
  seq: bigint;
  settlementId: bigint | null;
  eventId: bigint | null;
  delta: bigint;
  reason: string;
  campaignId: string | null;
  ruleId: string | null;
  referralPath: string[] | null;
  ruleSetVersion: bigint | null;
  note: string | null;
  occurredAt: Date;
}

/** An account's ledger, newest first, keyset-paginated by id. */
export async function ledgerHistory(
  q: Queryable,
  account: string,
  opts: { beforeId?: bigint; limit?: number } = {},
): Promise<HistoryRow[]> {
  const params = [account, opts.limit ?? 50, ...(opts.beforeId === undefined ? [] : [String(opts.beforeId)])];
  return q.unsafe(ACCOUNT_SQL.history(opts.beforeId !== undefined), params) as unknown as Promise<HistoryRow[]>;
}

export interface LeaderboardRow {
  rank: number;
  account: string;
  balance: bigint;
  firstSeq: bigint | null;
}

/**
 * Balances as of the cursor: the account_stats checkpoint plus the ledger rows scored after it
 * (engine_cursor.state_seq; adjustments and redemptions are excluded there because they update
 * account_stats as they land). The tail is at most one checkpoint interval of rows, found through the seq index.
 */
export const CURRENT_BALANCES = `
  with tail as (
    select l.account, sum(l.delta)::bigint as delta, min(l.seq) as first_seq
    from point_ledger l join engine_cursor c on c.id = 1
    where l.seq > c.state_seq and l.reason not in ('adjustment', 'redemption', 'redemption_void')
    group by l.account)
  select coalesce(s.account, t.account) as account, (coalesce(s.balance, 0) + coalesce(t.delta, 0))::bigint as balance,
    least(s.first_seq, t.first_seq) as first_seq
  from account_stats s full join tail t on t.account = s.account`;
export const RANK_ORDER = "balance desc, first_seq asc nulls last, account asc";

/**
 * By balance, ties to the earliest first activity (chain order), then the account for a total order.
 * Every account with a balance other than zero: a negative one (an adjustment) ranks last, not hidden.
 */
export async function leaderboard(q: Queryable, opts: { limit?: number; offset?: number } = {}): Promise<LeaderboardRow[]> {
  return q.unsafe(
    `
    select (row_number() over (order by ${RANK_ORDER}))::int + $1::int as rank, account, balance, first_seq as "firstSeq"
    from (${CURRENT_BALANCES}) b where balance <> 0
    order by ${RANK_ORDER} limit $2 offset $1`,
    [opts.offset ?? 0, opts.limit ?? 100],
  ) as unknown as Promise<LeaderboardRow[]>;
}

/**
 * Freezes the leaderboard for an epoch, as of the cursor at that moment (taken under the cursor
 * lock so no batch lands halfway). A second snapshot of the same epoch is refused.
 */
export async function snapshotLeaderboard(sql: Sql, epoch: bigint): Promise<{ rows: number; asOfSeq: bigint }> {
  return withEngineLock(sql, async (tx, cursor) => {
    const [exists] = await tx`select 1 from leaderboard_snapshots where epoch = ${epoch} limit 1`;
    if (exists) throw new CallerError("snapshot_exists", `epoch ${epoch} already has a leaderboard snapshot`);
    const rows = await tx.unsafe(
      `
      insert into leaderboard_snapshots (epoch, rank, account, balance, first_seq, as_of_seq)
      select $1, row_number() over (order by ${RANK_ORDER}), account, balance, first_seq, $2
      from (${CURRENT_BALANCES}) b where balance <> 0`,
      [String(epoch), String(cursor.seq)],
    );
    return { rows: rows.count, asOfSeq: cursor.seq };
  });
}

export async function leaderboardSnapshot(q: Queryable, epoch: bigint, opts: { limit?: number } = {}): Promise<LeaderboardRow[]> {
  return q<LeaderboardRow[]>`
    select rank, account, balance, first_seq as "firstSeq" from leaderboard_snapshots
    where epoch = ${epoch} order by rank limit ${opts.limit ?? 100}`;
}

/**
 * An admin's manual correction: a ledger row like any other (delta may be negative), with a
 * mandatory note. It moves the balance, not the engine score, so replay of settlements is unaffected.
 * A result below zero is refused unless `allowNegative`.
 */
export async function adjustPoints(
  sql: Sql,
  opts: { account: string; delta: bigint; note: string; by: string; allowNegative?: boolean },
): Promise<bigint> {
  if (opts.note.trim() === "") throw new CallerError("note_required", "a manual adjustment needs a note");
  if (opts.delta === 0n) throw new CallerError("zero_adjustment", "an adjustment of 0 points changes nothing");
  return withEngineLock(sql, async (tx, cursor) => {
    await lockAccountPoints(tx, opts.account);
    if (opts.delta < 0n && !opts.allowNegative) {
      // under the cursor lock: no batch credits the account between this read and the insert
      const balance = await balanceOf(tx, opts.account);
      if (balance + opts.delta < 0n) {
        throw new CallerError(
          "negative_balance",
          `this adjustment would leave ${opts.account} at ${formatPoints(balance + opts.delta)} points (balance ${formatPoints(balance)}); pass --allow-negative (allowNegative) if that is intended`,
        );
      }
    }
    const [row] = await tx<{ id: bigint }[]>`
      insert into point_ledger (seq, account, delta, reason, note, occurred_at)
      values (${cursor.seq}, ${opts.account}, ${opts.delta}, 'adjustment', ${`${opts.note.trim()} (by ${opts.by})`}, now())
      returning id`;
    await tx`
      insert into account_stats (account, balance, first_seq, first_activity_at) values (${opts.account}, ${opts.delta}, ${cursor.seq}, now())
      on conflict (account) do update set balance = account_stats.balance + excluded.balance`;
    return row!.id;
  });
}

/**
 * Serialises, per account, the writes that spend or remove points (redemptions, negative
 * adjustments): each reads the balance and debits it in one transaction, and two of them must not
 * both read the balance before either debits. Released at commit or rollback. Engine batches do not
 * take it: they only ever add to a balance already checked.
 */
export async function lockAccountPoints(tx: Tx, account: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtextextended(${`merit:points:${account}`}, 0))`;
}

/**
 * A redemption's debit or its void's credit: a ledger row of no settlement, at the engine's current
 * position (a label: epochs count such rows by id), moving account_stats' balance as it lands like
 * an adjustment. The caller holds lockAccountPoints and checked the balance.
 */
export async function insertRedemptionRow(
  tx: Tx,
  row: { account: string; delta: bigint; reason: "redemption" | "redemption_void"; note: string },
): Promise<bigint> {
  await holdOtherRowsShared(tx);
  const [r] = await tx<{ id: bigint }[]>`
    insert into point_ledger (seq, account, delta, reason, note, occurred_at)
    select coalesce((select seq from engine_cursor where id = 1), 0), ${row.account}, ${row.delta}, ${row.reason}, ${row.note}, now()
    returning id`;
  await tx`
    insert into account_stats (account, balance, first_seq, first_activity_at)
    values (${row.account}, ${row.delta}, coalesce((select seq from engine_cursor where id = 1), 0), now())
    on conflict (account) do update set balance = account_stats.balance + excluded.balance`;
  return r!.id;
}
