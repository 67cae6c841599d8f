import { FraudState } from "./fraud/screen.js";
import { ProviderState } from "./providers/state.js";

/**
 * The scoring state the engine reads and changes while it walks settlements in chain order. The
 * live worker fills one per batch from Postgres (only the rows the batch touches) and writes back
 * what is dirty; replay keeps one for the whole history in memory. Same scoring code either way,
 * which is what makes the determinism check meaningful.
 */
export interface AccountStats {
  settlementCount: bigint;
  volumeTotal: bigint;
  score: bigint;
  balance: bigint;
  firstSeq: bigint | null;
  firstActivityAt: Date | null;
  lastDay: number | null;
  streakDays: number;
  referralCount: number;
  /** in dirtyStats (written at the next checkpoint) */
  dirty?: boolean;
  /**
   * Volume per UTC day for the tier window, and counters per campaign id: kept on the account's
   * row (as in account_stats), so scoring a settlement finds everything about its payer with one
   * lookup instead of one per map (those lookups showed in the engine's CPU profile).
   */
  days?: Map<number, bigint>;
  parts?: Map<string, Participant>;
}

export interface CampaignTotals {
  spent: bigint;
  participants: number;
}

export interface Participant {
  readonly campaignId: string;
  readonly account: string;
  awards: number;
  points: bigint;
  lastAwardAt: Date | null;
  seen: number;
  volume: bigint;
}

/** A link (address -> account, or referee -> referrer) counts for settlements scored after `afterSeq`. */
export interface Link {
  to: string;
  afterSeq: bigint;
}

export const newAccountStats = (): AccountStats => ({
  settlementCount: 0n,
  volumeTotal: 0n,
  score: 0n,
  balance: 0n,
  firstSeq: null,
  firstActivityAt: null,
  lastDay: null,
  streakDays: 0,
  referralCount: 0,
  // every field present from the start, in one order everywhere: one object shape for V8
  dirty: false,
  days: undefined,
  parts: undefined,
});

/** account_stats.recent_volume: "day:volume" pairs for the days after `afterDay`. */
export function encodeDays(days: ReadonlyMap<number, bigint> | undefined, afterDay: number): string {
  if (!days) return "";
  const parts: string[] = [];
  for (const [d, v] of days) if (d > afterDay) parts.push(`${d}:${v}`);
  return parts.join(",");
}

export function decodeDays(text: string): Map<number, bigint> {
  const days = new Map<number, bigint>();
  if (text === "") return days;
  for (const part of text.split(",")) {
    const i = part.indexOf(":");
    days.set(Number(part.slice(0, i)), BigInt(part.slice(i + 1)));
  }
  return days;
}

/**
 * account_stats.campaigns: the account's per-campaign counters, "id:awards:points:lastAwardMs:seen:volume"
 * joined by "," (campaign ids are [a-z0-9_-], so neither separator can occur in them). One row per
 * account instead of one per (campaign, account): a checkpoint rewrites far fewer rows.
 */
export function encodeCampaigns(st: AccountStats | undefined): string {
  const parts: [string, string][] = [];
  for (const [id, p] of st?.parts ?? [])
    parts.push([id, `${id}:${p.awards}:${p.points}:${p.lastAwardAt?.getTime() ?? ""}:${p.seen}:${p.volume}`]);
  // by campaign id, so the text is the same whatever order the campaigns were first met in
  return parts
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map((p) => p[1])
    .join(",");
}

export function decodeCampaigns(account: string, text: string): Participant[] {
  if (text === "") return [];
  return text.split(",").map((part) => {
    const [campaignId, awards, points, lastAward, seen, volume] = part.split(":") as [string, string, string, string, string, string];
    return {
      campaignId,
      account,
      awards: Number(awards),
      points: BigInt(points),
      lastAwardAt: lastAward === "" ? null : new Date(Number(lastAward)),
      seen: Number(seen),
      volume: BigInt(volume),
    };
  });
}

