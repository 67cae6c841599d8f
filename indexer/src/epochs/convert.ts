import { I64_MAX, I64_MIN, keyBytes, U64_MAX } from "@merit/clients/merkle";
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

function i64(v: bigint, what: string, i: number): bigint {
  if (v < I64_MIN || v > I64_MAX) throw new CallerError("amount_out_of_range", `wallet #${i}: its ${what} (${v}) does not fit in 64 bits`);
  return v;
}

/** Below this every remainder (smaller than the total of points) is exact as a double. */
const EXACT_DOUBLE = 2n ** 53n;

/**
 * Largest-remainder split of `budget` by positive points, one amount per wallet; exact to the base
 * unit. The `left` units (fewer than the wallets) go to the largest remainders; equal remainders
 * where the last unit falls are broken by claimant bytes (`keyOf`), the only keys read.
 */
function allocateBudget(points: ArrayLike<bigint>, n: number, budget: bigint, keyOf: (i: number) => Uint8Array): BigInt64Array {
  const out = new BigInt64Array(n);
  let total = 0n;
  for (let i = 0; i < n; i++) if (points[i]! > 0n) total += points[i]!;
  if (total === 0n) return out;
  i64(budget, "budget", 0);
  let left = budget;
  const exact = total <= EXACT_DOUBLE;
  // remainders as doubles when exact (a sort of a Float64Array), else as bigints
  const rem = exact ? new Float64Array(n).fill(-1) : undefined;
  const bigRem = exact ? undefined : new Map<bigint, number[]>();
  for (let i = 0; i < n; i++) {
    const p = points[i]!;
    if (p <= 0n) continue;
    const scaled = budget * p;
    const floor = scaled / total;
    out[i] = floor;
    left -= floor;
    const r = scaled - floor * total;
    if (rem) rem[i] = Number(r);
    else {
      const g = bigRem!.get(r);
      if (g) g.push(i);
      else bigRem!.set(r, [i]);
    }
  }
  if (left === 0n) return out;
  const give = (group: number[], units: number) => {
    if (group.length > units) {
      group.sort((a, b) => Buffer.compare(keyOf(a), keyOf(b)));
      group.length = units;
    }
    for (const i of group) out[i]! += 1n;
    return group.length;
  };
  if (rem) {
    const units = Number(left);
    // the remainder the last unit falls on: everything above it gets a unit, ties share the rest
    const threshold = Float64Array.from(rem).sort()[n - units]!;
    const ties: number[] = [];
    let given = 0;
    for (let i = 0; i < n; i++) {
      if (rem[i]! > threshold) {
        out[i]! += 1n;
        given++;
      } else if (rem[i] === threshold) ties.push(i);
    }
    give(ties, units - given);
    return out;
  }
  const rems = [...bigRem!.keys()].sort((p, q) => (p > q ? -1 : p < q ? 1 : 0));
  for (const r of rems) {
    if (left === 0n) break;
    left -= BigInt(give(bigRem!.get(r)!, Number(left < BigInt(n) ? left : BigInt(n))));
  }
  return out;
}

/** What convertColumns gives, index for index. */
export interface ConvertedColumns {
  /** What this epoch's points are worth (before the minimum); negative for a debt in fixed mode. */
  allocated: BigInt64Array;
  /** What enters the tree this epoch: the pending balance once it reaches the minimum, else 0. */
  released: BigUint64Array;
  /** Carried to the next epoch. */
  pending: BigInt64Array;
}

/** convert for wallets held as columns: `points` and `pending` per wallet, `keyOf` its claimant bytes (ties). */
export function convertColumns(
  points: ArrayLike<bigint>,
  pending: ArrayLike<bigint>,
  n: number,
  c: Conversion,
  keyOf: (i: number) => Uint8Array,
): ConvertedColumns {
  const allocated = c.mode === "budget" ? allocateBudget(points, n, c.budgetPerEpoch, keyOf) : new BigInt64Array(n);
  const released = new BigUint64Array(n);
  const carried = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const a = c.mode === "budget" ? allocated[i]! : (allocated[i] = i64(allocateFixed(points[i]!, c), "allocated amount", i));
    const balance = pending[i]! + a;
    if (balance > 0n && balance >= c.minClaimable) {
      if (balance > U64_MAX) throw new CallerError("amount_out_of_range", `wallet #${i}: its released amount (${balance}) exceeds a u64`);
      released[i] = balance;
    } else carried[i] = i64(balance, "pending amount", i);
  }
  return { allocated, released, pending: carried };
}

export function convert(rows: readonly EpochPoints[], c: Conversion): Converted[] {
  const n = rows.length;
  const points = rows.map((r) => r.points);
  const pending = rows.map((r) => r.pending);
  const out = convertColumns(points, pending, n, c, (i) => keyBytes(rows[i]!.claimant));
  return rows.map((r, i) => ({
    claimant: r.claimant,
    points: r.points,
    allocated: out.allocated[i]!,
    released: out.released[i]!,
    pending: out.pending[i]!,
  }));
}
