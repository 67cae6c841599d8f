import { OpenAPIHono } from "@hono/zod-openapi";
import type { RequestIdVariables } from "hono/request-id";
import { ApiError } from "./errors.js";

/** What every route's context carries (set by the app's middleware). */
export type ApiEnv = { Variables: RequestIdVariables };

/**
 * Every router of the API is made here, so a request that fails its route's schema is answered the
 * same way everywhere: 400 naming the first field at fault (`params.address`, `query.limit`,
 * `body.signature`), never zod's raw issue list.
 */
export function newRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      const issue = result.error.issues[0];
      const path = issue?.path.map(String).join(".") ?? "";
      const field = path ? `${targetName(result.target)}.${path}` : targetName(result.target);
      throw new ApiError(400, "bad_request", `${field}: ${issue?.message ?? "invalid"}`, field);
    },
  });
}

function targetName(target: string): string {
  return target === "param" ? "params" : target === "json" ? "body" : target;
}
