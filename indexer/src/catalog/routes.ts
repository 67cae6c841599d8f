import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { isSolanaAddress } from "../accounts/signatures.js";
import { actorOf, noteAudit } from "../api/admin/auth.js";
import { ApiError } from "../api/errors.js";
import { callerStatus } from "../api/on-error.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../api/route-helpers.js";
import { type ApiEnv, newRouter } from "../api/router.js";
import type { Sql } from "../db/connection.js";
import { MeritError } from "../errors.js";
import { parsePoints } from "../ledger/adjust.js";
import { formatPoints } from "../scoring/points/math.js";
import { listRedemptions, listRewards, type Redemption, walletRedemptions } from "./queries.js";
import { addReward, changeReward, redeem, requestRedemption, voidRedemption } from "./redeem.js";
import type { Reward } from "./rules.js";

/**
 * The catalog over HTTP. Public (under `/v1`): the active catalog, a wallet's redemptions, and
 * redeeming, which the wallet signs (a challenge, then its signature, as linking does). Admin
 * (registered into the admin router, so ADMIN_TOKEN and admin_audit cover it): entries and voids.
 */

const SolanaAddress = z.string().refine(isSolanaAddress, "must be a Solana address (32 bytes in base58)");
const Code = z.string().regex(/^[A-Za-z0-9_-]{2,40}$/, "codes are 2-40 characters of A-Z a-z 0-9 _ -");
const Points = z.string().regex(/^\d+(\.\d{1,3})?$/, 'a number of points with at most 3 decimals, as a string (e.g. "250", "12.5")');
const Note = z
  .string()
  .trim()
  .max(500)
  .regex(/^[^\p{Cc}]*$/u, "one line, no control characters");

/** The input field each refusal is about; refusals of the wallet's state name none. */
const FIELD: Record<string, string> = {
  unknown_challenge: "body.nonce",
  challenge_used: "body.nonce",
  challenge_expired: "body.nonce",
  bad_signature: "body.signature",
  bad_address: "body.wallet",
  unknown_reward: "body.reward",
  note_required: "body.note",
  bad_tier: "body",
};
/** Refusals of the current state (the wallet's balance, tier and recent redemptions, the reward's terms). */
const CONFLICT = new Set([
  "reward_inactive",
  "tier_too_low",
  "tier_too_high",
  "min_balance",
  "insufficient_points",
  "daily_limit",
  "weekly_limit",
  "monthly_limit",
  "cooldown",
  "price_changed",
  "reward_exists",
  "already_voided",
  "challenge_used",
]);

async function naming<T>(f: () => Promise<T>, fields: Record<string, string> = FIELD): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (!(err instanceof MeritError) || err.kind !== "caller") throw err;
    const status = CONFLICT.has(err.code) ? 409 : err.code.startsWith("unknown_") ? 404 : callerStatus(err.code);
    let field = fields[err.code];
    // bad_tier names its field in the message ("minTier: …")
    if (err.code === "bad_tier") field = `body.${err.message.split(":")[0]}`;
    throw new ApiError(status, err.code, err.message, field);
  }
}

const RewardOut = z
  .object({
    code: z.string(),
    name: z.string(),
    kind: z.enum(["item", "voucher", "entitlement"]),
    active: z.boolean(),
    price: z.string().openapi({ description: "millipoints (1 point = 1000), a decimal string" }),
    pricePoints: z.string().openapi({ description: "the same price in points" }),
    minTier: z.string().nullable(),
    maxTier: z.string().nullable(),
    minBalance: z.string().openapi({ description: "millipoints the balance must hold before the debit" }),
    perDay: z.number().nullable(),
    perWeek: z.number().nullable(),
    perMonth: z.number().nullable(),
    cooldownSeconds: z.number().nullable(),
    noteRequired: z.boolean(),
    benefits: z.record(z.string(), z.unknown()).openapi({ description: 'entitlements: tier name (or "*") -> what the tier gets' }),
    description: z.string().nullable(),
  })
  .openapi("CatalogReward");
const rewardOut = (r: Reward) => ({
  ...r,
  price: r.price.toString(),
  pricePoints: formatPoints(r.price),
  minBalance: r.minBalance.toString(),
});

