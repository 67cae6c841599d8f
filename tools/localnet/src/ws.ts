import type { WebSocket } from "ws";
import type { Chain } from "./chain.js";
import { optionsFor, parseFilters } from "./methods/accounts.js";
import { config, paramList, pubkey, str, type Params } from "./params.js";
import { errorResponse } from "./rpc.js";
import { RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RPC_PARSE_ERROR, RpcError, invalidParams } from "./rpc-error.js";
import { Registry, type Sub } from "./subscriptions.js";

/**
 * The PubSub side of the RPC, per WebSocket: signatureSubscribe (what web3.js' confirmTransaction
 * waits on), accountSubscribe, programSubscribe, logsSubscribe and slotSubscribe, with their
 * unsubscribes. A socket's subscriptions end with it.
 */
export class Subscriptions {
  private readonly registry: Registry;

  constructor(
    private readonly chain: Chain,
    private readonly log: (line: string) => void,
    slotMs: number,
  ) {
    this.registry = new Registry(chain, slotMs);
  }

  attach(ws: WebSocket): void {
    const mine = new Set<number>();
    ws.on("message", (raw) => {
      let req: { id?: unknown; method?: unknown; params?: unknown };
      try {
        req = JSON.parse(String(raw));
      } catch {
        return reply(ws, errorResponse(null, new RpcError(RPC_PARSE_ERROR, "Parse error"), this.log));
      }
      const id = (req.id ?? null) as string | number | null;
      if (typeof req.method !== "string")
        return reply(ws, errorResponse(id, new RpcError(RPC_INVALID_REQUEST, "Invalid request"), this.log));
      if (!("id" in req)) return; // notifications, e.g. web3.js' keep-alive "ping"
      try {
        reply(ws, { jsonrpc: "2.0", id, result: this.call(req.method, paramList(req.params), ws, mine) });
      } catch (err) {
        reply(ws, errorResponse(id, err, this.log));
      }
    });
    ws.on("close", () => {
      for (const id of mine) this.registry.remove(id);
    });
  }

  close(): void {
    this.registry.close();
  }

  private call(method: string, params: Params, ws: WebSocket, mine: Set<number>): unknown {
    const unsubscribe = /^(signature|account|program|logs|slot)Unsubscribe$/.exec(method);
    if (unsubscribe) {
      const id = params[0];
      if (typeof id !== "number") throw invalidParams("subscription id must be a number");
      mine.delete(id);
      return this.registry.remove(id, ws, unsubscribe[1] as Sub["kind"]);
    }
    const id = this.registry.add(this.subscription(method, params, ws));
    mine.add(id);
    return id;
  }

  private subscription(method: string, params: Params, ws: WebSocket) {
    const opts = () => optionsFor(this.chain, { encoding: "base64", ...config(params, 1) });
    switch (method) {
      case "signatureSubscribe":
        return { kind: "signature" as const, ws, key: str(params, 0, "signature") };
      case "accountSubscribe":
        return { kind: "account" as const, ws, key: pubkey(params, 0).key, opts: opts() };
      case "programSubscribe":
        return {
          kind: "program" as const,
          ws,
          key: pubkey(params, 0, "program id").key,
          opts: opts(),
          filters: parseFilters(config(params, 1).filters),
        };
      case "logsSubscribe": {
        const filter = params[0];
        if (filter === "all" || filter === "allWithVotes") return { kind: "logs" as const, ws, mentions: undefined };
        const mentions = (filter as { mentions?: unknown } | null)?.mentions;
        if (Array.isArray(mentions) && mentions.length === 1)
          return { kind: "logs" as const, ws, mentions: pubkey(mentions, 0, "mentions").key };
        throw invalidParams('logsSubscribe filter must be "all", "allWithVotes" or { mentions: [one address] }');
      }
      case "slotSubscribe":
        return { kind: "slot" as const, ws };
      default:
        throw new RpcError(RPC_METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
  }
}

function reply(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
