import { ed25519 } from "@noble/curves/ed25519.js";
import { utf8ToBytes } from "@noble/hashes/utils.js";
import type { Keypair } from "@solana/web3.js";
import bs58 from "bs58";
import { accountOf, completeLink, requestLink } from "../accounts/accounts.js";
import { adoptReferrer, createReferralCode, referrerOf, requestReferral } from "../accounts/referrals.js";
import type { Sql } from "../db/connection.js";
import { CallerError } from "../errors.js";

/**
 * The demo's social graph, made through the same signed-challenge path a wallet uses (the payer's
 * key signs the challenge message): referral codes, referees two levels deep, and payers whose
 * second address is linked to them. Each step is skipped when already done, so a restart (or a
 * first start that was stopped half-way) ends with the same graph.
 */
export interface DemoGraph {
  /** Payer indexes that own a referral code (`DEMO<index>`). */
  referrers: number;
  /** [referee, referrer] payer indexes. */
  referrals: [number, number][];
  /** [linked address, account] payer indexes: the first pays, its points go to the second's account. */
  links: [number, number][];
}

/** For `n` payers: a tenth refer, the next third are referred (the later ones by earlier referees), the last tenth are second addresses. */
export function demoGraph(n: number): DemoGraph {
  const referrers = Math.max(1, Math.floor(n / 10));
  const referees = Math.floor(n / 3);
  const referrals: [number, number][] = [];
  for (let i = referrers; i < referrers + referees && i < n; i++)
    // the first half of the referees were referred by a code owner, the rest by an earlier referee
    referrals.push([i, i < referrers + referees / 2 ? i % referrers : i - Math.floor(referees / 2)]);
  const linked = Math.floor(n / 10);
  const firstAccount = referrers + referees;
  const links: [number, number][] = [];
  for (let k = 0; k < linked && firstAccount + k < n - linked; k++) links.push([n - linked + k, firstAccount + k]);
  return { referrers, referrals, links };
}

const codeOf = (i: number) => `DEMO${i}`;
const signer = (k: Keypair) => (message: string) => bs58.encode(ed25519.sign(utf8ToBytes(message), k.secretKey.subarray(0, 32)));

/** Makes what is missing of `demoGraph(payers.length)`; returns how many links of each kind exist. */
export async function ensureDemoGraph(sql: Sql, payers: readonly Keypair[]): Promise<{ referrals: number; links: number }> {
  const graph = demoGraph(payers.length);
  const wallet = (i: number) => payers[i]!.publicKey.toBase58();
  const codeOwners = new Set(graph.referrals.map(([, r]) => r));
  const owners = await sql<{ code: string }[]>`select code from referral_codes where code = any(${[...codeOwners].map(codeOf)})`;
  const have = new Set(owners.map((o) => o.code));
  for (const r of codeOwners) if (!have.has(codeOf(r))) await createReferralCode(sql, { account: wallet(r), code: codeOf(r) });
  let referrals = 0;
  for (const [referee, referrer] of graph.referrals) {
    if ((await referrerOf(sql, wallet(referee))) !== null) {
      referrals++;
      continue;
    }
    const c = await requestReferral(sql, { wallet: wallet(referee), code: codeOf(referrer) });
    referrals += await skipRefused(adoptReferrer(sql, { nonce: c.nonce, signature: signer(payers[referee]!)(c.message) }));
  }
  let links = 0;
  for (const [address, account] of graph.links) {
    if ((await accountOf(sql, wallet(address))) === wallet(account)) {
      links++;
      continue;
    }
    const c = await requestLink(sql, { account: wallet(account), address: wallet(address), chain: "solana" });
    links += await skipRefused(completeLink(sql, { nonce: c.nonce, signature: signer(payers[address]!)(c.message) }));
  }
  return { referrals, links };
}

/** 1 when done; 0 when refused for a reason a payer's history explains (it paid before its referral was made). */
async function skipRefused(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 1;
  } catch (err) {
    if (err instanceof CallerError) return 0;
    throw err;
  }
}
