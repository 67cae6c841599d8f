import type { Queryable, Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";
import { withEngineLock } from "../engine/lock.js";
import { consumeChallenge, createChallenge, type Challenge } from "./challenges.js";
import type { Chain } from "./signatures.js";

/**
 * Accounts and linked addresses. An account is named by its Solana claim wallet; a wallet that
 * never linked anything is its own account. Links take effect for settlements scored after them
 * (stamped with the engine sequence under the cursor lock), so history stays where it was earned.
 */
export async function accountOf(q: Queryable, address: string): Promise<string> {
  const [r] = await q<{ account: string }[]>`select account from linked_addresses where address = ${address}`;
  return r?.account ?? address;
}

export interface LinkedAddress {
  address: string;
  chain: Chain;
  linkedAt: Date;
}

export async function linkedAddresses(q: Queryable, account: string): Promise<LinkedAddress[]> {
  return q<LinkedAddress[]>`
    select address, chain, linked_at as "linkedAt" from linked_addresses where account = ${account} order by linked_at, address`;
}

/** Step 1: the message the address must sign. */
export async function requestLink(
  q: Queryable,
  opts: { account: string; address: string; chain: Chain; ttlSeconds?: number; now?: Date },
): Promise<Challenge> {
  if (opts.address === opts.account) throw new CallerError("link_self", "an account's claim wallet is already part of it");
  return createChallenge(q, { ...opts, purpose: "link" });
}

/** Step 2: verify the signature and link. Refuses addresses that already belong somewhere. */
export async function completeLink(
  sql: Sql,
  opts: { nonce: string; signature: string; now?: Date },
): Promise<{ account: string; address: string }> {
  return withEngineLock(sql, async (tx, cursor) => {
    const c = await consumeChallenge(tx, { ...opts, purpose: "link" });
    const [taken] = await tx<{ account: string }[]>`select account from linked_addresses where address = ${c.address}`;
    if (taken)
      throw new CallerError(
        "address_taken",
        `${c.address} is already linked to ${taken.account === c.account ? "this" : "another"} account`,
      );
    const [isAccount] = await tx`select 1 from linked_addresses where account = ${c.address} limit 1`;
    if (isAccount) throw new CallerError("address_is_account", `${c.address} is the claim wallet of an account with linked addresses`);
    const [nested] = await tx`select 1 from linked_addresses where address = ${c.account}`;
    if (nested) throw new CallerError("account_is_linked", `${c.account} is itself linked to another account`);
    await tx`insert into accounts (claim_wallet) values (${c.account}) on conflict do nothing`;
    await tx`
      insert into linked_addresses (address, account, chain, after_seq, signature)
      values (${c.address}, ${c.account}, ${c.chain}, ${cursor.seq}, ${opts.signature})`;
    return { account: c.account, address: c.address };
  });
}
