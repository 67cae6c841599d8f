import type { Queryable } from "../db/connection.js";
import { toJsonValue } from "../json.js";
import type { RecentRedemptions, Reward, RewardKind } from "./rules.js";

/** Queries of the catalog: `catalog_rewards` and `redemptions` (migration 00050). */

type Raw = Record<string, unknown>;
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const REWARD_COLUMNS =
  "code, name, kind, active, price, min_tier, max_tier, min_balance, per_day, per_week, per_month, cooldown_seconds, note_required, benefits, description";

function toReward(r: Raw): Reward {
  return {
    code: r.code as string,
    name: r.name as string,
    kind: r.kind as RewardKind,
    active: r.active as boolean,
    price: BigInt(r.price as bigint),
    minTier: (r.min_tier as string | null) ?? null,
    maxTier: (r.max_tier as string | null) ?? null,
    minBalance: BigInt(r.min_balance as bigint),
    perDay: num(r.per_day),
    perWeek: num(r.per_week),
    perMonth: num(r.per_month),
    cooldownSeconds: num(r.cooldown_seconds),
    noteRequired: r.note_required as boolean,
    benefits: (r.benefits ?? {}) as Record<string, unknown>,
    description: (r.description as string | null) ?? null,
  };
}

/** Inserts a new entry; false when the code is taken. */
export async function insertReward(q: Queryable, r: Reward, by: string): Promise<boolean> {
  const rows = await q`
    insert into catalog_rewards (code, name, kind, active, price, min_tier, max_tier, min_balance, per_day, per_week, per_month,
      cooldown_seconds, note_required, benefits, description, created_by)
    values (${r.code}, ${r.name}, ${r.kind}, ${r.active}, ${r.price}, ${r.minTier}, ${r.maxTier}, ${r.minBalance}, ${r.perDay}, ${r.perWeek},
      ${r.perMonth}, ${r.cooldownSeconds}, ${r.noteRequired}, ${q.json(toJsonValue(r.benefits) as never)}, ${r.description}, ${by})
    on conflict (code) do nothing returning code`;
  return rows.length === 1;
}

/** Replaces an entry's terms (the code stays); the row is locked by the caller's transaction. */
export async function updateReward(q: Queryable, r: Reward): Promise<void> {
  await q`
    update catalog_rewards set name = ${r.name}, kind = ${r.kind}, active = ${r.active}, price = ${r.price}, min_tier = ${r.minTier},
      max_tier = ${r.maxTier}, min_balance = ${r.minBalance}, per_day = ${r.perDay}, per_week = ${r.perWeek}, per_month = ${r.perMonth},
      cooldown_seconds = ${r.cooldownSeconds}, note_required = ${r.noteRequired}, benefits = ${q.json(toJsonValue(r.benefits) as never)},
      description = ${r.description}, updated_at = now()
    where code = ${r.code}`;
}

/** `lock`: share-lock the row, so an edit waits for the redemptions reading it (and the reverse). */
export async function getReward(q: Queryable, code: string, lock?: "share" | "update"): Promise<Reward | undefined> {
  const suffix = lock === "share" ? "for share" : lock === "update" ? "for update" : "";
  const [r] = (await q.unsafe(`select ${REWARD_COLUMNS} from catalog_rewards where code = $1 ${suffix}`, [code])) as unknown as Raw[];
  return r ? toReward(r) : undefined;
}

export async function listRewards(q: Queryable, opts: { activeOnly?: boolean } = {}): Promise<Reward[]> {
  const rows = (await q.unsafe(`select ${REWARD_COLUMNS} from catalog_rewards where ($1::boolean is not true or active) order by code`, [
    opts.activeOnly ?? false,
  ])) as unknown as Raw[];
  return rows.map(toReward);
}

/** The wallet's redemptions of one reward that are not voided, in the limits' UTC windows as of `now`. */
export async function recentRedemptions(q: Queryable, wallet: string, code: string, now: Date): Promise<RecentRedemptions> {
  const [r] = await q<{ today: number; week: number; month: number; last: Date | null }[]>`
    with n as (select ${now}::timestamptz at time zone 'UTC' as t)
    select
      count(*) filter (where redeemed_at at time zone 'UTC' >= date_trunc('day', n.t))::int as today,
      count(*) filter (where redeemed_at at time zone 'UTC' >= date_trunc('week', n.t))::int as week,
      count(*) filter (where redeemed_at at time zone 'UTC' >= date_trunc('month', n.t))::int as month,
      max(redeemed_at) as last
    from redemptions, n
    where wallet = ${wallet} and reward_code = ${code} and status = 'redeemed'`;
  return { today: r?.today ?? 0, thisWeek: r?.week ?? 0, thisMonth: r?.month ?? 0, last: r?.last ?? null };
}

