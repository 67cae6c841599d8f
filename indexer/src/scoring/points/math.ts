import type { Rounding } from "../../rules/schema.js";

/** Points are integer millipoints; volume is integer micro-units (6 decimals); rates are bps. */
export const MILLI_PER_POINT = 1000n;
export const VOLUME_DECIMALS = 6;
export const VOLUME_PER_UNIT = 1_000_000n;
export const BPS = 10_000n;
const DAY_MS = 86_400_000;

/** n / d for n >= 0, d > 0 under a rounding policy; `nearest` rounds halves up. */
export function roundDiv(n: bigint, d: bigint, mode: Rounding): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n || mode === "floor") return q;
  if (mode === "ceil") return q + 1n;
  return 2n * r >= d ? q + 1n : q;
}

export function applyBps(x: bigint, bps: number | bigint, mode: Rounding): bigint {
  return roundDiv(x * BigInt(bps), BPS, mode);
}

/** A token amount normalised to micro-units, so volumes of mints with different decimals add up. */
export function toVolume(amount: bigint, decimals: number): bigint {
  return decimals >= VOLUME_DECIMALS
    ? amount / 10n ** BigInt(decimals - VOLUME_DECIMALS)
    : amount * 10n ** BigInt(VOLUME_DECIMALS - decimals);
}

/** UTC day number (days since 1970-01-01): the unit of tier windows and streaks. */
export function dayOf(time: Date): number {
  return Math.floor(time.getTime() / DAY_MS);
}

/** Millipoints as points with three decimals: -12500 -> "-12.500" (exact, no float). */
export function formatPoints(milli: bigint): string {
  const sign = milli < 0n ? "-" : "";
  const abs = milli < 0n ? -milli : milli;
  return `${sign}${abs / MILLI_PER_POINT}.${(abs % MILLI_PER_POINT).toString().padStart(3, "0")}`;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
