import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Sql } from "../../db/connection.js";
import { decideReview, type ExclusionRow, listExclusions } from "../../fraud/review.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../route-helpers.js";
import type { ApiEnv } from "../router.js";
import { actorOf, noteAudit } from "./auth.js";

/** The review queue (fraud/review.ts): list exclusions, approve or reject a pending one. */
const errors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("No bearer token"),
  403: errorResponse("Wrong bearer token"),
  404: errorResponse("No such exclusion"),
  409: errorResponse("Already decided, or never queued for review"),
  503: errorResponse("Admin API disabled (ADMIN_TOKEN unset) or a dependency down"),
};
const security = [{ adminToken: [] }];

export const ExclusionSchema = z
  .object({
    settlementId: z.string(),
    seq: z.string(),
    wallet: z.string().openapi({ description: "The paying wallet" }),
    counterparty: z.string(),
    account: z.string().openapi({ description: "The account the payment scores to (the wallet, or the account it is linked into)" }),
    reason: z.enum(["linked_addresses", "round_trip", "below_minimum", "daily_cap", "review_threshold"]),
    detail: z.string(),
    status: z.enum(["excluded", "pending", "approved", "rejected"]),
    heldPoints: z.string().openapi({ description: "Millipoints an approval credits (the payer's earn and rules)" }),
    ruleSetVersion: z.string().nullable(),
    occurredAt: z.string(),
    decidedBy: z.string().nullable(),
    decidedAt: z.string().nullable(),
    decisionNote: z.string().nullable(),
    ledgerId: z.string().nullable().openapi({ description: "The ledger row an approval wrote" }),
  })
  .openapi("Exclusion");

export const exclusionJson = (e: ExclusionRow): z.infer<typeof ExclusionSchema> => ({
  settlementId: e.settlementId.toString(),
  seq: e.seq.toString(),
  wallet: e.wallet,
  counterparty: e.counterparty,
  account: e.account,
  reason: e.reason as never,
  detail: e.detail,
  status: e.status,
  heldPoints: e.heldPoints.toString(),
  ruleSetVersion: e.ruleSetVersion?.toString() ?? null,
  occurredAt: e.occurredAt.toISOString(),
  decidedBy: e.decidedBy,
  decidedAt: e.decidedAt?.toISOString() ?? null,
  decisionNote: e.decisionNote,
  ledgerId: e.ledgerId?.toString() ?? null,
});

const SettlementParam = z.object({
  settlementId: z
    .string()
    .regex(/^[1-9]\d{0,18}$/, "a settlement id")
    .openapi({ param: { name: "settlementId", in: "path" } }),
});

export function reviewRoutes(r: OpenAPIHono<ApiEnv>, deps: { sql: Sql }): void {
  r.openapi(
    createRoute({
      method: "get",
      path: "/review",
      tags: ["admin"],
      summary: "Settlements fraud screening caught, oldest first: the review queue (`status=pending`) or every exclusion",
      security,
      request: {
        query: z.object({
          status: z.enum(["excluded", "pending", "approved", "rejected"]).optional(),
          after: z
            .string()
            .regex(/^\d+$/, "a seq from the previous page")
            .optional()
            .openapi({ description: "Rows after this seq (the last row's seq of the previous page)" }),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
      },
      responses: { 200: json(z.object({ rows: z.array(ExclusionSchema) }), "Exclusions"), ...errors },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listExclusions(deps.sql, {
        status: q.status,
        afterSeq: q.after === undefined ? undefined : BigInt(q.after),
        limit: q.limit,
      });
      return c.json({ rows: rows.map(exclusionJson) }, 200);
    },
  );

  for (const decision of ["approve", "reject"] as const)
    r.openapi(
      createRoute({
        method: "post",
        path: `/review/{settlementId}/${decision}`,
        tags: ["admin"],
        summary:
          decision === "approve"
            ? "Approve a held settlement: its held points are credited as a ledger row naming it"
            : "Reject a held settlement: it stays excluded",
        security,
        request: { params: SettlementParam, ...body(z.object({ note: z.string().max(2000).optional() })) },
        responses: { 200: json(ExclusionSchema, "The decided exclusion"), ...errors },
      }),
      async (c) => {
        const { settlementId } = c.req.valid("param");
        const { note } = c.req.valid("json");
        const r2 = await decideReview(deps.sql, { settlementId: BigInt(settlementId), decision, by: actorOf(c), note });
        noteAudit(c, { before: exclusionJson(r2.before), after: exclusionJson(r2.after) });
        return c.json(exclusionJson(r2.after), 200);
      },
    );
}