const RedemptionOut = z
  .object({
    id: z.string(),
    reward: z.string(),
    wallet: z.string(),
    price: z.string().openapi({ description: "millipoints debited" }),
    tier: z.string().nullable(),
    benefit: z.unknown().openapi({ description: "entitlements: what the wallet's tier got" }),
    note: z.string().nullable(),
    status: z.enum(["redeemed", "voided"]),
    ledgerId: z.string(),
    redeemedAt: z.string(),
    voidLedgerId: z.string().nullable(),
    voidReason: z.string().nullable(),
    voidedAt: z.string().nullable(),
  })
  .openapi("Redemption");
const redemptionOut = (r: Redemption) => ({
  id: r.id.toString(),
  reward: r.reward,
  wallet: r.wallet,
  price: r.price.toString(),
  tier: r.tier,
  benefit: r.benefit ?? null,
  note: r.note,
  status: r.status,
  ledgerId: r.ledgerId.toString(),
  redeemedAt: r.redeemedAt.toISOString(),
  voidLedgerId: r.voidLedgerId?.toString() ?? null,
  voidReason: r.voidReason,
  voidedAt: r.voidedAt?.toISOString() ?? null,
});

const publicErrors = {
  400: errorResponse("Invalid input or signature; `field` names it"),
  404: errorResponse("Unknown reward or challenge"),
  409: errorResponse("Refused by the wallet's state or the reward's terms (limit, cooldown, balance, tier, inactive), or challenge used"),
};

export interface CatalogDeps {
  sql: Sql;
  /** How long a redemption challenge can be signed and posted (default 600 s). */
  challengeTtlSeconds?: number;
}

export function catalogRoutes(deps: CatalogDeps): OpenAPIHono<ApiEnv> {
  const r = newRouter();

  r.openapi(
    createRoute({
      method: "get",
      path: "/catalog",
      tags: ["catalog"],
      summary: "The rewards points can be spent on (active entries only)",
      responses: { 200: json(z.object({ rewards: z.array(RewardOut) }), "The active catalog, by code") },
    }),
    async (c) => c.json({ rewards: (await listRewards(deps.sql, { activeOnly: true })).map(rewardOut) }, 200),
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/redemptions/challenge",
      tags: ["catalog", "signed"],
      summary: "Step 1 of redeeming: the message the wallet signs to spend points on `reward` at its current price",
      description:
        "Every eligibility rule and limit is checked here already (and again, under the wallet's lock, in step 2). The note, when the reward needs one, is part of the signed message.",
      request: body(
        z.object({
          wallet: SolanaAddress.openapi({ description: "The wallet (rewards account) that spends its points and signs" }),
          reward: Code,
          note: Note.optional().openapi({ description: "For the operator (e.g. where to deliver); required by some rewards" }),
        }),
      ),
      responses: {
        201: json(
          z.object({
            nonce: z.string(),
            message: z.string(),
            expiresAt: z.string(),
            wallet: z.string(),
            reward: z.string(),
            price: z.string(),
          }),
          "The challenge to sign (ed25519 signMessage over the message's UTF-8 bytes)",
        ),
        ...publicErrors,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const ch = await naming(() =>
        requestRedemption(deps.sql, { wallet: input.wallet, reward: input.reward, note: input.note, ttlSeconds: deps.challengeTtlSeconds }),
      );
      return c.json(
        {
          nonce: ch.nonce,
          message: ch.message,
          expiresAt: ch.expiresAt.toISOString(),
          wallet: ch.account,
          reward: input.reward,
          price: ch.price.toString(),
        },
        201,
      );
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/redemptions",
      tags: ["catalog", "signed"],
      summary: "Step 2: post the signature; the points are debited and the redemption recorded",
      request: body(
        z.object({
          nonce: z.string().regex(/^[0-9a-f]{32}$/, "must be the nonce of a challenge"),
          signature: z.string().min(1).max(200).openapi({ description: "base58 ed25519 signature of the challenge's message" }),
        }),
      ),
      responses: {
        201: json(RedemptionOut.extend({ balance: z.string().openapi({ description: "millipoints left" }) }), "Redeemed"),
        ...publicErrors,
      },
    }),
    async (c) => {
      const done = await naming(() => redeem(deps.sql, c.req.valid("json")));
      return c.json({ ...redemptionOut(done), balance: done.balance.toString() }, 201);
    },
  );

  r.openapi(
    createRoute({
      method: "get",
      path: "/wallets/{address}/redemptions",
      tags: ["catalog"],
      summary: "A wallet's redemptions, newest first",
      request: {
        params: z.object({ address: SolanaAddress.openapi({ param: { name: "address", in: "path" } }) }),
        query: z.object({
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z.string().regex(/^\d+$/, "the nextCursor of the previous page").optional(),
        }),
      },
      responses: {
        200: json(
          z.object({
            redemptions: z.array(RedemptionOut.omit({ note: true }).openapi("PublicRedemption")),
            nextCursor: z.string().nullable(),
          }),
          "Redemptions; their notes (a delivery address, say) are for admins only",
        ),
        400: publicErrors[400],
      },
    }),
    async (c) => {
      const { address } = c.req.valid("param");
      const q = c.req.valid("query");
      const rows = await walletRedemptions(deps.sql, address, {
        limit: q.limit,
        beforeId: q.cursor === undefined ? undefined : BigInt(q.cursor),
      });
      const nextCursor = rows.length === q.limit ? rows.at(-1)!.id.toString() : null;
      const withoutNote = (r: Redemption) => {
        const { note: _note, ...rest } = redemptionOut(r);
        return rest;
      };
      return c.json({ redemptions: rows.map(withoutNote), nextCursor }, 200);
    },
  );
  return r;
}

