import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Sql } from "../../db/connection.js";
import { catalogAdminRoutes } from "../../catalog/routes.js";
import { dryRunRuleSet } from "../../engine/rule-dry-run.js";
import { CallerError } from "../../errors.js";
import { closeEpoch } from "../../epochs/close.js";
import { getEpoch, latestEpoch } from "../../epochs/queries.js";
import { toJsonValue } from "../../json.js";
import { unlockablesAdminRoutes } from "../../unlockables/routes.js";
import { adjustAccountPoints, parsePoints } from "../../ledger/adjust.js";
import { publishEpoch, type PublishContext } from "../../publish/publish.js";
import { type CampaignChange, publishCampaignChange } from "../../rules/campaigns.js";
import { loadRuleHistory, publishRuleSet } from "../../rules/rule-sets.js";
import { parseRuleSetBody, type RuleSetBody } from "../../rules/schema.js";
import { ApiError } from "../errors.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../route-helpers.js";
import { type ApiEnv, newRouter } from "../router.js";
import { actorOf, adminAuth, noteAudit } from "./auth.js";
import { eventSourceAdminRoutes } from "../events/admin-routes.js";
import { listAudit } from "./queries.js";
import { reviewRoutes } from "./review.js";

export interface AdminDeps {
  sql: Sql;
  /** ADMIN_TOKEN; unset: every admin route answers 503 admin_disabled (and is audited). */
  adminToken?: string;
  /** Where closed epochs' files go (MERIT_DATA_DIR). */
  dataDir: string;
  /** What publishing needs besides the database (connection, signer, settings); unset: publish answers 503. */
  publisher?: Omit<PublishContext, "sql">;
  log?: (line: string) => void;
}

const errors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("No bearer token"),
  403: errorResponse("Wrong bearer token"),
  503: errorResponse("Admin API disabled (ADMIN_TOKEN unset) or a dependency down"),
};
const notFound = { 404: errorResponse("No such thing") };
const conflict = { 409: errorResponse("Conflicts with the current state") };
const security = [{ adminToken: [] }];

/** Rule-set documents are validated by rules/schema.ts, whose errors name the path inside the document. */
const RuleSetDocument = z.record(z.string(), z.unknown()).openapi("RuleSetDocument", {
  description: "A rule-set document (docs: indexer/src/rules/schema.ts): earn, rules, tiers, campaigns, referral",
});
const RuleSetVersion = z
  .object({ version: z.string(), effectiveFrom: z.string(), afterSeq: z.string(), body: RuleSetDocument })
  .openapi("RuleSetVersion");
