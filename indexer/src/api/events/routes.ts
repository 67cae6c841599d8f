import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import type { Sql } from "../../db/connection.js";
import { campaignAnalytics } from "../../events/analytics.js";
import { acceptEvents, type EventInput, MAX_EVENTS_PER_BATCH } from "../../events/ingest.js";
import { mapShopifyOrder } from "../../events/shopify.js";
import {
  SHOPIFY_HMAC_HEADER,
  SIGNATURE_HEADER,
  SOURCE_HEADER,
  signaturesMatch,
  signEvents,
  signShopify,
  TIMESTAMP_HEADER,
  timestampProblem,
} from "../../events/signature.js";
import { type EventSource, findEventSource } from "../../events/sources.js";
import { eventType, propertyValue } from "../../rules/schema.js";
import { toJsonValue } from "../../json.js";
import { ApiError } from "../errors.js";
import { errorResponse, jsonBody as body, jsonResponse as json } from "../route-helpers.js";
import { type ApiEnv, newRouter } from "../router.js";

export interface EventsDeps {
  sql: Sql;
  /** EVENTS_REPLAY_WINDOW_SECONDS */
  replayWindowSeconds: number;
  /** the clock the timestamp window is read against (tests move it) */
  now?: () => number;
}

/** A raw body above this is refused before it is parsed: 1,000 events of a few hundred bytes fit easily. */
export const MAX_EVENTS_BODY_BYTES = 2 * 1024 * 1024;

const errors = {
  400: errorResponse("Invalid input; `field` names it"),
  401: errorResponse("Unknown source, bad or missing signature, or a timestamp outside the replay window; `field` names the header"),
  403: errorResponse("The source is disabled"),
  413: errorResponse("Body larger than the limit"),
};

const Wallet = z.string().regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, "must be a base58 Solana address");
const EventIn = z
  .object({
    wallet: Wallet,
    type: eventType,
    key: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "The source's id of this occurrence: (source, wallet, type, key) is accepted once" }),
    properties: z
      .record(z.string().min(1).max(64), propertyValue)
      .refine((p) => Object.keys(p).length <= 32, "at most 32 properties")
      .optional(),
    value: z
      .string()
      // 18 digits always fit a bigint column
      .regex(/^\d{1,18}$/, "micro-units (6 decimals) as a decimal string of at most 18 digits")
      .optional()
      .openapi({ description: "An amount in micro-units (1.5 USD = 1500000), for per-volume awards" }),
    occurredAt: z
      .string()
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "Default: when accepted; later than that is clamped" }),
  })
  .strict()
  .openapi("EventIn");
const EventsIn = z
  .object({ events: z.array(EventIn).min(1).max(MAX_EVENTS_PER_BATCH, `at most ${MAX_EVENTS_PER_BATCH} events per request`) })
  .strict()
  .openapi("EventsIn");
const AcceptOut = z
  .object({
    source: z.string(),
    accepted: z.number(),
    duplicates: z.number(),
    anchorSlot: z.string().openapi({ description: "Scored after every settlement up to this slot" }),
    results: z.array(
      z.object({ index: z.number(), status: z.enum(["accepted", "duplicate"]), id: z.string().nullable(), seq: z.string().nullable() }),
    ),
  })
  .openapi("EventsAccepted");
const ShopifyOut = z
  .object({ source: z.string(), accepted: z.number(), duplicates: z.number(), ignored: z.string().nullable() })
  .openapi("ShopifyOrderAccepted");

const verified = new WeakMap<Request, EventSource>();
const sourceOf = (c: Context) => verified.get(c.req.raw)!;

async function rawBody(c: Context): Promise<Uint8Array> {
  const length = Number(c.req.header("content-length") ?? 0);
  if (length > MAX_EVENTS_BODY_BYTES) throw new ApiError(413, "body_too_large", `body: larger than ${MAX_EVENTS_BODY_BYTES} bytes`, "body");
  // read once as bytes: the signature is over these, and the JSON validator parses the same bytes
  const raw = new Uint8Array(await c.req.arrayBuffer());
  if (raw.length > MAX_EVENTS_BODY_BYTES)
    throw new ApiError(413, "body_too_large", `body: larger than ${MAX_EVENTS_BODY_BYTES} bytes`, "body");
  return raw;
}

async function sourceNamed(sql: Sql, name: string | undefined, field: string, kind: EventSource["kind"]) {
  const source = name ? await findEventSource(sql, name) : undefined;
  if (!source || source.kind !== kind)
    throw new ApiError(401, "unknown_source", `${field}: no ${kind} event source named ${JSON.stringify(name ?? "")}`, field);
  if (source.disabledAt) throw new ApiError(403, "source_disabled", `${field}: the event source ${source.name} is disabled`, field);
  return source;
}

/** X-Merit-Source, X-Merit-Timestamp and X-Merit-Signature, checked before the body is parsed. */
function verifyGeneric(deps: EventsDeps): MiddlewareHandler {
  return async (c, next) => {
    const source = await sourceNamed(deps.sql, c.req.header(SOURCE_HEADER), `header.${SOURCE_HEADER}`, "generic");
    const ts = c.req.header(TIMESTAMP_HEADER);
    const problem = timestampProblem(ts, deps.now?.() ?? Date.now(), deps.replayWindowSeconds);
    if (problem) throw new ApiError(401, "bad_timestamp", `header.${TIMESTAMP_HEADER}: ${problem}`, `header.${TIMESTAMP_HEADER}`);
    const raw = await rawBody(c);
    const given = c.req.header(SIGNATURE_HEADER) ?? "";
    if (!signaturesMatch(given, signEvents(source.secret, ts!, raw)))
      throw new ApiError(
        401,
        "bad_signature",
        `header.${SIGNATURE_HEADER}: not sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> under the source's secret`,
        `header.${SIGNATURE_HEADER}`,
      );
    verified.set(c.req.raw, source);
    await next();
  };
}

