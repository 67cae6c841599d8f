import bs58 from "bs58";
import { invalidParams } from "./rpc-error.js";

/**
 * Validation of JSON-RPC positional params. Each helper throws -32602 naming the parameter, the way
 * a validator rejects a malformed request instead of failing deep inside a handler.
 */
export type Params = readonly unknown[];

export function paramList(raw: unknown): Params {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalidParams("params must be an array");
  return raw;
}

export function str(params: Params, i: number, name: string): string {
  const v = params[i];
  if (typeof v !== "string") throw invalidParams(`${name} must be a string`);
  return v;
}

/** A base58 32-byte address; returns it unchanged and its bytes. */
export function pubkey(params: Params, i: number, name = "pubkey"): { key: string; bytes: Uint8Array } {
  const key = str(params, i, name);
  return { key, bytes: pubkeyBytes(key, name) };
}

export function pubkeyBytes(key: string, name = "pubkey"): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = bs58.decode(key);
  } catch {
    throw invalidParams(`${name} is not valid base58: ${key}`);
  }
  if (bytes.length !== 32) throw invalidParams(`${name} is not a 32-byte address: ${key}`);
  return bytes;
}

/** The optional trailing config object (commitment, encoding, ...). */
export function config(params: Params, i: number): Record<string, unknown> {
  const v = params[i];
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" || Array.isArray(v)) throw invalidParams(`param ${i} must be a config object`);
  return v as Record<string, unknown>;
}

export function optInt(cfg: Record<string, unknown>, name: string): number | undefined {
  const v = cfg[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw invalidParams(`${name} must be a non-negative integer`);
  return v;
}

export function int(params: Params, i: number, name: string): number {
  const v = params[i];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) throw invalidParams(`${name} must be a non-negative integer`);
  return v;
}

export function optStr(cfg: Record<string, unknown>, name: string): string | undefined {
  const v = cfg[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw invalidParams(`${name} must be a string`);
  return v;
}

/** Decodes a transaction or message sent as base64 (web3.js' choice) or base58 (the RPC default). */
export function wireBytes(data: string, encoding: string | undefined): Uint8Array {
  if (encoding === undefined || encoding === "base58") {
    try {
      return bs58.decode(data);
    } catch {
      throw invalidParams("invalid base58 encoding");
    }
  }
  if (encoding === "base64") return new Uint8Array(Buffer.from(data, "base64"));
  throw invalidParams(`unsupported encoding: ${encoding}. Supported encodings: base58, base64`);
}

/** Solana's packet limit: a transaction must fit one 1232-byte packet (PACKET_DATA_SIZE). */
export const MAX_TRANSACTION_BYTES = 1232;
const MAX_ENCODED = { base58: 1683, base64: 1644 } as const;

/**
 * A transaction from sendTransaction/simulateTransaction, refused above the packet limit with the
 * validator's message: a transaction that fits here but not on a cluster would be a trap.
 */
export function transactionBytes(data: string, encoding: string | undefined): Uint8Array {
  const enc = encoding === "base64" ? "base64" : "base58";
  const bytes = wireBytes(data, encoding);
  if (data.length > MAX_ENCODED[enc] || bytes.length > MAX_TRANSACTION_BYTES) {
    throw invalidParams(
      `${enc} encoded solana_transaction::versioned::VersionedTransaction too large: ${data.length} bytes (max: encoded/raw ${MAX_ENCODED[enc]}/${MAX_TRANSACTION_BYTES})`,
    );
  }
  return bytes;
}
