import type { Chain } from "../chain.js";
import type { Params } from "../params.js";

/** A JSON-RPC method: positional params in, JSON-serializable result out (or a thrown RpcError). */
export type Handler = (params: Params, chain: Chain) => unknown;
export type Methods = Record<string, Handler>;

/** Reported as the node's RPC API version, in every `context` and in getVersion. */
export const API_VERSION = "2.3.0";

/** The `{ context, value }` envelope of RpcResponse methods, at the open block's slot. */
export function withContext<T>(chain: Chain, value: T): { context: { apiVersion: string; slot: number }; value: T } {
  return { context: { apiVersion: API_VERSION, slot: chain.producer.tick().slot }, value };
}