const adminErrors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("No bearer token"),
  403: errorResponse("Wrong bearer token"),
  404: errorResponse("No such reward or redemption"),
  409: errorResponse("Conflicts with the current state (code taken, already voided)"),
  503: errorResponse("Admin API disabled (ADMIN_TOKEN unset) or a dependency down"),
};
const security = [{ adminToken: [] }];
const Limit = z.number().int().min(1).max(1_000_000).nullable().optional();
const Terms = z.object({
  name: z.string().trim().min(1).max(200),
  kind: z.enum(["item", "voucher", "entitlement"]),
  active: z.boolean().optional(),
  price: Points.openapi({ description: "Points (not millipoints), up to 3 decimals, greater than 0" }),
  minTier: z.string().min(1).max(100).nullable().optional(),
  maxTier: z.string().min(1).max(100).nullable().optional(),
  minBalance: Points.optional().openapi({ description: "Points the balance must hold before the debit" }),
  perDay: Limit,
  perWeek: Limit,
  perMonth: Limit,
  cooldownSeconds: z
    .number()
    .int()
    .min(1)
    .max(366 * 86_400)
    .nullable()
    .optional(),
  noteRequired: z.boolean().optional(),
  benefits: z
    .record(z.string(), z.unknown())
    .optional()
    .openapi({ description: 'Entitlements only: tier name (or "*" for any other) -> what the tier gets' }),
  description: z.string().max(2000).nullable().optional(),
});
type TermsIn = z.infer<typeof Terms>;

function priceOf(text: string, field: string): bigint {
  const v = parsePoints(text);
  if (field === "body.price" && v <= 0n) throw new ApiError(400, "bad_request", `${field}: the price must be more than 0 points`, field);
  return v;
}

function toReward(code: string, t: TermsIn, base?: Reward): Reward {
  const pick = <K extends keyof TermsIn, V>(k: K, fallback: V): NonNullable<TermsIn[K]> | V | null =>
    t[k] === undefined ? fallback : (t[k] as NonNullable<TermsIn[K]> | null);
  const r: Reward = {
    code,
    name: t.name,
    kind: t.kind,
    active: t.active ?? base?.active ?? true,
    price: priceOf(t.price, "body.price"),
    minTier: pick("minTier", base?.minTier ?? null),
    maxTier: pick("maxTier", base?.maxTier ?? null),
    minBalance: t.minBalance === undefined ? (base?.minBalance ?? 0n) : priceOf(t.minBalance, "body.minBalance"),
    perDay: pick("perDay", base?.perDay ?? null),
    perWeek: pick("perWeek", base?.perWeek ?? null),
    perMonth: pick("perMonth", base?.perMonth ?? null),
    cooldownSeconds: pick("cooldownSeconds", base?.cooldownSeconds ?? null),
    noteRequired: t.noteRequired ?? base?.noteRequired ?? false,
    benefits: t.benefits ?? base?.benefits ?? {},
    description: pick("description", base?.description ?? null),
  };
  if (r.kind !== "entitlement" && Object.keys(r.benefits).length > 0)
    throw new ApiError(400, "bad_request", "body.benefits: only entitlement rewards have tier benefits", "body.benefits");
  return r;
}

