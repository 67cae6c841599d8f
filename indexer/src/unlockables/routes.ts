import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { isSolanaAddress } from "../accounts/signatures.js";
import { actorOf, noteAudit } from "../api/admin/auth.js";
import { ApiError } from "../api/errors.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../api/route-helpers.js";
import { type ApiEnv, newRouter } from "../api/router.js";
import type { Sql } from "../db/connection.js";
import { MeritError } from "../errors.js";
import { parsePoints } from "../ledger/adjust.js";
import { defineUnlockable, deliverUnlockable, evaluateUnlockable, grantUnlockable, statusOf } from "./evaluate.js";
import { type Grant, getUnlockable, listGrants, listUnlockables, type Unlockable, walletUnlockables } from "./queries.js";

/**
 * Unlockables over HTTP: a wallet's prizes and their status (public, under `/v1`), and the admin
 * routes (registered into the admin router, so ADMIN_TOKEN and admin_audit cover them).
 */

const SolanaAddress = z.string().refine(isSolanaAddress, "must be a Solana address (32 bytes in base58)");
const Code = z.string().regex(/^[A-Za-z0-9_-]{2,40}$/, "codes are 2-40 characters of A-Z a-z 0-9 _ -");
const Status = z.enum(["LOCKED", "EARNED", "DELIVERED"]);

const UnlockableOut = z
  .object({
    code: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    campaignId: z.string().nullable(),
    criterion: z.enum(["rank", "min_score", "min_referrals", "manual"]),
    threshold: z.string().nullable().openapi({ description: "rank: top N; min_score: millipoints; min_referrals: a count; manual: null" }),
    epoch: z.string().nullable().openapi({ description: "the epoch whose leaderboard snapshot holds the final standings" }),
    active: z.boolean(),
    evaluatedAt: z.string().nullable(),
  })
  .openapi("Unlockable");
const unlockableOut = (u: Unlockable) => ({
  code: u.code,
  name: u.name,
  description: u.description,
  campaignId: u.campaignId,
  criterion: u.criterion,
  threshold: u.threshold?.toString() ?? null,
  epoch: u.epoch?.toString() ?? null,
  active: u.active,
  evaluatedAt: u.evaluatedAt?.toISOString() ?? null,
});
const GrantOut = z
  .object({
    unlockable: z.string(),
    wallet: z.string(),
    status: Status,
    source: z.enum(["evaluation", "manual"]),
    rank: z.number().nullable(),
    score: z.string().nullable().openapi({ description: "millipoints in the snapshot" }),
    referrals: z.number().nullable(),
    note: z.string().nullable(),
    earnedAt: z.string(),
    deliveredAt: z.string().nullable(),
  })
  .openapi("UnlockableGrant");
const grantOut = (g: Grant) => ({
  unlockable: g.unlockable,
  wallet: g.wallet,
  status: g.status,
  source: g.source,
  rank: g.rank,
  score: g.score?.toString() ?? null,
  referrals: g.referrals,
  note: g.note,
  earnedAt: g.earnedAt.toISOString(),
  deliveredAt: g.deliveredAt?.toISOString() ?? null,
});

/** Caller errors answered with their status and the field they are about. */
const REFUSALS: Record<string, [400 | 404 | 409, string | undefined]> = {
  unlockable_exists: [409, "body.code"],
  unknown_unlockable: [404, "params.code"],
  no_snapshot: [409, undefined],
  not_earned: [409, "params.wallet"],
  bad_address: [400, "body.wallet"],
};
async function naming<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    const known = err instanceof MeritError && err.kind === "caller" ? REFUSALS[err.code] : undefined;
    if (known) throw new ApiError(known[0], (err as MeritError).code, (err as Error).message, known[1]);
    throw err;
  }
}

