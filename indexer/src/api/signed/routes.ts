import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { completeLink, requestLink } from "../../accounts/accounts.js";
import type { Challenge } from "../../accounts/challenges.js";
import { adoptReferrer, requestReferral } from "../../accounts/referrals.js";
import { isEvmAddress, isSolanaAddress } from "../../accounts/signatures.js";
import type { Sql } from "../../db/connection.js";
import { MeritError } from "../../errors.js";
import { ApiError } from "../errors.js";
import { callerStatus } from "../on-error.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../route-helpers.js";
import { type ApiEnv, newRouter } from "../router.js";

export interface SignedDeps {
  sql: Sql;
  /** How long a challenge can be signed and posted (default 600 s). */
  challengeTtlSeconds?: number;
}

const errors = {
  400: errorResponse("Invalid input or signature; `field` names it"),
  404: errorResponse("Unknown challenge or referral code"),
  409: errorResponse("Challenge already used, address already linked, referrer already set"),
};

const SolanaAddress = z.string().refine(isSolanaAddress, "must be a Solana address (32 bytes in base58)");
const ChallengeOut = z
  .object({
    nonce: z.string(),
    message: z
      .string()
      .openapi({ description: "Sign exactly these bytes (UTF-8): ed25519 signMessage for Solana, personal_sign (EIP-191) for EVM" }),
    expiresAt: z.string(),
    account: z.string(),
    address: z.string(),
    chain: z.enum(["solana", "evm"]),
  })
  .openapi("Challenge");
const Signed = z.object({
  nonce: z.string().regex(/^[0-9a-f]{32}$/, "must be the nonce of a challenge"),
  signature: z.string().min(1).max(200).openapi({ description: "base58 (Solana, 64 bytes) or 0x-hex r||s||v (EVM, 65 bytes)" }),
});

const challengeOut = (c: Challenge) => ({
  nonce: c.nonce,
  message: c.message,
  expiresAt: c.expiresAt.toISOString(),
  account: c.account,
  address: c.address,
  chain: c.chain,
});

/** The input field each signed-message refusal is about. */
const FIELD: Record<string, string> = {
  unknown_challenge: "body.nonce",
  challenge_used: "body.nonce",
  challenge_expired: "body.nonce",
  bad_signature: "body.signature",
  address_taken: "body.address",
  address_is_account: "body.address",
  link_self: "body.address",
  account_is_linked: "body.account",
  unknown_code: "body.code",
};

/** Caller errors of the accounts layer, answered with the field they are about. */
async function naming<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof MeritError && err.kind === "caller" && FIELD[err.code])
      throw new ApiError(callerStatus(err.code), err.code, err.message, FIELD[err.code]);
    throw err;
  }
}

/**
 * Routes a wallet signs (mounted under `/v1`): each is a challenge, then the signature of its
 * message. The challenge names the purpose, account, address and an expiry; it is single-use,
 * burnt in the same transaction as the link or adoption it authorises.
 */
export function signedRoutes(deps: SignedDeps): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  const ttlSeconds = deps.challengeTtlSeconds;

  r.openapi(
    createRoute({
      method: "post",
      path: "/links/challenge",
      tags: ["signed"],
      summary: "Step 1 of linking an address to an account: the message the address must sign",
      request: body(
        z
          .object({
            account: SolanaAddress.openapi({ description: "The account's Solana claim wallet" }),
            address: z.string().min(1).max(100).openapi({ description: "The address to link (Solana or EVM)" }),
            chain: z.enum(["solana", "evm"]),
          })
          .superRefine((v, ctx) => {
            const ok = v.chain === "solana" ? isSolanaAddress(v.address) : isEvmAddress(v.address);
            if (!ok) ctx.addIssue({ code: "custom", path: ["address"], message: `must be a ${v.chain} address` });
          }),
      ),
      responses: { 201: json(ChallengeOut, "The challenge to sign"), ...errors },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const ch = await naming(() => requestLink(deps.sql, { ...input, ttlSeconds }));
      return c.json(challengeOut(ch), 201);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/links",
      tags: ["signed"],
      summary: "Step 2: post the signature; the address is linked to the account",
      description: "Links count for settlements scored after them; earlier history stays where it was earned.",
      request: body(Signed),
      responses: { 201: json(z.object({ account: z.string(), address: z.string() }), "Linked"), ...errors },
    }),
    async (c) => c.json(await naming(() => completeLink(deps.sql, c.req.valid("json"))), 201),
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/referrals/challenge",
      tags: ["signed"],
      summary: "Step 1 of adopting a referrer: the message the wallet signs to adopt `code`",
      request: body(
        z.object({
          wallet: SolanaAddress,
          code: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/, "codes are 3-32 characters of A-Z a-z 0-9 _ -"),
        }),
      ),
      responses: { 201: json(ChallengeOut, "The challenge to sign"), ...errors },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const ch = await naming(() => requestReferral(deps.sql, { ...input, ttlSeconds }));
      return c.json(challengeOut(ch), 201);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/referrals",
      tags: ["signed"],
      summary: "Step 2: post the signature; the code's owner becomes the account's referrer",
      description:
        "Refused with the reason: self_referral, referral_cycle, referrer_already_set, or referee_already_active (only before or at the first settlement).",
      request: body(Signed),
      responses: { 201: json(z.object({ referee: z.string(), referrer: z.string() }), "Adopted"), ...errors },
    }),
    async (c) => c.json(await naming(() => adoptReferrer(deps.sql, c.req.valid("json"))), 201),
  );
  return r;
}
