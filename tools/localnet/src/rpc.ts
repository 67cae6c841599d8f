import type { Chain } from "./chain.js";
import type { Methods } from "./methods/index.js";
import { paramList } from "./params.js";
import { RPC_INTERNAL_ERROR, RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RPC_PARSE_ERROR, RpcError } from "./rpc-error.js";

/**
 * JSON-RPC 2.0 over one request body: single requests, batches (arrays), notifications (no id: no
 * reply), and the standard error codes. Handlers are synchronous: litesvm runs in this thread, so
 * requests are naturally serialized and need no locking.
 */
type Id = string | number | null;
type Response =
  | { jsonrpc: "2.0"; id: Id; result: unknown }
  | { jsonrpc: "2.0"; id: Id; error: { code: number; message: string; data?: unknown } };

export function errorResponse(id: Id, err: unknown, log: (line: string) => void): Response {
  if (err instanceof RpcError) {
    const error =
      err.data === undefined ? { code: err.code, message: err.message } : { code: err.code, message: err.message, data: err.data };
    return { jsonrpc: "2.0", id, error };
  }
  log(`internal error: ${(err as Error)?.stack ?? String(err)}`);
  return { jsonrpc: "2.0", id, error: { code: RPC_INTERNAL_ERROR, message: `Internal error: ${(err as Error)?.message ?? String(err)}` } };
}

function validId(id: unknown): id is Id {
  return id === null || typeof id === "string" || typeof id === "number";
}

export function handleRequest(req: unknown, methods: Methods, chain: Chain, log: (line: string) => void): Response | undefined {
  const r = req as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown } | null;
  if (
    typeof r !== "object" ||
    r === null ||
    Array.isArray(r) ||
    r.jsonrpc !== "2.0" ||
    typeof r.method !== "string" ||
    !validId(r.id ?? null)
  ) {
    const id = r && typeof r === "object" && validId(r.id) ? r.id : null;
    return errorResponse(id, new RpcError(RPC_INVALID_REQUEST, "Invalid request"), log);
  }
  const id = (r.id ?? null) as Id;
  const notification = !("id" in r);
  const handler = Object.hasOwn(methods, r.method) ? methods[r.method] : undefined;
  let response: Response;
  if (!handler) {
    response = errorResponse(id, new RpcError(RPC_METHOD_NOT_FOUND, `Method not found: ${r.method}`), log);
  } else {
    try {
      response = { jsonrpc: "2.0", id, result: handler(paramList(r.params), chain) };
    } catch (err) {
      response = errorResponse(id, err, log);
    }
  }
  return notification ? undefined : response;
}

/** Handles a whole HTTP body; returns the JSON text to send, or undefined for nothing (notifications). */
export function handleBody(body: string, methods: Methods, chain: Chain, log: (line: string) => void): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return JSON.stringify(errorResponse(null, new RpcError(RPC_PARSE_ERROR, "Parse error"), log));
  }
  if (Array.isArray(parsed)) {
    if (parsed.length === 0) return JSON.stringify(errorResponse(null, new RpcError(RPC_INVALID_REQUEST, "Invalid request"), log));
    const out = parsed.map((req) => handleRequest(req, methods, chain, log)).filter((x) => x !== undefined);
    return out.length > 0 ? JSON.stringify(out) : undefined;
  }
  const single = handleRequest(parsed, methods, chain, log);
  return single ? JSON.stringify(single) : undefined;
}