function verifyShopify(deps: EventsDeps): MiddlewareHandler {
  return async (c, next) => {
    const source = await sourceNamed(deps.sql, c.req.param("source"), "params.source", "shopify");
    const raw = await rawBody(c);
    if (!signaturesMatch(c.req.header(SHOPIFY_HMAC_HEADER) ?? "", signShopify(source.secret, raw)))
      throw new ApiError(
        401,
        "bad_signature",
        `header.${SHOPIFY_HMAC_HEADER}: not the base64 HMAC-SHA256 of the raw body`,
        `header.${SHOPIFY_HMAC_HEADER}`,
      );
    verified.set(c.req.raw, source);
    await next();
  };
}

const signedHeaders = z.object({
  [SOURCE_HEADER]: z.string().openapi({ description: "The event source's name" }),
  [TIMESTAMP_HEADER]: z.string().openapi({ description: "Unix seconds the request was signed at" }),
  [SIGNATURE_HEADER]: z.string().openapi({ description: 'sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> under the source secret' }),
});

/**
 * Off-chain events (docs/rewards-engine.md, "Off-chain events"): POST /events for signed batches
 * from a generic source, POST /events/shopify/{source} for Shopify's orders/create webhook, and
 * GET /campaigns/{id}/analytics. Mounted under /v1.
 */
export function eventsRoutes(deps: EventsDeps): OpenAPIHono<ApiEnv> {
  const r = newRouter();

  r.openapi(
    createRoute({
      method: "post",
      path: "/events",
      tags: ["events"],
      summary: "Post up to 1,000 off-chain events, signed by their source",
      description:
        "Each event is stored once per (source, wallet, type, key) and scored by the engine after every settlement up to the ingest watermark at acceptance.",
      middleware: [verifyGeneric(deps)] as const,
      request: { headers: signedHeaders, ...body(EventsIn) },
      responses: { 200: json(AcceptOut, "Accepted and duplicate events, in the order sent"), ...errors },
    }),
    async (c) => {
      const source = sourceOf(c);
      const input = c.req.valid("json");
      const res = await acceptEvents(deps.sql, source.id, input.events as EventInput[]);
      return c.json({ source: source.name, ...res }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "post",
      path: "/events/shopify/{source}",
      tags: ["events"],
      summary: "Shopify's orders/create webhook: one purchase event for the wallet the order names",
      description:
        "The wallet comes from the note attribute merit_wallet or the customer metafield merit.wallet; an order without one is answered 200 and ignored.",
      middleware: [verifyShopify(deps)] as const,
      request: {
        params: z.object({ source: z.string().openapi({ param: { name: "source", in: "path" } }) }),
        headers: z.object({ [SHOPIFY_HMAC_HEADER]: z.string(), "x-shopify-topic": z.string().optional() }),
        ...body(z.record(z.string(), z.unknown()).openapi("ShopifyOrder")),
      },
      responses: { 200: json(ShopifyOut, "Stored, a duplicate, or ignored (with the reason)"), ...errors },
    }),
    async (c) => {
      const source = sourceOf(c);
      const mapped = mapShopifyOrder(c.req.header("x-shopify-topic"), c.req.header("x-shopify-shop-domain"), c.req.valid("json"));
      if ("ignored" in mapped) return c.json({ source: source.name, accepted: 0, duplicates: 0, ignored: mapped.ignored }, 200);
      const res = await acceptEvents(deps.sql, source.id, [mapped.event]);
      return c.json({ source: source.name, accepted: res.accepted, duplicates: res.duplicates, ignored: null }, 200);
    },
  );

  r.openapi(
    createRoute({
      method: "get",
      path: "/campaigns/{id}/analytics",
      tags: ["campaigns"],
      summary: "A campaign's participants, points paid, budget left and conversions",
      description:
        "Conversions: participants whose first activity on merit (first settlement, event or credit scored for the account) came inside the campaign's window. Points in millipoints as decimal strings.",
      request: {
        params: z.object({
          id: z
            .string()
            .min(1)
            .openapi({ param: { name: "id", in: "path" } }),
        }),
      },
      responses: {
        200: json(
          z
            .object({
              id: z.string(),
              name: z.string(),
              type: z.string(),
              startsAt: z.string(),
              endsAt: z.string(),
              budget: z.string(),
              participants: z.number(),
              pointsPaid: z.string(),
              budgetLeft: z.string(),
              conversions: z.number(),
              conversionsBy: z.object({ settlement: z.number(), event: z.number() }),
              ruleSetVersion: z.string(),
            })
            .openapi("CampaignAnalytics"),
          "The campaign's figures",
        ),
        404: errorResponse("No such campaign in any rule-set version"),
      },
    }),
    async (c) => {
      const a = await campaignAnalytics(deps.sql, c.req.valid("param").id);
      return c.json(toJsonValue(a) as never, 200);
    },
  );
  return r;
}
