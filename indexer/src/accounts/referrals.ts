import { randomBytes } from "node:crypto";
import type { Queryable, Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { accountOf } from "./accounts.js";
import { consumeChallenge, createChallenge, type Challenge } from "./challenges.js";
import { withEngineLock } from "../engine/lock.js";

/** Referral codes per account, and one-time adoption of a referrer by signed message. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

export async function createReferralCode(q: Queryable, opts: { account: string; code?: string }): Promise<string> {
  const code = opts.code ?? [...randomBytes(8)].map((b) => ALPHABET[b % ALPHABET.length]).join("");
  if (!/^[A-Za-z0-9_-]{3,32}$/.test(code)) throw new CallerError("bad_code", "codes are 3-32 characters of A-Z a-z 0-9 _ -");
  const rows = await q`insert into referral_codes (code, account) values (${code}, ${opts.account}) on conflict do nothing`;
  if (rows.count === 0) throw new CallerError("code_taken", `referral code ${code} is taken`);
  return code;
}

export async function referrerOf(q: Queryable, account: string): Promise<string | null> {
  const [r] = await q<{ referrer: string }[]>`select referrer from referral_links where referee = ${account}`;
  return r?.referrer ?? null;
}

/** Step 1: the message the wallet signs to adopt `code`. */
export async function requestReferral(
  q: Queryable,
  opts: { wallet: string; code: string; ttlSeconds?: number; now?: Date },
): Promise<Challenge> {
  const [code] = await q`select 1 from referral_codes where code = ${opts.code}`;
  if (!code) throw new CallerError("unknown_code", `no referral code ${opts.code}`);
  return createChallenge(q, {
    purpose: "referral",
    account: await accountOf(q, opts.wallet),
    address: opts.wallet,
    chain: "solana",
    subject: opts.code,
    ...opts,
  });
}

/**
 * Step 2: adopt. Under the engine cursor lock (so no batch is scoring this account meanwhile):
 * refuses self-referral, a second referrer, cycles, and accounts whose first settlement was
 * already scored. The referrer is the account the code's wallet belongs to; a wallet linked later
 * hands its codes to its account from then on (ScoringState.referrerOf), so the chain is walked
 * through links too.
 */
export async function adoptReferrer(
  sql: Sql,
  opts: { nonce: string; signature: string; now?: Date },
): Promise<{ referee: string; referrer: string }> {
  return withEngineLock(sql, async (tx, cursor) => {
    const c = await consumeChallenge(tx, { ...opts, purpose: "referral" });
    const referee = await accountOf(tx, c.address);
    const [code] = await tx<{ account: string }[]>`select account from referral_codes where code = ${c.subject}`;
    if (!code) throw new CallerError("unknown_code", `no referral code ${c.subject}`);
    const referrer = await accountOf(tx, code.account);
    if (referrer === referee) throw new CallerError("self_referral", "an account cannot refer itself");
    const existing = await referrerOf(tx, referee);
    if (existing !== null) throw new CallerError("referrer_already_set", `${referee} already has a referrer`);
    const [cycle] = await tx`
      with recursive up(account, depth) as (
        select ${referrer}::text, 0
        union all
        select coalesce(a.account, l.referrer), up.depth + 1 from referral_links l join up on l.referee = up.account
          left join linked_addresses a on a.address = l.referrer
        where up.depth < 1000
      ) select 1 from up where account = ${referee} limit 1`;
    if (cycle) throw new CallerError("referral_cycle", `${referee} is already up the referral chain of ${referrer}`);
    // account_stats is a checkpoint (state_seq); settlements scored after it are in settlement_scores.
    const [stats] = await tx<{ n: bigint }[]>`
      select coalesce((select settlement_count from account_stats where account = ${referee}), 0)
        + (select count(*) from settlement_scores sc join engine_cursor c on c.id = 1
           where sc.seq > c.state_seq and sc.account = ${referee} and sc.counted) as n`;
    if (stats && stats.n > 0n)
      throw new CallerError("referee_already_active", "a referrer can only be adopted before or at the first settlement");
    await tx`
      insert into referral_links (referee, referrer, code, after_seq, signature)
      values (${referee}, ${referrer}, ${c.subject}, ${cursor.seq}, ${opts.signature})`;
    return { referee, referrer };
  });
}
