import { addressOf } from "./address.js";
import { invalidParams } from "./rpc-error.js";

/**
 * The Solana wire format (legacy and v0 messages), decoded by hand: importing @solana/web3.js
 * alone would break the localnet's start-up budget (docs/performance-history.md), and the format
 * is small.
 */
export interface MessageHeader {
  numRequiredSignatures: number;
  numReadonlySignedAccounts: number;
  numReadonlyUnsignedAccounts: number;
}

export interface CompiledInstruction {
  programIdIndex: number;
  accounts: number[];
  data: Uint8Array;
}

export interface AddressTableLookup {
  accountKey: string;
  writableIndexes: number[];
  readonlyIndexes: number[];
}

export interface Message {
  version: "legacy" | 0;
  header: MessageHeader;
  staticKeys: string[];
  staticKeyBytes: Uint8Array[];
  recentBlockhash: string;
  instructions: CompiledInstruction[];
  lookups: AddressTableLookup[];
}

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}

  u8(): number {
    if (this.at >= this.bytes.length) throw invalidParams("transaction or message is truncated");
    return this.bytes[this.at++]!;
  }

  /** Solana's compact-u16 (shortvec) length prefix. */
  shortVec(): number {
    let value = 0;
    for (let shift = 0; shift < 21; shift += 7) {
      const b = this.u8();
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value;
    }
    throw invalidParams("invalid compact-u16 length");
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw invalidParams("transaction or message is truncated");
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  indexes(): number[] {
    return Array.from(this.take(this.shortVec()));
  }

  get rest(): number {
    return this.bytes.length - this.at;
  }
}

export function decodeMessage(bytes: Uint8Array): Message {
  const r = new Reader(bytes);
  const first = r.u8();
  let version: "legacy" | 0 = "legacy";
  let numRequiredSignatures = first;
  if (first & 0x80) {
    if ((first & 0x7f) !== 0) throw invalidParams(`unsupported transaction version ${first & 0x7f}`);
    version = 0;
    numRequiredSignatures = r.u8();
  }
  const header = { numRequiredSignatures, numReadonlySignedAccounts: r.u8(), numReadonlyUnsignedAccounts: r.u8() };
  const staticKeyBytes: Uint8Array[] = [];
  for (let i = r.shortVec(); i > 0; i--) staticKeyBytes.push(r.take(32));
  const recentBlockhash = addressOf(r.take(32));
  const instructions: CompiledInstruction[] = [];
  for (let i = r.shortVec(); i > 0; i--) {
    const programIdIndex = r.u8();
    const accounts = r.indexes();
    instructions.push({ programIdIndex, accounts, data: r.take(r.shortVec()) });
  }
  const lookups: AddressTableLookup[] = [];
  if (version === 0) {
    for (let i = r.shortVec(); i > 0; i--) {
      lookups.push({ accountKey: addressOf(r.take(32)), writableIndexes: r.indexes(), readonlyIndexes: r.indexes() });
    }
  }
  if (r.rest !== 0) throw invalidParams("trailing bytes after message");
  return { version, header, staticKeys: staticKeyBytes.map(addressOf), staticKeyBytes, recentBlockhash, instructions, lookups };
}

/** Splits a signed transaction into its signatures and message. */
export function splitTransaction(wire: Uint8Array): { signatures: Uint8Array[]; message: Uint8Array } {
  const r = new Reader(wire);
  const signatures: Uint8Array[] = [];
  for (let i = r.shortVec(); i > 0; i--) signatures.push(r.take(64));
  return { signatures, message: wire.subarray(r.at) };
}

export function shortVec(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>>= 7;
    if (n === 0) return [...out, b];
    out.push(b | 0x80);
  }
}
