import type { ReferralModel } from "../../rules/schema.js";
import { BPS } from "../points/math.js";

/**
 * Referral shares of a referee's points, paid on top of them. Integer math in millipoints with one
 * rounding rule for both models: every share is floored, and whatever flooring left over goes to
 * the last party paid, so the parts always sum to the whole.
 *
 * `user` is the referee's own extra share (diminishing model only); `levels[i]` goes to the
 * referrer i+1 levels up. Only as many levels as the chain has referrers are paid.
 */
export interface Split {
  user: bigint;
  levels: bigint[];
}

export function referralDepth(model: ReferralModel): number {
  if (model.model === "fixed") return model.levels.length;
  if (model.model === "diminishing") return model.levels;
  return 0;
}

export function splitReferral(model: ReferralModel, points: bigint, referrers: number): Split {
  const depth = Math.min(referrers, referralDepth(model));
  if (depth === 0 || points <= 0n || model.model === "none") return { user: 0n, levels: [] };
  if (model.model === "fixed") {
    const rates = model.levels.slice(0, depth).map(BigInt);
    // The whole is the summed rate applied once; each level floors its own rate.
    const whole = (points * rates.reduce((a, b) => a + b, 0n)) / BPS;
    const levels = rates.map((r) => (points * r) / BPS);
    levels[depth - 1]! += whole - levels.reduce((a, b) => a + b, 0n);
    return { user: 0n, levels };
  }
  const pool = (points * BigInt(model.poolBps)) / BPS;
  const user = (pool * BigInt(model.userShareBps)) / BPS;
  let rest = pool - user;
  const levels: bigint[] = [];
  for (let i = 0; i < depth; i++) {
    const share = i === depth - 1 ? rest : (rest * BigInt(model.levelShareBps)) / BPS;
    levels.push(share);
    rest -= share;
  }
  return { user, levels };
}