export function unlockablesRoutes(deps: { sql: Sql }): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  r.openapi(
    createRoute({
      method: "get",
      path: "/wallets/{address}/unlockables",
      tags: ["unlockables"],
      summary: "Every active unlockable reward with this wallet's status: LOCKED, EARNED or DELIVERED",
      request: { params: z.object({ address: SolanaAddress.openapi({ param: { name: "address", in: "path" } }) }) },
      responses: {
        200: json(
          z.object({
            wallet: z.string(),
            unlockables: z.array(
              UnlockableOut.extend({
                status: Status,
                rank: z.number().nullable(),
                score: z.string().nullable(),
                earnedAt: z.string().nullable(),
                deliveredAt: z.string().nullable(),
              }),
            ),
          }),
          "The wallet's unlockables, by code",
        ),
        400: errorResponse("Invalid address; `field` names it"),
      },
    }),
    async (c) => {
      const { address } = c.req.valid("param");
      const rows = await walletUnlockables(deps.sql, address);
      return c.json(
        {
          wallet: address,
          unlockables: rows.map(({ unlockable, grant }) => ({
            ...unlockableOut(unlockable),
            status: statusOf(grant),
            rank: grant?.rank ?? null,
            score: grant?.score?.toString() ?? null,
            earnedAt: grant?.earnedAt.toISOString() ?? null,
            deliveredAt: grant?.deliveredAt?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );
  return r;
}

const adminErrors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("No bearer token"),
  403: errorResponse("Wrong bearer token"),
  404: errorResponse("No such unlockable"),
  409: errorResponse("Conflicts with the current state (code taken, no snapshot yet, not earned)"),
  503: errorResponse("Admin API disabled (ADMIN_TOKEN unset) or a dependency down"),
};
const security = [{ adminToken: [] }];
const CodeParam = z.object({ code: Code.openapi({ param: { name: "code", in: "path" } }) });

const Definition = z
  .object({
    code: Code,
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    campaignId: z.string().min(1).max(100).nullable().optional(),
    criterion: z.enum(["rank", "min_score", "min_referrals", "manual"]),
    threshold: z
      .string()
      .regex(/^\d+(\.\d{1,3})?$/, "a positive number as a string: N for rank, points for min_score, a count for min_referrals")
      .optional(),
    epoch: z
      .string()
      .regex(/^[1-9]\d*$/, "an epoch number")
      .optional(),
    active: z.boolean().optional(),
  })
  .superRefine((v, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    if (v.criterion === "manual") {
      if (v.threshold !== undefined) issue("threshold", "a manual unlockable has no threshold");
      return;
    }
    if (v.threshold === undefined) issue("threshold", `required for ${v.criterion}`);
    else if (v.criterion !== "min_score" && !/^[1-9]\d*$/.test(v.threshold)) issue("threshold", "a whole number above 0");
    else if (v.criterion === "min_score" && parsePoints(v.threshold) <= 0n) issue("threshold", "more than 0 points");
    if ((v.criterion === "rank" || v.criterion === "min_score") && v.epoch === undefined)
      issue("epoch", `required for ${v.criterion}: the epoch whose leaderboard snapshot holds the final standings`);
  });

export function unlockablesAdminRoutes(deps: { sql: Sql }): OpenAPIHono<ApiEnv> {
  const r = newRouter();

  r.openapi(
    createRoute({
      method: "get",
      path: "/unlockables",
      tags: ["admin"],
      summary: "Every unlockable with how many wallets earned it and how many got it delivered",
      security,
      responses: {
        200: json(z.object({ unlockables: z.array(UnlockableOut.extend({ earned: z.number(), delivered: z.number() })) }), "Unlockables"),
        ...adminErrors,
      },
    }),
    async (c) => {
      const rows = await listUnlockables(deps.sql);
      return c.json({ unlockables: rows.map((u) => ({ ...unlockableOut(u), earned: u.earned, delivered: u.delivered })) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/unlockables",
      tags: ["admin"],
      summary: "Define an unlockable reward: by rank, minimum score, minimum confirmed referrals, or manual",
      security,
      request: body(Definition),
      responses: { 201: json(UnlockableOut, "The definition"), ...adminErrors },
    }),
    async (c) => {
      const v = c.req.valid("json");
      const threshold = v.threshold === undefined ? null : v.criterion === "min_score" ? parsePoints(v.threshold) : BigInt(v.threshold);
      const u = await naming(() =>
        defineUnlockable(
          deps.sql,
          {
            code: v.code,
            name: v.name,
            description: v.description ?? null,
            campaignId: v.campaignId ?? null,
            criterion: v.criterion,
            threshold,
            epoch: v.epoch === undefined ? null : BigInt(v.epoch),
            active: v.active ?? true,
          },
          actorOf(c),
        ),
      );
      noteAudit(c, { before: null, after: unlockableOut(u) });
      return c.json(unlockableOut(u), 201);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/unlockables/{code}/evaluate",
      tags: ["admin"],
      summary: "Grant EARNED to every wallet that meets the criterion in the final standings (idempotent)",
      security,
      request: { params: CodeParam },
      responses: {
        200: json(z.object({ unlockable: UnlockableOut, added: z.number(), earned: z.number() }), "New grants, and all grants"),
        ...adminErrors,
      },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const res = await naming(() => evaluateUnlockable(deps.sql, code));
      noteAudit(c, { after: { code, added: res.added, earned: res.earned } });
      return c.json({ unlockable: unlockableOut(res.unlockable), added: res.added, earned: res.earned }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "get",
      path: "/unlockables/{code}/grants",
      tags: ["admin"],
      summary: "The wallets that earned an unlockable, by rank then time",
      security,
      request: { params: CodeParam },
      responses: { 200: json(z.object({ grants: z.array(GrantOut) }), "Grants"), ...adminErrors },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      if (!(await getUnlockable(deps.sql, code)))
        throw new ApiError(404, "unknown_unlockable", `no unlockable with the code ${code}`, "params.code");
      return c.json({ grants: (await listGrants(deps.sql, code)).map(grantOut) }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/unlockables/{code}/grants",
      tags: ["admin"],
      summary: "Grant an unlockable to a wallet by hand (EARNED); a wallet that has it keeps its grant",
      security,
      request: {
        params: CodeParam,
        ...body(z.object({ wallet: SolanaAddress, note: z.string().trim().max(2000).optional() })),
      },
      responses: {
        201: json(z.object({ grant: GrantOut, granted: z.literal(true) }), "Granted"),
        200: json(z.object({ grant: GrantOut, granted: z.literal(false) }), "Already granted: unchanged"),
        ...adminErrors,
      },
    }),
    async (c) => {
      const { code } = c.req.valid("param");
      const v = c.req.valid("json");
      const res = await naming(() => grantUnlockable(deps.sql, { code, wallet: v.wallet, note: v.note, by: actorOf(c) }));
      if (!res.granted) return c.json({ grant: grantOut(res.grant), granted: false as const }, 200);
      noteAudit(c, { before: null, after: grantOut(res.grant) });
      return c.json({ grant: grantOut(res.grant), granted: true as const }, 201);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/unlockables/{code}/grants/{wallet}/deliver",
      tags: ["admin"],
      summary: "Mark an earned unlockable DELIVERED (a delivered one stays as it is)",
      security,
      request: {
        params: CodeParam.extend({ wallet: SolanaAddress.openapi({ param: { name: "wallet", in: "path" } }) }),
      },
      responses: { 200: json(GrantOut, "The grant"), ...adminErrors },
    }),
    async (c) => {
      const { code, wallet } = c.req.valid("param");
      const res = await naming(() => deliverUnlockable(deps.sql, { code, wallet, by: actorOf(c) }));
      noteAudit(c, { before: grantOut(res.before), after: grantOut(res.after) });
      return c.json(grantOut(res.after), 200);
    },
  );
  return r;
}