/** Admin routes of the catalog, registered into the admin router (`/v1/admin/catalog…`, `/v1/admin/redemptions…`). */
export function catalogAdminRoutes(deps: { sql: Sql }): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  const CodeParam = z.object({ code: Code.openapi({ param: { name: "code", in: "path" } }) });

  r.openapi(
    createRoute({
      method: "get",
      path: "/catalog",
      tags: ["admin"],
      summary: "Every catalog entry, disabled ones too",
      security,
      responses: { 200: json(z.object({ rewards: z.array(RewardOut) }), "The catalog"), ...adminErrors },
    }),
    async (c) => c.json({ rewards: (await listRewards(deps.sql)).map(rewardOut) }, 200),
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/catalog",
      tags: ["admin"],
      summary: "Add a reward to the catalog",
      security,
      request: body(Terms.extend({ code: Code })),
      responses: { 201: json(RewardOut, "The new entry"), ...adminErrors },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const reward = await naming(() => addReward(deps.sql, toReward(input.code, input), actorOf(c)), { reward_exists: "body.code" });
      noteAudit(c, { before: null, after: rewardOut(reward) });
      return c.json(rewardOut(reward), 201);
    },
  );

  r.openapi(
    createRoute({
      method: "patch",
      path: "/catalog/{code}",
      tags: ["admin"],
      summary: 'Change an entry\'s terms; `{"active": false}` disables it',
      description:
        "Fields left out keep their value; null clears a bound or limit. Redemptions signed at the old price are refused (price_changed).",
      security,
      request: { params: CodeParam, ...body(Terms.partial()) },
      responses: { 200: json(RewardOut, "The entry after the change"), ...adminErrors },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const input = c.req.valid("json");
      const res = await naming(
        () =>
          changeReward(deps.sql, code, (cur) =>
            toReward(
              code,
              { ...rewardIn(cur), ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) } as TermsIn,
              cur,
            ),
          ),
        { unknown_reward: "params.code" },
      );
      noteAudit(c, { before: rewardOut(res.before), after: rewardOut(res.after) });
      return c.json(rewardOut(res.after), 200);
    },
  );

  r.openapi(
    createRoute({
      method: "get",
      path: "/redemptions",
      tags: ["admin"],
      summary: "Redemptions, newest first (of one reward with `reward`)",
      security,
      request: { query: z.object({ reward: Code.optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
      responses: { 200: json(z.object({ redemptions: z.array(RedemptionOut) }), "Redemptions"), ...adminErrors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json({ redemptions: (await listRedemptions(deps.sql, q)).map(redemptionOut) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/redemptions/{id}/void",
      tags: ["admin"],
      summary: "Void a redemption: its points are credited back as a new ledger row",
      security,
      request: {
        params: z.object({
          id: z
            .string()
            .regex(/^\d+$/, "a redemption id")
            .openapi({ param: { name: "id", in: "path" } }),
        }),
        ...body(z.object({ reason: z.string().trim().min(1, "a reason is required").max(2000) })),
      },
      responses: { 200: json(RedemptionOut, "The voided redemption"), ...adminErrors },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      const res = await naming(() => voidRedemption(deps.sql, { id: BigInt(id), reason, by: actorOf(c) }), {
        unknown_redemption: "params.id",
        note_required: "body.reason",
      });
      noteAudit(c, { before: redemptionOut(res.before), after: redemptionOut(res.after) });
      return c.json(redemptionOut(res.after), 200);
    },
  );
  return r;
}

/** An entry as the terms it would be created with (prices back in points). */
function rewardIn(r: Reward): TermsIn {
  return { ...r, price: formatPoints(r.price), minBalance: formatPoints(r.minBalance) };
}
