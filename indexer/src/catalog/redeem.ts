import { type Challenge, consumeChallenge, createChallenge } from "../accounts/challenges.js";
import type { Queryable, Sql, Tx } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { balanceOf, insertRedemptionRow, lockAccountPoints } from "../ledger/queries.js";
import { latestRuleSet } from "../rules/rule-sets.js";
import type { Tiers } from "../rules/schema.js";
import { dayOf } from "../scoring/points/math.js";
import { pickTier, rollingVolume } from "../scoring/points/tiers.js";
import { decodeDays } from "../scoring/state.js";
import {
  getRedemption,
  getReward,
  insertRedemption,
  insertReward,
  markVoided,
  recentRedemptions,
  recentVolumeText,
  type Redemption,
  updateReward,
} from "./queries.js";
import { benefitFor, parseRedemptionSubject, type Reward, redemptionSubject, refusal, tierRank } from "./rules.js";

/**
 * Defining rewards and spending points on them. A redemption is authorised by the wallet's
 * signature over a challenge naming the reward and its price, and lands in one transaction that
 * holds the wallet's points lock (ledger/queries.ts lockAccountPoints): the balance and every limit
 * are read and the debit written with no other spend of that wallet in between, so of two
 * redemptions racing for the last allowed one exactly one commits.
 */

/** The tiers in force and the wallet's tier now (its rolling volume as the engine last wrote it). */
export async function walletTier(q: Queryable, wallet: string, now: Date): Promise<{ tier: string | null; tiers: Tiers | undefined }> {
  const [rules, days] = await Promise.all([latestRuleSet(q), recentVolumeText(q, wallet)]);
  const tiers = rules?.body.tiers;
  if (!tiers) return { tier: null, tiers };
  return { tier: pickTier(tiers, rollingVolume(decodeDays(days), dayOf(now), tiers.windowDays)).name, tiers };
}

async function checkTierNames(q: Queryable, r: Reward): Promise<void> {
  const tiers = (await latestRuleSet(q))?.body.tiers;
  for (const [field, name] of [
    ["minTier", r.minTier],
    ["maxTier", r.maxTier],
    ...Object.keys(r.benefits)
      .filter((k) => k !== "*")
      .map((k) => [`benefits.${k}`, k]),
  ] as const) {
    if (name !== null && tierRank(tiers, name) === undefined)
      throw new CallerError(
        "bad_tier",
        `${field}: no tier named ${name} in the rule set in force (tiers: ${tiers?.levels.map((l) => l.name).join(", ") || "none"})`,
      );
  }
  const [lo, hi] = [tierRank(tiers, r.minTier), tierRank(tiers, r.maxTier)];
  if (r.minTier !== null && r.maxTier !== null && lo !== undefined && hi !== undefined && lo > hi)
    throw new CallerError("bad_tier", `maxTier: ${r.maxTier} is below minTier ${r.minTier}`);
}

export async function addReward(sql: Sql, r: Reward, by: string): Promise<Reward> {
  await checkTierNames(sql, r);
  if (!(await insertReward(sql, r, by))) throw new CallerError("reward_exists", `a reward with the code ${r.code} already exists`);
  return (await getReward(sql, r.code))!;
}

/** Changes an entry's terms (`active: false` disables it); answers the entry before and after. */
export async function changeReward(
  sql: Sql,
  code: string,
  change: (current: Reward) => Reward,
): Promise<{ before: Reward; after: Reward }> {
  return sql.begin(async (tx) => {
    const before = await getReward(tx, code, "update");
    if (!before) throw new CallerError("unknown_reward", `no reward with the code ${code}`);
    const after = { ...change(before), code };
    await checkTierNames(tx, after);
    await updateReward(tx, after);
    return { before, after: (await getReward(tx, code))! };
  }) as Promise<{ before: Reward; after: Reward }>;
}

async function check(
  q: Queryable,
  reward: Reward,
  wallet: string,
  note: string | null,
  now: Date,
): Promise<{ tier: string | null; balance: bigint }> {
  const [{ tier, tiers }, balance, recent] = await Promise.all([
    walletTier(q, wallet, now),
    balanceOf(q, wallet),
    recentRedemptions(q, wallet, reward.code, now),
  ]);
  const no = refusal({ reward, balance, tier, tiers, recent, note, now });
  if (no) throw new CallerError(no.code, no.message);
  return { tier, balance };
}

