import bs58 from "bs58";
import type { WebSocket } from "ws";
import { addressOf } from "./address.js";
import type { Chain } from "./chain.js";
import { accountFlags, decodeTransaction } from "./decode-transaction.js";
import { encodeAccount, type AccountOptions } from "./encode-account.js";
import type { TxRecord } from "./history.js";
import type { Filter } from "./methods/accounts.js";
import { API_VERSION } from "./methods/context.js";

/**
 * Who listens to what, and the notifications. They go out right after a transaction executes;
 * everything is final at once, so every commitment level is notified alike. Slot notifications
 * need a clock of their own: a timer runs only while someone subscribes to slots.
 */
export type Sub = { id: number; ws: WebSocket } & (
  | { kind: "signature"; key: string }
  | { kind: "account"; key: string; opts: AccountOptions }
  | { kind: "program"; key: string; opts: AccountOptions; filters: Filter[] }
  | { kind: "logs"; mentions: string | undefined }
  | { kind: "slot" }
);
type Keyed = "signature" | "account" | "program";
type NewSub = Sub extends infer S ? (S extends Sub ? Omit<S, "id"> : never) : never;

export class Registry {
  private nextId = 1;
  private readonly subs = new Map<number, Sub>();
  private readonly keyed: Record<Keyed, Map<string, Set<number>>> = { signature: new Map(), account: new Map(), program: new Map() };
  private readonly logs = new Set<number>();
  private readonly slots = new Set<number>();
  private slotTimer: NodeJS.Timeout | undefined;
  private lastSlot = -1;

  constructor(
    private readonly chain: Chain,
    private readonly slotMs: number,
  ) {
    chain.onTransaction((record) => this.onTransaction(record));
  }

  add(sub: NewSub): number {
    const id = this.nextId++;
    const full = { ...sub, id } as Sub;
    this.subs.set(id, full);
    if (full.kind === "logs") this.logs.add(id);
    else if (full.kind === "slot") this.watchSlots(id);
    else {
      const index = this.keyed[full.kind];
      let set = index.get(full.key);
      if (!set) index.set(full.key, (set = new Set()));
      set.add(id);
    }
    // A signature that already landed is notified at once, or a late subscriber would wait forever.
    if (full.kind === "signature") {
      const record = this.chain.history.get(full.key);
      if (record) queueMicrotask(() => this.notifySignature(record));
    }
    return id;
  }

  /** Removes a subscription of `ws` of the given kind; false if there is none. */
  remove(id: number, ws?: WebSocket, kind?: Sub["kind"]): boolean {
    const sub = this.subs.get(id);
    if (!sub || (ws && sub.ws !== ws) || (kind && sub.kind !== kind)) return false;
    this.subs.delete(id);
    if (sub.kind === "logs") this.logs.delete(id);
    else if (sub.kind === "slot") {
      this.slots.delete(id);
      if (this.slots.size === 0) this.stopSlots();
    } else {
      const set = this.keyed[sub.kind].get(sub.key);
      set?.delete(id);
      if (set?.size === 0) this.keyed[sub.kind].delete(sub.key);
    }
    return true;
  }

  close(): void {
    this.stopSlots();
  }

  private onTransaction(record: TxRecord): void {
    if (this.keyed.signature.has(record.signature)) this.notifySignature(record);
    const context = { apiVersion: API_VERSION, slot: record.slot };
    for (const id of this.logs) {
      const sub = this.subs.get(id);
      if (sub?.kind !== "logs" || (sub.mentions !== undefined && !record.accountKeys.includes(sub.mentions))) continue;
      const value = { signature: record.signature, err: record.meta.err, logs: record.meta.logMessages };
      send(sub.ws, "logsNotification", id, { context, value });
    }
    if (this.keyed.account.size > 0 || this.keyed.program.size > 0) this.notifyAccounts(record, context);
  }

  private notifySignature(record: TxRecord): void {
    const ids = this.keyed.signature.get(record.signature);
    if (!ids) return;
    const result = { context: { apiVersion: API_VERSION, slot: record.slot }, value: { err: record.meta.err } };
    for (const id of [...ids]) {
      const sub = this.subs.get(id);
      // Signature subscriptions end with their one notification, as on a validator.
      this.remove(id);
      if (sub) send(sub.ws, "signatureNotification", id, result);
    }
  }

  /** Accounts the transaction wrote, to their account subscribers and their owner's program subscribers. */
  private notifyAccounts(record: TxRecord, context: { apiVersion: string; slot: number }): void {
    const flags = accountFlags(decodeTransaction(record.wire).message, record.meta.loadedAddresses);
    record.accountKeys.forEach((key, i) => {
      if (!flags[i]?.writable) return;
      const account = this.chain.inner.getAccount(bs58.decode(key));
      for (const id of this.keyed.account.get(key) ?? []) {
        const sub = this.subs.get(id);
        if (sub?.kind !== "account") continue;
        const value = account
          ? encodeAccount(account, sub.opts)
          : { data: ["", "base64"], executable: false, lamports: 0, owner: "11111111111111111111111111111111", rentEpoch: 0, space: 0 };
        send(sub.ws, "accountNotification", id, { context, value });
      }
      if (!account) return;
      for (const id of this.keyed.program.get(addressOf(account.owner())) ?? []) {
        const sub = this.subs.get(id);
        if (sub?.kind !== "program" || (sub.filters.length > 0 && !sub.filters.every((f) => f(account.data())))) continue;
        send(sub.ws, "programNotification", id, { context, value: { pubkey: key, account: encodeAccount(account, sub.opts) } });
      }
    });
  }

  private watchSlots(id: number): void {
    this.slots.add(id);
    this.slotTimer ??= setInterval(() => {
      const slot = this.chain.producer.tick().slot;
      if (slot === this.lastSlot) return;
      const parent = this.lastSlot < 0 ? slot - 1 : this.lastSlot;
      this.lastSlot = slot;
      for (const sid of this.slots) {
        const sub = this.subs.get(sid);
        if (sub) send(sub.ws, "slotNotification", sid, { parent, root: slot, slot });
      }
    }, this.slotMs);
    this.slotTimer.unref();
  }

  private stopSlots(): void {
    clearInterval(this.slotTimer);
    this.slotTimer = undefined;
    this.lastSlot = -1;
  }
}

function send(ws: WebSocket, method: string, subscription: number, result: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ jsonrpc: "2.0", method, params: { result, subscription } }));
}
