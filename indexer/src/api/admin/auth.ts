import { createHash, timingSafeEqual } from "node:crypto";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Sql } from "../../db/connection.js";
import { MeritError } from "../../errors.js";
import { routeTemplate } from "../../metrics/index.js";
import { ApiError } from "../errors.js";
import { finishAudit, insertAudit } from "./queries.js";

/** What a write changed, set by its handler for the audit row. */
export interface AuditNote {
  before?: unknown;
  after?: unknown;
}
const notes = new WeakMap<Request, AuditNote>();

export function noteAudit(c: Context, note: AuditNote): void {
  notes.set(c.req.raw, note);
}

/**
 * Digests of equal length whatever the token's length, compared in constant time: neither the
 * time nor an early exit tells a caller how much of a guess was right.
 */
export function tokenMatches(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function remoteAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // not served by @hono/node-server (app.request in a unit test)
    return undefined;
  }
}

/**
 * Bearer-token auth for every admin route, and one admin_audit row per request, refused or not. An
 * authenticated request's row is written before the handler runs and completed with the outcome,
 * status and what a write changed: a crash mid-write leaves a `started` row, never no row.
 */
export function adminAuth(deps: { sql: Sql; adminToken?: string }): MiddlewareHandler {
  return async (c, next) => {
    const audit = (actor: string, outcome: string, status: number | null, note: AuditNote = {}) =>
      insertAudit(deps.sql, {
        actor,
        action: `${c.req.method} ${routeTemplate(c)}`,
        outcome,
        status,
        ...note,
        requestId: c.get("requestId") as string | undefined,
        remoteAddress: remoteAddress(c),
      });
    if (!deps.adminToken) {
      await audit("anonymous", "disabled", 503);
      throw new ApiError(503, "admin_disabled", "the admin API is disabled on this server: set ADMIN_TOKEN to enable it");
    }
    const m = /^Bearer +(\S+) *$/i.exec(c.req.header("authorization") ?? "");
    if (!m) {
      await audit("anonymous", "unauthorized", 401);
      c.header("WWW-Authenticate", 'Bearer realm="merit-admin"');
      throw new ApiError(
        401,
        "unauthorized",
        "an admin token is required: send Authorization: Bearer <ADMIN_TOKEN>",
        "header.authorization",
      );
    }
    if (!tokenMatches(m[1]!, deps.adminToken)) {
      await audit("anonymous", "forbidden", 403);
      throw new ApiError(403, "forbidden", "the bearer token is not this server's admin token", "header.authorization");
    }
    const id = await audit(actorOf(c), "started", null);
    await next();
    const err = c.error;
    const code = err instanceof ApiError ? err.error : err instanceof MeritError ? err.code : undefined;
    const status = c.res.status;
    const outcome = status < 400 ? "ok" : status < 500 && code ? `refused:${code}` : status < 500 ? "refused" : "failed";
    await finishAudit(deps.sql, id, { outcome, status, ...notes.get(c.req.raw) });
  };
}

/** Who the authenticated request says it is (X-Admin-Actor), kept with rule sets and adjustments. */
export function actorOf(c: Context): string {
  return c.req.header("x-admin-actor")?.trim().slice(0, 200) || "admin";
}
