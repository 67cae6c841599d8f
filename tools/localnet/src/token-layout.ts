import { TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import { addressOf } from "./address.js";

/**
 * SPL Token / Token-2022 account layouts, read straight from bytes: the localnet needs owner, mint
 * and amount for every token account a transaction touches (pre/post token balances), which must
 * cost microseconds, not a Borsh/buffer-layout round trip.
 */
const ACCOUNT_LEN = 165;
const MINT_LEN = 82;

export function isTokenProgram(owner: string): boolean {
  return owner === TOKEN_PROGRAM || owner === TOKEN_2022_PROGRAM;
}

export type TokenKind = "account" | "mint" | undefined;

/** Which kind of token-program account these bytes are (Token-2022 marks extended ones at byte 165). */
export function tokenKind(owner: string, data: Uint8Array): TokenKind {
  if (!isTokenProgram(owner)) return undefined;
  if (data.length === ACCOUNT_LEN) return "account";
  if (data.length === MINT_LEN) return "mint";
  if (owner === TOKEN_2022_PROGRAM && data.length > ACCOUNT_LEN) {
    if (data[ACCOUNT_LEN] === 2) return "account";
    if (data[ACCOUNT_LEN] === 1) return "mint";
  }
  return undefined;
}

export interface TokenAccountState {
  mint: string;
  owner: string;
  amount: bigint;
  delegate: string | null;
  state: "uninitialized" | "initialized" | "frozen";
  isNative: bigint | null;
  delegatedAmount: bigint;
  closeAuthority: string | null;
  extensions: string[];
}

export interface MintState {
  mintAuthority: string | null;
  supply: bigint;
  decimals: number;
  isInitialized: boolean;
  freezeAuthority: string | null;
  extensions: string[];
}

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function key(data: Uint8Array, at: number): string {
  return addressOf(data.subarray(at, at + 32));
}

function optionKey(data: Uint8Array, at: number): string | null {
  return view(data).getUint32(at, true) === 1 ? key(data, at + 4) : null;
}

const STATES = ["uninitialized", "initialized", "frozen"] as const;

export function decodeTokenAccount(data: Uint8Array): TokenAccountState {
  const v = view(data);
  return {
    mint: key(data, 0),
    owner: key(data, 32),
    amount: v.getBigUint64(64, true),
    delegate: optionKey(data, 72),
    state: STATES[data[108] ?? 0] ?? "uninitialized",
    isNative: v.getUint32(109, true) === 1 ? v.getBigUint64(113, true) : null,
    delegatedAmount: v.getBigUint64(121, true),
    closeAuthority: optionKey(data, 129),
    extensions: extensionNames(data),
  };
}

/** The raw amount of a token account without decoding the rest (the hot path of token balances). */
export function tokenAccountMintOwnerAmount(data: Uint8Array): { mint: string; owner: string; amount: bigint } {
  return { mint: key(data, 0), owner: key(data, 32), amount: view(data).getBigUint64(64, true) };
}

export function decodeMint(data: Uint8Array): MintState {
  return {
    mintAuthority: optionKey(data, 0),
    supply: view(data).getBigUint64(36, true),
    decimals: data[44] ?? 0,
    isInitialized: data[45] === 1,
    freezeAuthority: optionKey(data, 46),
    extensions: extensionNames(data),
  };
}

// Token-2022 ExtensionType discriminants, named as the validator's jsonParsed output names them.
const EXTENSIONS = [
  "uninitialized",
  "transferFeeConfig",
  "transferFeeAmount",
  "mintCloseAuthority",
  "confidentialTransferMint",
  "confidentialTransferAccount",
  "defaultAccountState",
  "immutableOwner",
  "memoTransfer",
  "nonTransferable",
  "interestBearingConfig",
  "cpiGuard",
  "permanentDelegate",
  "nonTransferableAccount",
  "transferHook",
  "transferHookAccount",
  "confidentialTransferFeeConfig",
  "confidentialTransferFeeAmount",
  "metadataPointer",
  "tokenMetadata",
  "groupPointer",
  "tokenGroup",
  "groupMemberPointer",
  "tokenGroupMember",
  "confidentialMintBurn",
  "scaledUiAmountConfig",
  "pausableConfig",
  "pausableAccount",
];

/** Names of the Token-2022 TLV extensions after the account-type byte (none for plain layouts). */
function extensionNames(data: Uint8Array): string[] {
  if (data.length <= ACCOUNT_LEN + 1) return [];
  const v = view(data);
  const names: string[] = [];
  let at = ACCOUNT_LEN + 1;
  while (at + 4 <= data.length) {
    const type = v.getUint16(at, true);
    const len = v.getUint16(at + 2, true);
    if (type === 0) break;
    names.push(EXTENSIONS[type] ?? `unknown${type}`);
    at += 4 + len;
  }
  return names;
}

/** The validator's `real_number_string_trimmed`: 1500000 with 6 decimals is "1.5". */
export function uiAmountString(amount: bigint, decimals: number): string {
  if (decimals === 0) return amount.toString();
  const digits = amount.toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const frac = digits.slice(digits.length - decimals).replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole;
}

export interface UiTokenAmount {
  amount: string;
  decimals: number;
  uiAmount: number | null;
  uiAmountString: string;
}

/**
 * `zeroAsNull`: transaction token balances come from the ledger's protobuf, which turns a zero
 * `uiAmount` into null; live account reads keep 0. Clients see both on real clusters.
 */
export function uiTokenAmount(amount: bigint, decimals: number, zeroAsNull = false): UiTokenAmount {
  const s = uiAmountString(amount, decimals);
  const ui = Number(s);
  return { amount: amount.toString(), decimals, uiAmount: zeroAsNull && ui === 0 ? null : ui, uiAmountString: s };
}
