import type { Queryable } from "../db/connection.js";
import { CURRENT_BALANCES, type LeaderboardRow, RANK_ORDER } from "./queries.js";

/**
 * Leaderboards per side (two-sided rewards): a provider's points are the ledger rows whose rule id
 * starts with `provider:` (scoring/providers/score.ts), as of the cursor: provider_stats' checkpoint
 * plus the rows scored after it. The user side is every other point of the account, so an account
 * that both pays and serves shows on each board with its own side's points only.
 */
const PROVIDER_POINTS = `
  select account, sum(points)::bigint as points from (
    select account, score as points from provider_stats
    union all
    select l.account, l.delta from point_ledger l join engine_cursor c on c.id = 1
    where l.seq > c.state_seq and l.rule_id like 'provider:%') p
  group by account`;

export async function sideLeaderboard(
  q: Queryable,
  side: "user" | "provider",
  opts: { limit?: number; offset?: number } = {},
): Promise<LeaderboardRow[]> {
  const from =
    side === "provider"
      ? `select account, points as balance, null::bigint as first_seq from (${PROVIDER_POINTS}) p`
      : `select b.account, (b.balance - coalesce(p.points, 0))::bigint as balance, b.first_seq
         from (${CURRENT_BALANCES}) b left join (${PROVIDER_POINTS}) p on p.account = b.account`;
  return q.unsafe(
    `
    select (row_number() over (order by ${RANK_ORDER}))::int + $1::int as rank, account, balance, first_seq as "firstSeq"
    from (${from}) s where balance <> 0
    order by ${RANK_ORDER} limit $2 offset $1`,
    [opts.offset ?? 0, opts.limit ?? 100],
  ) as unknown as Promise<LeaderboardRow[]>;
}
