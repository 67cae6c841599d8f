// Data for `npm run bench:engine`: wallets, a 3-level referral forest, a rule set with 10 active
// campaigns, and a settlement stream in chain order. Deterministic (seeded) so runs compare.
import type { Sql } from "../indexer/src/db/connection.js";
import type { RuleSetInput } from "../indexer/src/rules/schema.js";

export const T0 = Date.parse("2026-10-01T00:00:00Z");
const DAY = 86_400_000;

/** mulberry32: a tiny seeded PRNG, so the workload is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
export function addresses(n: number, seed: number): string[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Array.from({ length: 44 }, () => B58[Math.floor(r() * 58)]).join(""));
}

/**
 * 70% of wallets have a referrer among the wallets before them: chains of three and more levels
 * are common. Rows go straight into the tables (the signed adoption flow is covered by tests; 100k
 * ed25519 signatures would only time the setup).
 */
export async function seedReferrals(sql: Sql, wallets: string[]): Promise<number> {
  const r = rng(7);
  const referee: string[] = [];
  const referrer: string[] = [];
  for (let i = 100; i < wallets.length; i++) {
    if (r() < 0.7) {
      referee.push(wallets[i]!);
      referrer.push(wallets[Math.floor(r() * i)]!);
    }
  }
  const codes = [...new Set(referrer)];
  for (let i = 0; i < codes.length; i += 20_000) {
    const part = codes.slice(i, i + 20_000);
    await sql`insert into referral_codes (code, account) select 'c' || substr(md5(a), 1, 20), a from unnest(${part}::text[]) as a`;
  }
  for (let i = 0; i < referee.length; i += 20_000) {
    await sql`
      insert into referral_links (referee, referrer, code, after_seq, signature)
      select e, r, 'c' || substr(md5(r), 1, 20), 0, 'bench' from unnest(${referee.slice(i, i + 20_000)}::text[], ${referrer.slice(i, i + 20_000)}::text[]) as x(e, r)`;
  }
  return referee.length;
}

export function merchants(): string[] {
  return addresses(200, 99);
}

export function ruleSet(shops: string[]): RuleSetInput {
  const win = { startsAt: new Date(T0 - DAY).toISOString(), endsAt: new Date(T0 + 60 * DAY).toISOString() };
  const big = 10n ** 15n;
  return {
    earn: [
      { scope: { kind: "global" }, pointsPerUnit: 1000, rounding: "floor", minVolume: 10_000 },
      { scope: { kind: "merchant", merchant: shops[0]! }, pointsPerUnit: 2000, multiplierBps: 12500, rounding: "nearest" },
    ],
    rules: [
      { id: "welcome", priority: 1, when: { firstSettlement: true }, award: { kind: "flat", points: 5000 } },
      { id: "class-gold", priority: 2, when: { memo: "class:gold*" }, award: { kind: "perVolume", pointsPerUnit: 500 }, stop: true },
      { id: "class-silver", priority: 3, when: { memo: "class:silver*" }, award: { kind: "perVolume", pointsPerUnit: 200 }, stop: true },
      { id: "ambassador", priority: 4, when: { referralCount: { op: "gte", n: 3 } }, award: { kind: "flat", points: 100 } },
    ],
    tiers: {
      windowDays: 30,
      levels: [
        { name: "bronze", minVolume: 0, multiplierBps: 10000 },
        { name: "silver", minVolume: 100_000_000, multiplierBps: 11000 },
        { name: "gold", minVolume: 500_000_000, multiplierBps: 12500 },
        { name: "platinum", minVolume: 2_000_000_000, multiplierBps: 15000 },
      ],
    },
    campaigns: [
      { id: "launch-boost", type: "multiplier", multiplierBps: 15000, budget: big, ...win },
      { id: "shop-boost", type: "multiplier", multiplierBps: 20000, budget: 50_000_000, scope: { merchants: shops.slice(0, 20) }, ...win },
      {
        id: "flat-bonus",
        type: "flat",
        points: 250,
        minVolume: 5_000_000,
        budget: big,
        perWallet: { maxCount: 5, cooldownSeconds: 3600 },
        ...win,
      },
      {
        id: "referred-bonus",
        type: "flat",
        points: 500,
        requireReferrer: true,
        budget: 200_000_000,
        perWallet: { maxPoints: 2000 },
        ...win,
      },
      { id: "big-spender", type: "volumeThreshold", threshold: 250_000_000, points: 10_000, budget: big, ...win },
      { id: "tenth-visit", type: "milestone", on: "settlements", n: 10, points: 3000, budget: big, maxParticipants: 20_000, ...win },
      { id: "third-referral", type: "milestone", on: "referrals", n: 3, points: 7000, budget: big, ...win },
      { id: "streak-3", type: "streak", days: 3, points: 1500, budget: big, ...win },
      { id: "streak-7", type: "streak", days: 7, points: 5000, budget: 500_000_000, ...win },
      { id: "cafe-week", type: "flat", points: 100, budget: 1_000_000_000, scope: { merchants: shops.slice(20, 40) }, ...win },
    ],
    referral: { model: "diminishing", poolBps: 2000, userShareBps: 5000, levelShareBps: 8000, levels: 3 },
  };
}