/**
 * Step 1: the message the wallet signs to redeem `reward` at its current price. The same checks
 * as step 2 run first (without the lock), so a wallet at its limit learns it before signing.
 */
export async function requestRedemption(
  sql: Sql,
  opts: { wallet: string; reward: string; note?: string | null; ttlSeconds?: number; now?: Date },
): Promise<Challenge & { price: bigint }> {
  const reward = await getReward(sql, opts.reward);
  if (!reward) throw new CallerError("unknown_reward", `no reward with the code ${opts.reward}`);
  const note = opts.note?.trim() || null;
  await check(sql, reward, opts.wallet, note, opts.now ?? new Date());
  const ch = await createChallenge(sql, {
    purpose: "redemption",
    account: opts.wallet,
    address: opts.wallet,
    chain: "solana",
    subject: redemptionSubject(reward.code, reward.price, note),
    ttlSeconds: opts.ttlSeconds,
    now: opts.now,
  });
  return { ...ch, price: reward.price };
}

/** Step 2: the signature; the points are debited and the redemption recorded, or nothing happens. */
export async function redeem(sql: Sql, opts: { nonce: string; signature: string }): Promise<Redemption & { balance: bigint }> {
  return sql.begin(async (tx) => {
    const ch = await consumeChallenge(tx, { nonce: opts.nonce, signature: opts.signature, purpose: "redemption" });
    const subject = parseRedemptionSubject(ch.subject);
    if (!subject) throw new CallerError("unknown_challenge", "this challenge is not a redemption's");
    return spend(tx, { wallet: ch.account, ...subject, nonce: ch.nonce });
  }) as Promise<Redemption & { balance: bigint }>;
}

async function spend(
  tx: Tx,
  o: { wallet: string; code: string; price: bigint; note: string | null; nonce: string },
): Promise<Redemption & { balance: bigint }> {
  await lockAccountPoints(tx, o.wallet);
  // share lock: an admin's change of terms waits for this redemption, or this one sees the change
  const reward = await getReward(tx, o.code, "share");
  if (!reward) throw new CallerError("unknown_reward", `no reward with the code ${o.code}`);
  if (reward.price !== o.price)
    throw new CallerError("price_changed", `the price of ${o.code} changed since the challenge was signed: request a new challenge`);
  const { tier, balance } = await check(tx, reward, o.wallet, o.note, new Date());
  const ledgerId = await insertRedemptionRow(tx, {
    account: o.wallet,
    delta: -reward.price,
    reason: "redemption",
    note: `redeemed ${reward.code} (${reward.name})`,
  });
  const r = await insertRedemption(tx, {
    reward: reward.code,
    wallet: o.wallet,
    price: reward.price,
    tier,
    benefit: benefitFor(reward, tier),
    note: o.note,
    ledgerId,
    nonce: o.nonce,
  });
  return { ...r, balance: balance - reward.price };
}

/** Voids a redemption: its points come back as a ledger row of their own (the debit stays). */
export async function voidRedemption(
  sql: Sql,
  opts: { id: bigint; reason: string; by: string },
): Promise<{ before: Redemption; after: Redemption }> {
  if (!opts.reason.trim()) throw new CallerError("note_required", "voiding a redemption needs a reason");
  return sql.begin(async (tx) => {
    const before = await getRedemption(tx, opts.id, true);
    if (!before) throw new CallerError("unknown_redemption", `no redemption with the id ${opts.id}`);
    if (before.status === "voided") throw new CallerError("already_voided", `redemption ${opts.id} was already voided`);
    await lockAccountPoints(tx, before.wallet);
    const voidLedgerId = await insertRedemptionRow(tx, {
      account: before.wallet,
      delta: before.price,
      reason: "redemption_void",
      note: `void of redemption ${before.id} (${before.reward}): ${opts.reason.trim()} (by ${opts.by})`,
    });
    const after = await markVoided(tx, opts.id, { voidLedgerId, reason: opts.reason.trim(), by: opts.by });
    return { before, after };
  }) as Promise<{ before: Redemption; after: Redemption }>;
}
