import bs58 from "bs58";
import type { WebSocket } from "ws";
import type { Chain } from "./chain.js";
import { decodeTransaction, accountFlags } from "./decode-transaction.js";
import { encodeAccount, type AccountOptions } from "./encode-account.js";
import type { TxRecord } from "./history.js";
import { optionsFor } from "./methods/accounts.js";
import { API_VERSION } from "./methods/context.js";
import { config, paramList, pubkey, str, type Params } from "./params.js";
import { errorResponse } from "./rpc.js";
import { RPC_INVALID_REQUEST, RPC_METHOD_NOT_FOUND, RpcError, invalidParams } from "./rpc-error.js";

/**
 * The PubSub side of the RPC: signatureSubscribe (what web3.js' confirmTransaction waits on),
 * accountSubscribe and logsSubscribe, with their unsubscribes. Notifications go out right after a
 * transaction executes; everything is final at once, so every commitment level is notified alike.
 */
type Sub =
  | { kind: "signature"; id: number; ws: WebSocket; signature: string }
  | { kind: "account"; id: number; ws: WebSocket; address: string; opts: AccountOptions }
  | { kind: "logs"; id: number; ws: WebSocket; mentions: string | undefined };

export class Subscriptions {
  private nextId = 1;
  private readonly subs = new Map<number, Sub>();
  private readonly bySignature = new Map<string, Set<number>>();
  private readonly byAccount = new Map<string, Set<number>>();
  private readonly logs = new Set<number>();

  constructor(private readonly chain: Chain, private readonly log: (line: string) => void) {
    chain.onTransaction((record) => this.notify(record));
  }

  attach(ws: WebSocket): void {
    const mine = new Set<number>();
    ws.on("message", (raw) => {
      let req: { id?: unknown; method?: unknown; params?: unknown };
      try {
        req = JSON.parse(String(raw));
      } catch {
        return send(ws, errorResponse(null, new RpcError(-32700, "Parse error"), this.log));
      }
      const id = (req.id ?? null) as string | number | null;
      if (typeof req.method !== "string") return send(ws, errorResponse(id, new RpcError(RPC_INVALID_REQUEST, "Invalid request"), this.log));
      if (!("id" in req)) return; // notifications, e.g. web3.js' keep-alive "ping"
      try {
        const result = this.call(req.method, paramList(req.params), ws, mine);
        send(ws, { jsonrpc: "2.0", id, result });
        if (req.method === "signatureSubscribe") this.notifyIfDone(result as number);
      } catch (err) {
        send(ws, errorResponse(id, err, this.log));
      }
    });
    ws.on("close", () => {
      for (const id of mine) this.remove(id);
    });
  }

  private call(method: string, params: Params, ws: WebSocket, mine: Set<number>): unknown {
    switch (method) {
      case "signatureSubscribe": {
        const signature = str(params, 0, "signature");
        return this.add({ kind: "signature", id: 0, ws, signature }, this.bySignature, signature, mine);
      }
      case "accountSubscribe": {
        const { key } = pubkey(params, 0);
        const opts = optionsFor(this.chain, { encoding: "base64", ...config(params, 1) });
        return this.add({ kind: "account", id: 0, ws, address: key, opts }, this.byAccount, key, mine);
      }
      case "logsSubscribe": {
        const filter = params[0];
        let mentions: string | undefined;
        if (filter && typeof filter === "object" && Array.isArray((filter as { mentions?: unknown }).mentions)) {
          mentions = pubkey((filter as { mentions: unknown[] }).mentions, 0, "mentions").key;
        } else if (filter !== "all" && filter !== "allWithVotes") {
          throw invalidParams('logsSubscribe filter must be "all", "allWithVotes" or { mentions: [address] }');
        }
        const id = this.nextId++;
        this.subs.set(id, { kind: "logs", id, ws, mentions });
        this.logs.add(id);
        mine.add(id);
        return id;
      }
      case "signatureUnsubscribe":
      case "accountUnsubscribe":
      case "logsUnsubscribe": {
        const id = params[0];
        if (typeof id !== "number") throw invalidParams("subscription id must be a number");
        const known = this.subs.get(id)?.ws === ws;
        if (known) this.remove(id);
        mine.delete(id);
        return known;
      }
      default:
        throw new RpcError(RPC_METHOD_NOT_FOUND, `Method not found: ${method}`);
    }
  }

