import { randomBytes } from "node:crypto";
import type { Queryable, Tx } from "../db/connection.js";
import { parseRedemptionSubject } from "../catalog/rules.js";
import { CallerError } from "../errors.js";
import { formatPoints } from "../scoring/points/math.js";
import { isEvmAddress, isSolanaAddress, normalizeAddress, verifySignature, type Chain } from "./signatures.js";

/**
 * Signed challenges prove control of an address. The message names the purpose, the account, the
 * address, a random nonce and an expiry, so a signature is useless for any other account, address
 * or purpose, and consuming the nonce (once, in the same transaction as the action) stops replays.
 */
export type Purpose = "link" | "referral" | "redemption";

export interface Challenge {
  nonce: string;
  purpose: Purpose;
  account: string;
  address: string;
  chain: Chain;
  subject: string;
  message: string;
  expiresAt: Date;
}

/** "spend 250.000 points of … on the reward TSHIRT", read from the subject the catalog wrote (`CODE@PRICE[ NOTE]`). */
function redemptionAction(account: string, subject: string): string {
  const r = parseRedemptionSubject(subject);
  const what = r
    ? `${formatPoints(r.price)} points of the merit rewards account ${account} on the reward ${r.code}`
    : `points of ${account}`;
  return `spend ${what}${r?.note ? `, with the note "${r.note}"` : ""}`;
}

export function challengeMessage(c: Omit<Challenge, "message">): string {
  const action =
    c.purpose === "link"
      ? `link the ${c.chain} address ${c.address} to the merit rewards account ${c.account}`
      : c.purpose === "redemption"
        ? redemptionAction(c.account, c.subject)
        : `adopt the referral code ${c.subject} for the merit rewards account ${c.account}, signing as ${c.address}`;
  return [
    `merit: I ${action}.`,
    `Purpose: ${c.purpose}`,
    `Account: ${c.account}`,
    `Address: ${c.address}`,
    ...(c.subject ? [`Subject: ${c.subject}`] : []),
    `Nonce: ${c.nonce}`,
    `Expires: ${c.expiresAt.toISOString()}`,
  ].join("\n");
}

export function assertAddress(chain: Chain, address: string): void {
  const ok = chain === "solana" ? isSolanaAddress(address) : isEvmAddress(address);
  if (!ok) throw new CallerError("bad_address", `${address} is not a ${chain} address`);
}

export async function createChallenge(
  q: Queryable,
  opts: { purpose: Purpose; account: string; address: string; chain: Chain; subject?: string; ttlSeconds?: number; now?: Date },
): Promise<Challenge> {
  assertAddress("solana", opts.account);
  assertAddress(opts.chain, opts.address);
  const now = opts.now ?? new Date();
  const c = {
    nonce: randomBytes(16).toString("hex"),
    purpose: opts.purpose,
    account: opts.account,
    address: normalizeAddress(opts.chain, opts.address),
    chain: opts.chain,
    subject: opts.subject ?? "",
    expiresAt: new Date(now.getTime() + (opts.ttlSeconds ?? 600) * 1000),
  };
  const message = challengeMessage(c);
  await q`
    insert into challenges (nonce, purpose, account, address, chain, subject, message, expires_at)
    values (${c.nonce}, ${c.purpose}, ${c.account}, ${c.address}, ${c.chain}, ${c.subject}, ${message}, ${c.expiresAt})`;
  return { ...c, message };
}

/**
 * Verifies and burns a challenge inside the caller's transaction; throws a CallerError naming the
 * problem. The `used_at is null` guard makes a second consumer of the same nonce find nothing.
 */
export async function consumeChallenge(
  tx: Tx,
  opts: { nonce: string; signature: string; purpose: Purpose; now?: Date },
): Promise<Challenge> {
  const now = opts.now ?? new Date();
  const [row] = await tx<(Challenge & { usedAt: Date | null })[]>`
    select nonce, purpose, account, address, chain, subject, message, expires_at as "expiresAt", used_at as "usedAt"
    from challenges where nonce = ${opts.nonce} for update`;
  if (!row || row.purpose !== opts.purpose) throw new CallerError("unknown_challenge", "no such challenge");
  if (row.usedAt) throw new CallerError("challenge_used", "this challenge was already used");
  if (row.expiresAt <= now) throw new CallerError("challenge_expired", `this challenge expired at ${row.expiresAt.toISOString()}`);
  if (!verifySignature(row.chain, row.address, row.message, opts.signature)) {
    throw new CallerError("bad_signature", `the signature does not prove control of ${row.address}`);
  }
  await tx`update challenges set used_at = ${now} where nonce = ${row.nonce} and used_at is null`;
  const { usedAt: _u, ...challenge } = row;
  return challenge;
}
