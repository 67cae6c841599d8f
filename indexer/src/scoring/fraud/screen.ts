import type { FraudControls } from "../../rules/schema.js";
import { dayOf } from "../points/math.js";

/**
 * Fraud screening of one settlement, before it earns anything. Pure over `FraudState`, which the
 * engine loads for the batch's wallets and replay keeps whole, so a catch is the same under both.
 */
export type ExclusionReason = "linked_addresses" | "round_trip" | "below_minimum" | "daily_cap" | "review_threshold";

export interface Caught {
  reason: ExclusionReason;
  /** a sentence for the wallet's history and the review queue */
  detail: string;
  action: "exclude" | "review";
}

/** The paying wallet's tally of the UTC day it last settled (settlements that passed screening). */
export interface DayTally {
  day: number;
  count: number;
  volume: bigint;
}

/**
 * Keys as stored in engine_side_state: `d:<wallet>` a day tally, `p:<from>><to>` when `from` last
 * paid `to` (epoch ms). Addresses are base58 or hex, never ':' or '>'.
 */
export const dayKey = (wallet: string) => `d:${wallet}`;
export const pairKey = (from: string, to: string) => `p:${from}>${to}`;

export class FraudState {
  readonly days = new Map<string, DayTally>();
  readonly pairs = new Map<string, number>();
  /** keys changed since the last checkpoint, and keys already looked up in the table */
  readonly dirty = new Set<string>();
  readonly loaded = new Set<string>();

  encode(key: string): string | undefined {
    if (key.startsWith("d:")) {
      const t = this.days.get(key.slice(2));
      return t && `${t.day}:${t.count}:${t.volume}`;
    }
    const at = this.pairs.get(key);
    return at === undefined ? undefined : String(at);
  }

  decode(key: string, value: string): void {
    if (key.startsWith("d:")) {
      const [day, count, volume] = value.split(":") as [string, string, string];
      this.days.set(key.slice(2), { day: Number(day), count: Number(count), volume: BigInt(volume) });
    } else this.pairs.set(key, Number(value));
  }
}

/** The keys screening may read or write for one settlement. */
export function fraudKeys(payer: string, payee: string): string[] {
  return [dayKey(payer), pairKey(payer, payee), pairKey(payee, payer)];
}

export interface ScreenInput {
  payer: string;
  payee: string;
  /** accounts the two addresses belong to at this settlement's turn (links) */
  payerAccount: string;
  payeeAccount: string;
  volume: bigint;
  time: Date;
}

const seconds = (ms: number) => Math.round(ms / 1000);

/**
 * The first control that catches the settlement, in a fixed order (linked addresses, minimum,
 * round trip, daily cap, review threshold), or undefined. With a round-trip window, records the
 * payment for later round trips whatever the outcome; with a daily cap, counts it in the day's
 * tally when it passed. Only what a control reads is kept, so a rule set without them writes no
 * state (replay follows the same rule, so a window added later sees the same history either way).
 */
export function screenSettlement(f: FraudControls, fs: FraudState, x: ScreenInput): Caught | undefined {
  const caught = check(f, fs, x);
  if (f.roundTrip) {
    const pair = pairKey(x.payer, x.payee);
    fs.pairs.set(pair, x.time.getTime());
    fs.dirty.add(pair);
  }
  if (!caught && f.dailyCap) {
    const day = dayOf(x.time);
    const t = fs.days.get(x.payer);
    if (t && t.day === day) {
      t.count += 1;
      t.volume += x.volume;
    } else fs.days.set(x.payer, { day, count: 1, volume: x.volume });
    fs.dirty.add(dayKey(x.payer));
  }
  return caught;
}

function check(f: FraudControls, fs: FraudState, x: ScreenInput): Caught | undefined {
  if (f.linkedAddresses && x.payerAccount === x.payeeAccount) {
    const detail =
      x.payer === x.payee
        ? `the wallet paid itself (${x.payer})`
        : `payer ${x.payer} and payee ${x.payee} are linked addresses of one account (${x.payerAccount})`;
    return { reason: "linked_addresses", detail, action: f.linkedAddresses.action };
  }
  if (f.minVolume && x.volume < f.minVolume.volume) {
    return {
      reason: "below_minimum",
      detail: `volume ${x.volume} is below the minimum settlement of ${f.minVolume.volume} (micro-units)`,
      action: f.minVolume.action,
    };
  }
  if (f.roundTrip) {
    const back = fs.pairs.get(pairKey(x.payee, x.payer));
    const gap = back === undefined ? undefined : x.time.getTime() - back;
    if (gap !== undefined && gap <= f.roundTrip.windowSeconds * 1000) {
      return {
        reason: "round_trip",
        detail: `${x.payee} paid ${x.payer} ${seconds(gap)} s before this payment back (round-trip window ${f.roundTrip.windowSeconds} s)`,
        action: f.roundTrip.action,
      };
    }
  }
  if (f.dailyCap) {
    const t = fs.days.get(x.payer);
    const today = t && t.day === dayOf(x.time) ? t : { count: 0, volume: 0n };
    const { maxSettlements, maxVolume } = f.dailyCap;
    if (maxSettlements !== undefined && today.count >= maxSettlements)
      return {
        reason: "daily_cap",
        detail: `the wallet already has ${today.count} settlements today (UTC), the daily cap is ${maxSettlements}`,
        action: f.dailyCap.action,
      };
    if (maxVolume !== undefined && today.volume + x.volume > maxVolume)
      return {
        reason: "daily_cap",
        detail: `the wallet's volume today (UTC) would reach ${today.volume + x.volume}, over the daily cap of ${maxVolume} (micro-units)`,
        action: f.dailyCap.action,
      };
  }
  if (f.review && x.volume >= f.review.minVolume) {
    return {
      reason: "review_threshold",
      detail: `volume ${x.volume} is at or above the review threshold of ${f.review.minVolume} (micro-units)`,
      action: "review",
    };
  }
  return undefined;
}