/**
 * Settlements over 30 days in chain order: 2 per slot, popular wallets and shops skewed.
 * `hotShare` (0-1): that share of settlements is paid by the first wallet, like an agent paying per
 * request (0 keeps the standard workload: no extra random draws).
 */
export async function seedSettlements(
  sql: Sql,
  n: number,
  wallets: string[],
  shops: string[],
  onProgress?: (done: number) => void,
  hotShare = 0,
): Promise<void> {
  const r = rng(11);
  const memos = ["class:gold/api", "class:silver/api", null, null, null];
  const span = 30 * DAY;
  const CHUNK = 20_000;
  for (let start = 0; start < n; start += CHUNK) {
    const m = Math.min(CHUNK, n - start);
    const cols = {
      sig: [] as string[],
      slot: [] as string[],
      tx: [] as string[],
      time: [] as string[],
      amount: [] as string[],
      payer: [] as string[],
      payee: [] as string[],
      memo: [] as (string | null)[],
    };
    for (let k = 0; k < m; k++) {
      const i = start + k;
      cols.sig.push(`bench-${i}`);
      cols.slot.push(String(300_000_000 + Math.floor(i / 2)));
      cols.tx.push(String(i % 2));
      cols.time.push(new Date(T0 + Math.floor((i / n) * span)).toISOString());
      cols.amount.push(String(Math.floor(100_000 + r() * r() * 200_000_000)));
      // squaring skews towards low indexes: some wallets and shops are much busier than others
      cols.payer.push(hotShare > 0 && r() < hotShare ? wallets[0]! : wallets[Math.floor(r() * r() * wallets.length)]!);
      cols.payee.push(shops[Math.floor(r() * r() * shops.length)]!);
      cols.memo.push(memos[Math.floor(r() * memos.length)]!);
    }
    await sql`
      insert into settlements (signature, outer_index, inner_index, slot, tx_index, block_time, mint, token_program, amount, decimals,
        payer, payee, source_account, destination_account, fee_payer, memo, source)
      select sig, 0, -1, slot, tx, t, 'EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v', 'Tokenkeg', amount, 6, payer, payee, payer, payee, payer, memo, 'replay'
      from unnest(${cols.sig}::text[], ${cols.slot}::bigint[], ${cols.tx}::int[], ${cols.time}::timestamptz[], ${cols.amount}::numeric[],
        ${cols.payer}::text[], ${cols.payee}::text[], ${cols.memo}::text[]) as x(sig, slot, tx, t, amount, payer, payee, memo)`;
    onProgress?.(start + m);
  }
}
