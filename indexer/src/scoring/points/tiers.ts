import type { Tiers } from "../../rules/schema.js";

export interface TierPick {
  name: string | null;
  multiplierBps: number;
}

const NO_TIER: TierPick = { name: null, multiplierBps: 10000 };

/** Sum of daily volumes in the window ending on `day` (inclusive): the tier's rolling volume. */
export function rollingVolume(days: ReadonlyMap<number, bigint> | undefined, day: number, windowDays: number): bigint {
  let sum = 0n;
  if (!days) return sum;
  for (const [d, v] of days) if (d > day - windowDays && d <= day) sum += v;
  return sum;
}

/** The highest level whose minimum the rolling volume reaches; no tiers configured means 1x. */
export function pickTier(tiers: Tiers | undefined, rolling: bigint): TierPick {
  if (!tiers) return NO_TIER;
  let pick = NO_TIER;
  for (const level of tiers.levels) if (rolling >= level.minVolume) pick = { name: level.name, multiplierBps: level.multiplierBps };
  return pick;
}
