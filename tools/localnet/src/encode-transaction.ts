import bs58 from "bs58";
import { accountFlags, decodeTransaction, type DecodedTransaction } from "./decode-transaction.js";
import type { TxMeta, TxRecord } from "./history.js";
import { parseInstruction } from "./parse-instruction.js";
import { RPC_UNSUPPORTED_TRANSACTION_VERSION, RpcError, invalidParams } from "./rpc-error.js";

/**
 * Renders a recorded transaction in the encodings of getTransaction/getBlock: `json` (compiled
 * instructions, base58 data), `jsonParsed` (annotated keys, parsed instructions), `base64`/`base58`
 * (the wire bytes). Rendering happens on read, so history keeps only wire bytes and metadata.
 */
export type TxEncoding = "json" | "jsonParsed" | "base64" | "base58";

export function txEncoding(value: unknown): TxEncoding {
  if (value === undefined || value === null) return "json";
  if (value === "json" || value === "jsonParsed" || value === "base64" || value === "base58") return value;
  throw invalidParams(`unsupported transaction encoding: ${String(value)}`);
}

/** A v0 transaction is only served to clients that declared they can read it, as validators do. */
export function checkVersion(record: TxRecord, maxSupportedTransactionVersion: unknown): "legacy" | 0 | undefined {
  const version = (record.wire[1 + 64 * (record.wire[0] ?? 0)] ?? 0) & 0x80 ? 0 : "legacy";
  if (maxSupportedTransactionVersion === undefined || maxSupportedTransactionVersion === null) {
    if (version === 0) {
      throw new RpcError(
        RPC_UNSUPPORTED_TRANSACTION_VERSION,
        'Transaction version (0) is not supported by the requesting client. Please try the request again with the following configuration parameter: "maxSupportedTransactionVersion": 0',
      );
    }
    return undefined;
  }
  return version;
}

export function encodeTransactionWithMeta(record: TxRecord, encoding: TxEncoding, version: "legacy" | 0 | undefined) {
  const out: Record<string, unknown> = {
    transaction: encodeTransaction(record, encoding),
    meta: encoding === "jsonParsed" ? parsedMeta(record) : jsonMeta(record.meta),
  };
  if (version !== undefined) out.version = version;
  return out;
}

/** getTransaction's result. */
export function encodeConfirmed(record: TxRecord, encoding: TxEncoding, version: "legacy" | 0 | undefined) {
  return { slot: record.slot, blockTime: record.blockTime, ...encodeTransactionWithMeta(record, encoding, version) };
}

function encodeTransaction(record: TxRecord, encoding: TxEncoding): unknown {
  if (encoding === "base64") return [Buffer.from(record.wire).toString("base64"), "base64"];
  if (encoding === "base58") return [bs58.encode(record.wire), "base58"];
  const tx = decodeTransaction(record.wire);
  const m = tx.message;
  const lookups =
    tx.version === 0
      ? {
          addressTableLookups: m.lookups,
        }
      : {};
  if (encoding === "json") {
    return {
      signatures: tx.signatures,
      message: {
        accountKeys: tx.staticKeys,
        header: m.header,
        recentBlockhash: m.recentBlockhash,
        instructions: m.instructions.map((ix) => ({
          programIdIndex: ix.programIdIndex,
          accounts: ix.accounts,
          data: bs58.encode(ix.data),
          stackHeight: null,
        })),
        ...lookups,
      },
    };
  }
  const keys = record.accountKeys;
  return {
    signatures: tx.signatures,
    message: {
      accountKeys: annotatedKeys(record, tx),
      instructions: m.instructions.map((ix) =>
        parseInstruction(
          keys[ix.programIdIndex] ?? "",
          ix.accounts.map((i) => keys[i] ?? ""),
          ix.data,
          null,
        ),
      ),
      recentBlockhash: m.recentBlockhash,
      ...lookups,
    },
  };
}

/** The `jsonParsed` / `accounts` form of account keys: each with signer, writable and where it came from. */
export function annotatedKeys(record: TxRecord, tx: DecodedTransaction) {
  const flags = accountFlags(tx.message, record.meta.loadedAddresses);
  return record.accountKeys.map((pubkey, i) => ({
    pubkey,
    signer: flags[i]?.signer ?? false,
    source: i < tx.staticKeys.length ? "transaction" : "lookupTable",
    writable: flags[i]?.writable ?? false,
  }));
}

function jsonMeta(meta: TxMeta) {
  const { returnData, ...rest } = meta;
  return {
    ...rest,
    status: meta.err === null ? { Ok: null } : { Err: meta.err },
    rewards: [],
    ...(returnData ? { returnData } : {}),
  };
}

function parsedMeta(record: TxRecord) {
  const { loadedAddresses: _loaded, ...meta } = jsonMeta(record.meta);
  const keys = record.accountKeys;
  return {
    ...meta,
    innerInstructions: record.meta.innerInstructions.map((group) => ({
      index: group.index,
      instructions: group.instructions.map((ix) =>
        parseInstruction(
          keys[ix.programIdIndex] ?? "",
          ix.accounts.map((i) => keys[i] ?? ""),
          bs58.decode(ix.data),
          ix.stackHeight,
        ),
      ),
    })),
  };
}
