import type { TxErrorJson } from "./tx-error.js";
import type { LoadedAddresses } from "./decode-transaction.js";

/** A token balance as the validator reports it in transaction meta. */
export interface TokenBalance {
  accountIndex: number;
  mint: string;
  owner: string;
  programId: string;
  uiTokenAmount: { amount: string; decimals: number; uiAmount: number | null; uiAmountString: string };
}

export interface CompiledInner {
  programIdIndex: number;
  accounts: number[];
  /** base58, as in the validator's `json` encoding. */
  data: string;
  stackHeight: number;
}

/** Everything the chain learned when executing a transaction: enough to answer any history query. */
export interface TxMeta {
  err: TxErrorJson | null;
  fee: number;
  preBalances: number[];
  postBalances: number[];
  preTokenBalances: TokenBalance[];
  postTokenBalances: TokenBalance[];
  innerInstructions: { index: number; instructions: CompiledInner[] }[];
  logMessages: string[];
  computeUnitsConsumed: number;
  returnData: { programId: string; data: [string, "base64"] } | null;
  loadedAddresses: LoadedAddresses;
}

export interface TxRecord {
  seq: number;
  signature: string;
  slot: number;
  blockTime: number;
  /** Position of the transaction in its block. */
  index: number;
  /** The signed transaction exactly as it was sent. */
  wire: Uint8Array;
  /** Static keys, then loaded writable, then loaded readonly (the validator's account index order). */
  accountKeys: string[];
  memo: string | null;
  meta: TxMeta;
}

/**
 * All executed transactions, in execution order, with the two lookups clients need: by signature
 * and, newest first, by any account a transaction references (getSignaturesForAddress).
 */
export class History {
  private readonly records: TxRecord[] = [];
  private readonly bySignature = new Map<string, TxRecord>();
  private readonly byAddress = new Map<string, number[]>();

  get size(): number {
    return this.records.length;
  }

  nextSeq(): number {
    return this.records.length;
  }

  add(record: TxRecord): void {
    this.records.push(record);
    this.bySignature.set(record.signature, record);
    for (const key of new Set(record.accountKeys)) {
      let list = this.byAddress.get(key);
      if (!list) this.byAddress.set(key, (list = []));
      list.push(record.seq);
    }
  }

  get(signature: string): TxRecord | undefined {
    return this.bySignature.get(signature);
  }

  at(seq: number): TxRecord | undefined {
    return this.records[seq];
  }

  /**
   * Newest first. `before` / `until` are exclusive bounds given as signatures; an unknown `before`
   * yields nothing (as a validator does for a signature it never saw).
   */
  forAddress(address: string, opts: { before?: string; until?: string; limit: number }): TxRecord[] {
    const list = this.byAddress.get(address);
    if (!list) return [];
    let end = list.length; // exclusive
    if (opts.before !== undefined) {
      const b = this.bySignature.get(opts.before);
      if (!b) return [];
      end = lowerBound(list, b.seq);
    }
    let stop = -1;
    if (opts.until !== undefined) {
      const u = this.bySignature.get(opts.until);
      // Entries at positions <= stop are `until` itself or older.
      if (u) stop = lowerBound(list, u.seq + 1) - 1;
    }
    const out: TxRecord[] = [];
    for (let i = end - 1; i > stop && out.length < opts.limit; i--) {
      const r = this.records[list[i]!];
      if (r) out.push(r);
    }
    return out;
  }

  all(): readonly TxRecord[] {
    return this.records;
  }
}

function lowerBound(list: number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
