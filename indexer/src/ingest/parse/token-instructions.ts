/**
 * SPL Token and Token-2022 transfer decoding from raw instruction bytes. Both programs share the
 * instruction numbering for these two (Token-2022 is a superset of Token), so one decoder serves.
 * We decode ourselves rather than ask the RPC for jsonParsed: not every RPC (nor Helius's raw
 * webhook) provides it, and the bytes are the ground truth.
 */
import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import { MalformedInstruction } from "../../errors.js";

const TRANSFER = 3;
const TRANSFER_CHECKED = 12;

export type TokenTransfer =
  | { kind: "transfer"; amount: bigint; source: number; destination: number; authority: number }
  | { kind: "transferChecked"; amount: bigint; decimals: number; source: number; mint: number; destination: number; authority: number };

export function isTokenProgram(programId: string): boolean {
  return programId === TOKEN_PROGRAM || programId === TOKEN_2022_PROGRAM;
}

/** Little-endian u64 from two u32 halves: one BigInt conversion below 2^53, not eight shifts. */
function readU64(data: Uint8Array, at: number): bigint {
  const lo = (data[at]! | (data[at + 1]! << 8) | (data[at + 2]! << 16) | (data[at + 3]! << 24)) >>> 0;
  const hi = (data[at + 4]! | (data[at + 5]! << 8) | (data[at + 6]! << 16) | (data[at + 7]! << 24)) >>> 0;
  return hi < 0x200000 ? BigInt(hi * 0x1_0000_0000 + lo) : (BigInt(hi) << 32n) | BigInt(lo);
}

/**
 * Decode a token-program instruction if it is transfer or transferChecked; other instructions (and
 * extensions like TransferCheckedWithFee) give `null`. `accounts` are indexes into the key list.
 * Throws MalformedInstruction when the discriminator says transfer but the bytes cannot be one:
 * the program itself would have refused it, so such a transaction is worth a human look.
 */
export function decodeTokenTransfer(data: Uint8Array, accounts: readonly number[]): TokenTransfer | null {
  const tag = data[0];
  if (tag === TRANSFER) {
    if (data.length !== 9) throw new MalformedInstruction(`transfer data is ${data.length} bytes, expected 9`);
    if (accounts.length < 3) throw new MalformedInstruction(`transfer has ${accounts.length} accounts, expected >= 3`);
    return { kind: "transfer", amount: readU64(data, 1), source: accounts[0]!, destination: accounts[1]!, authority: accounts[2]! };
  }
  if (tag === TRANSFER_CHECKED) {
    if (data.length !== 10) throw new MalformedInstruction(`transferChecked data is ${data.length} bytes, expected 10`);
    if (accounts.length < 4) throw new MalformedInstruction(`transferChecked has ${accounts.length} accounts, expected >= 4`);
    return {
      kind: "transferChecked",
      amount: readU64(data, 1),
      decimals: data[9]!,
      source: accounts[0]!,
      mint: accounts[1]!,
      destination: accounts[2]!,
      authority: accounts[3]!,
    };
  }
  return null;
}
