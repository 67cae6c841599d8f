import type { Queryable } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { loadRuleHistory } from "../rules/rule-sets.js";
import type { Campaign } from "../rules/schema.js";

export interface CampaignAnalytics {
  id: string;
  name: string;
  type: Campaign["type"];
  startsAt: Date;
  endsAt: Date;
  budget: bigint;
  /** accounts the campaign paid at least once */
  participants: number;
  /** millipoints the campaign paid (its ledger rows) */
  pointsPaid: bigint;
  budgetLeft: bigint;
  /** paid accounts whose first activity came inside the campaign's window */
  conversions: number;
  /** by what the account was first credited: settlements or off-chain events */
  conversionsBy: { settlement: number; event: number };
  /** the rule-set version the campaign's figures are read from (its newest one) */
  ruleSetVersion: bigint;
}

/**
 * A campaign's figures from the ledger. A conversion is a participant whose first activity on
 * merit (account_stats.first_activity_at: the first settlement, event or credit scored for it)
 * falls inside the campaign's window, i.e. an account the campaign's period brought in rather than
 * one it rewarded again. first_activity_at is the engine's checkpoint: an account first seen after
 * the last checkpoint counts once the next one is written (every batch when the engine is caught up).
 */
export async function campaignAnalytics(q: Queryable, id: string): Promise<CampaignAnalytics> {
  const history = await loadRuleHistory(q);
  let found: { c: Campaign; version: bigint } | undefined;
  for (const rs of history) {
    const c = rs.body.campaigns.find((x) => x.id === id);
    if (c) found = { c, version: rs.version };
  }
  if (!found) throw new CallerError("unknown_campaign", `no campaign ${id} in any rule-set version`);
  const { c } = found;
  const [r] = await q<{ participants: number; paid: string; conversions: number; by_settlement: number; by_event: number }[]>`
    with paid as (
      select account, sum(delta) as points, bool_or(event_id is not null) as via_event
      from point_ledger where reason = 'campaign' and campaign_id = ${id} group by account)
    select count(*)::int as participants, coalesce(sum(points), 0)::text as paid,
      count(*) filter (where st.first_activity_at >= ${c.startsAt} and st.first_activity_at < ${c.endsAt})::int as conversions,
      count(*) filter (where st.first_activity_at >= ${c.startsAt} and st.first_activity_at < ${c.endsAt} and not via_event)::int as by_settlement,
      count(*) filter (where st.first_activity_at >= ${c.startsAt} and st.first_activity_at < ${c.endsAt} and via_event)::int as by_event
    from paid left join account_stats st on st.account = paid.account`;
  const pointsPaid = BigInt(r!.paid);
  const left = c.budget - pointsPaid;
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    budget: c.budget,
    participants: r!.participants,
    pointsPaid,
    budgetLeft: left > 0n ? left : 0n,
    conversions: r!.conversions,
    conversionsBy: { settlement: r!.by_settlement, event: r!.by_event },
    ruleSetVersion: found.version,
  };
}