export class ScoringState {
  /** fraud screening's day tallies and recent payments (scoring/fraud/), provider-side stats (scoring/providers/) */
  readonly fraud = new FraudState();
  readonly providers = new ProviderState();
  readonly addressLinks = new Map<string, Link>();
  readonly referralLinks = new Map<string, Link>();
  readonly stats = new Map<string, AccountStats>();
  readonly campaigns = new Map<string, CampaignTotals>();

  /**
   * Keys already looked up in the tables (a warm state between batches skips them). `payers`:
   * addresses whose link, referral chain `depth` deep and stats are all here, so a chunk of
   * settlements from them needs no lookups at all; links added later (refreshLinks) clear it.
   */
  readonly loaded = {
    addresses: new Set<string>(),
    referees: new Set<string>(),
    stats: new Set<string>(),
    payers: new Set<string>(),
    depth: 0,
  };

  readonly dirtyStats = new Set<string>();
  readonly dirtyCampaigns = new Set<string>();

  accountOf(address: string, seq: bigint): string {
    const link = this.addressLinks.get(address);
    return link && link.afterSeq < seq ? link.to : address;
  }

  /**
   * The referrer as an account: a code owned by a wallet that was later linked into an account
   * pays that account for settlements scored after the link, as a code adopted after the link does
   * (adoption stores the account then). A referrer that turns out to be the account itself is none.
   */
  referrerOf(account: string, seq: bigint): string | undefined {
    const link = this.referralLinks.get(account);
    if (!link || link.afterSeq >= seq) return undefined;
    const to = this.accountOf(link.to, seq);
    return to === account ? undefined : to;
  }

  /** Referrers up the chain, nearest first, at most `depth`. Cycles are refused on adoption; the guard is for safety. */
  chainOf(account: string, seq: bigint, depth: number): string[] {
    const chain: string[] = [];
    let cur = account;
    while (chain.length < depth) {
      const next = this.referrerOf(cur, seq);
      if (next === undefined || next === account || chain.includes(next)) break;
      chain.push(next);
      cur = next;
    }
    return chain;
  }

  statsFor(account: string): AccountStats {
    let s = this.stats.get(account);
    if (!s) this.stats.set(account, (s = newAccountStats()));
    this.markDirty(account, s);
    return s;
  }

  /** Day buckets travel with the account's stats row, which the caller has marked dirty. */
  addDayVolume(st: AccountStats, day: number, volume: bigint): void {
    const d = (st.days ??= new Map());
    d.set(day, (d.get(day) ?? 0n) + volume);
  }

  /** Drop day buckets older than any tier window can reach (replay keeps memory flat). */
  pruneDays(account: string, beforeDay: number): void {
    const d = this.stats.get(account)?.days;
    if (d) for (const day of d.keys()) if (day < beforeDay) d.delete(day);
  }

  campaignFor(id: string): CampaignTotals {
    let c = this.campaigns.get(id);
    if (!c) this.campaigns.set(id, (c = { spent: 0n, participants: 0 }));
    this.dirtyCampaigns.add(id);
    return c;
  }

  /** Participants travel in the account's stats row, so a change marks the stats dirty. */
  participantFor(st: AccountStats, campaignId: string, account: string): Participant {
    const parts = (st.parts ??= new Map());
    let p = parts.get(campaignId);
    if (!p) parts.set(campaignId, (p = { campaignId, account, awards: 0, points: 0n, lastAwardAt: null, seen: 0, volume: 0n }));
    this.markDirty(account, st);
    return p;
  }

  /** A flag on the row spares the Set a hash lookup on every touch (several per settlement). */
  private markDirty(account: string, st: AccountStats | undefined): void {
    if (st?.dirty) return;
    if (st) st.dirty = true;
    this.dirtyStats.add(account);
  }

  clearDirty(): void {
    for (const a of this.dirtyStats) {
      const st = this.stats.get(a);
      if (st) st.dirty = false;
    }
    this.dirtyStats.clear();
    this.dirtyCampaigns.clear();
    this.fraud.dirty.clear();
    this.providers.dirty.clear();
  }
}
