import { MEMO_PROGRAMS, TOKEN_2022_PROGRAM, TOKEN_PROGRAM } from "@merit/clients/programs";
import bs58 from "bs58";
import { uiTokenAmount } from "./token-layout.js";

/**
 * The `jsonParsed` form of instructions for the programs merit's clients read through it (System,
 * SPL Token and Token-2022, Memo, Associated Token Account), with the validator's field names.
 * Anything else, or anything that does not decode, stays raw (programId, accounts, base58 data),
 * which is also what a validator returns for programs it cannot parse.
 */
export type ParsedIx =
  | { program: string; programId: string; parsed: unknown; stackHeight: number | null }
  | { programId: string; accounts: string[]; data: string; stackHeight: number | null };

const SYSTEM = "11111111111111111111111111111111";
/** SPL Memo v3 and v1. */

const ATA = "ATokenGPvbdGVxr1b2hvZbsiqW5xWH25efTNsLJA8knL";

export function parseInstruction(programId: string, accounts: string[], data: Uint8Array, stackHeight: number | null): ParsedIx {
  let parsed: { program: string; parsed: unknown } | undefined;
  try {
    if (programId === TOKEN_PROGRAM || programId === TOKEN_2022_PROGRAM) parsed = token(accounts, data);
    else if (programId === SYSTEM) parsed = system(accounts, data);
    else if (MEMO_PROGRAMS.has(programId)) parsed = { program: "spl-memo", parsed: new TextDecoder("utf-8", { fatal: true }).decode(data) };
    else if (programId === ATA) parsed = ata(accounts, data);
  } catch {
    parsed = undefined; // short or malformed data: show it raw rather than guess
  }
  if (parsed) return { ...parsed, programId, stackHeight };
  return { programId, accounts, data: bs58.encode(data), stackHeight };
}

function reader(data: Uint8Array) {
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    u8: (at: number) => v.getUint8(at),
    u32: (at: number) => v.getUint32(at, true),
    u64: (at: number) => v.getBigUint64(at, true),
    key: (at: number) => {
      if (at + 32 > data.length) throw new RangeError("short key");
      return bs58.encode(data.subarray(at, at + 32));
    },
  };
}

function need(accounts: string[], n: number): void {
  if (accounts.length < n) throw new RangeError("not enough accounts");
}

function token(a: string[], data: Uint8Array): { program: string; parsed: unknown } | undefined {
  const r = reader(data);
  const tag = r.u8(0);
  const info = (type: string, fields: Record<string, unknown>) => ({ program: "spl-token", parsed: { info: fields, type } });
  // A multisig authority is followed by its signers; the validator then says multisigX and lists them.
  const signed = (type: string, fields: Record<string, unknown>, authority: string, at: number) => {
    need(a, at + 1);
    if (a.length > at + 1) {
      delete fields[authority];
      fields[`multisig${authority[0]!.toUpperCase()}${authority.slice(1)}`] = a[at];
      fields.signers = a.slice(at + 1);
    }
    return info(type, fields);
  };
  const amount = () => r.u64(1).toString();
  const checked = () => uiTokenAmount(r.u64(1), r.u8(9));
  const mintInfo = (withRent: boolean) => {
    need(a, withRent ? 2 : 1);
    const fields: Record<string, unknown> = { mint: a[0], decimals: r.u8(1), mintAuthority: r.key(2) };
    if (r.u8(34) === 1) fields.freezeAuthority = r.key(35);
    if (withRent) fields.rentSysvar = a[1];
    return fields;
  };
  switch (tag) {
    case 0:
      return info("initializeMint", mintInfo(true));
    case 1:
      need(a, 4);
      return info("initializeAccount", { account: a[0], mint: a[1], owner: a[2], rentSysvar: a[3] });
    case 3:
      return signed("transfer", { source: a[0], destination: a[1], authority: a[2], amount: amount() }, "authority", 2);
    case 4:
      return signed("approve", { source: a[0], delegate: a[1], owner: a[2], amount: amount() }, "owner", 2);
    case 5:
      return signed("revoke", { source: a[0], owner: a[1] }, "owner", 1);
    case 7:
      return signed("mintTo", { mint: a[0], account: a[1], mintAuthority: a[2], amount: amount() }, "mintAuthority", 2);
    case 8:
      return signed("burn", { account: a[0], mint: a[1], authority: a[2], amount: amount() }, "authority", 2);
    case 9:
      return signed("closeAccount", { account: a[0], destination: a[1], owner: a[2] }, "owner", 2);
    case 10:
      return signed("freezeAccount", { account: a[0], mint: a[1], freezeAuthority: a[2] }, "freezeAuthority", 2);
    case 11:
      return signed("thawAccount", { account: a[0], mint: a[1], freezeAuthority: a[2] }, "freezeAuthority", 2);
    case 12:
      return signed(
        "transferChecked",
        { source: a[0], mint: a[1], destination: a[2], authority: a[3], tokenAmount: checked() },
        "authority",
        3,
      );
    case 13:
      return signed("approveChecked", { source: a[0], mint: a[1], delegate: a[2], owner: a[3], tokenAmount: checked() }, "owner", 3);
    case 14:
      return signed("mintToChecked", { mint: a[0], account: a[1], mintAuthority: a[2], tokenAmount: checked() }, "mintAuthority", 2);
    case 15:
      return signed("burnChecked", { account: a[0], mint: a[1], authority: a[2], tokenAmount: checked() }, "authority", 2);
    case 16:
      need(a, 3);
      return info("initializeAccount2", { account: a[0], mint: a[1], owner: r.key(1), rentSysvar: a[2] });
    case 17:
      need(a, 1);
      return info("syncNative", { account: a[0] });
    case 18:
      need(a, 2);
      return info("initializeAccount3", { account: a[0], mint: a[1], owner: r.key(1) });
    case 20:
      return info("initializeMint2", mintInfo(false));
    case 21:
      need(a, 1);
      return info("getAccountDataSize", { mint: a[0] });
    case 22:
      need(a, 1);
      return info("initializeImmutableOwner", { account: a[0] });
    default:
      return undefined;
  }
}

function system(a: string[], data: Uint8Array): { program: string; parsed: unknown } | undefined {
  const r = reader(data);
  const info = (type: string, fields: Record<string, unknown>) => ({ program: "system", parsed: { info: fields, type } });
  switch (r.u32(0)) {
    case 0:
      need(a, 2);
      return info("createAccount", {
        source: a[0],
        newAccount: a[1],
        lamports: Number(r.u64(4)),
        space: Number(r.u64(12)),
        owner: r.key(20),
      });
    case 1:
      need(a, 1);
      return info("assign", { account: a[0], owner: r.key(4) });
    case 2:
      need(a, 2);
      return info("transfer", { source: a[0], destination: a[1], lamports: Number(r.u64(4)) });
    case 8:
      need(a, 1);
      return info("allocate", { account: a[0], space: Number(r.u64(4)) });
    default:
      return undefined;
  }
}

function ata(a: string[], data: Uint8Array): { program: string; parsed: unknown } | undefined {
  const type = data.length === 0 || data[0] === 0 ? "create" : data[0] === 1 ? "createIdempotent" : undefined;
  if (!type) return undefined;
  need(a, 6);
  return {
    program: "spl-associated-token-account",
    parsed: { info: { source: a[0], account: a[1], wallet: a[2], mint: a[3], systemProgram: a[4], tokenProgram: a[5] }, type },
  };
}