const JsonChange = z.object({
  op: z.enum(["+", "-", "~"]),
  path: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
const Note = z.string().max(2000).optional().openapi({ description: "Why (kept with the version)" });
const Address = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "must be a base58 Solana address");
const CampaignId = z.object({
  id: z
    .string()
    .min(1)
    .openapi({ param: { name: "id", in: "path" } }),
});
const CampaignResult = z
  .object({ version: z.string(), campaign: z.record(z.string(), z.unknown()).nullable() })
  .openapi("CampaignChangeResult", { description: "The rule-set version the change published, and the campaign in it (null: removed)" });

/** A bigint-bearing value as the JSON the routes answer (bigints as decimal strings). */
const out = <T>(v: unknown) => toJsonValue(v) as T;

function checkEmpty(body: RuleSetBody, allowEmpty: boolean | undefined): string | undefined {
  const problem =
    body.earn.length === 0
      ? "the rule set has no earn config: settlements earn no base points under it; send allowEmpty to publish it anyway"
      : undefined;
  if (problem && !allowEmpty) throw new CallerError("empty_rule_set", problem);
  return problem;
}

/**
 * The admin API (mounted under `/v1/admin`): rule sets, campaigns, point adjustments, epoch close
 * and publish. Every request is authenticated by ADMIN_TOKEN and recorded in admin_audit; writes
 * record what they replaced and what they left. Each route calls the same function as its CLI
 * command, so the two cannot drift.
 */
export function adminRoutes(deps: AdminDeps): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  r.openAPIRegistry.registerComponent("securitySchemes", "adminToken", { type: "http", scheme: "bearer", description: "ADMIN_TOKEN" });
  r.use("*", adminAuth(deps));
  r.route("/", eventSourceAdminRoutes(deps));

  r.openapi(
    createRoute({
      method: "get",
      path: "/audit",
      tags: ["admin"],
      summary: "The admin audit trail, newest first",
      security,
      request: {
        query: z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), before: z.string().regex(/^\d+$/).optional() }),
      },
      responses: {
        200: json(
          z.array(
            z.object({
              id: z.string(),
              at: z.string(),
              answeredAt: z.string().nullable(),
              actor: z.string(),
              action: z.string(),
              outcome: z.string().openapi({ description: "`started` while in flight, or when the process stopped before answering" }),
              status: z.number().nullable(),
              before: z.unknown(),
              after: z.unknown(),
              requestId: z.string().nullable(),
              remoteAddress: z.string().nullable(),
            }),
          ),
          "Audit rows",
        ),
        ...errors,
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listAudit(deps.sql, { limit: q.limit, beforeId: q.before === undefined ? undefined : BigInt(q.before) });
      return c.json(out<never>(rows), 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/rule-sets/dry-run",
      tags: ["admin"],
      summary: "Validate a rule set and report what publishing it would change, without writing",
      security,
      request: body(
        z.object({
          body: RuleSetDocument,
          sample: z.number().int().min(1).max(100_000).default(1000).openapi({ description: "Latest scored settlements to rescore" }),
        }),
      ),
      responses: {
        200: json(
          z.object({
            against: z.string().nullable(),
            changes: z.array(JsonChange),
            sample: z.record(z.string(), z.unknown()).nullable(),
            warning: z.string().nullable(),
          }),
          "What would change",
        ),
        ...errors,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const parsed = parseRuleSetBody(input.body);
      const report = await dryRunRuleSet(deps.sql, parsed, input.sample);
      const warning = checkEmpty(parsed, true) ?? null;
      return c.json(out<never>({ against: report.against ?? null, changes: report.changes, sample: report.sample ?? null, warning }), 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/rule-sets",
      tags: ["admin"],
      summary: "Create and publish a rule set as the next version",
      description:
        "Rule sets are immutable versions: creating one publishes it. It scores settlements after the engine's current position (from `effectiveFrom` in event time, default at once). Dry-run first with /rule-sets/dry-run.",
      security,
      request: body(
        z.object({
          body: RuleSetDocument,
          note: Note,
          effectiveFrom: z.string().datetime({ offset: true }).optional(),
          allowEmpty: z.boolean().optional(),
        }),
      ),
      responses: { 201: json(RuleSetVersion, "The published version"), ...errors },
    }),
    async (c) => {
      const input = c.req.valid("json");
      checkEmpty(parseRuleSetBody(input.body), input.allowEmpty);
      const before = (await loadRuleHistory(deps.sql)).at(-1);
      const rs = await publishRuleSet(deps.sql, {
        body: input.body as never,
        createdBy: actorOf(c),
        note: input.note,
        effectiveFrom: input.effectiveFrom === undefined ? undefined : new Date(input.effectiveFrom),
      });
      noteAudit(c, { before: before ?? null, after: rs });
      return c.json(out<never>(rs), 201);
    },
  );

  const campaignChange = async (c: Context, change: CampaignChange, note?: string) => {
    const res = await publishCampaignChange(deps.sql, { change, createdBy: actorOf(c), note });
    noteAudit(c, { before: res.before ?? null, after: res.after ?? null });
    return { version: res.ruleSet.version.toString(), campaign: res.after ? out<Record<string, unknown>>(res.after) : null };
  };

  r.openapi(
    createRoute({
      method: "post",
      path: "/campaigns",
      tags: ["admin"],
      summary: "Create a campaign (publishes the newest rule set with it added)",
      description: "A campaign whose `startsAt` is in the future is a draft until then, or until activated.",
      security,
      request: body(z.object({ campaign: z.record(z.string(), z.unknown()), note: Note })),
      responses: { 201: json(CampaignResult, "Created"), ...errors, ...conflict },
    }),
    async (c) => {
      const input = c.req.valid("json");
      return c.json(await campaignChange(c, { op: "create", campaign: input.campaign }, input.note), 201);
    },
  );

  r.openapi(
    createRoute({
      method: "patch",
      path: "/campaigns/{id}",
      tags: ["admin"],
      summary: "Update a campaign's fields (publishes a new rule-set version)",
      security,
      request: { params: CampaignId, ...body(z.object({ patch: z.record(z.string(), z.unknown()), note: Note })) },
      responses: { 200: json(CampaignResult, "Updated"), ...errors, ...notFound },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const input = c.req.valid("json");
      return c.json(await campaignChange(c, { op: "update", id, patch: input.patch }, input.note), 200);
    },
  );

  for (const op of ["activate", "end"] as const)
    r.openapi(
      createRoute({
        method: "post",
        path: `/campaigns/{id}/${op}`,
        tags: ["admin"],
        summary:
          op === "activate"
            ? "Start a draft campaign now (publishes a new rule-set version)"
            : "End a campaign now (publishes a new rule-set version; a draft is removed)",
        security,
        request: { params: CampaignId, body: { content: { "application/json": { schema: z.object({ note: Note }) } }, required: false } },
        responses: { 200: json(CampaignResult, op === "activate" ? "Activated" : "Ended"), ...errors, ...notFound, ...conflict },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const note = (await c.req.json().catch(() => ({}))) as { note?: string };
        return c.json(await campaignChange(c, { op, id }, typeof note?.note === "string" ? note.note : undefined), 200);
      },
    );

  r.openapi(
    createRoute({
      method: "post",
      path: "/points/adjustments",
      tags: ["admin"],
      summary: "Add or remove points as a ledger row of its own, with a required note",
      security,
      request: body(
        z.object({
          account: z.string().min(1).max(100),
          points: z
            .string()
            .regex(/^-?\d+(\.\d{1,3})?$/, 'a number of points with at most 3 decimals, as a string (e.g. "250", "-12.5")')
            .openapi({ description: "Points (not millipoints), up to 3 decimals; negative removes" }),
          note: z.string().trim().min(1, "a note is required"),
          allowNew: z.boolean().optional().openapi({ description: "Credit an account with no activity yet" }),
          allowNegative: z.boolean().optional().openapi({ description: "Let the balance go below zero" }),
        }),
      ),
      responses: {
        201: json(
          z.object({ id: z.string(), account: z.string(), delta: z.string(), balanceBefore: z.string(), balance: z.string() }),
          "The ledger row; amounts in millipoints (1 point = 1000) as decimal strings",
        ),
        ...errors,
        ...notFound,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const delta = parsePoints(input.points);
      const r2 = await adjustAccountPoints(deps.sql, { ...input, delta, by: actorOf(c) });
      noteAudit(c, {
        before: { account: input.account, balance: r2.before },
        after: { account: input.account, balance: r2.balance, delta, ledgerId: r2.id, note: input.note },
      });
      return c.json(
        { id: String(r2.id), account: input.account, delta: String(delta), balanceBefore: String(r2.before), balance: String(r2.balance) },
        201,
      );
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/epochs/close",
      tags: ["admin"],
      summary: "Close a distributor's next epoch up to the newest complete, scored slot",
      security,
      request: body(z.object({ distributor: Address, allowEmpty: z.boolean().optional() })),
      responses: {
        201: json(z.object({ closed: z.record(z.string(), z.unknown()) }), "The closed epoch"),
        200: json(z.object({ closed: z.null(), message: z.string() }), "Nothing to close"),
        ...errors,
        ...notFound,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const before = await latestEpoch(deps.sql, input.distributor).catch(() => undefined);
      const closed = await closeEpoch(deps.sql, {
        distributor: input.distributor,
        dataDir: deps.dataDir,
        allowEmpty: input.allowEmpty,
        log: deps.log,
      });
      if (!closed)
        return c.json({ closed: null, message: "nothing to close: no ledger rows since the last epoch (allowEmpty closes anyway)" }, 200);
      noteAudit(c, { before: before ?? null, after: await getEpoch(deps.sql, input.distributor, closed.epoch) });
      return c.json({ closed: out<Record<string, unknown>>(closed) }, 201);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/epochs/publish",
      tags: ["admin"],
      summary: "Propose the oldest closed epoch (or `epoch`) on-chain",
      security,
      request: body(
        z.object({
          distributor: Address,
          epoch: z
            .string()
            .regex(/^[1-9]\d*$/, "an epoch number")
            .optional(),
          force: z.boolean().optional(),
        }),
      ),
      responses: {
        200: json(z.record(z.string(), z.unknown()), "The outcome: proposed, recorded or nothing"),
        ...errors,
        ...notFound,
        ...conflict,
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      if (!deps.publisher)
        throw new ApiError(
          503,
          "publish_disabled",
          "this server cannot publish epochs: it has no RPC connection and publisher key configured",
        );
      const epoch = input.epoch === undefined ? undefined : BigInt(input.epoch);
      const before = epoch === undefined ? undefined : await getEpoch(deps.sql, input.distributor, epoch);
      const r2 = await publishEpoch({ ...deps.publisher, sql: deps.sql }, { distributor: input.distributor, epoch, force: input.force });
      if (r2.outcome === "busy")
        throw new CallerError("publish_busy", "another publisher holds the lock for this distributor; try again when it is done");
      if (r2.outcome !== "nothing") noteAudit(c, { before: before ?? null, after: await getEpoch(deps.sql, input.distributor, r2.epoch) });
      return c.json(out<Record<string, unknown>>(r2), 200);
    },
  );
  // Sub-routers of the admin API: the auth and audit middleware above covers their routes too.
  r.route("/", catalogAdminRoutes(deps));
  r.route("/", unlockablesAdminRoutes(deps));
  reviewRoutes(r, deps);
  return r;
}
