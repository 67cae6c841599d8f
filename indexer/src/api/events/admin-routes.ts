import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Sql } from "../../db/connection.js";
import { createEventSource, disableEventSource, listEventSources, rotateEventSourceSecret, SOURCE_KINDS } from "../../events/sources.js";
import { toJsonValue } from "../../json.js";
import { noteAudit } from "../admin/auth.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../route-helpers.js";
import { type ApiEnv, newRouter } from "../router.js";

const security = [{ adminToken: [] }];
const errors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("No bearer token"),
  403: errorResponse("Wrong bearer token"),
  503: errorResponse("Admin API disabled (ADMIN_TOKEN unset)"),
};
const Source = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(SOURCE_KINDS),
    disabledAt: z.string().nullable(),
    createdAt: z.string(),
    rotatedAt: z.string().nullable(),
  })
  .openapi("EventSource");
const WithSecret = Source.extend({
  secret: z.string().openapi({ description: "Shown once: keep it where the source signs its requests" }),
}).openapi("EventSourceWithSecret");
const Name = z.object({
  name: z
    .string()
    .min(1)
    .openapi({ param: { name: "name", in: "path" } }),
});
const out = (v: unknown) => toJsonValue(v) as never;
/** What the audit row keeps of a source: never its secret. */
const shown = <T extends { secret?: string }>(s: T) => {
  const { secret: _secret, ...rest } = s;
  return rest;
};

/**
 * /event-sources under the admin router (which authenticates and audits every request): create
 * (the secret is answered once), list, rotate the secret, disable. Same functions as
 * `merit admin events source add|list|rotate|disable`.
 */
export function eventSourceAdminRoutes(deps: { sql: Sql }): OpenAPIHono<ApiEnv> {
  const r = newRouter();
  r.openapi(
    createRoute({
      method: "post",
      path: "/event-sources",
      tags: ["admin"],
      summary: "Register an event source; its secret is in this answer only",
      security,
      request: body(
        z
          .object({
            name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "lowercase [a-z0-9_-], at most 64 characters"),
            kind: z.enum(SOURCE_KINDS).default("generic"),
            secret: z
              .string()
              .min(16)
              .max(200)
              .optional()
              .openapi({ description: "Shopify: the app's webhook secret; omitted: one is generated" }),
          })
          .strict(),
      ),
      responses: { 201: json(WithSecret, "Created"), ...errors, 409: errorResponse("A source of that name exists") },
    }),
    async (c) => {
      const s = await createEventSource(deps.sql, c.req.valid("json"));
      noteAudit(c, { before: null, after: shown(s) });
      return c.json(out(s), 201);
    },
  );
  r.openapi(
    createRoute({
      method: "get",
      path: "/event-sources",
      tags: ["admin"],
      summary: "Every event source, with its event count (no secrets)",
      security,
      responses: {
        200: json(z.array(Source.extend({ events: z.number(), lastEventAt: z.string().nullable() })), "Sources by name"),
        ...errors,
      },
    }),
    async (c) => c.json(out(await listEventSources(deps.sql)), 200),
  );
  r.openapi(
    createRoute({
      method: "post",
      path: "/event-sources/{name}/rotate",
      tags: ["admin"],
      summary: "Replace a source's secret; the old one stops working at once",
      security,
      request: {
        params: Name,
        body: {
          content: { "application/json": { schema: z.object({ secret: z.string().min(16).max(200).optional() }).strict() } },
          required: false,
        },
      },
      responses: { 200: json(WithSecret, "The new secret, shown once"), ...errors, 404: errorResponse("No such source") },
    }),
    async (c) => {
      const given = (await c.req.json().catch(() => ({}))) as { secret?: unknown };
      const res = await rotateEventSourceSecret(
        deps.sql,
        c.req.valid("param").name,
        typeof given.secret === "string" ? given.secret : undefined,
      );
      noteAudit(c, { before: res.before, after: shown(res.after) });
      return c.json(out(res.after), 200);
    },
  );
  r.openapi(
    createRoute({
      method: "post",
      path: "/event-sources/{name}/disable",
      tags: ["admin"],
      summary: "Refuse a source's requests from now on (its stored events stay scored)",
      security,
      request: { params: Name },
      responses: { 200: json(Source, "Disabled"), ...errors, 404: errorResponse("No such source") },
    }),
    async (c) => {
      const res = await disableEventSource(deps.sql, c.req.valid("param").name);
      noteAudit(c, { before: res.before, after: res.after });
      return c.json(out(res.after), 200);
    },
  );
  return r;
}