export interface Redemption {
  id: bigint;
  reward: string;
  wallet: string;
  price: bigint;
  tier: string | null;
  benefit: unknown;
  note: string | null;
  status: "redeemed" | "voided";
  ledgerId: bigint;
  redeemedAt: Date;
  voidLedgerId: bigint | null;
  voidReason: string | null;
  voidedBy: string | null;
  voidedAt: Date | null;
}

const REDEMPTION_COLUMNS = `id, reward_code as reward, wallet, price, tier, benefit, note, status, ledger_id as "ledgerId",
  redeemed_at as "redeemedAt", void_ledger_id as "voidLedgerId", void_reason as "voidReason", voided_by as "voidedBy", voided_at as "voidedAt"`;

export async function insertRedemption(
  q: Queryable,
  r: Pick<Redemption, "reward" | "wallet" | "price" | "tier" | "benefit" | "note" | "ledgerId"> & { nonce: string | null },
): Promise<Redemption> {
  const [row] = (await q.unsafe(
    `insert into redemptions (reward_code, wallet, price, tier, benefit, note, ledger_id, challenge_nonce, redeemed_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, (select occurred_at from point_ledger where id = $7))
     returning ${REDEMPTION_COLUMNS}`,
    [
      r.reward,
      r.wallet,
      r.price.toString(),
      r.tier,
      r.benefit === null || r.benefit === undefined ? null : (toJsonValue(r.benefit) as never),
      r.note,
      r.ledgerId.toString(),
      r.nonce,
    ],
  )) as unknown as Redemption[];
  return row!;
}

export async function getRedemption(q: Queryable, id: bigint, lock = false): Promise<Redemption | undefined> {
  const [r] = (await q.unsafe(`select ${REDEMPTION_COLUMNS} from redemptions where id = $1 ${lock ? "for update" : ""}`, [
    id.toString(),
  ])) as unknown as Redemption[];
  return r;
}

export async function markVoided(q: Queryable, id: bigint, v: { voidLedgerId: bigint; reason: string; by: string }): Promise<Redemption> {
  const [r] = (await q.unsafe(
    `update redemptions set status = 'voided', void_ledger_id = $2, void_reason = $3, voided_by = $4,
       voided_at = (select occurred_at from point_ledger where id = $2)
     where id = $1 and status = 'redeemed' returning ${REDEMPTION_COLUMNS}`,
    [id.toString(), v.voidLedgerId.toString(), v.reason, v.by],
  )) as unknown as Redemption[];
  return r!;
}

/** A wallet's redemptions, newest first, keyset-paginated by id. */
export async function walletRedemptions(
  q: Queryable,
  wallet: string,
  opts: { beforeId?: bigint; limit?: number } = {},
): Promise<Redemption[]> {
  return (await q.unsafe(
    `select ${REDEMPTION_COLUMNS} from redemptions where wallet = $1 and ($2::bigint is null or id < $2::bigint) order by id desc limit $3`,
    [wallet, opts.beforeId?.toString() ?? null, opts.limit ?? 50],
  )) as unknown as Redemption[];
}

/** Every redemption of a reward (or all), newest first: what admins review. */
export async function listRedemptions(q: Queryable, opts: { reward?: string; limit?: number } = {}): Promise<Redemption[]> {
  return (await q.unsafe(
    `select ${REDEMPTION_COLUMNS} from redemptions where ($1::text is null or reward_code = $1) order by id desc limit $2`,
    [opts.reward ?? null, opts.limit ?? 100],
  )) as unknown as Redemption[];
}

/** The wallet's tier window as the engine checkpointed it ("day:volume,…"), or "" for none. */
export async function recentVolumeText(q: Queryable, wallet: string): Promise<string> {
  const [r] = await q<{ v: string }[]>`select recent_volume as v from account_stats where account = ${wallet}`;
  return r?.v ?? "";
}
