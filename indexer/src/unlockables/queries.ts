import type { Queryable } from "../db/connection.js";

/** Queries of unlockable rewards: `unlockables` and `unlockable_grants` (migration 00051). */

export type Criterion = "rank" | "min_score" | "min_referrals" | "manual";
export type GrantStatus = "EARNED" | "DELIVERED";

export interface Unlockable {
  code: string;
  name: string;
  description: string | null;
  campaignId: string | null;
  criterion: Criterion;
  /** rank: top N; min_score: millipoints; min_referrals: a count; manual: null */
  threshold: bigint | null;
  epoch: bigint | null;
  active: boolean;
  evaluatedAt: Date | null;
}

export interface Grant {
  unlockable: string;
  wallet: string;
  status: GrantStatus;
  source: "evaluation" | "manual";
  rank: number | null;
  score: bigint | null;
  referrals: number | null;
  note: string | null;
  grantedBy: string | null;
  earnedAt: Date;
  deliveredAt: Date | null;
  deliveredBy: string | null;
}

const UNLOCKABLE_COLUMNS = `code, name, description, campaign_id as "campaignId", criterion, threshold, epoch, active, evaluated_at as "evaluatedAt"`;
const GRANT_COLUMNS = `unlockable_code as unlockable, wallet, status, source, rank, score, referrals, note, granted_by as "grantedBy",
  earned_at as "earnedAt", delivered_at as "deliveredAt", delivered_by as "deliveredBy"`;

/** Inserts a definition; false when the code is taken. */
export async function insertUnlockable(q: Queryable, u: Omit<Unlockable, "evaluatedAt">, by: string): Promise<boolean> {
  const rows = await q`
    insert into unlockables (code, name, description, campaign_id, criterion, threshold, epoch, active, created_by)
    values (${u.code}, ${u.name}, ${u.description}, ${u.campaignId}, ${u.criterion}, ${u.threshold}, ${u.epoch}, ${u.active}, ${by})
    on conflict (code) do nothing returning code`;
  return rows.length === 1;
}

export async function getUnlockable(q: Queryable, code: string): Promise<Unlockable | undefined> {
  const [r] = (await q.unsafe(`select ${UNLOCKABLE_COLUMNS} from unlockables where code = $1`, [code])) as unknown as Unlockable[];
  return r;
}

export async function listUnlockables(
  q: Queryable,
  opts: { activeOnly?: boolean } = {},
): Promise<(Unlockable & { earned: number; delivered: number })[]> {
  return (await q.unsafe(
    `select ${UNLOCKABLE_COLUMNS},
       (select count(*)::int from unlockable_grants g where g.unlockable_code = u.code) as earned,
       (select count(*)::int from unlockable_grants g where g.unlockable_code = u.code and g.status = 'DELIVERED') as delivered
     from unlockables u where ($1::boolean is not true or active) order by code`,
    [opts.activeOnly ?? false],
  )) as unknown as (Unlockable & { earned: number; delivered: number })[];
}

/**
 * Who meets the criterion, from the final standings: the epoch's leaderboard snapshot (its rank
 * already breaks ties by the earliest first activity, then the account), or the confirmed-referral
 * counts the engine keeps. Manual prizes have no candidates.
 */
export async function candidates(
  q: Queryable,
  u: Unlockable,
): Promise<{ wallet: string; rank: number | null; score: bigint | null; referrals: number | null }[]> {
  switch (u.criterion) {
    case "rank":
      return q`
        select account as wallet, rank, balance as score, null::int as referrals from leaderboard_snapshots
        where epoch = ${u.epoch} and rank <= ${u.threshold} and balance > 0 order by rank`;
    case "min_score":
      return q`
        select account as wallet, rank, balance as score, null::int as referrals from leaderboard_snapshots
        where epoch = ${u.epoch} and balance >= ${u.threshold} order by rank`;
    case "min_referrals":
      return q`
        select account as wallet, null::int as rank, null::bigint as score, referral_count as referrals from account_stats
        where referral_count >= ${u.threshold} order by referral_count desc, first_seq asc nulls last, account`;
    case "manual":
      return [];
  }
}

export async function hasSnapshot(q: Queryable, epoch: bigint): Promise<boolean> {
  const [r] = await q<{ e: boolean }[]>`select exists (select 1 from leaderboard_snapshots where epoch = ${epoch}) as e`;
  return r?.e ?? false;
}

/** Adds EARNED grants; an existing grant (earned, delivered or manual) is left as it is. Returns how many were new. */
export async function insertGrants(
  q: Queryable,
  code: string,
  rows: readonly { wallet: string; rank: number | null; score: bigint | null; referrals: number | null }[],
  source: "evaluation" | "manual",
  extra: { note?: string | null; by?: string | null } = {},
): Promise<number> {
  if (rows.length === 0) return 0;
  const res = await q`
    insert into unlockable_grants (unlockable_code, wallet, source, rank, score, referrals, note, granted_by)
    select ${code}, wallet, ${source}, rank, score, referrals, ${extra.note ?? null}, ${extra.by ?? null}
    from unnest(${rows.map((r) => r.wallet)}::text[], ${rows.map((r) => r.rank)}::int[], ${rows.map((r) => r.score?.toString() ?? null)}::bigint[],
      ${rows.map((r) => r.referrals)}::int[]) as x(wallet, rank, score, referrals)
    on conflict (unlockable_code, wallet) do nothing`;
  return res.count;
}

export async function markEvaluated(q: Queryable, code: string): Promise<void> {
  await q`update unlockables set evaluated_at = now() where code = ${code}`;
}

export async function getGrant(q: Queryable, code: string, wallet: string): Promise<Grant | undefined> {
  const [r] = (await q.unsafe(`select ${GRANT_COLUMNS} from unlockable_grants where unlockable_code = $1 and wallet = $2`, [
    code,
    wallet,
  ])) as unknown as Grant[];
  return r;
}

export async function listGrants(q: Queryable, code: string): Promise<Grant[]> {
  return (await q.unsafe(
    `select ${GRANT_COLUMNS} from unlockable_grants where unlockable_code = $1 order by rank nulls last, earned_at, wallet`,
    [code],
  )) as unknown as Grant[];
}

/** EARNED -> DELIVERED; undefined when there was no EARNED grant to move. */
export async function markDelivered(q: Queryable, code: string, wallet: string, by: string): Promise<Grant | undefined> {
  const [r] = (await q.unsafe(
    `update unlockable_grants set status = 'DELIVERED', delivered_at = now(), delivered_by = $3
     where unlockable_code = $1 and wallet = $2 and status = 'EARNED' returning ${GRANT_COLUMNS}`,
    [code, wallet, by],
  )) as unknown as Grant[];
  return r;
}

/** Every active unlockable with the wallet's grant, if any (none: LOCKED). */
export async function walletUnlockables(q: Queryable, wallet: string): Promise<{ unlockable: Unlockable; grant: Grant | null }[]> {
  const [defs, grants] = await Promise.all([
    listUnlockables(q, { activeOnly: true }),
    q.unsafe(`select ${GRANT_COLUMNS} from unlockable_grants where wallet = $1`, [wallet]) as unknown as Promise<Grant[]>,
  ]);
  const byCode = new Map(grants.map((g) => [g.unlockable, g]));
  return defs.map(({ earned: _e, delivered: _d, ...u }) => ({ unlockable: u, grant: byCode.get(u.code) ?? null }));
}