  private add(sub: Sub, index: Map<string, Set<number>>, key: string, mine: Set<number>): number {
    const id = this.nextId++;
    this.subs.set(id, { ...sub, id });
    let set = index.get(key);
    if (!set) index.set(key, (set = new Set()));
    set.add(id);
    mine.add(id);
    return id;
  }

  private remove(id: number): void {
    const sub = this.subs.get(id);
    if (!sub) return;
    this.subs.delete(id);
    if (sub.kind === "signature") dropFrom(this.bySignature, sub.signature, id);
    else if (sub.kind === "account") dropFrom(this.byAccount, sub.address, id);
    else this.logs.delete(id);
  }

  /** A signature that already landed is notified at once, or a late subscriber would wait forever. */
  private notifyIfDone(id: number): void {
    const sub = this.subs.get(id);
    if (sub?.kind !== "signature") return;
    const record = this.chain.history.get(sub.signature);
    if (record) this.notifySignature(record);
  }

  private notify(record: TxRecord): void {
    if (this.bySignature.has(record.signature)) this.notifySignature(record);
    const context = { apiVersion: API_VERSION, slot: record.slot };
    for (const id of this.logs) {
      const sub = this.subs.get(id);
      if (sub?.kind !== "logs" || (sub.mentions !== undefined && !record.accountKeys.includes(sub.mentions))) continue;
      const value = { signature: record.signature, err: record.meta.err, logs: record.meta.logMessages };
      send(sub.ws, { jsonrpc: "2.0", method: "logsNotification", params: { result: { context, value }, subscription: id } });
    }
    if (this.byAccount.size > 0) this.notifyAccounts(record, context);
  }

  private notifySignature(record: TxRecord): void {
    const ids = this.bySignature.get(record.signature);
    if (!ids) return;
    const result = { context: { apiVersion: API_VERSION, slot: record.slot }, value: { err: record.meta.err } };
    for (const id of [...ids]) {
      const sub = this.subs.get(id);
      // Signature subscriptions end with their one notification, as on a validator.
      this.remove(id);
      if (sub) send(sub.ws, { jsonrpc: "2.0", method: "signatureNotification", params: { result, subscription: id } });
    }
  }

  private notifyAccounts(record: TxRecord, context: { apiVersion: string; slot: number }): void {
    const hit = record.accountKeys.some((k) => this.byAccount.has(k));
    if (!hit) return;
    const flags = accountFlags(decodeTransaction(record.wire).message, record.meta.loadedAddresses);
    record.accountKeys.forEach((key, i) => {
      const ids = this.byAccount.get(key);
      if (!ids || !flags[i]?.writable) return;
      const account = this.chain.inner.getAccount(bs58.decode(key));
      for (const id of ids) {
        const sub = this.subs.get(id);
        if (sub?.kind !== "account") continue;
        const value = account ? encodeAccount(account, sub.opts) : { data: ["", "base64"], executable: false, lamports: 0, owner: "11111111111111111111111111111111", rentEpoch: 0, space: 0 };
        send(sub.ws, { jsonrpc: "2.0", method: "accountNotification", params: { result: { context, value }, subscription: id } });
      }
    });
  }
}

function dropFrom(index: Map<string, Set<number>>, key: string, id: number): void {
  const set = index.get(key);
  set?.delete(id);
  if (set && set.size === 0) index.delete(key);
}

function send(ws: WebSocket, message: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
}
