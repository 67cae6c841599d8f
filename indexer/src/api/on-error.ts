import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { MeritError } from "../errors.js";
import { componentLog } from "../log.js";
import { ApiError, type ErrorBody } from "./errors.js";

/** Caller-error codes that mean "no such thing" rather than "bad input". */
const NOT_FOUND = new Set([
  "unknown_account",
  "unknown_campaign",
  "unknown_challenge",
  "unknown_code",
  "unknown_distributor",
  "unknown_epoch",
  "unknown_event_source",
  "unknown_exclusion",
]);
/** Caller-error codes that mean "conflicts with the current state". */
const CONFLICT = new Set([
  "address_taken",
  "campaign_active",
  "campaign_ended",
  "campaign_exists",
  "code_taken",
  "challenge_used",
  "referrer_already_set",
  "referee_already_active",
  "snapshot_exists",
  "publish_busy",
  "event_source_exists",
  "review_decided",
]);

/** The status a caller error's code is answered with. */
export function callerStatus(code: string): 404 | 409 | 400 {
  return NOT_FOUND.has(code) ? 404 : CONFLICT.has(code) ? 409 : 400;
}

/**
 * The app's one error handler: an `ApiError` or a `CallerError` is the caller's fault (4xx with
 * `{error, message, field?}`); an `UpstreamError` is a dependency down (503, retry later); anything
 * else is a bug, logged with its stack and answered 500 with the request id only.
 */
export function onError(err: Error, c: Context): Response {
  const requestId = (c.get("requestId") as string | undefined) ?? undefined;
  if (err instanceof ApiError) return reply(c, err.status, { error: err.error, message: err.message, field: err.field, requestId });
  if (err instanceof MeritError && err.kind === "caller") {
    return reply(c, callerStatus(err.code), { error: err.code, message: err.message, requestId });
  }
  if (err instanceof MeritError && err.kind === "upstream") {
    componentLog("api").log.warn({ err, requestId }, "upstream unavailable");
    if (err.retryable) c.header("Retry-After", "5");
    return reply(c, 503, { error: "unavailable", message: "a service merit depends on is unavailable; try again shortly", requestId });
  }
  if (err instanceof HTTPException && err.status < 500)
    return reply(c, err.status, { error: "http_error", message: err.message || "request refused", requestId });
  componentLog("api").log.error({ err, requestId, path: c.req.path }, "request failed");
  return reply(c, 500, { error: "internal", message: `internal error (request id ${requestId ?? "unknown"})`, requestId });
}

function reply(c: Context, status: ContentfulStatusCode, body: ErrorBody): Response {
  return c.json(body, status);
}
