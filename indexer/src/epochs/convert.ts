import { keyBytes, U64_MAX } from "@merit/clients/merkle";
import { CallerError } from "../errors.js";
import { MILLI_PER_POINT } from "../scoring/points/math.js";

/**
 * Points become token base units, per distributor, by one of two modes:
 * - `fixed`: `unitsPerPoint` base units for each whole point (ledger deltas are milli-points), with
 *   a rounding policy for the fraction;
 * - `budget`: `budgetPerEpoch` base units split pro rata by points, largest remainder first, so the
 *   amounts add up to the budget exactly; equal remainders go to the smaller claimant bytes.
 * A wallet's amount joins its pending balance (carried from earlier epochs) and enters the tree
 * only once that balance reaches `minClaimable`: dust is carried, never lost. Pure: no database.
 */
export type Conversion =
  | { mode: "fixed"; unitsPerPoint: bigint; rounding: "floor" | "half_up"; minClaimable: bigint }
  | { mode: "budget"; budgetPerEpoch: bigint; minClaimable: bigint };

export interface EpochPoints {
  claimant: string;
  /** This epoch's points in milli-points; adjustments can make it negative. */
  points: bigint;
  /** Carried from earlier epochs: amounts under the minimum, or a debt from negative points. */
  pending: bigint;
}

export interface Converted {
  claimant: string;
  points: bigint;
  /** What this epoch's points are worth (before the minimum). */
  allocated: bigint;
  /** What enters the tree this epoch: the pending balance once it reaches the minimum, else 0. */
  released: bigint;
  /** Carried to the next epoch. */
  pending: bigint;
}

export function parseConversion(v: unknown): Conversion {
  const o = (v ?? {}) as Record<string, unknown>;
  const amount = (k: string, min = 0n): bigint => {
    const x = o[k];
    if (typeof x !== "string" && typeof x !== "number" && typeof x !== "bigint")
      throw new CallerError("bad_conversion", `conversion.${k} is required (a whole number of token base units)`);
    if (!/^\d+$/.test(String(x)))
      throw new CallerError("bad_conversion", `conversion.${k} must be a whole number of token base units, got ${String(x)}`);
    const n = BigInt(x);
    if (n < min || n > U64_MAX) throw new CallerError("bad_conversion", `conversion.${k} must be between ${min} and ${U64_MAX}, got ${n}`);
    return n;
  };
  const minClaimable = o.minClaimable === undefined ? 0n : amount("minClaimable");
  if (o.mode === "fixed") {
    const rounding = o.rounding ?? "floor";
    if (rounding !== "floor" && rounding !== "half_up")
      throw new CallerError("bad_conversion", `conversion.rounding must be "floor" or "half_up", got ${String(rounding)}`);
    return { mode: "fixed", unitsPerPoint: amount("unitsPerPoint", 1n), rounding, minClaimable };
  }
  if (o.mode === "budget") return { mode: "budget", budgetPerEpoch: amount("budgetPerEpoch"), minClaimable };
  throw new CallerError("bad_conversion", `conversion.mode must be "fixed" or "budget", got ${JSON.stringify(o.mode)}`);
}

function allocateFixed(points: bigint, c: Extract<Conversion, { mode: "fixed" }>): bigint {
  const scaled = points * c.unitsPerPoint;
  // Negative points (a correction) are a debt carried against later amounts, never a negative leaf.
  const q = scaled / MILLI_PER_POINT;
  const r = scaled % MILLI_PER_POINT;
  if (c.rounding === "half_up" && r * 2n >= MILLI_PER_POINT) return q + 1n;
  if (r < 0n) return q - 1n; // floor for negatives (BigInt division truncates toward zero)
  return q;
}

/** Largest-remainder split of `budget` by positive points, one amount per row; exact to the base unit. */
function allocateBudget(rows: readonly EpochPoints[], budget: bigint): bigint[] {
  const n = rows.length;
  const out = new Array<bigint>(n).fill(0n);
  let total = 0n;
  for (let i = 0; i < n; i++) if (rows[i]!.points > 0n) total += rows[i]!.points;
  if (total === 0n) return out;
  let left = budget;
  // The `left` units (fewer than the wallets) go to the largest remainders. Wallets are grouped by
  // remainder, largest first; only the group the last unit falls in needs its ties broken, by
  // claimant bytes (not base58 text), so only its keys are decoded.
  const byRem = new Map<bigint, number[]>();
  for (let i = 0; i < n; i++) {
    const p = rows[i]!.points;
    if (p <= 0n) continue;
    const scaled = budget * p;
    const floor = scaled / total;
    out[i] = floor;
    left -= floor;
    const rem = scaled - floor * total;
    const g = byRem.get(rem);
    if (g) g.push(i);
    else byRem.set(rem, [i]);
  }
  const rems = [...byRem.keys()].sort((p, q) => (p > q ? -1 : p < q ? 1 : 0));
  for (const rem of rems) {
    if (left === 0n) break;
    let group = byRem.get(rem)!;
    if (BigInt(group.length) > left) {
      const keyed = group.map((i) => ({ i, k: Buffer.from(keyBytes(rows[i]!.claimant)) }));
      keyed.sort((p, q) => Buffer.compare(p.k, q.k));
      group = keyed.slice(0, Number(left)).map((x) => x.i);
    }
    for (const i of group) out[i]! += 1n;
    left -= BigInt(group.length);
  }
  return out;
}

export function convert(rows: readonly EpochPoints[], c: Conversion): Converted[] {
  const budget = c.mode === "budget" ? allocateBudget(rows, c.budgetPerEpoch) : undefined;
  const out = new Array<Converted>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const allocated = budget ? budget[i]! : allocateFixed(r.points, c as Extract<Conversion, { mode: "fixed" }>);
    const balance = r.pending + allocated;
    const release = balance > 0n && balance >= c.minClaimable;
    out[i] = { claimant: r.claimant, points: r.points, allocated, released: release ? balance : 0n, pending: release ? 0n : balance };
  }
  return out;
}
