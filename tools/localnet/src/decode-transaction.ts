import bs58 from "bs58";
import { addressOf } from "./address.js";
import { invalidParams } from "./rpc-error.js";
import { decodeMessage, splitTransaction, type Message } from "./wire.js";

/** What the localnet needs from a signed wire transaction, decoded once on arrival. */
export interface DecodedTransaction {
  wire: Uint8Array;
  message: Message;
  signature: string;
  signatures: string[];
  version: "legacy" | 0;
  staticKeys: string[];
  recentBlockhash: string;
}

export function decodeTransaction(wire: Uint8Array): DecodedTransaction {
  const { signatures, message: bytes } = splitTransaction(wire);
  if (signatures.length === 0) throw invalidParams("transaction has no signatures");
  const message = decodeMessage(bytes);
  const encoded = signatures.map((s) => bs58.encode(s));
  return {
    wire,
    message,
    signature: encoded[0]!,
    signatures: encoded,
    version: message.version,
    staticKeys: message.staticKeys,
    recentBlockhash: message.recentBlockhash,
  };
}

export interface LoadedAddresses {
  writable: string[];
  readonly: string[];
}

// AddressLookupTable state: 56-byte header (type, deactivation slot, last extended slot, start
// index, authority option, padding), then 32-byte addresses.
const LOOKUP_TABLE_META_SIZE = 56;

/**
 * Resolves a v0 message's table lookups against current state. Returns undefined when a table is
 * missing or an index is out of range: litesvm then rejects the transaction with the precise error.
 */
export function resolveLookups(message: Message, readData: (address: string) => Uint8Array | undefined): LoadedAddresses | undefined {
  const loaded: LoadedAddresses = { writable: [], readonly: [] };
  for (const lookup of message.lookups) {
    const data = readData(lookup.accountKey);
    if (!data || data.length < LOOKUP_TABLE_META_SIZE) return undefined;
    const count = Math.floor((data.length - LOOKUP_TABLE_META_SIZE) / 32);
    const at = (i: number): string | undefined =>
      i < count ? addressOf(data.subarray(LOOKUP_TABLE_META_SIZE + i * 32, LOOKUP_TABLE_META_SIZE + (i + 1) * 32)) : undefined;
    for (const [indexes, into] of [
      [lookup.writableIndexes, loaded.writable],
      [lookup.readonlyIndexes, loaded.readonly],
    ] as const) {
      for (const i of indexes) {
        const k = at(i);
        if (!k) return undefined;
        into.push(k);
      }
    }
  }
  return loaded;
}

/** Signer/writable flags of every account key (static keys first, then loaded writable, readonly). */
export function accountFlags(message: Message, loaded: LoadedAddresses | undefined): { signer: boolean; writable: boolean }[] {
  const h = message.header;
  const n = message.staticKeys.length;
  const flags: { signer: boolean; writable: boolean }[] = [];
  for (let i = 0; i < n; i++) {
    const signer = i < h.numRequiredSignatures;
    const writable = signer ? i < h.numRequiredSignatures - h.numReadonlySignedAccounts : i < n - h.numReadonlyUnsignedAccounts;
    flags.push({ signer, writable });
  }
  for (const _ of loaded?.writable ?? []) flags.push({ signer: false, writable: true });
  for (const _ of loaded?.readonly ?? []) flags.push({ signer: false, writable: false });
  return flags;
}
